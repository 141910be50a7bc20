package server

import (
	"errors"
	"strconv"

	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/alert"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
)

// noticeRoutes are the routes of recall objects, alerts and
// organisations' notification endpoints.
func (s *Server) noticeRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/v1/recalls", h: (*Server).apiListRecalls},
		{method: "GET", pattern: "/v1/recalls/{recall}", h: (*Server).apiGetRecall},
		{method: "POST", pattern: "/v1/recalls/{recall}/ack", scopes: apikey.ScopeEvents | apikey.ScopeAdmin, h: (*Server).apiAckRecall},
		{method: "POST", pattern: "/v1/recalls/{recall}/progress", scopes: apikey.ScopeEvents | apikey.ScopeAdmin, h: (*Server).apiRecallProgress},
		{method: "POST", pattern: "/v1/recalls/{recall}/close", scopes: apikey.ScopeEvents | apikey.ScopeAdmin | apikey.ScopeRegulator, h: (*Server).apiCloseRecall},
		{method: "GET", pattern: "/v1/recalls/{recall}/notifications", h: (*Server).apiRecallNotifications},
		{method: "GET", pattern: "/v1/alerts", h: (*Server).apiListAlerts},
		{method: "GET", pattern: "/v1/alerts/rules", h: (*Server).apiAlertRules},
		{method: "GET", pattern: "/v1/alerts/{alert}", h: (*Server).apiGetAlert},
		{method: "POST", pattern: "/v1/alerts/{alert}/ack", h: (*Server).apiAckAlert},
		{method: "POST", pattern: "/v1/alerts/{alert}/close", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiCloseAlert},
		{method: "GET", pattern: "/v1/orgs/{org}/contact", h: (*Server).apiGetContact},
		{method: "PUT", pattern: "/v1/orgs/{org}/contact", scopes: apikey.ScopeAdmin, h: (*Server).apiSetContact},
		{method: "PUT", pattern: "/v1/orgs/{org}/webhook", scopes: apikey.ScopeAdmin, h: (*Server).apiSetWebhook},
		{method: "GET", pattern: "/v1/holds", h: (*Server).apiListHolds},
		{method: "POST", pattern: "/v1/lots/{lot}/hold", scopes: apikey.ScopeEvents | apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiHoldLot},
		{method: "DELETE", pattern: "/v1/lots/{lot}/hold", scopes: apikey.ScopeEvents | apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiReleaseHold},
	}
}

// noticeError answers an error of the recall, alert and outbox packages
// (or the engine's).
func noticeError(c *call, err error) {
	switch {
	case errors.Is(err, recall.ErrNotFound), errors.Is(err, alert.ErrNotFound), errors.Is(err, outbox.ErrNotFound):
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, recall.ErrInvalid), errors.Is(err, alert.ErrInvalid), errors.Is(err, outbox.ErrInvalid):
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, recall.ErrForbidden), errors.Is(err, alert.ErrForbidden):
		problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", err.Error())
	case errors.Is(err, recall.ErrState), errors.Is(err, alert.ErrState):
		problem(c.ctx, fasthttp.StatusConflict, "state", err.Error())
	default:
		reportError(c, err) // a rejected report (a recall's ledger record) names each code; else engineError
	}
}

// notices returns the engine's notices (opened by New).
func (s *Server) notices() *engine.Notices { return s.eng.Notices() }

// orderRecall serves POST /v1/recalls with a level: the recall object.
func (s *Server) orderRecall(c *call, o *notice.RecallOrder) {
	v, err := s.notices().OrderRecall(c.wctx, c.key, o)
	if err != nil {
		noticeError(c, err)
		return
	}
	// The order's notice is written beside the report chain's records,
	// which alone the engine announces: every scan answer shows it.
	s.invalidate()
	writeJSON(c, fasthttp.StatusCreated, v)
}

func (s *Server) apiListRecalls(c *call) {
	active := string(c.ctx.QueryArgs().Peek("state")) != "all"
	rs, err := s.notices().RecallList(c.key, active)
	if err != nil {
		noticeError(c, err)
		return
	}
	if rs == nil {
		rs = []recall.Recall{}
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"recalls": rs})
}

func (s *Server) apiGetRecall(c *call) {
	id, ok := pathID(c, 0, "recall")
	if !ok {
		return
	}
	v, err := s.notices().RecallView(c.key, id)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, v)
}

type noteJSON struct {
	Note string `json:"note"`
}

func (s *Server) apiAckRecall(c *call) {
	recallNoteAction(c, true, s.notices().AckRecall)
}

func (s *Server) apiRecallProgress(c *call) {
	recallNoteAction(c, false, s.notices().ReportRecallProgress)
}

func (s *Server) apiCloseRecall(c *call) {
	recallNoteAction(c, false, s.notices().CloseRecall)
}

// recallNoteAction answers a POST on the recall the path names whose body
// is a note (optional: an empty body is an empty note): act records it
// for the caller's key, and the answer is what act returns.
func recallNoteAction[T any](c *call, optional bool, act func(apikey.Key, uint64, string) (T, error)) {
	id, ok := pathID(c, 0, "recall")
	if !ok {
		return
	}
	var in noteJSON
	if (!optional || hasBody(c.ctx)) && !readJSON(c, &in) {
		return
	}
	out, err := act(c.key, id, in.Note)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, out)
}

func (s *Server) apiRecallNotifications(c *call) {
	id, ok := pathID(c, 0, "recall")
	if !ok {
		return
	}
	ns, err := s.notices().RecallNotifications(c.key, id)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"notifications": notificationsOut(ns)})
}

// notificationsOut keeps the payload visible as JSON.
func notificationsOut(ns []outbox.Notification) []map[string]any {
	out := make([]map[string]any, 0, len(ns))
	for i := range ns {
		n := &ns[i]
		out = append(out, map[string]any{"id": n.ID, "source": n.Source, "source_id": n.SourceID, "channel": n.Channel,
			"org": n.Org, "region": n.Region, "target": n.Target, "state": n.State, "attempts": n.Attempts,
			"next_try": n.NextTry, "last_error": n.LastError, "created": n.Created, "delivered": n.Delivered})
	}
	return out
}

func (s *Server) apiListAlerts(c *call) {
	q := c.ctx.QueryArgs()
	f := alert.Filter{Rule: string(q.Peek("rule"))}
	if v := q.Peek("region"); len(v) > 0 {
		r, err := strconv.ParseUint(string(v), 10, 32)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "region: a GB/T 2260 code of 6 or 9 digits")
			return
		}
		f.Region = uint32(r)
	}
	if v := q.Peek("state"); len(v) > 0 {
		st, err := alert.ParseState(string(v))
		if err != nil {
			noticeError(c, err)
			return
		}
		f.State = st
	}
	as, err := s.notices().AlertList(c.key, f)
	if err != nil {
		noticeError(c, err)
		return
	}
	if as == nil {
		as = []alert.Alert{}
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"alerts": as})
}

func (s *Server) apiAlertRules(c *call) {
	writeJSON(c, fasthttp.StatusOK, map[string]any{"rules": s.notices().Alerts.Rules()})
}

func (s *Server) apiGetAlert(c *call) {
	id, ok := pathID(c, 0, "alert")
	if !ok {
		return
	}
	a, err := s.notices().Alert(c.key, id)
	if err != nil {
		noticeError(c, err)
		return
	}
	ns, err := s.notices().AlertNotifications(c.key, id)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"alert": a, "notifications": notificationsOut(ns)})
}

func (s *Server) apiAckAlert(c *call) {
	id, ok := pathID(c, 0, "alert")
	if !ok {
		return
	}
	var in noteJSON
	if hasBody(c.ctx) && !readJSON(c, &in) {
		return
	}
	a, err := s.notices().AckAlert(c.key, id, in.Note)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, a)
}

func (s *Server) apiCloseAlert(c *call) {
	id, ok := pathID(c, 0, "alert")
	if !ok {
		return
	}
	var in struct {
		Note    string `json:"note"`
		Outcome string `json:"outcome"`
	}
	if !readJSON(c, &in) {
		return
	}
	o, err := alert.ParseOutcome(in.Outcome)
	if err != nil {
		noticeError(c, err)
		return
	}
	a, err := s.notices().CloseAlert(c.key, id, o, in.Note)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, a)
}

func (s *Server) apiGetContact(c *call) {
	id, ok := pathOrg(c)
	if !ok {
		return
	}
	e, err := s.notices().Endpoint(c.key, id)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, e)
}

func (s *Server) apiSetContact(c *call) {
	id, ok := pathOrg(c)
	if !ok {
		return
	}
	var in struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Email string `json:"email"`
	}
	if !readJSON(c, &in) {
		return
	}
	e, err := s.notices().SetContact(c.key, id, outbox.Endpoint{Name: in.Name, Phone: in.Phone, Email: in.Email})
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, e)
}

func (s *Server) apiSetWebhook(c *call) {
	id, ok := pathOrg(c)
	if !ok {
		return
	}
	var in struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	if !readJSON(c, &in) {
		return
	}
	e, err := s.notices().SetWebhook(c.key, id, in.URL, in.Secret)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, e)
}

// pathOrg parses the {org} path parameter.
func pathOrg(c *call) (uint32, bool) {
	id, ok := pathID(c, 0, "org")
	if ok && id > 1<<32-1 {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-id", "org id "+strconv.FormatUint(id, 10)+" is larger than 2^32 - 1")
		return 0, false
	}
	return uint32(id), ok
}

func (s *Server) apiListHolds(c *call) {
	hs := s.notices().Recalls.Holds()
	if hs == nil {
		hs = []recall.Hold{}
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"holds": hs})
}

// pathLot parses the {lot} path parameter.
func (s *Server) pathLot(c *call) (model.Lot, bool) {
	id, ok := pathID(c, 0, "lot")
	if !ok {
		return model.Lot{}, false
	}
	if id > 1<<32-1 {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-id", "lot id "+strconv.FormatUint(id, 10)+" is larger than 2^32 - 1")
		return model.Lot{}, false
	}
	l, err := s.eng.Issuance().Lot(uint32(id))
	if err != nil {
		engineError(c, err)
		return model.Lot{}, false
	}
	return l, true
}

func (s *Server) apiHoldLot(c *call) {
	l, ok := s.pathLot(c)
	if !ok {
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if !readJSON(c, &in) {
		return
	}
	h, err := s.notices().HoldLot(c.key, chain.LotRef{Product: l.Product, Number: l.Number}, in.Reason)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusCreated, h)
}

func (s *Server) apiReleaseHold(c *call) {
	l, ok := s.pathLot(c)
	if !ok {
		return
	}
	h, err := s.notices().ReleaseHold(c.key, l.ID)
	if err != nil {
		noticeError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, h)
}
