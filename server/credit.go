package server

// The credit ledger's routes: an organisation's record, a regulator's new
// entry, the repair workflow, and the public list of organisations on
// the serious violation and abnormal-operations lists. engine/credit
// decides who may do what.

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/credit"
)

func (s *Server) creditRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/blacklist", metric: "blacklist", public: true},
		{method: "POST", pattern: "/v1/credit", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiAddCredit},
		{method: "GET", pattern: "/v1/credit/repairs", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiCreditRepairs},
		{method: "GET", pattern: "/v1/credit/{uscc}", h: (*Server).apiGetCredit},
		{method: "POST", pattern: "/v1/credit/entries/{entry}/repair", scopes: apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiApplyRepair},
		{method: "POST", pattern: "/v1/credit/entries/{entry}/decision", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiDecideRepair},
	}
}

// creditError answers an error of the credit book (or the engine's).
func creditError(c *call, err error) {
	switch {
	case errors.Is(err, credit.ErrInvalid):
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, credit.ErrNotFound):
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, credit.ErrForbidden):
		problem(c.ctx, fasthttp.StatusForbidden, "forbidden", err.Error())
	case errors.Is(err, credit.ErrState):
		problem(c.ctx, fasthttp.StatusConflict, "state", err.Error())
	default:
		engineError(c, err)
	}
}

// creditOffice returns the engine's credit office, or answers the error
// of opening it.
func (s *Server) creditOffice(c *call) (*credit.Office, bool) {
	co, err := s.eng.Credit()
	if err != nil {
		engineError(c, err)
		return nil, false
	}
	return co, true
}

// creditWarning returns the published serious-violation entry of
// organisation org a scan page shows (none when the book cannot be read:
// the page is shown without it).
func (s *Server) creditWarning(org uint32) (credit.Entry, bool) {
	co, err := s.eng.Credit()
	if err != nil {
		return credit.Entry{}, false
	}
	return co.Warning(org)
}

// creditView returns the credit record of uscc as key k sees it.
func (s *Server) creditView(k apikey.Key, uscc string) (credit.View, error) {
	co, err := s.eng.Credit()
	if err != nil {
		return credit.View{}, err
	}
	return co.View(k, uscc)
}

func (s *Server) apiAddCredit(c *call) {
	if !jsonContentType(c.ctx) {
		return
	}
	body, ok := c.readBody(credit.MaxBody)
	if !ok {
		return
	}
	uscc, in, err := credit.ParseBody(body, s.eng.Location())
	if err != nil {
		creditError(c, err)
		return
	}
	co, ok := s.creditOffice(c)
	if !ok {
		return
	}
	r, err := co.Add(c.key, uscc, in)
	if err != nil {
		creditError(c, err)
		return
	}
	s.invalidate() // the scan pages of a listed organisation's products change
	writeJSON(c, fasthttp.StatusCreated, r)
}

func (s *Server) apiGetCredit(c *call) {
	co, ok := s.creditOffice(c)
	if !ok {
		return
	}
	v, err := co.View(c.key, string(c.pv[0]))
	if err != nil {
		creditError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, v)
}

func (s *Server) apiCreditRepairs(c *call) {
	co, ok := s.creditOffice(c)
	if !ok {
		return
	}
	es := co.RepairsPending(c.key)
	if es == nil {
		es = []credit.Entry{}
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"entries": es})
}

type repairJSON struct {
	Note      string `json:"note"`
	RequestID string `json:"request_id"`
	Approve   *bool  `json:"approve,omitempty"`
}

func (s *Server) apiApplyRepair(c *call) {
	seq, ok := pathID(c, 0, "entry")
	if !ok {
		return
	}
	var in repairJSON
	if !readJSON(c, &in) {
		return
	}
	if in.Approve != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "approve: an application has no decision; the regulator decides at /v1/credit/entries/{entry}/decision")
		return
	}
	co, ok := s.creditOffice(c)
	if !ok {
		return
	}
	r, err := co.ApplyRepair(c.key, seq, in.Note, in.RequestID)
	if err != nil {
		creditError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusCreated, r)
}

func (s *Server) apiDecideRepair(c *call) {
	seq, ok := pathID(c, 0, "entry")
	if !ok {
		return
	}
	var in repairJSON
	if !readJSON(c, &in) {
		return
	}
	if in.Approve == nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "approve: required, true (repair approved) or false (refused)")
		return
	}
	co, ok := s.creditOffice(c)
	if !ok {
		return
	}
	r, err := co.DecideRepair(c.key, seq, *in.Approve, in.Note, in.RequestID)
	if err != nil {
		creditError(c, err)
		return
	}
	s.invalidate()
	writeJSON(c, fasthttp.StatusCreated, r)
}

//go:embed assets/blacklist.html
var blacklistHTML string

var blacklistTemplate = template.Must(template.New("blacklist").Parse(blacklistHTML))

// blacklistText is the public list's wording in each language.
var blacklistText = map[string]map[string]string{
	"zh": {"title": "严重违法失信名单与经营异常名录", "brand": "产品追溯", "switch": "English",
		"intro": "以下企业目前被列入严重违法失信名单或经营异常名录。信息在公示期内公示,企业可依法申请信用修复。",
		"none":  "目前没有被列入名单的企业。", "serious-violation": "严重违法失信名单", "abnormal": "经营异常名录",
		"uscc": "统一社会信用代码", "document": "决定文书", "reason": "事由", "since": "列入日期", "until": "公示截止",
		"footer": "一站式查询 · 来源可查、去向可追、责任可究"},
	"en": {"title": "Serious violation list and abnormal operations list", "brand": "Product trace", "switch": "中文",
		"intro": "These enterprises are on the serious violation list or the abnormal operations list. Entries are published for their publication period; an enterprise may apply for credit repair.",
		"none":  "No enterprise is listed.", "serious-violation": "Serious violation list", "abnormal": "Abnormal operations list",
		"uscc": "Unified social credit code", "document": "Decision", "reason": "Reason", "since": "Listed on", "until": "Published until",
		"footer": "One-stop query · source, destination and responsibility"},
}

// publicListing is one listed organisation as the public list shows it.
type publicListing struct {
	Seq       uint64 `json:"entry"`
	List      string `json:"list"`
	ListName  string `json:"-"`
	USCC      string `json:"uscc"`
	Name      string `json:"name"`
	NameEN    string `json:"name_en,omitempty"`
	Document  string `json:"document"`
	Reason    string `json:"-"`
	SummaryZH string `json:"summary_zh,omitempty"`
	SummaryEN string `json:"summary_en,omitempty"`
	Since     string `json:"since"`
	Until     string `json:"until"`
}

// serveBlacklist serves GET /blacklist: the page in zh or en, or JSON
// with ?format=json or Accept: application/json.
func (s *Server) serveBlacklist(ctx *fasthttp.RequestCtx) {
	switch string(ctx.Method()) {
	case "GET", "HEAD":
	default:
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", "/blacklist answers GET and HEAD")
		return
	}
	lang := pickLang(string(ctx.QueryArgs().Peek("lang")), string(ctx.Request.Header.Peek("Accept-Language")))
	co, err := s.eng.Credit()
	if err != nil {
		s.internalError(ctx, "blacklist", err)
		return
	}
	ls := co.Listed()
	T := blacklistText[lang]
	day := func(ms int64) string { return time.UnixMilli(ms).In(s.eng.Location()).Format("2006-01-02") }
	out := make([]publicListing, 0, len(ls))
	for _, l := range ls {
		p := publicListing{Seq: l.Seq, List: l.Kind.String(), ListName: T[l.Kind.String()], USCC: l.USCC, Name: l.Name,
			NameEN: l.NameEN, Document: l.Doc, Reason: pickText(lang, l.SummaryZH, l.SummaryEN),
			SummaryZH: l.SummaryZH, SummaryEN: l.SummaryEN, Since: day(l.PublishFrom), Until: day(l.Expiry)}
		if lang == "en" && l.NameEN != "" {
			p.Name, p.NameEN = l.NameEN, l.Name
		}
		out = append(out, p)
	}
	ctx.Response.Header.Set("Cache-Control", "public, max-age=60")
	if string(ctx.QueryArgs().Peek("format")) == "json" || bytes.Contains(ctx.Request.Header.Peek("Accept"), []byte("application/json")) {
		b, err := json.Marshal(map[string]any{"listed": out})
		if err != nil {
			s.internalError(ctx, "blacklist", err)
			return
		}
		ctx.SetContentType("application/json")
		ctx.SetBody(append(b, '\n'))
		return
	}
	other := "en"
	if lang == "en" {
		other = "zh"
	}
	var buf bytes.Buffer
	if err := blacklistTemplate.Execute(&buf, map[string]any{"Lang": lang, "OtherLang": other, "T": T,
		"CSS": template.CSS(scanCSS), "SwitchURL": "/blacklist?lang=" + other, "Listed": out}); err != nil {
		s.internalError(ctx, "blacklist page", err)
		return
	}
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Content-Language", lang)
	setPageSecurity(ctx)
	ctx.SetBody(buf.Bytes())
}

// fillDuties puts on a scan page what the engine says of the producer's
// credit: the public summary of its serious-violation entry, if any.
func (s *Server) fillDuties(pv *pageView, v *chainView, lang string) {
	if !v.found || v.res.Org.ID == 0 {
		return
	}
	if w, ok := s.creditWarning(v.res.Org.ID); ok {
		pv.CreditWarning = pickText(lang, w.SummaryZH, w.SummaryEN)
		pv.CreditURL = fmt.Sprintf("/blacklist?lang=%s#entry-%d", lang, w.Seq)
	}
}
