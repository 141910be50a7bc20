package server

import (
	"strings"
	"sync"

	"tracecode/engine"
	"tracecode/engine/category"
	"tracecode/engine/code/cn"
	"tracecode/engine/resolve"
)

// chainExtra is the part of a public answer that comes from line reports
// and supply-chain events: recall, containment, timeline. It is reused
// across requests (pooled with its chainView), so its slices keep their
// capacity.
type chainExtra struct {
	recalled     bool
	recallReason string
	recallSince  int64        // unix ms
	parents      []parentView // innermost first: case, then pallet
	events       []eventRow   // oldest first
	contents     []contentRow // a container's present children
	sources      []sourceRow  // upstream lots through transformations
	// facts are the item's (or lot's) category facts: the scan page and
	// the JSON chain both show these (public ones only on public answers).
	facts []category.Fact
}

// sourceRow is a lot the item's lot was made from.
type sourceRow struct {
	Product, ProductEN, Lot string
}

// contentRow counts a container's children of one product.
type contentRow struct {
	Product string
	Count   uint64
}

// parentView is one level of the packaging an item sits in now.
type parentView struct {
	Level string // "case", "pallet", …
	Code  string // the parent's code (Digital Link or SSCC)
}

// eventRow is one step of the item's public timeline.
type eventRow struct {
	Time     int64  // unix ms
	Step     string // CBV business step without prefix: shipping, receiving, retail_selling, …
	Org      string // organisation that recorded it
	OrgEN    string // its English name, may be empty
	Region   uint32 // where it happened (GB/T 2260), 0 = unknown
	Location string // site name or GLN
	Via      string // inherited through: "lot", "case", "pallet"; "" = the item itself
	Doc      string // business document (private answers only)
	// Erroneous: declared erroneous by an EPCIS error declaration, or the
	// declaration itself (shown, flagged; it decided nothing).
	Erroneous bool
	orgID     uint32 // the recording organisation
}

func (c *chainExtra) reset() {
	*c = chainExtra{parents: c.parents[:0], events: c.events[:0], contents: c.contents[:0], sources: c.sources[:0], facts: c.facts[:0]}
}

// fillChain adds containment, timeline and recall from the engine's chain
// of an item to v. private keeps business documents; own (non-zero) keeps
// only the events that organisation recorded plus those of the producer.
func (s *Server) fillChain(v *chainView, private bool) {
	c := &v.ch
	x := &v.chain
	if !v.unit && v.res.Product.ID != 0 && (v.level == levelItem || v.res.Lot.ID != 0) {
		x.facts = append(x.facts, s.eng.Sectors().Facts(v.res.Product.ID, v.res.Counter, v.level == levelItem, v.res.Lot.ID, s.eng.Now(), !private)...)
	}
	if v.status == statusRecalled { // recalled, or a container holding recalled codes
		x.recalled = true
		x.recallReason, x.recallSince = c.RecallReason, c.RecallTime
	}
	for _, p := range c.Parents[:c.Intact] {
		x.parents = append(x.parents, parentView{Level: p.Level.String(), Code: s.nodeCode(p.Parent)})
	}
	for _, u := range c.Upstream {
		var row sourceRow
		if p, err := s.eng.Issuance().Product(u.Product); err == nil {
			row.Product, row.ProductEN = p.NameZH, p.NameEN
		}
		if l, err := s.eng.Issuance().Lot(u.Lot); err == nil {
			row.Lot = l.Number
		}
		x.sources = append(x.sources, row)
	}
	for _, g := range c.Children {
		name := "SSCC"
		if p, err := s.eng.Issuance().Product(g.Product); err == nil {
			name = p.NameZH
		}
		x.contents = append(x.contents, contentRow{Product: name, Count: g.Count})
	}
	for i := range c.Timeline {
		en := &c.Timeline[i]
		ev := en.Event
		row := eventRow{Time: ev.EventTime, Step: shortStep(string(ev.BizStep)), Location: ev.BizLocation}
		if row.Step == "" {
			switch ev.Kind {
			case engine.KindRecall:
				row.Step = "recalling"
			case engine.KindRecallLift:
				row.Step = "recall_lifted"
			case engine.KindVoid:
				row.Step = "voiding"
			case engine.KindRelease:
				row.Step = "releasing"
			case engine.KindDecommission:
				row.Step = "decommissioning"
			case engine.KindUnpack:
				row.Step = "unpacking"
			case engine.KindPack:
				row.Step = "packing"
			default:
				row.Step = strings.ToLower(string(ev.EventType))
			}
		}
		if o, err := s.eng.Issuance().Org(ev.Org); err == nil {
			row.Org, row.OrgEN, row.Region = o.Name, o.NameEN, o.Region
		}
		switch en.Via {
		case resolve.ViaLot:
			row.Via = "lot"
		case resolve.ViaContainer:
			row.Via = "case"
			for _, p := range c.Parents {
				if p.Parent == en.Node {
					row.Via = p.Level.String()
				}
			}
		}
		if private {
			for _, bt := range ev.BizTx {
				row.Doc = joinNonEmpty(", ", row.Doc, bt.Type+" "+bt.ID)
			}
		}
		row.Erroneous = en.ErroneousBy != 0 || ev.Flags&engine.FlagErrorDeclared != 0
		row.orgID = ev.Org
		x.events = append(x.events, row)
	}
}

// nodeCodes caches the printed code of parents: a case or pallet is the
// parent of many items, and formatting its code costs an FF1 encryption
// and allocations (the profile's largest allocator on packed items). One
// per Server: a node means something only within one engine. A node's
// printed code never changes (its block's key and format are fixed at
// minting), so entries need no invalidation.
type nodeCodes struct {
	mu sync.RWMutex
	m  map[engine.Node]string // GUARDED_BY(mu)
}

const maxNodeCodes = 1 << 16

// nodeCode returns n's printed code (see engine.AppendNodeCode).
func (s *Server) nodeCode(n engine.Node) string {
	nc := &s.nodeCodes
	nc.mu.RLock()
	c, ok := nc.m[n]
	nc.mu.RUnlock()
	if ok {
		return c
	}
	c = string(s.eng.AppendNodeCode(nil, n))
	nc.mu.Lock()
	if nc.m == nil || len(nc.m) >= maxNodeCodes {
		nc.m = make(map[engine.Node]string, 1024)
	}
	nc.m[n] = c
	nc.mu.Unlock()
	return c
}

// appendChainExtra writes recall, containment and timeline.
func (s *Server) appendChainExtra(w *jw, v *chainView, private bool) {
	c := &v.chain
	if c.recalled {
		w.key("recall")
		w.open()
		w.bool("recalled", true)
		w.strOpt("reason", c.recallReason)
		if c.recallSince != 0 {
			w.timeMS("since", c.recallSince)
		}
		w.close()
	}
	objArr(w, "containment", c.parents, func(p *parentView) {
		w.str("level", p.Level)
		w.str("code", p.Code)
	})
	objArr(w, "sources", c.sources, func(r *sourceRow) {
		w.str("product", r.Product)
		w.str("lot", r.Lot)
	})
	objArr(w, "contents", c.contents, func(r *contentRow) {
		w.str("product", r.Product)
		w.uint("count", r.Count)
	})
	if v.ch.RecalledInside > 0 { // a container holding recalled codes
		w.uint("inside", v.ch.Inside)
		w.uint("recalledInside", v.ch.RecalledInside)
	}
	if private { // sensors, loggers, parts: not contents
		objArr(w, "associations", v.ch.Associations, func(a *engine.Association) {
			w.str("child", a.Child)
			w.timeMS("since", a.Since)
		})
	}
	objArr(w, "events", c.events, func(e *eventRow) {
		w.timeMS("time", e.Time)
		w.str("step", e.Step)
		w.strOpt("org", e.Org)
		if e.Region != 0 {
			w.regionName("region", e.Region, false)
		}
		w.strOpt("location", e.Location)
		w.strOpt("via", e.Via)
		if e.Erroneous {
			w.bool("erroneous", true)
		}
		if private {
			w.strOpt("document", e.Doc)
		}
	})
	if v.ch.TimelineTruncated { // only the newest lot and product records
		w.bool("timelineTruncated", true)
	}
	objArr(w, "facts", c.facts, func(f *category.Fact) {
		w.str("key", f.Key)
		w.key("label")
		appendText(w, f.Label)
		w.key("value")
		appendText(w, f.Value)
		w.strOpt("status", f.Status)
		if private {
			w.bool("public", f.Public)
		}
	})
}

// appendText writes a text in both languages as {"zh": …, "en": …}.
func appendText(w *jw, t category.Text) {
	w.open()
	w.str("zh", t.ZH)
	w.str("en", t.EN)
	w.close()
}

// regionName names a division in lang ("zh" or "en") with the divisions
// above it (甘肃省 兰州市 城关区; "城关区, 兰州市, Gansu"), from the
// embedded tree; "" for 0 or a number that is no division.
func regionName(code uint32, lang string) string {
	var buf [192]byte
	return string(appendRegionName(buf[:0], code, lang))
}

// appendRegionName appends regionName(code, lang) to dst; with room in dst
// it allocates nothing (the resolver's JSON path, TestResolveAllocs).
func appendRegionName(dst []byte, code uint32, lang string) []byte {
	reg, err := cn.NewRegion(int(code))
	if err != nil {
		return dst
	}
	l := cn.Chinese
	if lang == "en" {
		l = cn.English
	}
	return reg.AppendFullName(dst, l)
}
