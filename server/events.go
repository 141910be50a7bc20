package server

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"sort"
	"strings"

	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/notice"
	"tracecode/engine/scanlog"
)

// eventRoutes are the routes of EPCIS capture, recalls, forward traces and
// the private trace.
func (s *Server) eventRoutes() []*route {
	return []*route{
		{method: "POST", pattern: "/v1/events", announced: true, scopes: apikey.ScopeEvents, h: (*Server).apiCapture},
		{method: "POST", pattern: "/v1/recalls", announced: true, scopes: apikey.ScopeEvents | apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiRecall},
		{method: "POST", pattern: "/v1/recalls/lift", announced: true, scopes: apikey.ScopeEvents | apikey.ScopeRegulator, h: (*Server).apiLiftRecall},
		{method: "GET", pattern: "/v1/lots/{lot}/trace", h: (*Server).apiForwardTrace},
		{method: "GET", pattern: "/v1/trace/{code}", h: (*Server).apiTrace},
		{method: "GET", pattern: "/v1/contents/{code}", h: (*Server).apiContents},
		{method: "GET", pattern: "/v1/scans/suspicious", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiSuspicious},
	}
}

// apiCapture serves POST /v1/events: an EPCIS 2.0 JSON(-LD) document, or
// (Content-Type application/xml or text/xml) an EPCIS 2.0 or 1.x XML one,
// applied whole or not at all.
// captureStart checks what every capture route asks of a request — an
// organisation's key, a JSON or XML document, a body — and takes a large
// body's slot. ok false: the answer is written. release frees the slot.
func (s *Server) captureStart(c *call) (isXML bool, release func(), ok bool) {
	if c.key.Org == 0 {
		problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", "events are captured by an organisation's key")
		return false, nil, false
	}
	isXML = xmlContentType(c.ctx)
	if !isXML && !jsonContentType(c.ctx) {
		return false, nil, false
	}
	if !hasBody(c.ctx) {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-json", "the body must be an EPCIS 2.0 JSON document or an EPCIS 2.0 or 1.x XML document")
		return false, nil, false
	}
	release = func() {}
	if c.largeBody() {
		if release, ok = s.acquireLargeBody(c); !ok {
			return false, nil, false
		}
	}
	return isXML, release, true
}

func (s *Server) apiCapture(c *call) {
	isXML, release, ok := s.captureStart(c)
	if !ok {
		return
	}
	defer release()
	// The document streams from the connection into the engine's parser:
	// the server never holds it whole.
	body, ok := c.bodyReader(c.bodyLimit())
	if !ok {
		return
	}
	o := &chain.CaptureOptions{Org: c.key.Org,
		Credential: "key:" + keyIDString(c.key.ID), RequestID: string(c.ctx.Request.Header.Peek("Idempotency-Key"))}
	if c.key.Scopes.Has(apikey.ScopeRegulator) {
		o.Region = c.key.Region // a regulator's agency records inspections in its region
	}
	capture := s.eng.Reports().CaptureJSON
	if isXML {
		capture = s.eng.Reports().CaptureXML
	}
	rec, err := capture(c.wctx, body, o)
	if body.hit {
		c.bodyTooLarge(c.bodyLimit())
		return
	}
	if err != nil {
		reportError(c, err)
		return
	}
	receiptOut(c, rec)
}

type traceJSON struct {
	Lot        lotJSON         `json:"lot"`
	Product    productJSON     `json:"product"`
	Downstream []lotJSON       `json:"downstream"`
	Recipients []recipientJSON `json:"recipients"`
}

type recipientJSON struct {
	Kind       string   `json:"kind"`
	Org        uint32   `json:"org,omitempty"`
	OrgName    string   `json:"orgName,omitempty"`
	Region     string   `json:"region,omitempty"`
	RegionName string   `json:"regionName,omitempty"`
	ID         string   `json:"id,omitempty"`
	Lot        uint32   `json:"lot"`
	Received   bool     `json:"received"`
	First      string   `json:"first,omitempty"`
	Last       string   `json:"last,omitempty"`
	Events     int      `json:"events"`
	BizSteps   []string `json:"bizSteps"`
}

func traceOut(t *chain.TraceResult) traceJSON {
	out := traceJSON{Lot: lotOut(t.Lot), Product: productOut(t.Product), Downstream: []lotJSON{}, Recipients: []recipientJSON{}}
	for _, l := range t.Downstream {
		out.Downstream = append(out.Downstream, lotOut(l))
	}
	for _, r := range t.Recipients {
		rj := recipientJSON{Kind: r.Kind, Org: r.Org, OrgName: r.OrgName, ID: r.ID, Lot: r.Lot, Received: r.Received,
			First: msTime(r.First), Last: msTime(r.Last), Events: r.Events, BizSteps: r.BizSteps}
		if r.Region != 0 {
			rj.Region = fmt.Sprint(r.Region)
			rj.RegionName = regionName(r.Region, "zh")
		}
		out.Recipients = append(out.Recipients, rj)
	}
	return out
}

// lotRefJSON names a lot in a recall or a recall's lift: by id ("lot"),
// or by product id and lot number.
type lotRefJSON struct {
	Lot     uint32 `json:"lot"`
	Product uint32 `json:"product"`
	Number  string `json:"number"`
}

// lotRefs turns the request's lots into the engine's references, looking
// up those given by id. A lot id that does not exist is answered with 400
// (naming lots[i]) and ok false.
func (s *Server) lotRefs(c *call, in []lotRefJSON) (out []chain.LotRef, ok bool) {
	for i, l := range in {
		if l.Lot != 0 {
			lot, err := s.eng.Issuance().Lot(l.Lot)
			if err != nil {
				problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("lots[%d]: no lot %d", i, l.Lot))
				return nil, false
			}
			l.Product, l.Number = lot.Product, lot.Number
		}
		out = append(out, chain.LotRef{Product: l.Product, Number: l.Number})
	}
	return out, true
}

// apiRecall serves POST /v1/recalls. With a level it creates a recall
// object (server/notice.go): the producer's key recalls, a regulator's
// orders. Without one it is the flag-only recall of lots, products or
// codes of the key's organisation, answering with the forward traces.
func (s *Server) apiRecall(c *call) {
	var in struct {
		metaJSON
		Lots     []lotRefJSON `json:"lots"`
		Products []uint32     `json:"products"`
		Items    itemsJSON    `json:"items"`
		Reason   string       `json:"reason"`
		Level    string       `json:"level"`
		ReasonZH string       `json:"reason_zh"`
		ReasonEN string       `json:"reason_en"`
		ActionZH string       `json:"action_zh"`
		ActionEN string       `json:"action_en"`
		Window   *struct {
			Product uint32 `json:"product"`
			From    string `json:"from"`
			To      string `json:"to"`
		} `json:"window"`
	}
	if !readJSON(c, &in) {
		return
	}
	if in.Level != "" {
		o := &notice.RecallOrder{Level: in.Level, Products: in.Products, ReasonZH: in.ReasonZH, ReasonEN: in.ReasonEN,
			ActionZH: in.ActionZH, ActionEN: in.ActionEN, Codes: in.Items.Codes, RequestID: string(c.ctx.Request.Header.Peek("Idempotency-Key"))}
		if len(in.Items.Ranges) > 0 {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "items.ranges: a recall order names single items by items.codes, whole lots by lots, or a product's time window by window")
			return
		}
		if w := in.Window; w != nil {
			o.Window = &notice.RecallWindow{Product: w.Product, From: w.From, To: w.To}
		}
		if o.ReasonZH == "" && o.ReasonEN == "" {
			o.ReasonZH = in.Reason
		}
		var ok bool
		if o.Lots, ok = s.lotRefs(c, in.Lots); !ok {
			return
		}
		s.orderRecall(c, o)
		return
	}
	rm, ok := reportMeta(c, in.metaJSON)
	if !ok {
		return
	}
	r := &chain.RecallRequest{ReportMeta: rm, Products: in.Products, Items: in.Items.items(), Reason: in.Reason}
	if r.Lots, ok = s.lotRefs(c, in.Lots); !ok {
		return
	}
	res, err := s.eng.Reports().Recall(c.wctx, r)
	if err != nil {
		reportError(c, err)
		return
	}
	notify := []traceJSON{}
	for _, t := range res.Notify {
		notify = append(notify, traceOut(t))
	}
	status := fasthttp.StatusCreated
	if res.Replayed {
		status = fasthttp.StatusOK
	}
	writeJSON(c, status, map[string]any{"firstSeq": res.FirstSeq, "records": res.Records, "codes": res.Codes,
		"replayed": res.Replayed, "notify": notify})
}

// apiForwardTrace serves GET /v1/lots/{lot}/trace: every organisation,
// party and location that received items of the lot — the recall
// notification list. The lot's organisation, a regulator of its region
// and the operator may read it.
func (s *Server) apiForwardTrace(c *call) {
	l, ok := s.visibleLot(c)
	if !ok {
		return
	}
	t, err := s.eng.Reports().ForwardTrace(l.ID)
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, traceOut(t))
}

// pathCode returns the code that follows prefix in the request path:
// percent-decoded, a Digital Link path (01/…, 00/…) made a URI. It answers
// 400 itself when the code is missing or badly encoded.
func pathCode(c *call, prefix string) (string, bool) {
	raw := c.ctx.URI().PathOriginal()
	i := bytes.Index(raw, []byte(prefix))
	if i < 0 { // the prefix itself was percent-encoded: use the decoded path
		raw, i = c.ctx.Path(), 0
	}
	input, err := url.PathUnescape(string(raw[i+len(prefix):]))
	if err != nil || input == "" {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-code", "the code after "+prefix+" is missing or badly percent-encoded")
		return "", false
	}
	if strings.HasPrefix(input, "01/") || strings.HasPrefix(input, "00/") {
		input = "https://r/" + input
	}
	return input, true
}

// apiTrace serves GET /v1/trace/{code}: the full chain with what the
// public does not see, as engine.TraceAccessOf decides. The producer, the
// operator and a regulator whose region holds the producer or any
// organisation that held the code see everything (business documents,
// block and counter, handlers, upstream lots, scan regions); an
// organisation that held the code (custody, not merely a record about it)
// sees the chain with the documents of its own events; anyone else gets
// 404.
func (s *Server) apiTrace(c *call) {
	input, ok := pathCode(c, "/v1/trace/")
	if !ok {
		return
	}
	v, access, ok := s.privateChain(c, input)
	if !ok {
		return
	}
	ch := &v.ch
	full := access == chain.TraceFull
	r := &publicReq{kind: kindQuery, key: []byte(input), level: levelItem}
	s.fillChain(v, true)
	if st, err := s.scans.Stats(scanlog.Ref{Product: ch.Node.Product, Counter: ch.Node.Counter}); err == nil {
		v.stats, v.scanned = st, true
	}
	if !full {
		for i := range v.chain.events {
			if v.chain.events[i].orgID != c.key.Org {
				v.chain.events[i].Doc = ""
			}
		}
	}
	w := jw{loc: s.eng.Location()}
	s.appendChain(&w, r, v, true)
	if full {
		w.b = w.b[:len(w.b)-2] // reopen the object: drop "}\n"
		w.key("access")
		w.b = appendJSONString(w.b, "full")
		w.key("handlers")
		w.openArr()
		for _, h := range ch.Handlers {
			w.elem()
			w.open()
			w.uint("org", uint64(h.Org))
			if o, err := s.eng.Issuance().Org(h.Org); err == nil {
				w.str("orgName", o.Name)
			}
			w.strOpt("location", h.Location)
			w.strOpt("party", h.Party)
			if o, err := s.eng.Issuance().Org(h.PartyOrg); h.PartyOrg != 0 && err == nil {
				w.str("partyName", o.Name)
			}
			w.timeMS("time", h.Time)
			w.str("step", shortStep(h.BizStep))
			w.close()
		}
		w.closeArr()
		w.key("upstream")
		w.openArr()
		for _, u := range ch.Upstream {
			w.elem()
			w.open()
			w.uint("lot", uint64(u.Lot))
			if l, err := s.eng.Issuance().Lot(u.Lot); err == nil {
				w.str("number", l.Number)
			}
			w.uint("product", uint64(u.Product))
			if p, err := s.eng.Issuance().Product(u.Product); err == nil {
				w.str("productName", p.NameZH)
			}
			w.uint("depth", uint64(u.Depth))
			w.close()
		}
		w.closeArr()
		w.close()
		w.b = append(w.b, '\n')
	}
	c.ctx.Response.Header.SetContentTypeBytes(ctJSON)
	c.ctx.SetBody(w.b)
}

// apiSuspicious serves GET /v1/scans/suspicious?limit=: the items whose
// public scans crossed the clone thresholds, among those the key may see
// (its organisation's products; a regulator's region; everything for the
// operator), strongest evidence first.
func (s *Server) apiSuspicious(c *call) {
	limit, ok := queryUint(c, "limit")
	if !ok {
		return
	}
	if limit == 0 || limit > 10000 {
		limit = 100
	}
	type row struct {
		Code        string          `json:"code"`
		Product     uint32          `json:"product"`
		ProductName string          `json:"productName,omitempty"`
		Count       uint64          `json:"count"`
		Clients     uint8           `json:"clients"`
		Evidence    int             `json:"evidence"`
		First       string          `json:"first"`
		Last        string          `json:"last"`
		Regions     []string        `json:"regions"`
		Review      *scanReviewJSON `json:"review,omitempty"`
	}
	out := []row{}
	visible := map[uint32]bool{}
	err := s.scans.EachStats(func(r scanlog.Ref, st scanlog.Stats) error {
		if !st.Suspicious {
			return nil
		}
		ok, seen := visible[r.Product]
		var name string
		if r.Product != 0 {
			p, err := s.eng.Issuance().Product(r.Product)
			if err != nil {
				return nil
			}
			name = p.NameZH
			if !seen {
				ok = s.canSeeOrg(c.key, p.Org)
				visible[r.Product] = ok
			}
		} else {
			ok = c.key.Org == 0 && c.key.Scopes.Has(apikey.ScopeAdmin)
		}
		if !ok {
			return nil
		}
		rw := row{Code: s.nodeCode(engine.Node{Product: r.Product, Counter: r.Counter}), Product: r.Product, ProductName: name,
			Count: st.Count, Clients: st.NClient, Evidence: st.Evidence(), First: msTime(st.First), Last: msTime(st.Last),
			Regions: []string{}, Review: scanReviewOut(st.Review)}
		for _, reg := range st.Regions[:st.NRegion] {
			rw.Regions = append(rw.Regions, fmt.Sprint(reg))
		}
		out = append(out, rw)
		return nil
	})
	if err != nil {
		engineError(c, err)
		return
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Evidence != out[j].Evidence {
			return out[i].Evidence > out[j].Evidence
		}
		return out[i].Count > out[j].Count
	})
	if uint64(len(out)) > limit {
		out = out[:limit]
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"items": out})
}

// privateChain resolves the code of a private route (the trace, the
// contents) and the caller's access to it (engine.TraceAccessOf). A code
// that does not resolve, has no organisation, or that the caller may not
// see is answered 404 alike, so that a key learns nothing of codes it
// never held; ok is false when the answer has been written.
func (s *Server) privateChain(c *call, input string) (v *chainView, access chain.TraceAccess, ok bool) {
	v = &chainView{today: s.eng.Today(), level: levelItem}
	if err := s.eng.ResolveInto(&v.ch, input); err != nil {
		resolveError(c, err)
		return nil, 0, false
	}
	v.fromChain(&v.ch)
	if !v.found || v.ch.Org == nil {
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no code "+input+" visible to this API key: "+v.reason)
		return nil, 0, false
	}
	if access = s.eng.Reports().TraceAccessOf(c.key, &v.ch); access == chain.TraceNone {
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no code "+input+" visible to this API key")
		return nil, 0, false
	}
	return v, access, true
}

// xmlContentType reports whether the request declares an XML body
// (application/xml, text/xml or application/…+xml).
func xmlContentType(ctx *fasthttp.RequestCtx) bool {
	mt, _, err := mime.ParseMediaType(string(ctx.Request.Header.ContentType()))
	return err == nil && (mt == "application/xml" || mt == "text/xml" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+xml")))
}
