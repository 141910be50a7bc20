package server

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"time"

	"github.com/valyala/fasthttp"
)

//go:embed assets/recalls.html
var recallsHTML string

// recallsTemplate renders the public recall notice.
var recallsTemplate = template.Must(template.New("recalls").Parse(recallsHTML))

// recallsText is the notice's wording in each language.
var recallsText = map[string]map[string]string{
	"zh": {"title": "产品召回公告", "brand": "产品追溯", "switch": "English", "intro": "以下产品正在召回。请停止销售和使用,并按要求处理。",
		"none": "目前没有正在进行的召回。", "level": "召回级别", "producer": "生产者", "lots": "批次", "reason": "召回原因",
		"action": "处理方式", "since": "发布时间", "ordered": "监管部门责令召回", "yes": "是", "footer": "一站式查询 · 来源可查、去向可追、责任可究"},
	"en": {"title": "Product recalls", "brand": "Product trace", "switch": "中文", "intro": "These products are being recalled. Stop selling and using them and do what each notice says.",
		"none": "No recall is in force.", "level": "Level", "producer": "Producer", "lots": "Lots", "reason": "Reason",
		"action": "What to do", "since": "Since", "ordered": "Ordered by a regulator", "yes": "yes", "footer": "One-stop query · source, destination and responsibility"},
}

// publicRecall is one recall as the public notice shows it.
type publicRecall struct {
	ID           uint64   `json:"id"`
	Level        string   `json:"level"`
	Product      string   `json:"product"`
	ProducerName string   `json:"producer"`
	LotNumbers   []string `json:"lots"`
	Reason       string   `json:"reason"`
	ReasonZH     string   `json:"reason_zh"`
	ReasonEN     string   `json:"reason_en"`
	Action       string   `json:"action,omitzero"`
	Ordered      bool     `json:"ordered"`
	Since        string   `json:"since"`
	Created      int64    `json:"created"`
}

func pickText(lang, zh, en string) string {
	if lang == "en" && en != "" || zh == "" {
		return en
	}
	return zh
}

// publicRecalls returns the recalls in force in lang.
func (s *Server) publicRecalls(lang string) ([]publicRecall, error) {
	vs, err := s.notices().PublicRecalls()
	if err != nil {
		return nil, err
	}
	out := make([]publicRecall, 0, len(vs))
	for _, v := range vs {
		out = append(out, publicRecall{ID: v.ID, Level: v.Level.String(), Product: v.Product, ProducerName: v.ProducerName,
			LotNumbers: v.LotNumbers, Reason: pickText(lang, v.ReasonZH, v.ReasonEN), ReasonZH: v.ReasonZH, ReasonEN: v.ReasonEN,
			Action: pickText(lang, v.ActionZH, v.ActionEN), Ordered: v.Ordered, Created: v.Created,
			Since: time.UnixMilli(v.Created).In(s.eng.Location()).Format("2006-01-02 15:04")})
	}
	return out, nil
}

// serveRecalls serves the public notice: GET /recalls (a page in zh or
// en, or JSON with ?format=json or Accept: application/json) and GET
// /recalls.atom (an Atom feed).
func (s *Server) serveRecalls(ctx *fasthttp.RequestCtx, atom bool) {
	switch string(ctx.Method()) {
	case "GET", "HEAD":
	default:
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", string(ctx.Path())+" answers GET and HEAD")
		return
	}
	lang := pickLang(string(ctx.QueryArgs().Peek("lang")), string(ctx.Request.Header.Peek("Accept-Language")))
	rs, err := s.publicRecalls(lang)
	if err != nil {
		s.internalError(ctx, "recalls", err)
		return
	}
	ctx.Response.Header.Set("Cache-Control", "public, max-age=60")
	switch {
	case atom:
		s.writeRecallsAtom(ctx, rs, lang)
	case string(ctx.QueryArgs().Peek("format")) == "json" || bytes.Contains(ctx.Request.Header.Peek("Accept"), []byte("application/json")):
		b, err := json.Marshal(map[string]any{"recalls": rs})
		if err != nil {
			s.internalError(ctx, "recalls", err)
			return
		}
		ctx.SetContentType("application/json")
		ctx.SetBody(append(b, '\n'))
	default:
		other := "en"
		if lang == "en" {
			other = "zh"
		}
		var buf bytes.Buffer
		err := recallsTemplate.Execute(&buf, map[string]any{"Lang": lang, "OtherLang": other, "T": recallsText[lang],
			"CSS": template.CSS(scanCSS), "SwitchURL": "/recalls?lang=" + other, "Recalls": rs})
		if err != nil {
			s.internalError(ctx, "recalls page", err)
			return
		}
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.Response.Header.Set("Content-Language", lang)
		setPageSecurity(ctx)
		ctx.SetBody(buf.Bytes())
	}
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    atomLink    `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

func (s *Server) writeRecallsAtom(ctx *fasthttp.RequestCtx, rs []publicRecall, lang string) {
	f := atomFeed{Title: recallsText[lang]["title"], ID: s.cfg.PublicBase + "/recalls", Link: atomLink{Href: s.cfg.PublicBase + "/recalls", Rel: "alternate"},
		Updated: time.UnixMilli(0).UTC().Format(time.RFC3339)}
	for _, r := range rs {
		up := time.UnixMilli(r.Created).UTC().Format(time.RFC3339)
		f.Updated = max(f.Updated, up)
		f.Entries = append(f.Entries, atomEntry{Title: fmt.Sprintf("%s %s: %s", recallsText[lang]["level"], r.Level, r.Product),
			ID: fmt.Sprintf("%s/recalls#recall-%d", s.cfg.PublicBase, r.ID), Updated: up,
			Link:    atomLink{Href: fmt.Sprintf("%s/recalls?lang=%s#recall-%d", s.cfg.PublicBase, lang, r.ID)},
			Summary: fmt.Sprintf("%s — %s: %v. %s", r.ProducerName, recallsText[lang]["lots"], r.LotNumbers, r.Reason)})
	}
	b, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		s.internalError(ctx, "recalls feed", err)
		return
	}
	ctx.SetContentType("application/atom+xml; charset=utf-8")
	ctx.SetBody(append([]byte(xml.Header), b...))
}
