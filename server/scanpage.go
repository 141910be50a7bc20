package server

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/serial"
)

// stepNames are the timeline's words for CBV business steps.
var stepNames = map[string][2]string{ // zh, en
	"commissioning":   {"赋码生产", "Produced and coded"},
	"packing":         {"装箱", "Packed"},
	"unpacking":       {"拆箱", "Unpacked"},
	"shipping":        {"发货", "Shipped"},
	"receiving":       {"收货", "Received"},
	"retail_selling":  {"零售", "Sold at retail"},
	"dispensing":      {"药房调配", "Dispensed"},
	"inspecting":      {"检验", "Inspected"},
	"installing":      {"安装", "Installed"},
	"repairing":       {"维修", "Repaired"},
	"filling":         {"充装", "Filled"},
	"destroying":      {"销毁", "Destroyed"},
	"recalling":       {"召回", "Recalled"},
	"transforming":    {"加工", "Processed"},
	"storing":         {"入库", "Stored"},
	"loading":         {"装车", "Loaded"},
	"slaughtering":    {"屠宰", "Slaughtered"},
	"holding":         {"暂存", "Held"},
	"accepting":       {"验收", "Accepted"},
	"arriving":        {"到达", "Arrived"},
	"departing":       {"离开", "Departed"},
	"decommissioning": {"注销", "Decommissioned"},
	"voiding":         {"作废", "Voided"},
	"releasing":       {"退回未用码", "Unused codes returned"},
	"cycle_counting":  {"盘点", "Stock counted"},
	// The demo's own steps of the farm, meat and rare-earth chains
	// (https://tracecode.example/epcis/bizstep/…).
	"spraying":   {"施用农药", "Pesticide applied"},
	"treating":   {"使用兽药", "Veterinary drug given"},
	"harvesting": {"采收", "Harvested"},
	"certifying": {"开具承诺达标合格证", "Commitment certificate issued"},
	"quarantine": {"产地检疫", "Origin quarantine"},
	"mining":     {"开采", "Mined"},
	"selling":    {"销售", "Sold"},
	"exporting":  {"出口", "Exported"},
	"reporting":  {"报送月度报告", "Monthly report filed"},
	// Events without a business step, by their type.
	"objectevent":         {"记录", "Recorded"},
	"transformationevent": {"加工", "Processed"},
}

var categoryNames = map[string][2]string{
	"farm": {"食用农产品", "Edible farm product"}, "food": {"食品", "Food"}, "drug": {"药品", "Drug"},
	"pesticide": {"农药", "Pesticide"}, "vet-drug": {"兽药", "Veterinary drug"}, "feed": {"饲料", "Feed"},
	"fertiliser": {"肥料", "Fertiliser"}, "seed": {"种子", "Seed"}, "elevator": {"电梯", "Elevator"},
	"gas-cylinder": {"气瓶", "Gas cylinder"}, "hazchem": {"危险化学品", "Hazardous chemical"},
	"fireworks": {"烟花爆竹", "Fireworks"}, "rare-earth": {"稀土", "Rare earth"},
}

func pick(pair [2]string, lang string) string {
	if lang == "en" {
		return pair[1]
	}
	return pair[0]
}

// writePage renders the scan page for v.
func (s *Server) writePage(ctx *fasthttp.RequestCtx, r *publicReq, v *chainView) {
	lang := r.lang
	if lang == "" {
		lang = "zh"
	}
	other := "en"
	if lang == "en" {
		other = "zh"
	}
	T := messages[lang]
	status := v.status.String()
	pv := &pageView{Lang: lang, OtherLang: other, T: T, Status: status, Found: v.found}
	pv.SwitchURL = switchURL(ctx, other)
	pv.StatusTitle = T["status."+status]
	pv.StatusDetail = T["status."+status+".d"]
	// What is true depends on the level scanned: a product-level code
	// vouches for no item, a case code for the case.
	if d, ok := T["status."+status+"."+v.scope()+".d"]; ok {
		pv.StatusDetail = d
	}
	if d, ok := T["status."+status+".unit.d"]; ok && v.unit {
		pv.StatusDetail = d // an SSCC minted, nothing packed into it yet
	}
	switch v.status {
	case statusBadCode:
		pv.StatusDetail = fmt.Sprintf(pv.StatusDetail, v.reason)
	case statusNotGenuine, statusVoided, statusReleased:
		if v.reason != "" && lang == "en" { // the engine's reasons are English
			pv.Reason = v.reason
		}
	case statusRecalled:
		pv.Reason = s.recallNotice(v, T)
		if rs := s.notices().RecallsOfLot(v.res.Block.Lot); v.found && len(rs) > 0 {
			r := rs[len(rs)-1]
			pv.RecallURL = fmt.Sprintf("/recalls?lang=%s#recall-%d", lang, r.ID)
			if reason := pickText(lang, r.ReasonZH, r.ReasonEN); reason != "" && v.chain.recallReason != "" {
				pv.Reason = strings.Replace(pv.Reason, v.chain.recallReason, reason, 1)
			}
		}
	}

	s.fillDuties(pv, v, lang)
	s.fillFacts(pv, v, lang)

	base := s.cfg.PublicBase
	code := base + string(ctx.URI().PathOriginal())
	if r.kind == kindQuery {
		code = string(r.key)
	}
	if v.found && v.level == levelItem {
		if dl := appendItemDL(nil, base, v); len(dl) > 0 {
			code = string(dl)
		} else if v.res.Scheme == serial.NMPA {
			code = v.res.Product.DrugID + v.res.Serial
		}
	}
	pv.Code = code
	if v.found {
		pv.ReportURL = "/report?lang=" + lang + "&code=" + url.QueryEscape(code)
	}
	if v.scanned {
		if v.stats.Count <= 1 {
			pv.ScanLine = T["firstscan"]
		} else {
			first := time.UnixMilli(v.stats.First).In(s.eng.Location()).Format("2006-01-02 15:04")
			pv.ScanLine = fmt.Sprintf(T["scans"], v.stats.Count, first)
		}
	}

	// The part of the page below the banner depends only on the chain:
	// it is kept per code and language (profile: html/template's
	// reflection was most of a page's 200 µs).
	var pages *respCache
	if s.pageCache != nil && v.found && v.level == levelItem && v.gen != 0 {
		pages = s.pageCache[0]
		if lang == "en" {
			pages = s.pageCache[1]
		}
		if e := pages.get(r.input, v.today); e != nil {
			s.writePageParts(ctx, v, pv, e.frag)
			return
		}
	}
	s.fillPageRest(pv, v, lang)
	var rest bytes.Buffer
	rest.Grow(8 << 10)
	if err := scanTemplate.ExecuteTemplate(&rest, "rest", pv); err != nil {
		s.internalError(ctx, "scan page", err)
		return
	}
	if pages != nil {
		pages.put(r.input, &respEntry{gen: v.gen, day: v.today, ref: v.ref, frag: rest.Bytes()})
	}
	s.writePageParts(ctx, v, pv, rest.Bytes())
}

// fillPageRest fills what the page shows below the banner.
func (s *Server) fillPageRest(pv *pageView, v *chainView, lang string) {
	T := pv.T
	pv.QR = qrDataURI(pv.Code)
	pv.Serial = v.res.Serial
	p := &v.res.Product
	if p.ID != 0 {
		pv.Product = productView{Name: p.NameZH, NameAlt: p.NameEN, Category: pick(categoryNames[p.Category.String()], lang)}
		if lang == "en" && p.NameEN != "" {
			pv.Product.Name, pv.Product.NameAlt = p.NameEN, p.NameZH
		}
		if !p.GTIN.IsZero() {
			pv.Product.GTIN = p.GTIN.String()
		}
		pv.Producer = producerView{Name: v.res.Org.Name, Region: regionName(v.res.Org.Region, lang)}
		if lang == "en" && v.res.Org.NameEN != "" {
			pv.Producer.Name = v.res.Org.NameEN
		}
		for _, l := range p.Links {
			if lowerLinkType([]byte(l.Type)) == "gs1:pip" {
				pv.InfoURL = l.URL
			}
		}
	}
	if v.unit && v.found {
		pv.Product = productView{Name: T["unit"] + " " + v.res.Serial}
		pv.Producer = producerView{Name: v.res.Org.Name}
		for _, c := range v.chain.contents {
			pv.Hierarchy = append(pv.Hierarchy, levelView{Level: fmt.Sprint(c.Count, " ×"), Code: c.Product})
		}
	}
	if v.hasLot {
		pv.Lot = lotView{Number: v.res.Lot.Number}
		if v.res.Lot.Produced != 0 {
			pv.Lot.Production = string(appendDate(nil, v.res.Lot.Produced))
		}
		if v.res.Lot.Expiry != 0 {
			pv.Lot.Expiry = string(appendDate(nil, v.res.Lot.Expiry))
		}
	}
	if v.level != levelItem {
		pv.Serial = ""
		pv.LevelLabel = T["level."+levelNames[v.level]]
	}
	for _, src := range v.chain.sources {
		name := src.Product
		if lang == "en" && src.ProductEN != "" {
			name = src.ProductEN
		}
		pv.Sources = append(pv.Sources, levelView{Level: name, Code: src.Lot})
	}
	for _, par := range v.chain.parents {
		pv.Hierarchy = append(pv.Hierarchy, levelView{Level: T[par.Level], Code: par.Code})
	}
	pv.Truncated = v.found && v.level == levelItem && v.ch.TimelineTruncated
	for _, e := range v.chain.events {
		t := time.UnixMilli(e.Time).In(s.eng.Location())
		loc := e.Location
		if strings.HasPrefix(loc, "urn:") || strings.HasPrefix(loc, "http") {
			loc = "" // an SGLN means nothing to a consumer; the region does
		}
		who := e.Org
		if lang == "en" && e.OrgEN != "" {
			who = e.OrgEN
		}
		ev := eventView{ISO: t.Format(time.RFC3339), When: t.Format("2006-01-02 15:04"), StepKey: e.Step,
			Who: who, Where: joinNonEmpty(" · ", loc, regionName(e.Region, lang))}
		if names, ok := stepNames[e.Step]; ok {
			ev.Step = pick(names, lang)
		} else {
			ev.Step = e.Step
		}
		if e.Via != "" {
			ev.Via = T["via."+e.Via]
		}
		pv.Timeline = append(pv.Timeline, ev)
	}
}

// recallNotice is the recall line of a recalled code's page, in the
// page's language: the recall's date in the business-day clock and its
// reason.
func (s *Server) recallNotice(v *chainView, T map[string]string) string {
	x := &v.chain
	var parts []string
	if x.recallSince != 0 {
		parts = append(parts, fmt.Sprintf(T["recall.date"], time.UnixMilli(x.recallSince).In(s.eng.Location()).Format("2006-01-02")))
	}
	if x.recallReason != "" {
		parts = append(parts, fmt.Sprintf(T["recall.reason"], x.recallReason))
	}
	if v.ch.RecalledInside > 0 && v.engineStatus == resolve.StatusContainsRecalled.String() {
		parts = append(parts, fmt.Sprintf(T["recall.inside"], v.ch.RecalledInside, v.ch.Inside))
	}
	return strings.Join(parts, T["recall.sep"])
}

// scope names the level a page speaks for, to choose its words: product,
// lot, container (a case, pallet or logistic unit) or item.
func (v *chainView) scope() string {
	switch {
	case v.level == levelProduct:
		return "product"
	case v.level == levelLot:
		return "lot"
	case v.unit || (v.found && v.res.Block.Level > model.LevelItem):
		return "container"
	}
	return "item"
}

// writePageParts renders the banner and writes it with rest below it.
func (s *Server) writePageParts(ctx *fasthttp.RequestCtx, v *chainView, pv *pageView, rest []byte) {
	bp := bufPool.Get()
	buf, err := s.banners.appendBanner((*bp)[:0], pv)
	if err != nil {
		bufPool.Put(bp)
		s.internalError(ctx, "scan page", err)
		return
	}
	buf = append(buf, '\n')
	buf = append(buf, rest...)
	ctx.SetStatusCode(v.httpStatus())
	ctx.SetContentType("text/html; charset=utf-8")
	ctx.Response.Header.Set("Content-Language", pv.Lang)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	setPageSecurity(ctx)
	if v.found && v.level == levelItem {
		s.setLinksetHeader(ctx)
	}
	ctx.SetBody(buf)
	*bp = buf
	bufPool.Put(bp)
}

// pageCSP allows what the pages use and nothing else: inline styles, the
// inline QR image, forms and links back to this server.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// setPageSecurity sets the headers every HTML page carries.
func setPageSecurity(ctx *fasthttp.RequestCtx) {
	h := &ctx.Response.Header
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// switchURL is the request URI with lang=other instead of any lang.
func switchURL(ctx *fasthttp.RequestCtx, other string) string {
	var b strings.Builder
	b.Write(ctx.URI().PathOriginal())
	sep := byte('?')
	for k, v := range ctx.QueryArgs().All() {
		if string(k) == "lang" {
			continue
		}
		b.WriteByte(sep)
		sep = '&'
		b.Write(fasthttp.AppendQuotedArg(nil, k))
		b.WriteByte('=')
		b.Write(fasthttp.AppendQuotedArg(nil, v))
	}
	b.WriteByte(sep)
	b.WriteString("lang=" + other)
	return b.String()
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
