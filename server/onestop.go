package server

// The one-stop public query (一站式查询): the home page (type or scan a
// code, search, the recalls in force and the latest spot-check results),
// the search (GET /search, a page; GET /v1/search, JSON), the public
// enterprise page (GET /enterprise/{key}) and the home page's script and
// vendored decoder (GET /assets/{name}). The engine searches and decides
// what is public (engine.Search, engine.OneStop().Enterprise); these handlers
// lay it out.

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/onestop"
	"tracecode/engine/search"
)

// oneStopRoutes are the one-stop query's public routes (dispatched by
// hand in dispatch).
func oneStopRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/search", metric: "search", public: true},
		{method: "GET", pattern: "/v1/search", metric: "search", public: true},
		{method: "GET", pattern: "/enterprise/{key}", metric: "enterprise", public: true},
		{method: "GET", pattern: "/assets/{name}", metric: "assets", public: true},
	}
}

var (
	//go:embed assets/search.html
	searchHTML string
	//go:embed assets/enterprise.html
	enterpriseHTML string
	//go:embed assets/scan.js
	scanJS []byte
	//go:embed assets/vendor/zxing-reader.iife.js
	zxingJS []byte
	//go:embed assets/vendor/zxing_reader.wasm
	zxingWASM []byte

	searchTemplate     = template.Must(template.New("search").Parse(searchHTML))
	enterpriseTemplate = template.Must(template.New("enterprise").Parse(enterpriseHTML))
)

// homeCSP is the home page's policy: the scan script and the decoder
// from this server, WebAssembly compiled from it, the camera's stream.
const homeCSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; media-src 'self' blob: mediastream:; " +
	"style-src 'unsafe-inline'; img-src data: blob:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// oneStopText is the one-stop pages' wording in each language (the scan
// page's messages give the title, brand and footer).
var oneStopText = map[string]map[string]string{
	"zh": {
		"scan": "扫码查询（打开相机）", "stop": "关闭相机", "starting": "正在打开相机…", "looking": "请将二维码或 DataMatrix 码对准取景框…",
		"found": "已识别，正在打开…", "denied": "相机权限被拒绝。请在浏览器设置中允许使用相机，或在上方输入追溯码。",
		"nocamera": "没有找到可用的相机。请在上方输入追溯码。", "unsupported": "此浏览器不支持扫码。请在上方输入追溯码。",
		"search": "搜索产品和企业", "searchHint": "按产品名称或商品条码（GTIN），企业名称或统一社会信用代码查询。",
		"searchPlaceholder": "名称、GTIN 或统一社会信用代码", "searchSubmit": "搜索", "results": "搜索结果",
		"count": "找到 %d 条结果。", "countMore": "找到 %d 条结果，显示前 %d 条。请输入更完整的名称缩小范围。", "countNone": "没有找到“%s”。请检查名称或代码。",
		"recalls": "正在进行的召回", "noRecalls": "目前没有正在进行的召回。", "allRecalls": "全部召回公告 →", "level": "级别",
		"spot": "最新抽查结果", "noSpot": "暂无公示的抽查结果。", "allSpot": "全部抽查结果 →",
		"blacklist": "严重违法失信名单与经营异常名录", "complaint": "投诉举报进度查询", "opendata": "开放数据",
		"product": "产品", "enterprise": "企业", "uscc": "统一社会信用代码", "region": "所在地区", "credit": "信用状况",
		"registered": "登记日期", "licence": "登记和许可", "licenceUSCC": "营业执照已登记（统一社会信用代码）", "licenceNone": "未登记统一社会信用代码",
		"gcp": "GS1 厂商识别代码", "none": "无", "notListed": "未列入严重违法失信名单和经营异常名录", "noCredit": "没有公示中的信用记录。",
		"since": "公示自", "until": "至", "noRecallsOf": "该企业没有正在进行的召回。", "noSpotOf": "该企业没有公示的抽查结果。",
		"products": "产品", "noProducts": "没有登记的产品。",
		"kind.penalty": "行政处罚", "kind.abnormal": "经营异常名录", "kind.serious-violation": "严重违法失信名单", "kind.recall": "召回记录",
		"kind.spot-check-failed": "抽查不合格", "kind.alert-confirmed": "风险预警经确认", "kind.positive": "认证、表彰",
	},
	"en": {
		"scan": "Scan a code (camera)", "stop": "Close the camera", "starting": "Opening the camera…", "looking": "Point the camera at the QR code or DataMatrix…",
		"found": "Found; opening…", "denied": "Camera permission was denied. Allow the camera in the browser's settings, or type the code above.",
		"nocamera": "No camera was found. Type the code above.", "unsupported": "This browser cannot scan codes. Type the code above.",
		"search": "Search products and enterprises", "searchHint": "By product name or GTIN (barcode number), enterprise name or unified social credit code.",
		"searchPlaceholder": "Name, GTIN or credit code", "searchSubmit": "Search", "results": "Search results",
		"count": "%d found.", "countMore": "%d found; the first %d are shown. Type more of the name to narrow it.", "countNone": "Nothing found for “%s”. Check the name or code.",
		"recalls": "Recalls in force", "noRecalls": "No recall is in force.", "allRecalls": "All recall notices →", "level": "Level",
		"spot": "Latest spot-check results", "noSpot": "No spot-check result is published yet.", "allSpot": "All spot-check results →",
		"blacklist": "Serious violation and abnormal operations lists", "complaint": "Follow a complaint", "opendata": "Open data",
		"product": "Product", "enterprise": "Enterprise", "uscc": "Credit code (USCC)", "region": "Region", "credit": "Credit",
		"registered": "Registered", "licence": "Registration and licences", "licenceUSCC": "Business licence registered (unified social credit code)", "licenceNone": "No unified social credit code registered",
		"gcp": "GS1 company prefixes", "none": "none", "notListed": "Not on the serious violation or abnormal operations list", "noCredit": "No credit entry is published.",
		"since": "published from", "until": "until", "noRecallsOf": "No recall of this enterprise is in force.", "noSpotOf": "No spot-check result of this enterprise is published.",
		"products": "Products", "noProducts": "No product is registered.",
		"kind.penalty": "Administrative penalty", "kind.abnormal": "Abnormal operations list", "kind.serious-violation": "Serious violation list", "kind.recall": "Recall",
		"kind.spot-check-failed": "Failed spot check", "kind.alert-confirmed": "Confirmed risk warning", "kind.positive": "Certification or award",
	},
}

// publicAllowed applies the public routes' per-client rate limit; false:
// it answered 429.
func (s *Server) publicAllowed(ctx *fasthttp.RequestCtx) bool {
	if s.limiter != nil && s.limited(ctx) && !s.limiter.allow(s.clientHash(ctx), s.eng.Now()) {
		s.m.limited.Inc()
		ctx.Response.Header.Set("Retry-After", "1")
		problem(ctx, fasthttp.StatusTooManyRequests, "rate-limited", "too many look-ups from this address; wait a second and try again")
		return false
	}
	return true
}

// getOnly answers 405 unless the request is a GET or HEAD.
func getOnly(ctx *fasthttp.RequestCtx) bool {
	switch string(ctx.Method()) {
	case "GET", "HEAD":
		return true
	}
	ctx.Response.Header.Set("Allow", "GET, HEAD")
	problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", string(ctx.Path())+" answers GET and HEAD")
	return false
}

func wantsJSON(ctx *fasthttp.RequestCtx) bool {
	return string(ctx.QueryArgs().Peek("format")) == "json" || bytes.Contains(ctx.Request.Header.Peek("Accept"), []byte("application/json"))
}

func (s *Server) pageLang(ctx *fasthttp.RequestCtx) (lang, other string) {
	lang = pickLang(string(ctx.QueryArgs().Peek("lang")), string(ctx.Request.Header.Peek("Accept-Language")))
	return lang, otherLang(lang)
}

// writeHTML renders t with data as the answer.
func (s *Server) writeHTML(ctx *fasthttp.RequestCtx, what string, t *template.Template, lang, csp string, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		s.internalError(ctx, what, err)
		return
	}
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Content-Language", lang)
	setPageSecurity(ctx)
	if csp != "" {
		ctx.Response.Header.Set("Content-Security-Policy", csp)
	}
	ctx.SetBody(buf.Bytes())
}

// homeSpot is a spot-check result on the home page, with its
// enterprise's page.
type homeSpot struct {
	publicSpot
	URL string
}

// enterpriseURL is the public page of the organisation with uscc (else
// its id).
func enterpriseURL(uscc string, id uint32, lang string) string {
	key := uscc
	if key == "" {
		key = strconv.FormatUint(uint64(id), 10)
	}
	return "/enterprise/" + key + "?lang=" + lang
}

// serveHome serves GET /: type or scan a code, search, and read the
// recalls in force and the latest spot-check results, in the language of
// Accept-Language or ?lang=.
func (s *Server) serveHome(ctx *fasthttp.RequestCtx) {
	if !getOnly(ctx) {
		return
	}
	lang, other := s.pageLang(ctx)
	rs, err := s.publicRecalls(lang)
	if err != nil {
		s.internalError(ctx, "home page recalls", err)
		return
	}
	if len(rs) > 5 {
		rs = rs[:5]
	}
	sp, err := s.publicSpots(lang, 0, 5)
	if err != nil {
		s.internalError(ctx, "home page spot checks", err)
		return
	}
	spots := make([]homeSpot, 0, len(sp))
	for _, x := range sp {
		h := homeSpot{publicSpot: x}
		if id, ok := strings.CutPrefix(x.USCC, "org:"); ok {
			h.URL = "/enterprise/" + id + "?lang=" + lang
		} else if x.USCC != "" {
			h.URL = "/enterprise/" + x.USCC + "?lang=" + lang
		}
		spots = append(spots, h)
	}
	ctx.Response.Header.Set("Permissions-Policy", "camera=(self)")
	s.writeHTML(ctx, "home page", homeTemplate, lang, homeCSP, map[string]any{"Lang": lang, "OtherLang": other,
		"T": messages[lang], "O": oneStopText[lang], "CSS": template.CSS(scanCSS), "SwitchURL": "/?lang=" + other,
		"Recalls": rs, "Spot": spots, "Q": ""})
}

// serveAsset serves the home page's script and the vendored decoder.
func (s *Server) serveAsset(ctx *fasthttp.RequestCtx, name string) {
	if !getOnly(ctx) {
		return
	}
	var body []byte
	ct := "text/javascript; charset=utf-8"
	switch name {
	case "scan.js":
		body = scanJS
	case "zxing-reader.iife.js":
		body = zxingJS
	case "zxing_reader.wasm":
		body, ct = zxingWASM, "application/wasm"
	default:
		problem(ctx, fasthttp.StatusNotFound, "not-found", "no asset "+quote([]byte(truncate(name, maxEcho))))
		return
	}
	ctx.SetContentType(ct)
	ctx.Response.Header.Set("Cache-Control", "public, max-age=3600")
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	ctx.SetBody(body)
}

// searchHit is one hit as the JSON answer and the page show it.
type searchHit struct {
	Kind        string      `json:"kind"` // product or enterprise
	ID          uint32      `json:"-"`
	KindName    string      `json:"-"`
	Name        string      `json:"name"`
	NameAlt     string      `json:"name_alt,omitempty"`
	GTIN        string      `json:"gtin,omitempty"`
	Category    string      `json:"category,omitempty"`
	Producer    string      `json:"producer,omitempty"`
	ProducerURL string      `json:"producer_url,omitempty"`
	USCC        string      `json:"uscc,omitempty"`
	RegionCode  string      `json:"region_code,omitempty"`
	Region      string      `json:"region,omitempty"`
	Recalls     []recallRef `json:"recalls,omitempty"`
	Listed      string      `json:"listed,omitempty"` // the public list the enterprise is on
	URL         string      `json:"url,omitempty"`
}

// recallRef is a recall in force of a product found.
type recallRef struct {
	ID     uint64 `json:"id"`
	Level  string `json:"level"`
	Reason string `json:"reason"`
	Since  string `json:"since"`
}

// searchAnswer is GET /v1/search's answer.
type searchAnswer struct {
	Query struct {
		Kind string `json:"kind"`
		Text string `json:"text"`
	} `json:"query"`
	Total int         `json:"total"`
	Hits  []searchHit `json:"results"`
}

// search answers q in lang (a query error is returned for the caller to
// answer 400).
func (s *Server) search(q, lang string, limit int) (searchAnswer, error) {
	a, err := s.eng.Search(q, limit)
	if err != nil {
		return searchAnswer{}, err
	}
	var out searchAnswer
	out.Query.Kind, out.Query.Text, out.Total = a.Query.Kind.String(), a.Query.Text, a.Total
	out.Hits = make([]searchHit, 0, len(a.Hits))
	var recalls []*notice.RecallView
	one := s.eng.OneStop()
	T := oneStopText[lang]
	for _, h := range a.Hits {
		if h.Product != nil && recalls == nil {
			if recalls, err = one.RecallsOf(0, 0); err != nil {
				return searchAnswer{}, err
			}
			if recalls == nil {
				recalls = []*notice.RecallView{}
			}
		}
		out.Hits = append(out.Hits, s.hitView(h, lang, T, recalls))
	}
	return out, nil
}

func (s *Server) hitView(h search.Found, lang string, T map[string]string, recalls []*notice.RecallView) searchHit {
	o := &h.Org
	if p := h.Product; p != nil {
		v := searchHit{Kind: "product", ID: p.ID, KindName: T["product"], Name: p.NameZH, NameAlt: p.NameEN,
			Category: pick(categoryNames[p.Category.String()], lang), Producer: pickText(lang, o.Name, o.NameEN)}
		if lang == "en" && p.NameEN != "" {
			v.Name, v.NameAlt = p.NameEN, p.NameZH
		}
		if o.ID != 0 {
			v.ProducerURL = enterpriseURL(o.USCC, o.ID, lang)
		}
		if !p.GTIN.IsZero() {
			v.GTIN = p.GTIN.String()
			v.URL = "/01/" + v.GTIN + "?lang=" + lang
		}
		for _, r := range recalls {
			if r.Producer == p.Org && s.eng.OneStop().RecallCovers(r, p.ID) {
				v.Recalls = append(v.Recalls, recallRef{ID: r.ID, Level: r.Level.String(),
					Reason: pickText(lang, r.ReasonZH, r.ReasonEN), Since: time.UnixMilli(r.Created).In(s.eng.Location()).Format("2006-01-02")})
			}
		}
		return v
	}
	v := searchHit{Kind: "enterprise", ID: o.ID, KindName: T["enterprise"], Name: o.Name, NameAlt: o.NameEN, USCC: o.USCC,
		URL: enterpriseURL(o.USCC, o.ID, lang)}
	if lang == "en" && o.NameEN != "" {
		v.Name, v.NameAlt = o.NameEN, o.Name
	}
	if o.Region != 0 {
		v.RegionCode, v.Region = strconv.FormatUint(uint64(o.Region), 10), regionName(o.Region, lang)
	}
	if w, ok := s.creditWarning(o.ID); ok {
		v.Listed = T["kind."+w.Kind.String()]
	}
	return v
}

// searchLimit reads ?limit= (0: the default).
func searchLimit(ctx *fasthttp.RequestCtx) (int, error) {
	b := ctx.QueryArgs().Peek("limit")
	if len(b) == 0 {
		return 0, nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 1 || n > 50 {
		return 0, fmt.Errorf("%w: limit %q: a number from 1 to 50", search.ErrInvalid, truncateBytes(b, maxEcho))
	}
	return n, nil
}

// serveSearch serves GET /search (a page, or JSON with ?format=json or
// Accept: application/json) and GET /v1/search (JSON).
func (s *Server) serveSearch(ctx *fasthttp.RequestCtx, api bool) {
	if !getOnly(ctx) {
		return
	}
	ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
	if !s.publicAllowed(ctx) {
		return
	}
	lang, other := s.pageLang(ctx)
	q := string(ctx.QueryArgs().Peek("q"))
	limit, err := searchLimit(ctx)
	var a searchAnswer
	if err == nil {
		a, err = s.search(q, lang, limit)
	}
	if err != nil && !errors.Is(err, search.ErrInvalid) {
		s.internalError(ctx, "search", err)
		return
	}
	if api || wantsJSON(ctx) {
		if err != nil {
			problem(ctx, fasthttp.StatusBadRequest, "bad-query", err.Error())
			return
		}
		b, jerr := json.Marshal(a)
		if jerr != nil {
			s.internalError(ctx, "search", jerr)
			return
		}
		ctx.SetContentType("application/json")
		ctx.SetBody(append(b, '\n'))
		return
	}
	T := oneStopText[lang]
	data := map[string]any{"Lang": lang, "OtherLang": other, "T": messages[lang], "O": T, "CSS": template.CSS(scanCSS),
		"SwitchURL": switchURL(ctx, other), "Q": truncate(q, 256), "Hits": a.Hits, "Total": a.Total}
	if err != nil {
		ctx.SetStatusCode(fasthttp.StatusBadRequest)
		data["Error"] = strings.TrimPrefix(err.Error(), search.ErrInvalid.Error()+": ")
	} else {
		switch {
		case a.Total == 0:
			data["Count"] = fmt.Sprintf(T["countNone"], truncate(q, 64))
		case a.Total > len(a.Hits):
			data["Count"] = fmt.Sprintf(T["countMore"], a.Total, len(a.Hits))
		default:
			data["Count"] = fmt.Sprintf(T["count"], a.Total)
		}
	}
	s.writeHTML(ctx, "search page", searchTemplate, lang, "", data)
}

// enterpriseCredit is one published credit entry on the enterprise page.
type enterpriseCredit struct {
	Seq                        uint64
	Kind, KindName             string
	Summary, Doc, Since, Until string
}

type enterpriseProduct struct {
	Name, NameAlt, Category, GTIN, URL string
}

// serveEnterprise serves GET /enterprise/{key}: an organisation's public
// page (key: its USCC or its number), or JSON with ?format=json.
func (s *Server) serveEnterprise(ctx *fasthttp.RequestCtx, key string) {
	if !getOnly(ctx) {
		return
	}
	if !s.publicAllowed(ctx) {
		return
	}
	lang, other := s.pageLang(ctx)
	v, err := s.eng.OneStop().Enterprise(key)
	if errors.Is(err, model.ErrUnknownOrg) {
		problem(ctx, fasthttp.StatusNotFound, "not-found", err.Error())
		return
	}
	if err != nil {
		s.internalError(ctx, "enterprise", err)
		return
	}
	T := oneStopText[lang]
	day := func(ms int64) string {
		if ms == 0 {
			return ""
		}
		return time.UnixMilli(ms).In(s.eng.Location()).Format("2006-01-02")
	}
	o := &v.Org
	data := map[string]any{"Lang": lang, "OtherLang": other, "T": messages[lang], "O": T, "CSS": template.CSS(scanCSS),
		"SwitchURL": switchURL(ctx, other), "Name": o.Name, "NameAlt": o.NameEN, "USCC": o.USCC,
		"Region": regionName(o.Region, lang), "Registered": day(o.Created), "GCPs": strings.Join(o.GCPs, ", ")}
	if lang == "en" && o.NameEN != "" {
		data["Name"], data["NameAlt"] = o.NameEN, o.Name
	}
	status := T["licenceNone"]
	if o.USCC != "" {
		status = T["licenceUSCC"]
	}
	data["LicenceStatus"] = status
	type licence struct{ Label, Value, Product string }
	var ls []licence
	for _, l := range v.Licences {
		ls = append(ls, licence{Label: l.Label.In(lang), Value: l.Value, Product: l.Product})
	}
	data["Licences"] = ls
	var listed, listedText []string
	for _, k := range v.Lists {
		listed = append(listed, k.String())
		listedText = append(listedText, T["kind."+k.String()])
	}
	data["Listed"], data["ListedText"] = strings.Join(listed, " "), strings.Join(listedText, "、")
	var cs []enterpriseCredit
	for _, e := range v.Credit {
		cs = append(cs, enterpriseCredit{Seq: e.Seq, Kind: e.Kind.String(), KindName: T["kind."+e.Kind.String()],
			Summary: pickText(lang, e.SummaryZH, e.SummaryEN), Doc: e.Doc, Since: day(e.PublishFrom), Until: day(e.Expiry)})
	}
	data["Credit"] = cs
	var rs []publicRecall
	for _, r := range v.Recalls {
		rs = append(rs, publicRecall{ID: r.ID, Level: r.Level.String(), Product: r.Product, Reason: pickText(lang, r.ReasonZH, r.ReasonEN),
			Since: day(r.Created)})
	}
	data["Recalls"] = rs
	var sp []publicSpot
	for _, r := range v.Spot {
		sp = append(sp, publicSpot{Draw: r.Draw, N: r.N, Plan: r.Plan, Items: r.Items, RegionNm: regionName(r.Region, lang),
			Code: r.Code.String(), Result: r.Code.Text(lang), Note: r.Note, Lots: r.Lots, Published: day(r.Recorded)})
	}
	data["Spot"] = sp
	var ps []enterpriseProduct
	for _, p := range v.Products {
		ep := enterpriseProduct{Name: p.NameZH, NameAlt: p.NameEN, Category: pick(categoryNames[p.Category.String()], lang)}
		if lang == "en" && p.NameEN != "" {
			ep.Name, ep.NameAlt = p.NameEN, p.NameZH
		}
		if !p.GTIN.IsZero() {
			ep.GTIN = p.GTIN.String()
			ep.URL = "/01/" + ep.GTIN + "?lang=" + lang
		}
		ps = append(ps, ep)
	}
	data["Products"] = ps
	if wantsJSON(ctx) {
		s.writeEnterpriseJSON(ctx, &v, data)
		return
	}
	s.writeHTML(ctx, "enterprise page", enterpriseTemplate, lang, "", data)
}

// writeEnterpriseJSON answers the enterprise page's data as JSON.
func (s *Server) writeEnterpriseJSON(ctx *fasthttp.RequestCtx, v *onestop.EnterpriseView, data map[string]any) {
	lists := []string{}
	for _, k := range v.Lists {
		lists = append(lists, k.String())
	}
	entries := []map[string]any{}
	for _, e := range v.Credit {
		entries = append(entries, map[string]any{"entry": e.Seq, "kind": e.Kind.String(), "document": e.Doc, "summary_zh": e.SummaryZH,
			"summary_en": e.SummaryEN, "publish_from": msTime(e.PublishFrom), "expiry": msTime(e.Expiry)})
	}
	out := map[string]any{"name": v.Org.Name, "name_en": v.Org.NameEN, "uscc": v.Org.USCC,
		"region": strconv.FormatUint(uint64(v.Org.Region), 10), "registered": data["Registered"],
		"licences": data["Licences"], "lists": lists, "credit": entries, "recalls": data["Recalls"],
		"spot_checks": data["Spot"], "products": data["Products"]}
	b, err := json.Marshal(out)
	if err != nil {
		s.internalError(ctx, "enterprise", err)
		return
	}
	ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
	ctx.SetContentType("application/json")
	ctx.SetBody(append(b, '\n'))
}
