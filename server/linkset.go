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
// (scan page, chain as JSON, EPCIS), its lot (recall status), its product
// (information page and the product's own links). A never-issued serial
// still has its lot's and product's links: the GS1 resolver walks up.
func (s *Server) collectLinks(v *chainView) []link {
	base := s.cfg.PublicBase
	var ls []link
	p := &v.res.Product
	if v.level == levelItem && v.found && v.status != statusVoided && v.status != statusReleased {
		item := string(appendItemDL(nil, base, v))
		if item == "" {
			item = base + "/resolve?code=" + string(fasthttp.AppendQuotedArg(nil, []byte(v.res.Product.DrugID+v.res.Serial)))
		}
		ls = append(ls,
			link{levelItem, "gs1:defaultLink", item, "Scan page · 扫码查询", "text/html", true},
			link{levelItem, "gs1:traceability", withQuery(item, "format=json"), "Full chain (JSON) · 追溯信息", "application/json", true})
		if path, ok := strings.CutPrefix(item, base+"/"); ok {
			ls = append(ls, link{levelItem, "gs1:epcis", base + "/v1/trace/" + path, "EPCIS events (API key needed) · 事件记录", "application/json", false})
		}
	}
	if v.hasLot && !p.GTIN.IsZero() {
		lot := string(appendLotDL(nil, base, v))
		ls = append(ls,
			link{levelLot, "gs1:defaultLink", lot, "Lot page · 批次信息", "text/html", true},
			link{levelLot, "gs1:recallStatus", withQuery(lot, "format=json"), "Recall status · 召回状态", "application/json", true})
	}
	if p.ID != 0 && !p.GTIN.IsZero() {
		gtin := string(appendGTINDL(nil, base, v))
		ls = append(ls, link{levelProduct, "gs1:defaultLink", gtin, "Product page · 产品信息", "text/html", true})
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

// writeLinkset writes the RFC 9264 linkset of every level of v's code.
func (s *Server) writeLinkset(ctx *fasthttp.RequestCtx, r *publicReq, v *chainView) {
	ls := s.collectLinks(v)
	if len(ls) == 0 {
		s.noLinks(ctx, v)
		return
	}
	w := jw{b: make([]byte, 0, 2048)}
	w.open()
	w.key("linkset")
	w.openArr()
	for lv := levelItem; ; lv-- {
		var anchor string
		n := 0
		for _, l := range ls {
			if l.level == lv {
				n++
				if l.linkType == "gs1:defaultLink" {
					anchor = l.href
				}
			}
		}
		if n > 0 {
			w.elem()
			w.open()
			w.str("anchor", anchor)
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
					w.str("type", l.media)
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
	ctx.Response.Header.SetContentType("application/linkset+json")
	ctx.SetBody(w.b)
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
	ls := s.collectLinks(v)
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
// request path is the anchor).
func (s *Server) setLinksetHeader(ctx *fasthttp.RequestCtx) {
	bp := bufPool.Get()
	b := append((*bp)[:0], '<')
	b = append(b, s.cfg.PublicBase...)
	b = append(b, ctx.URI().PathOriginal()...)
	b = append(b, `?linkType=linkset>; rel="linkset"; type="application/linkset+json"`...)
	ctx.Response.Header.SetCanonical(hdrLink, b)
	*bp = b
	bufPool.Put(bp)
}

var hdrLink = []byte("Link")
