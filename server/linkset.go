package server

import (
	"strings"

	"github.com/valyala/fasthttp"
)

// link is one typed link of a code, at the level it belongs to.
type link struct {
	level    level
	linkType string // CURIE: gs1:pip, gs1:defaultLink, …
	href     string
	title    string
	media    string // media type of the target
	langs    bool   // the target speaks zh and en
}

// collectLinks lists v's links from the most specific level up: the item
// (scan page, chain as JSON, EPCIS), its lot (lot page, recall status),
// its product (information page and the product's own links). Each level
// has one gs1:defaultLink: its page on this resolver, as ?format=html so
// that the resolver's redirect of a default request does not point at the
// request itself. A never-issued or voided serial keeps an item-level
// default link, its scan page, which tells the verdict ("not genuine",
// voided); its linkset still carries the lot's and product's links: the
// GS1 resolver walks up. self is the request's own Digital Link (see
// selfURL).
func (s *Server) collectLinks(v *chainView, self string) []link {
	base := s.cfg.PublicBase
	var ls []link
	p := &v.res.Product
	if v.level == levelItem {
		item := string(appendItemDL(nil, base, v))
		if item == "" {
			item = base + "/resolve?code=" + string(fasthttp.AppendQuotedArg(nil, []byte(v.res.Product.DrugID+v.res.Serial)))
		}
		live := v.found && v.status != statusVoided && v.status != statusReleased
		if !live && self != "" {
			// The engine knows no serial to print: the verdict's page
			// is the one at the URI the client asked about.
			item = self
		}
		if live || p.ID != 0 {
			ls = append(ls, link{levelItem, "gs1:defaultLink", withQuery(item, "format=html"), "Scan page · 扫码查询", "", false})
		}
		if live {
			ls = append(ls, link{levelItem, "gs1:traceability", withQuery(item, "format=json"), "Full chain (JSON) · 追溯信息", "application/json", true})
			if strings.HasPrefix(item, base+"/") {
				// The EPCIS 2.0 query interface: the item's events as an
				// EPCISQueryDocument, among those the caller's key sees.
				q := base + "/v1/epcis/events?MATCH_anyEPC=" + string(fasthttp.AppendQuotedArg(nil, []byte(item)))
				ls = append(ls, link{levelItem, "gs1:epcis", q, "EPCIS events (API key needed) · 事件记录", "application/ld+json", false})
			}
		}
	}
	if v.hasLot && !p.GTIN.IsZero() {
		lot := string(appendLotDL(nil, base, v))
		ls = append(ls,
			link{levelLot, "gs1:defaultLink", withQuery(lot, "format=html"), "Lot page · 批次信息", "", false},
			link{levelLot, "gs1:recallStatus", withQuery(lot, "format=json"), "Recall status · 召回状态", "application/json", true})
	}
	if p.ID != 0 && !p.GTIN.IsZero() {
		gtin := string(appendGTINDL(nil, base, v))
		ls = append(ls, link{levelProduct, "gs1:defaultLink", withQuery(gtin, "format=html"), "Product page · 产品信息", "", false})
		hasPIP := false
		for _, l := range p.Links {
			lt := lowerLinkType([]byte(l.Type))
			hasPIP = hasPIP || lt == "gs1:pip"
			ls = append(ls, link{levelProduct, lt, l.URL, p.NameZH, "text/html", false})
		}
		if !hasPIP {
			ls = append(ls, link{levelProduct, "gs1:pip", gtin, p.NameZH, "text/html", true})
		}
	}
	return ls
}

func withQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

// writeLinkset writes the RFC 9264 linkset of every level of v's code:
// one entry per level, anchored at that level's Digital Link (the item's
// as requested), with the itemDescription GS1's linkset schema requires —
// the product's name in the request's language, with the lot or serial.
func (s *Server) writeLinkset(ctx *fasthttp.RequestCtx, r *publicReq, v *chainView) {
	ls := s.collectLinks(v, s.selfURL(ctx, r))
	if len(ls) == 0 {
		s.noLinks(ctx, v)
		return
	}
	w := jw{b: make([]byte, 0, 2048)}
	w.open()
	w.key("linkset")
	w.openArr()
	for lv := levelItem; ; lv-- {
		if n := countLevel(ls, lv); n > 0 {
			w.elem()
			w.open()
			w.str("anchor", s.anchor(ctx, r, v, lv))
			w.str("itemDescription", itemDescription(r.lang, v, lv))
			for _, lt := range distinctTypes(ls, lv) {
				w.key(expandLinkType(lt))
				w.openArr()
				for _, l := range ls {
					if l.level != lv || l.linkType != lt {
						continue
					}
					w.elem()
					w.open()
					w.str("href", l.href)
					w.str("title", l.title)
					if l.media != "" {
						w.str("type", l.media)
					}
					if l.langs {
						w.raw("hreflang", []byte(`["zh","en"]`))
					}
					w.close()
				}
				w.closeArr()
			}
			w.close()
		}
		if lv == levelProduct {
			break
		}
	}
	w.closeArr()
	w.close()
	w.b = append(w.b, '\n')
	if v.status == statusNotGenuine {
		ctx.Response.Header.Set("X-Tracecode-Status", statusNotGenuine.String())
	}
	s.setLinksetHeader(ctx)
	ctx.Response.Header.SetContentType("application/linkset+json")
	ctx.SetBody(w.b)
}

func countLevel(ls []link, lv level) int {
	n := 0
	for _, l := range ls {
		if l.level == lv {
			n++
		}
	}
	return n
}

// anchor is the Digital Link a linkset entry is about: the request's own
// path at the level asked for (the suite matches anchors against it, then
// against it with qualifiers removed), the lot's and the product's above.
func (s *Server) anchor(ctx *fasthttp.RequestCtx, r *publicReq, v *chainView, lv level) string {
	base := s.cfg.PublicBase
	switch {
	case lv == r.level && (r.kind == kindGTIN || r.kind == kindSSCC):
		return s.selfURL(ctx, r)
	case lv == levelItem:
		return string(appendItemDL(nil, base, v))
	case lv == levelLot:
		return string(appendLotDL(nil, base, v))
	}
	return string(appendGTINDL(nil, base, v))
}

// selfURL is the Digital Link the client asked about, on the public base,
// without query or trailing slash; "" for a request that is no Digital
// Link path (/resolve?code=…, short codes).
func (s *Server) selfURL(ctx *fasthttp.RequestCtx, r *publicReq) string {
	if r.kind != kindGTIN && r.kind != kindSSCC {
		return ""
	}
	p := ctx.URI().PathOriginal()
	if n := len(p); n > 1 && p[n-1] == '/' {
		p = p[:n-1]
	}
	return s.cfg.PublicBase + string(p)
}

// itemDescription describes what a linkset entry's anchor identifies, in
// the request's language: the product's name (Chinese, or English when
// asked and known), and the lot or serial at those levels.
func itemDescription(lang string, v *chainView, lv level) string {
	p := &v.res.Product
	name := p.NameZH
	if lang == "en" && p.NameEN != "" {
		name = p.NameEN
	}
	if v.unit && lv == levelItem {
		if lang == "en" {
			return "Logistic unit (SSCC)"
		}
		return "物流单元（SSCC）"
	}
	if name == "" {
		name = p.GTIN.String()
	}
	switch {
	case lv == levelItem && v.res.Serial != "":
		if lang == "en" {
			return name + ", serial " + v.res.Serial
		}
		return name + "，序列号 " + v.res.Serial
	case lv == levelLot && v.hasLot:
		if lang == "en" {
			return name + ", lot " + v.res.Lot.Number
		}
		return name + "，批号 " + v.res.Lot.Number
	}
	return name
}

func distinctTypes(ls []link, lv level) []string {
	var out []string
	for _, l := range ls {
		if l.level != lv {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == l.linkType
		}
		if !dup {
			out = append(out, l.linkType)
		}
	}
	return out
}

// redirectLinkType answers ?linkType=T with 307 to the most specific link
// of type T (item, then lot, then product), passing the rest of the query
// through; 404 when the code has no such link.
func (s *Server) redirectLinkType(ctx *fasthttp.RequestCtx, r *publicReq, v *chainView) {
	if v.status == statusBadCode {
		problem(ctx, fasthttp.StatusBadRequest, "bad-code", v.reason)
		return
	}
	ls := s.collectLinks(v, s.selfURL(ctx, r))
	if len(ls) == 0 {
		s.noLinks(ctx, v)
		return
	}
	want := lowerLinkType(r.linkType)
	for _, l := range ls {
		if l.linkType != want {
			continue
		}
		target := l.href
		if rest := r.queryRest(ctx); len(rest) > 0 {
			target = withQuery(target, string(rest))
		}
		s.setLinksetHeader(ctx)
		ctx.Response.Header.Set("Location", target)
		if v.status == statusNotGenuine {
			ctx.Response.Header.Set("X-Tracecode-Status", statusNotGenuine.String())
		}
		ctx.SetStatusCode(fasthttp.StatusTemporaryRedirect)
		return
	}
	var have []string
	for _, lt := range append(distinctTypes(ls, levelItem), append(distinctTypes(ls, levelLot), distinctTypes(ls, levelProduct)...)...) {
		dup := false
		for _, h := range have {
			dup = dup || h == lt
		}
		if !dup {
			have = append(have, lt)
		}
	}
	problem(ctx, fasthttp.StatusNotFound, "no-link-type",
		"this code has no link of type "+want+"; it has: "+strings.Join(have, ", "))
}

// noLinks answers a code whose product is unknown: nothing to link to.
func (s *Server) noLinks(ctx *fasthttp.RequestCtx, v *chainView) {
	detail := v.reason
	if detail == "" {
		detail = "this code has no links"
	}
	problem(ctx, v.httpStatus(), "not-found", detail)
	if ctx.Response.StatusCode() < 400 {
		ctx.SetStatusCode(fasthttp.StatusNotFound)
	}
}

// setLinksetHeader adds Link: <…?linkType=linkset>; rel="linkset" for the
// request URI on the public base, as the resolver standard asks (the
// request path is the anchor), and the link to the linksets' JSON-LD
// context (rel="http://www.w3.org/ns/json-ld#context").
func (s *Server) setLinksetHeader(ctx *fasthttp.RequestCtx) {
	bp := bufPool.Get()
	b := append((*bp)[:0], '<')
	b = append(b, s.cfg.PublicBase...)
	b = append(b, ctx.URI().PathOriginal()...)
	b = append(b, `?linkType=linkset>; rel="linkset"; type="application/linkset+json", <`...)
	b = append(b, s.cfg.PublicBase...)
	b = append(b, linksetContextPath+`>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`...)
	ctx.Response.Header.SetCanonical(hdrLink, b)
	*bp = b
	bufPool.Put(bp)
}

var hdrLink = []byte("Link")

// linksetContextPath is where this resolver serves the JSON-LD context of
// its linksets (the resolver description file's jsonLdContextLocation).
const linksetContextPath = "/linkset-context.jsonld"

// linksetContext maps the linkset's members to RDF: the anchor and hrefs
// are IRIs, link types are GS1 Web Vocabulary properties (their keys are
// full IRIs already), titles, media types and languages Dublin Core terms.
const linksetContext = `{
  "@context": {
    "@version": 1.1,
    "linkset": "@graph",
    "anchor": "@id",
    "href": "@id",
    "itemDescription": "http://purl.org/dc/terms/description",
    "title": "http://purl.org/dc/terms/title",
    "type": "http://purl.org/dc/terms/format",
    "hreflang": {"@id": "http://purl.org/dc/terms/language", "@container": "@set"},
    "context": "https://gs1.org/voc/linkContext",
    "fwqs": "https://gs1.org/voc/forwardQueryString",
    "public": "https://gs1.org/voc/publicLink"
  }
}
`

// serveLinksetContext serves the JSON-LD context named in the Link header
// of linksets and redirects.
func (s *Server) serveLinksetContext(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
	ctx.Response.Header.Set("Cache-Control", "public, max-age=86400")
	ctx.SetContentType("application/ld+json")
	ctx.SetBodyString(linksetContext)
}
