package server

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"html/template"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/spotcheck"
)

// spotRoutes are the routes of random spot checks (双随机、一公开).
func (s *Server) spotRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/spotchecks", metric: "spotchecks", public: true},
		{method: "GET", pattern: "/v1/spotchecks/plans", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiListSpotPlans},
		{method: "POST", pattern: "/v1/spotchecks/plans", scopes: apikey.ScopeRegulator, keepsCache: true, h: (*Server).apiCreateSpotPlan},
		{method: "GET", pattern: "/v1/spotchecks/plans/{plan}", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiGetSpotPlan},
		{method: "GET", pattern: "/v1/spotchecks/plans/{plan}/population", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiSpotPlanPopulation},
		{method: "POST", pattern: "/v1/spotchecks/plans/{plan}/draws", scopes: apikey.ScopeRegulator, keepsCache: true, h: (*Server).apiDrawSpotCheck},
		{method: "GET", pattern: "/v1/spotchecks/draws", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiListSpotDraws},
		{method: "GET", pattern: "/v1/spotchecks/draws/{draw}", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiGetSpotDraw},
		{method: "GET", pattern: "/v1/spotchecks/draws/{draw}/population", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiSpotDrawPopulation},
		{method: "POST", pattern: "/v1/spotchecks/draws/{draw}/inspections/{n}/result", scopes: apikey.ScopeRegulator, h: (*Server).apiSpotResult},
	}
}

// spotError answers an error of the spot checks (or the engine's).
func spotError(c *call, err error) {
	switch {
	case errors.Is(err, spotcheck.ErrNotFound):
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, spotcheck.ErrInvalid):
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, spotcheck.ErrForbidden):
		problem(c.ctx, fasthttp.StatusForbidden, "wrong-region", err.Error())
	case errors.Is(err, spotcheck.ErrConflict):
		problem(c.ctx, fasthttp.StatusConflict, "exists", err.Error())
	default:
		engineError(c, err)
	}
}

// actorName names who acts: the console account's login, else the key's
// name, else its id.
func (c *call) actorName() string {
	switch {
	case c.acct != nil:
		return c.acct.Login
	case c.key.Name != "":
		return c.key.Name
	}
	return "key " + strconv.FormatUint(c.key.ID, 10)
}

// spotOffice returns the engine's spot-check office, or answers the error
// of opening it.
func (s *Server) spotOffice(c *call) (*spotcheck.Office, bool) {
	sc, err := s.eng.SpotChecks()
	if err != nil {
		spotError(c, err)
		return nil, false
	}
	return sc, true
}

func (s *Server) apiListSpotPlans(c *call) {
	sc, err := s.eng.SpotChecks()
	if err != nil {
		spotError(c, err)
		return
	}
	out := []spotcheck.PlanFile{}
	for _, p := range sc.Book.Plans(func(p *spotcheck.Plan) bool { return spotcheck.Visible(c.key, p.Region) }) {
		out = append(out, p.File())
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"plans": out})
}

func (s *Server) apiCreateSpotPlan(c *call) {
	var f spotcheck.PlanFile
	if !readJSON(c, &f) {
		return
	}
	f.ID, f.Created, f.CreatedBy = 0, 0, ""
	p, err := f.Plan()
	if err != nil {
		spotError(c, err)
		return
	}
	sc, ok := s.spotOffice(c)
	if !ok {
		return
	}
	p, err = sc.CreatePlan(c.key, c.actorName(), p)
	if err != nil {
		spotError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusCreated, p.File())
}

func (s *Server) spotPlan(c *call) (spotcheck.Plan, bool) {
	id, ok := pathID(c, 0, "plan")
	if !ok {
		return spotcheck.Plan{}, false
	}
	if id > 1<<32-1 {
		notVisible(c, "plan", id)
		return spotcheck.Plan{}, false
	}
	sc, ok := s.spotOffice(c)
	if !ok {
		return spotcheck.Plan{}, false
	}
	p, err := sc.Plan(c.key, uint32(id))
	if err != nil {
		spotError(c, err)
		return spotcheck.Plan{}, false
	}
	return p, true
}

func (s *Server) apiGetSpotPlan(c *call) {
	if p, ok := s.spotPlan(c); ok {
		writeJSON(c, fasthttp.StatusOK, p.File())
	}
}

func (s *Server) apiSpotPlanPopulation(c *call) {
	p, ok := s.spotPlan(c)
	if !ok {
		return
	}
	sc, ok := s.spotOffice(c)
	if !ok {
		return
	}
	pop, err := sc.Population(&p)
	if err != nil {
		spotError(c, err)
		return
	}
	c.ctx.Response.Header.SetContentTypeBytes(ctJSON)
	c.ctx.SetBody(pop.Canonical())
}

type drawRequest struct {
	Seed string `json:"seed"`
}

func (s *Server) apiDrawSpotCheck(c *call) {
	p, ok := s.spotPlan(c)
	if !ok {
		return
	}
	var q drawRequest
	if len(bytes.TrimSpace(c.ctx.PostBody())) > 0 || len(c.ctx.Request.Header.ContentType()) > 0 {
		if !readJSON(c, &q) {
			return
		}
	}
	sc, ok := s.spotOffice(c)
	if !ok {
		return
	}
	d, created, err := sc.Draw(c.key, c.actorName(), p.ID, q.Seed)
	if err != nil {
		spotError(c, err)
		return
	}
	status := fasthttp.StatusOK
	if created {
		status = fasthttp.StatusCreated
	}
	s.writeDraw(c, status, &d)
}

type spotResultJSON struct {
	Code       string   `json:"code"`
	Text       string   `json:"text"`
	TextEN     string   `json:"text_en"`
	Note       string   `json:"note,omitzero"`
	Lots       []string `json:"lots,omitempty"`
	Codes      []string `json:"codes,omitempty"`
	LedgerSeq  uint64   `json:"ledger_seq,omitzero"`
	Recorded   string   `json:"recorded"`
	RecordedBy string   `json:"recorded_by"`
}

type spotInspectionJSON struct {
	spotcheck.Inspection
	Result  *spotResultJSON `json:"result"`
	Overdue bool            `json:"overdue"`
}

type spotDrawJSON struct {
	ID          uint64               `json:"id"`
	Plan        uint32               `json:"plan"`
	Region      string               `json:"region"`
	Seed        string               `json:"seed"`
	SeedSource  string               `json:"seed_source"`
	Algorithm   string               `json:"algorithm"`
	Version     int                  `json:"version"`
	PopSHA256   string               `json:"population_sha256"`
	Created     string               `json:"created"`
	CreatedBy   string               `json:"created_by"`
	PublishBy   string               `json:"publish_by"`
	Inspections []spotInspectionJSON `json:"inspections"`
}

func spotResultOut(r *spotcheck.Result) *spotResultJSON {
	return &spotResultJSON{Code: r.Code.String(), Text: r.Code.Text("zh"), TextEN: r.Code.Text("en"), Note: r.Note,
		Lots: r.Lots, Codes: r.Codes, LedgerSeq: r.LedgerSeq, Recorded: msTime(r.Recorded), RecordedBy: r.RecordedBy}
}

func (s *Server) drawOut(d *spotcheck.Draw) (spotDrawJSON, error) {
	sc, err := s.eng.SpotChecks()
	if err != nil {
		return spotDrawJSON{}, err
	}
	out := spotDrawJSON{ID: d.ID, Plan: d.Plan, Region: strconv.FormatUint(uint64(d.Region), 10), Seed: d.Seed,
		SeedSource: d.SeedSource, Algorithm: d.Outcome.Algorithm, Version: d.Outcome.Version, PopSHA256: d.Outcome.Population,
		Created: msTime(d.Created), CreatedBy: d.CreatedBy, PublishBy: msTime(d.PublishBy), Inspections: []spotInspectionJSON{}}
	now := s.eng.Now().UnixMilli()
	for _, in := range d.Outcome.Inspections {
		row := spotInspectionJSON{Inspection: in}
		if r, ok := sc.Book.Result(d.ID, uint32(in.N)); ok {
			row.Result = spotResultOut(&r)
		} else {
			row.Overdue = now > d.PublishBy
		}
		out.Inspections = append(out.Inspections, row)
	}
	return out, nil
}

func (s *Server) writeDraw(c *call, status int, d *spotcheck.Draw) {
	out, err := s.drawOut(d)
	if err != nil {
		spotError(c, err)
		return
	}
	writeJSON(c, status, out)
}

func (s *Server) apiListSpotDraws(c *call) {
	sc, err := s.eng.SpotChecks()
	if err != nil {
		spotError(c, err)
		return
	}
	plan, ok := queryUint(c, "plan")
	if !ok {
		return
	}
	out := []spotDrawJSON{}
	for _, d := range sc.Book.Draws(func(d *spotcheck.Draw) bool {
		return spotcheck.Visible(c.key, d.Region) && (plan == 0 || uint64(d.Plan) == plan)
	}) {
		j, err := s.drawOut(&d)
		if err != nil {
			spotError(c, err)
			return
		}
		out = append(out, j)
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"draws": out})
}

func (s *Server) spotDraw(c *call) (spotcheck.Draw, bool) {
	id, ok := pathID(c, 0, "draw")
	if !ok {
		return spotcheck.Draw{}, false
	}
	sc, ok := s.spotOffice(c)
	if !ok {
		return spotcheck.Draw{}, false
	}
	d, err := sc.DrawOf(c.key, id)
	if err != nil {
		spotError(c, err)
		return spotcheck.Draw{}, false
	}
	return d, true
}

func (s *Server) apiGetSpotDraw(c *call) {
	if d, ok := s.spotDraw(c); ok {
		s.writeDraw(c, fasthttp.StatusOK, &d)
	}
}

func (s *Server) apiSpotDrawPopulation(c *call) {
	if d, ok := s.spotDraw(c); ok {
		c.ctx.Response.Header.SetContentTypeBytes(ctJSON)
		c.ctx.SetBody(d.Population)
	}
}

type spotResultRequest struct {
	Code  string   `json:"code"`
	Note  string   `json:"note"`
	Lots  []string `json:"lots"`
	Codes []string `json:"codes"`
}

func (s *Server) apiSpotResult(c *call) {
	id, ok := pathID(c, 0, "draw")
	if !ok {
		return
	}
	n, ok := pathID(c, 1, "inspection")
	if !ok {
		return
	}
	if n > 1<<32-1 {
		notVisible(c, "inspection", n)
		return
	}
	var q spotResultRequest
	if !readJSON(c, &q) {
		return
	}
	code, err := spotcheck.ParseCode(q.Code)
	if err != nil {
		spotError(c, err)
		return
	}
	sc, ok := s.spotOffice(c)
	if !ok {
		return
	}
	r, err := sc.Record(c.wctx, c.key, c.actorName(),
		spotcheck.Result{Draw: id, N: uint32(n), Code: code, Note: q.Note, Lots: q.Lots, Codes: q.Codes})
	if err != nil {
		spotError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, spotResultOut(&r))
}

//go:embed assets/spotchecks.html
var spotchecksHTML string

var spotchecksTemplate = template.Must(template.New("spotchecks").Parse(spotchecksHTML))

// spotText is the public results page's wording in each language.
var spotText = map[string]map[string]string{
	"zh": {"title": "双随机抽查结果公示", "brand": "产品追溯", "switch": "English",
		"intro": "市场监管部门随机抽取检查对象、随机选派执法检查人员,抽查结果向社会公开。每次抽取的随机种子和名录哈希可供复核。",
		"none":  "暂无公示的抽查结果。", "enterprise": "检查对象", "uscc": "统一社会信用代码", "plan": "抽查任务", "items": "检查事项",
		"result": "检查结果", "note": "说明", "lots": "抽检批次", "date": "公示日期", "region": "实施机关辖区", "draw": "抽取编号",
		"footer": "一站式查询 · 来源可查、去向可追、责任可究"},
	"en": {"title": "Random spot-check results", "brand": "Product trace", "switch": "中文",
		"intro": "Market regulators draw the businesses to inspect and the inspectors at random and publish the results. Each draw's seed and population hash can be checked by anyone.",
		"none":  "No spot-check result is published yet.", "enterprise": "Business", "uscc": "Credit code (USCC)", "plan": "Check plan", "items": "Checked",
		"result": "Result", "note": "Note", "lots": "Lots sampled", "date": "Published", "region": "Regulator's region", "draw": "Draw",
		"footer": "One-stop query · source, destination and responsibility"},
}

// publicSpot is one published result as the public page and JSON show it.
type publicSpot struct {
	Draw      uint64   `json:"draw"`
	N         uint32   `json:"n"`
	Plan      string   `json:"plan"`
	Items     []string `json:"items"`
	Region    string   `json:"region"`
	RegionNm  string   `json:"region_name"`
	USCC      string   `json:"uscc"`
	Name      string   `json:"enterprise"`
	Code      string   `json:"code"`
	Result    string   `json:"result"`
	Note      string   `json:"note,omitzero"`
	Lots      []string `json:"lots,omitempty"`
	Published string   `json:"published"`
}

// publicSpots returns the recorded results in lang, newest first (org ≠ 0:
// that organisation's only; at most limit when limit > 0).
func (s *Server) publicSpots(lang string, org uint32, limit int) ([]publicSpot, error) {
	sc, err := s.eng.SpotChecks()
	if err != nil {
		return nil, err
	}
	rs, err := sc.PublicResults(org)
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(rs) > limit {
		rs = rs[:limit]
	}
	out := make([]publicSpot, 0, len(rs))
	for _, r := range rs {
		out = append(out, publicSpot{Draw: r.Draw, N: r.N, Plan: r.Plan, Items: r.Items, Region: strconv.FormatUint(uint64(r.Region), 10),
			RegionNm: regionName(r.Region, lang), USCC: r.Subject, Name: r.Name, Code: r.Code.String(), Result: r.Code.Text(lang),
			Note: r.Note, Lots: r.Lots, Published: time.UnixMilli(r.Recorded).In(s.eng.Location()).Format("2006-01-02")})
	}
	return out, nil
}

// serveSpotChecks serves GET /spotchecks: the published results (a page
// in zh or en, or JSON with ?format=json or Accept: application/json).
func (s *Server) serveSpotChecks(ctx *fasthttp.RequestCtx) {
	switch string(ctx.Method()) {
	case "GET", "HEAD":
	default:
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", "/spotchecks answers GET and HEAD")
		return
	}
	lang := pickLang(string(ctx.QueryArgs().Peek("lang")), string(ctx.Request.Header.Peek("Accept-Language")))
	rs, err := s.publicSpots(lang, 0, 0)
	if err != nil {
		s.internalError(ctx, "spot checks", err)
		return
	}
	ctx.Response.Header.Set("Cache-Control", "public, max-age=60")
	if string(ctx.QueryArgs().Peek("format")) == "json" || bytes.Contains(ctx.Request.Header.Peek("Accept"), []byte("application/json")) {
		b, err := json.Marshal(map[string]any{"results": rs})
		if err != nil {
			s.internalError(ctx, "spot checks", err)
			return
		}
		ctx.SetContentType("application/json")
		ctx.SetBody(append(b, '\n'))
		return
	}
	other := otherLang(lang)
	var buf bytes.Buffer
	err = spotchecksTemplate.Execute(&buf, map[string]any{"Lang": lang, "OtherLang": other, "T": spotText[lang],
		"CSS": template.CSS(scanCSS), "SwitchURL": "/spotchecks?lang=" + other, "Results": rs})
	if err != nil {
		s.internalError(ctx, "spot checks page", err)
		return
	}
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Content-Language", lang)
	setPageSecurity(ctx)
	ctx.SetBody(buf.Bytes())
}

func otherLang(lang string) string {
	if lang == "en" {
		return "zh"
	}
	return "en"
}
