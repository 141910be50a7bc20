package server

// Complaints (投诉举报): the public routes a consumer files and follows a
// complaint with (no key), the "report a problem" page every scan page
// links to, and the regulator's routes. engine/complaint holds the rules.

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/complaint"
)

// Complaint submissions per client address: 5, then one every two
// minutes (the resolver's own limit is far higher; a person files few).
const (
	complaintRate  = 1.0 / 120
	complaintBurst = 5
)

const complaintsPath = "/v1/complaints"

func (s *Server) complaintRoutes() []*route {
	return []*route{
		{method: "POST", pattern: "/v1/complaints", metric: "complaints_public", public: true},
		{method: "GET", pattern: "/v1/complaints/{tracking}", metric: "complaints_public", public: true},
		{method: "GET", pattern: "/report", metric: "report", public: true},
		{method: "POST", pattern: "/report", metric: "report", public: true},
		{method: "GET", pattern: "/report/status", metric: "report", public: true},
		{method: "GET", pattern: "/v1/complaints", h: (*Server).apiComplaintInbox},
		{method: "GET", pattern: "/v1/complaints/{tracking}/photos/{photo}", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiComplaintPhoto},
		{method: "POST", pattern: "/v1/complaints/{tracking}/decision", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiComplaintDecision},
	}
}

// servesComplaintPublic reports whether a /v1/complaints request is one of
// the public routes (filing, the complainant's lookup).
func servesComplaintPublic(method, path []byte) bool {
	if !hasPrefix(path, complaintsPath) {
		return false
	}
	rest := path[len(complaintsPath):]
	switch {
	case len(rest) == 0:
		return string(method) == "POST"
	case rest[0] == '/' && len(rest) > 1 && bytes.IndexByte(rest[1:], '/') < 0:
		return string(method) == "GET" || string(method) == "HEAD"
	}
	return false
}

// complaintProblem answers a complaint error as a problem.
func complaintProblem(ctx *fasthttp.RequestCtx, err error) bool {
	switch {
	case errors.Is(err, complaint.ErrInvalid):
		problem(ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, complaint.ErrNotFound):
		problem(ctx, fasthttp.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, complaint.ErrForbidden):
		problem(ctx, fasthttp.StatusForbidden, "forbidden", err.Error())
	case errors.Is(err, complaint.ErrState), errors.Is(err, complaint.ErrDuplicate):
		problem(ctx, fasthttp.StatusConflict, "state", err.Error())
	default:
		return false
	}
	return true
}

// allowComplaint applies the per-client cap of complaint submissions.
func (s *Server) allowComplaint(ctx *fasthttp.RequestCtx) bool {
	if s.complaintLimiter == nil || !s.limited(ctx) || s.complaintLimiter.allow(s.clientHash(ctx), time.Now()) {
		return true
	}
	ctx.Response.Header.Set("Retry-After", "120")
	problem(ctx, fasthttp.StatusTooManyRequests, "rate-limited",
		"too many reports from this address; wait two minutes and try again, or call 12315")
	return false
}

// serveComplaintPublic serves POST /v1/complaints and GET
// /v1/complaints/{tracking}?phone=.
func (s *Server) serveComplaintPublic(ctx *fasthttp.RequestCtx) *routeStats {
	st := s.m.route("complaints_public")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	if string(ctx.Method()) != "POST" {
		tracking := string(ctx.Path()[len(complaintsPath)+1:])
		v, err := s.eng.Complaints().Status(tracking, string(ctx.QueryArgs().Peek("phone")))
		if err != nil {
			if !complaintProblem(ctx, err) {
				s.internalError(ctx, "complaint status", err)
			}
			return st
		}
		s.writePublicJSON(ctx, fasthttp.StatusOK, v)
		return st
	}
	if !jsonContentType(ctx) {
		return st
	}
	// The cap counts complaints that could be filed: a refused body writes
	// nothing and costs a parse.
	in, err := complaint.ParseBody(ctx.PostBody())
	if err == nil && !s.allowComplaint(ctx) {
		return st
	}
	if err == nil {
		var c complaint.Complaint
		if c, err = s.eng.Complaints().Submit(in); err == nil {
			s.writePublicJSON(ctx, fasthttp.StatusCreated, map[string]any{"tracking": c.Tracking, "state": c.State, "due": c.Due, "region": c.Region})
			return st
		}
	}
	if !complaintProblem(ctx, err) {
		s.internalError(ctx, "complaint", err)
	}
	return st
}

func (s *Server) writePublicJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	c := call{s: s, ctx: ctx}
	writeJSON(&c, status, v)
}

func (s *Server) apiComplaintInbox(c *call) {
	cs, err := s.eng.Complaints().Inbox(c.key)
	if err != nil {
		if !complaintProblem(c.ctx, err) {
			engineError(c, err)
		}
		return
	}
	type row struct {
		complaint.Complaint
		Photos int `json:"photos"`
	}
	out := make([]row, 0, len(cs))
	for _, x := range cs {
		out = append(out, row{x, len(x.Photos)})
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"complaints": out})
}

func (s *Server) apiComplaintPhoto(c *call) {
	i, err := strconv.Atoi(string(c.pv[1]))
	if err != nil || i < 1 {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-id", "photo: want 1, 2 or 3")
		return
	}
	b, typ, err := s.eng.Complaints().Photo(c.key, string(c.pv[0]), i-1)
	if err != nil {
		if !complaintProblem(c.ctx, err) {
			engineError(c, err)
		}
		return
	}
	c.ctx.SetContentType(typ)
	c.ctx.Response.Header.Set("Content-Security-Policy", "default-src 'none'")
	c.ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	c.ctx.SetBody(b)
}

type decisionJSON struct {
	Action string `json:"action"`
	Note   string `json:"note"`
}

func (s *Server) apiComplaintDecision(c *call) {
	var in decisionJSON
	if !readJSON(c, &in) {
		return
	}
	x, err := s.eng.Complaints().Act(c.key, string(c.pv[0]), complaint.Action(in.Action), in.Note)
	if err != nil {
		if !complaintProblem(c.ctx, err) {
			engineError(c, err)
		}
		return
	}
	writeJSON(c, fasthttp.StatusOK, x)
}

//go:embed assets/report.html
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"day": func(ms int64) string { return time.UnixMilli(ms).In(chinaTime).Format("2006-01-02 15:04") },
}).Parse(reportHTML))

// reportView is what the report page shows.
type reportView struct {
	Lang, OtherLang, SwitchURL string
	T                          map[string]string
	CSS                        template.CSS
	Mode                       string // form, filed, status, lookup
	About                      complaint.About
	Product, Producer, Seller  string
	Error                      string
	Form                       map[string]string
	RequestID                  string
	Tracking, Phone            string
	Status                     complaint.Status
	StateName                  string
	Steps                      []reportStep
	Due                        string
}

type reportStep struct{ When, What, Note string }

// serveReport serves the report page: GET /report?code= (the form,
// pre-filled from the chain), POST /report (files it), GET /report/status
// (the complainant's lookup).
func (s *Server) serveReport(ctx *fasthttp.RequestCtx) *routeStats {
	st := s.m.route("report")
	lang := pickLang(string(ctx.QueryArgs().Peek("lang")), string(ctx.Request.Header.Peek("Accept-Language")))
	other := "en"
	if lang == "en" {
		other = "zh"
	}
	v := &reportView{Lang: lang, OtherLang: other, T: reportText[lang], CSS: template.CSS(scanCSS), Form: map[string]string{}}
	v.SwitchURL = switchURL(ctx, other)
	method := string(ctx.Method())
	switch {
	case string(ctx.Path()) == "/report/status" && (method == "GET" || method == "HEAD"):
		s.reportStatus(ctx, v)
	case string(ctx.Path()) == "/report" && (method == "GET" || method == "HEAD"):
		s.reportForm(v, string(ctx.QueryArgs().Peek("code")))
	case string(ctx.Path()) == "/report" && method == "POST":
		s.reportFile(ctx, v)
	default:
		ctx.Response.Header.Set("Allow", "GET, HEAD, POST")
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", "the report page answers GET and POST")
		return st
	}
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, v); err != nil {
		s.internalError(ctx, "report page", err)
		return st
	}
	if v.Error != "" && ctx.Response.StatusCode() == fasthttp.StatusOK {
		ctx.SetStatusCode(fasthttp.StatusBadRequest)
	}
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Content-Language", lang)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	setPageSecurity(ctx)
	ctx.SetBody(buf.Bytes())
	return st
}

// reportForm fills v with the form for code, pre-filled from the chain.
func (s *Server) reportForm(v *reportView, code string) {
	v.Mode = "form"
	var rid [12]byte
	_, _ = rand.Read(rid[:])
	v.RequestID = hex.EncodeToString(rid[:])
	if code == "" {
		v.Error = v.T["err.code"]
		return
	}
	a, err := s.eng.Complaints().About(code)
	if err != nil {
		v.Error = v.T["err.code"]
		v.Form["code"] = code
		return
	}
	v.About = a
	v.Product, v.Producer, v.Seller = pickText(v.Lang, a.Product, a.ProductEN), pickText(v.Lang, a.Producer, a.ProducerEN), pickText(v.Lang, a.Seller, a.SellerEN)
}

// reportFile files the posted form.
func (s *Server) reportFile(ctx *fasthttp.RequestCtx, v *reportView) {
	form := map[string]string{}
	var photos [][]byte
	if mf, err := ctx.MultipartForm(); err == nil {
		for k, vs := range mf.Value {
			if len(vs) > 0 {
				form[k] = vs[0]
			}
		}
		for _, fh := range mf.File["photo"] {
			if fh.Size == 0 {
				continue
			}
			b, err := readFormFile(fh)
			if err != nil {
				v.Error = v.T["err.photo"]
				break
			}
			photos = append(photos, b)
		}
	} else {
		for k, val := range ctx.PostArgs().All() {
			form[string(k)] = string(val)
		}
	}
	s.reportForm(v, form["code"])
	if v.Error != "" && v.About.Code == "" {
		return
	}
	v.Form = form
	v.RequestID = form["request_id"]
	if v.Error != "" {
		return
	}
	if !s.allowComplaint(ctx) {
		v.Error = v.T["err.rate"]
		ctx.Response.Header.Set("Retry-After", "120")
		ctx.SetStatusCode(fasthttp.StatusTooManyRequests)
		return
	}
	in := complaint.Input{Code: form["code"], Name: form["name"], Phone: form["phone"], Anonymous: form["anonymous"] == "on",
		Text: form["text"], Photos: photos, RequestID: form["request_id"]}
	c, err := s.eng.Complaints().Submit(in)
	if err != nil {
		var msg string
		switch {
		case errors.Is(err, complaint.ErrDuplicate):
			msg = v.T["err.duplicate"]
		case errors.Is(err, complaint.ErrInvalid):
			msg = v.T["err.invalid"]
		default:
			s.log.Error("complaint", "err", err)
			msg = v.T["err.internal"]
			ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		}
		v.Error = msg + " (" + err.Error() + ")"
		return
	}
	ctx.SetStatusCode(fasthttp.StatusCreated)
	v.Mode, v.Tracking, v.Phone = "filed", c.Tracking, c.Phone
	v.Due = time.UnixMilli(c.Due - 1).In(chinaTime).Format("2006-01-02")
}

func readFormFile(fh *multipart.FileHeader) ([]byte, error) {
	if fh.Size > complaint.MaxPhotoSize {
		return nil, fmt.Errorf("photo larger than %d bytes", complaint.MaxPhotoSize)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, complaint.MaxPhotoSize+1))
}

// reportStatus fills v with the complainant's lookup.
func (s *Server) reportStatus(ctx *fasthttp.RequestCtx, v *reportView) {
	v.Mode = "lookup"
	v.Tracking = strings.TrimSpace(string(ctx.QueryArgs().Peek("tracking")))
	v.Phone = strings.TrimSpace(string(ctx.QueryArgs().Peek("phone")))
	if v.Tracking == "" {
		return
	}
	st, err := s.eng.Complaints().Status(v.Tracking, v.Phone)
	if err != nil {
		v.Error = v.T["err.lookup"]
		ctx.SetStatusCode(fasthttp.StatusNotFound)
		return
	}
	v.Mode, v.Status, v.StateName = "status", st, v.T["state."+st.State.String()]
	v.Due = time.UnixMilli(st.Due - 1).In(chinaTime).Format("2006-01-02")
	for _, c := range st.Steps {
		v.Steps = append(v.Steps, reportStep{When: time.UnixMilli(c.Time).In(chinaTime).Format("2006-01-02 15:04"),
			What: v.T["state."+c.State.String()], Note: c.Note})
	}
}

// reportText is the report page's wording.
var reportText = map[string]map[string]string{
	"zh": {"title": "投诉举报", "brand": "产品追溯", "switch": "English", "intro": "向监管部门反映该产品的问题。我们会把您的投诉举报转给销售地(或生产地)所在区县的市场监管部门,监管部门应在7个工作日内决定是否受理。",
		"code": "追溯码", "product": "产品", "producer": "生产企业", "lot": "批次", "seller": "购买地点(销售者)",
		"name": "姓名", "phone": "手机号码", "anonymous": "匿名举报(不留姓名;留下手机号码才能查询处理结果)", "text": "问题描述",
		"photos": "照片(可选,最多3张,每张不超过1 MB,JPEG/PNG/WebP)", "submit": "提交",
		"privacy": "您的姓名和电话只提供给处理投诉的监管部门,不会提供给被投诉的企业。",
		"filed":   "已收到您的投诉举报", "tracking": "受理编号", "keep": "请保存受理编号,凭编号和手机号码查询处理进度。", "due": "受理决定期限",
		"lookup": "查询处理进度", "lookup.submit": "查询", "state": "状态", "result": "处理结果", "steps": "处理过程",
		"state.received": "已收到,等待受理决定", "state.accepted": "已受理,正在处理", "state.refused": "不予受理", "state.closed": "已办结",
		"err.code": "无法识别该追溯码,请从产品的扫码页面进入。", "err.photo": "照片无法读取或超过大小限制。",
		"err.invalid": "请检查填写的内容", "err.duplicate": "您已提交过相同的投诉举报", "err.rate": "提交过于频繁,请稍后再试或拨打12315。",
		"err.internal": "服务暂时不可用,请稍后再试", "err.lookup": "未找到:请检查受理编号和手机号码。",
		"footer": "一站式查询 · 全国12315平台 · 来源可查、去向可追、责任可究"},
	"en": {"title": "Report a problem", "brand": "Product trace", "switch": "中文", "intro": "Tell the regulator about a problem with this product. Your report goes to the market regulator of the county where the product was sold (else where it was made), which must decide within 7 working days whether to accept it.",
		"code": "Trace code", "product": "Product", "producer": "Producer", "lot": "Lot", "seller": "Where bought (seller)",
		"name": "Name", "phone": "Mobile phone", "anonymous": "Report anonymously (no name; leave a phone number to look up the result)", "text": "What is wrong",
		"photos": "Photos (optional, up to 3, 1 MB each, JPEG/PNG/WebP)", "submit": "Send",
		"privacy": "Your name and phone go only to the regulator handling the report, never to the company reported.",
		"filed":   "Your report was received", "tracking": "Tracking number", "keep": "Keep the tracking number: with it and your phone you can follow the report.", "due": "Acceptance decision due by",
		"lookup": "Follow a report", "lookup.submit": "Look up", "state": "State", "result": "Result", "steps": "Steps",
		"state.received": "Received, awaiting the acceptance decision", "state.accepted": "Accepted, being handled", "state.refused": "Not accepted", "state.closed": "Closed",
		"err.code": "This trace code is not recognised; open this form from the product's scan page.", "err.photo": "A photo could not be read or is too large.",
		"err.invalid": "Please check what you entered", "err.duplicate": "You already sent the same report", "err.rate": "Too many reports; try again later or call 12315.",
		"err.internal": "The service is unavailable; try again later", "err.lookup": "Not found: check the tracking number and the phone number.",
		"footer": "One-stop query · 12315 · source, destination and responsibility"},
}
