package server

import (
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/epcissub"
)

// epcisSubscriptionRoutes are the REST binding's subscriptions to named
// queries: their documents go to the subscriber's webhook through the
// outbox (engine/epcissub).
func (s *Server) epcisSubscriptionRoutes() []*route {
	w := apikey.ScopeEvents | apikey.ScopeRegulator | apikey.ScopeAdmin
	return []*route{
		{method: "POST", pattern: "/v1/epcis/queries/{name}/subscriptions", metric: "epcis_subscriptions", scopes: w, keepsCache: true, h: (*Server).apiSubscribe},
		{method: "GET", pattern: "/v1/epcis/queries/{name}/subscriptions", metric: "epcis_subscriptions", h: (*Server).apiSubscriptions},
		{method: "GET", pattern: "/v1/epcis/queries/{name}/subscriptions/{id}", metric: "epcis_subscriptions", h: (*Server).apiSubscription},
		{method: "DELETE", pattern: "/v1/epcis/queries/{name}/subscriptions/{id}", metric: "epcis_subscriptions", scopes: w, keepsCache: true, h: (*Server).apiUnsubscribe},
	}
}

// subscriptionJSON is a subscription as the API writes it (never its
// signatureToken).
type subscriptionJSON struct {
	epcissub.Subscription
	Created       string `json:"createdAt"`
	Cursor        string `json:"lastRecord,omitzero"`
	LastDelivered string `json:"lastNotifiedAt,omitzero"`
}

func subscriptionOut(sub epcissub.Subscription) subscriptionJSON {
	out := subscriptionJSON{Subscription: sub, Created: time.UnixMilli(sub.Created).UTC().Format(time.RFC3339Nano),
		Cursor: strconv.FormatUint(sub.Cursor, 10)}
	if sub.LastDelivered != 0 {
		out.LastDelivered = time.UnixMilli(sub.LastDelivered).UTC().Format(time.RFC3339Nano)
	}
	return out
}

// subscriptions returns the engine's subscription manager, or answers
// the error of its absence.
func (s *Server) subscriptions(c *call) (*epcissub.Manager, bool) {
	m, err := s.eng.Subscriptions()
	if err != nil {
		subscriptionError(c, err)
		return nil, false
	}
	return m, true
}

func subscriptionError(c *call, err error) {
	switch {
	case errors.Is(err, epcissub.ErrInvalid):
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, epcissub.ErrNotFound):
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", err.Error())
	default:
		queryError(c, err)
	}
}

// apiSubscribe serves POST /v1/epcis/queries/{name}/subscriptions:
// {"dest", "signatureToken", "reportIfEmpty", "stream": true | "schedule":
// {…}, "initialRecordTime"}; 201 with Location and the subscription.
func (s *Server) apiSubscribe(c *call) {
	var in struct {
		Dest              string            `json:"dest"`
		SignatureToken    string            `json:"signatureToken"`
		ReportIfEmpty     bool              `json:"reportIfEmpty"`
		Stream            bool              `json:"stream"`
		Schedule          epcissub.Schedule `json:"schedule"`
		InitialRecordTime string            `json:"initialRecordTime"`
	}
	if !readJSON(c, &in) {
		return
	}
	var initial time.Time
	if in.InitialRecordTime != "" {
		t, err := time.Parse(time.RFC3339Nano, in.InitialRecordTime)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "initialRecordTime: not a date and time with a zone (2026-03-01T08:00:00Z)")
			return
		}
		initial = t
	}
	name := string(c.pv[0])
	m, ok := s.subscriptions(c)
	if !ok {
		return
	}
	sub, err := m.Subscribe(c.key, name, epcissub.Subscription{Dest: in.Dest, Token: in.SignatureToken,
		ReportIfEmpty: in.ReportIfEmpty, Stream: in.Stream, Schedule: in.Schedule}, initial)
	if err != nil {
		subscriptionError(c, err)
		return
	}
	c.ctx.Response.Header.Set("Location", "/v1/epcis/queries/"+string(c.pv[0])+"/subscriptions/"+strconv.FormatUint(sub.ID, 10))
	writeJSON(c, fasthttp.StatusCreated, subscriptionOut(sub))
}

// apiSubscriptions serves GET /v1/epcis/queries/{name}/subscriptions:
// the key's owner's subscriptions to the query.
func (s *Server) apiSubscriptions(c *call) {
	m, ok := s.subscriptions(c)
	if !ok {
		return
	}
	l, err := m.Subscriptions(c.key, string(c.pv[0]))
	if err != nil {
		subscriptionError(c, err)
		return
	}
	out := make([]subscriptionJSON, len(l))
	for i, sub := range l {
		out[i] = subscriptionOut(sub)
	}
	writeJSON(c, fasthttp.StatusOK, out)
}

func (s *Server) apiSubscription(c *call) {
	id, ok := pathID(c, 1, "subscription")
	if !ok {
		return
	}
	m, ok := s.subscriptions(c)
	if !ok {
		return
	}
	sub, found, err := m.Subscription(c.key, string(c.pv[0]), id)
	switch {
	case err != nil:
		subscriptionError(c, err)
	case !found:
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no subscription "+quote(c.pv[1])+" to query "+quote(c.pv[0])+" of this key's owner")
	default:
		writeJSON(c, fasthttp.StatusOK, subscriptionOut(sub))
	}
}

func (s *Server) apiUnsubscribe(c *call) {
	id, ok := pathID(c, 1, "subscription")
	if !ok {
		return
	}
	m, ok := s.subscriptions(c)
	if !ok {
		return
	}
	found, err := m.Unsubscribe(c.key, string(c.pv[0]), id)
	switch {
	case err != nil:
		subscriptionError(c, err)
	case !found:
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no subscription "+quote(c.pv[1])+" to query "+quote(c.pv[0])+" of this key's owner")
	default:
		c.ctx.SetStatusCode(fasthttp.StatusNoContent)
	}
}
