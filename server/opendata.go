package server

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/opendata"
	"tracecode/engine/stats"
)

// OpenDataConfig configures the open data under /open/.
type OpenDataConfig struct {
	// Licence is the SPDX identifier of the data sets' licence. Default
	// "CC-BY-4.0".
	Licence string
	// LicenceURL is where its text is. Default the Creative Commons
	// page of CC BY 4.0 (when Licence is the default).
	LicenceURL string
	// Suppression holds the statistics' thresholds (zero fields: 3
	// enterprises, 85 %).
	Suppression opendata.Config
	// Refresh is how long a built download is served before it is built
	// again (the statistics read every organisation's counts). Default 5
	// minutes.
	Refresh time.Duration
}

// Defaults of OpenDataConfig.
const (
	DefaultOpenDataLicence    = "CC-BY-4.0"
	DefaultOpenDataLicenceURL = "https://creativecommons.org/licenses/by/4.0/"
	DefaultOpenDataRefresh    = 5 * time.Minute
)

func (c *OpenDataConfig) ensureDefaults() {
	if c.Licence == "" {
		c.Licence = DefaultOpenDataLicence
		if c.LicenceURL == "" {
			c.LicenceURL = DefaultOpenDataLicenceURL
		}
	}
	if c.Refresh == 0 {
		c.Refresh = DefaultOpenDataRefresh
	}
	c.Suppression.EnsureDefaults()
}

// openRoutes are the open-data routes (public: no key), for the route
// table's docs and metrics; dispatch sends every /open path to serveOpen.
func (s *Server) openRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/open/", metric: "opendata", public: true},
		{method: "GET", pattern: "/open/catalog.json", metric: "opendata", public: true},
		{method: "GET", pattern: "/open/{dataset}.csv", metric: "opendata", public: true},
		{method: "GET", pattern: "/open/{dataset}.json", metric: "opendata", public: true},
		{method: "GET", pattern: "/open/{dataset}.dictionary.json", metric: "opendata", public: true},
	}
}

// openBody is a built download, kept for Refresh.
type openBody struct {
	body     []byte
	etag     string
	modified time.Time
	filename string
}

// openCache keeps the built downloads by request (data set, format, span).
type openCache struct {
	mu sync.Mutex
	m  map[string]*openBody // GUARDED_BY(mu)
}

var openCaches sync.Map // *Server → *openCache

func (s *Server) openCache() *openCache {
	c, _ := openCaches.LoadOrStore(s, &openCache{m: map[string]*openBody{}})
	return c.(*openCache)
}

//go:embed assets/open.html
var openHTML string

var openTemplate = template.Must(template.New("open").Parse(openHTML))

var openText = map[string]map[string]string{
	"zh": {"title": "开放数据", "brand": "产品追溯", "switch": "English",
		"intro":   "以下数据集可免费下载(CSV 和 JSON),按所示许可使用,须注明来源。统计数据经保密处理:不公布可能反映单家企业经营数据的单元格。",
		"licence": "许可", "downloads": "下载", "dictionary": "数据字典", "column": "字段", "type": "类型", "meaning": "含义",
		"unit": "单位", "source": "来源", "span": "统计期间:默认最近12个月,可用 ?from=2026-01&to=2026-06 指定(最多36个月)。",
		"rules":  "保密规则:某单元格(地区×品类×月份×指标)的贡献企业少于 %d 家,或单家企业占比超过 %d%%,该单元格不予公布;可据上级合计减去其余下级而反推出的单元格也一并不予公布(complementary)。",
		"footer": "一站式查询 · 来源可查、去向可追、责任可究", "catalog": "数据目录 (JSON)"},
	"en": {"title": "Open data", "brand": "Product trace", "switch": "中文",
		"intro":   "These data sets are free to download (CSV and JSON) under the licence shown, with attribution. The statistics are protected: no cell that could show one enterprise's business is published.",
		"licence": "Licence", "downloads": "Downloads", "dictionary": "Data dictionary", "column": "Column", "type": "Type", "meaning": "Meaning",
		"unit": "Unit", "source": "Source", "span": "Span: the last 12 months by default; ?from=2026-01&to=2026-06 picks one (at most 36 months).",
		"rules":  "Suppression: a cell (region × category × month × metric) with fewer than %d contributing enterprises, or one enterprise above %d %%, is withheld, and so is any cell that would give a withheld one back by subtraction from its parent's total (complementary).",
		"footer": "One-stop query · source, destination and responsibility", "catalog": "Catalogue (JSON)"},
}

// serveOpen serves every /open path: the index page, the catalogue, each
// data set's CSV, JSON and dictionary.
func (s *Server) serveOpen(ctx *fasthttp.RequestCtx) {
	switch string(ctx.Method()) {
	case "GET", "HEAD":
	default:
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", string(ctx.Path())+" answers GET and HEAD")
		return
	}
	p := string(ctx.Path())
	switch {
	case p == "/open":
		ctx.Redirect("/open/", fasthttp.StatusMovedPermanently)
		return
	case p == "/open/":
		if string(ctx.QueryArgs().Peek("format")) == "json" {
			s.openCatalog(ctx)
			return
		}
		s.openIndex(ctx)
		return
	case p == "/open/catalog.json":
		s.openCatalog(ctx)
		return
	}
	name, format, _ := strings.Cut(strings.TrimPrefix(p, "/open/"), ".")
	set := openSetNamed(name)
	if set == nil || (format != "csv" && format != "json" && format != "dictionary.json") {
		problem(ctx, fasthttp.StatusNotFound, "no-route", "no open data "+quote([]byte(p))+"; /open/ lists the data sets")
		return
	}
	if format == "dictionary.json" {
		b, _ := json.Marshal(s.openSetJSON(set))
		s.writeOpen(ctx, &openBody{body: append(b, '\n'), modified: s.started, filename: set.Name + ".dictionary.json"}, "application/json")
		return
	}
	from, to, err := s.openSpan(ctx)
	if err != nil {
		problem(ctx, fasthttp.StatusBadRequest, "bad-query", err.Error())
		return
	}
	key := fmt.Sprintf("%s.%s %d-%d", name, format, from, to)
	if name != "statistics" {
		key = name + "." + format
	}
	oc := s.openCache()
	oc.mu.Lock()
	defer oc.mu.Unlock()
	ob := oc.m[key]
	now := time.Now()
	if ob == nil || now.Sub(ob.modified) > s.cfg.OpenData.Refresh {
		ob, err = s.buildOpen(set, format, from, to, now)
		if err != nil {
			if errors.Is(err, opendata.ErrInvalid) {
				problem(ctx, fasthttp.StatusBadRequest, "bad-query", err.Error())
				return
			}
			s.internalError(ctx, "open data "+name, err)
			return
		}
		if len(oc.m) > 64 {
			clear(oc.m)
		}
		oc.m[key] = ob
	}
	ct := "text/csv; charset=utf-8; header=present"
	if format == "json" {
		ct = "application/json"
	}
	s.writeOpen(ctx, ob, ct)
}

// openSpan reads ?from=yyyy-mm&to=yyyy-mm (default: the 12 months up to
// the current one) as first days of months.
func (s *Server) openSpan(ctx *fasthttp.RequestCtx) (from, to uint32, err error) {
	today := s.eng.Today()
	to = today/100*100 + 1
	if v := ctx.QueryArgs().Peek("to"); len(v) > 0 {
		if to, err = parseMonth("to", string(v)); err != nil {
			return 0, 0, err
		}
	}
	y, m := to/10000, to/100%100
	if m == 12 {
		from = y*10000 + 101
	} else {
		from = (y-1)*10000 + (m+1)*100 + 1
	}
	if v := ctx.QueryArgs().Peek("from"); len(v) > 0 {
		if from, err = parseMonth("from", string(v)); err != nil {
			return 0, 0, err
		}
	}
	return from, to, opendata.CheckMonths(from, to)
}

func parseMonth(field, s string) (uint32, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return 0, fmt.Errorf("query parameter %s=%q: want a month, yyyy-mm", field, s)
	}
	return uint32(t.Year()*10000 + int(t.Month())*100 + 1), nil
}

// buildOpen builds a data set's download.
func (s *Server) buildOpen(set *openSet, format string, from, to uint32, now time.Time) (*openBody, error) {
	var recs openRecords
	var err error
	extra := map[string]any{}
	filename := "tracecode-" + set.Name
	switch set.Name {
	case "statistics":
		var t opendata.Table
		t, err = s.eng.OpenStatistics(s.cfg.OpenData.Suppression, from, to)
		recs = statisticsRecords(&t)
		span := stats.FormatDay(from)[:7] + "_" + stats.FormatDay(to)[:7]
		filename += "-" + span
		extra["from"], extra["to"] = stats.FormatDay(from)[:7], stats.FormatDay(to)[:7]
		extra["suppression"] = map[string]int{"min_enterprises": t.Config.MinEnterprises, "dominance_percent": t.Config.DominancePercent}
	case "recalls":
		recs, err = s.recallRecords()
	case "spotchecks":
		recs, err = s.spotRecords()
	case "blacklist":
		recs, err = s.blacklistRecords()
	}
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if format == "csv" {
		w := csv.NewWriter(&buf)
		head := make([]string, len(set.Columns))
		for i, c := range set.Columns {
			head[i] = c.Name
		}
		_ = w.Write(head)
		row := make([]string, len(set.Columns))
		for _, r := range recs {
			for i, v := range r {
				row[i] = csvField(v)
			}
			_ = w.Write(row)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, err
		}
		filename += ".csv"
	} else {
		filename += ".json"
		if err := s.writeOpenJSON(&buf, set, recs, extra, now); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	return &openBody{body: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:12]) + `"`, modified: now.Truncate(time.Second), filename: filename}, nil
}

// writeOpenJSON writes {dataset, title, licence, dictionary, generated,
// …extra, records: [{column: value …}]} with each record's keys in
// column order; a suppressed value is null with "suppressed" naming why.
func (s *Server) writeOpenJSON(buf *bytes.Buffer, set *openSet, recs openRecords, extra map[string]any, now time.Time) error {
	head := map[string]any{"dataset": set.Name, "title_zh": set.TitleZH, "title_en": set.TitleEN,
		"licence": s.cfg.OpenData.Licence, "licence_url": s.cfg.OpenData.LicenceURL,
		"dictionary": s.cfg.PublicBase + "/open/" + set.Name + ".dictionary.json", "generated": now.UTC().Format(time.RFC3339)}
	for k, v := range extra {
		head[k] = v
	}
	h, err := json.Marshal(head)
	if err != nil {
		return err
	}
	buf.Write(h[:len(h)-1])
	buf.WriteString(`,"records":[`)
	for i, r := range recs {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		for j, v := range r {
			if j > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(set.Columns[j].Name)
			buf.Write(k)
			buf.WriteByte(':')
			if s, ok := v.(string); ok && s == "" && set.Columns[j].Name == "suppressed" {
				buf.WriteString("null")
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			buf.Write(b)
		}
		buf.WriteByte('}')
	}
	buf.WriteString("]}\n")
	return nil
}

// writeOpen answers a download with its validators: ETag (the body's
// hash), Last-Modified (when it was built); a matching If-None-Match (or,
// without one, an If-Modified-Since not before it) is answered 304.
func (s *Server) writeOpen(ctx *fasthttp.RequestCtx, ob *openBody, ct string) {
	if ob.etag == "" {
		sum := sha256.Sum256(ob.body)
		ob.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	}
	h := &ctx.Response.Header
	h.Set("ETag", ob.etag)
	h.Set("Last-Modified", ob.modified.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", `attachment; filename="`+ob.filename+`"`)
	inm := string(ctx.Request.Header.Peek("If-None-Match"))
	ims := string(ctx.Request.Header.Peek("If-Modified-Since"))
	notModified := inm != "" && (inm == "*" || strings.Contains(inm, ob.etag))
	if inm == "" && ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !ob.modified.After(t) {
			notModified = true
		}
	}
	if notModified {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	ctx.SetContentType(ct)
	ctx.SetBody(ob.body)
}

// openSetJSON is a data set's entry of the catalogue: its dictionary,
// licence and downloads.
func (s *Server) openSetJSON(set *openSet) map[string]any {
	base := s.cfg.PublicBase + "/open/" + set.Name
	return map[string]any{"name": set.Name, "title_zh": set.TitleZH, "title_en": set.TitleEN,
		"description_zh": set.DescZH, "description_en": set.DescEN,
		"licence": s.cfg.OpenData.Licence, "licence_url": s.cfg.OpenData.LicenceURL,
		"downloads": map[string]string{"csv": base + ".csv", "json": base + ".json", "dictionary": base + ".dictionary.json"},
		"columns":   set.Columns}
}

func (s *Server) openCatalog(ctx *fasthttp.RequestCtx) {
	var sets []map[string]any
	for i := range openSets {
		sets = append(sets, s.openSetJSON(&openSets[i]))
	}
	sup := s.cfg.OpenData.Suppression
	b, _ := json.Marshal(map[string]any{"datasets": sets, "suppression": map[string]int{"min_enterprises": sup.MinEnterprises,
		"dominance_percent": sup.DominancePercent}})
	s.writeOpen(ctx, &openBody{body: append(b, '\n'), modified: s.started, filename: "catalog.json"}, "application/json")
	ctx.Response.Header.Del("Content-Disposition")
}

// openIndex serves the /open/ page in zh or en.
func (s *Server) openIndex(ctx *fasthttp.RequestCtx) {
	lang := pickLang(string(ctx.QueryArgs().Peek("lang")), string(ctx.Request.Header.Peek("Accept-Language")))
	T := openText[lang]
	sup := s.cfg.OpenData.Suppression
	var buf bytes.Buffer
	err := openTemplate.Execute(&buf, map[string]any{"Lang": lang, "OtherLang": otherLang(lang), "T": T,
		"CSS": template.CSS(scanCSS), "SwitchURL": "/open/?lang=" + otherLang(lang), "Sets": openSets,
		"Licence": s.cfg.OpenData.Licence, "LicenceURL": s.cfg.OpenData.LicenceURL,
		"Rules": fmt.Sprintf(T["rules"], sup.MinEnterprises, sup.DominancePercent)})
	if err != nil {
		s.internalError(ctx, "open data page", err)
		return
	}
	ctx.Response.Header.Set("Cache-Control", "public, max-age=60")
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Content-Language", lang)
	setPageSecurity(ctx)
	ctx.SetBody(buf.Bytes())
}
