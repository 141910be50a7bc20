package chain

import (
	"cmp"
	"fmt"
	"slices"

	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// Recipient is one organisation, party or location that handled items of a
// traced lot: the notification list of a recall.
type Recipient struct {
	// Kind is "organisation" (it recorded events on the items), "party" (a
	// destination owning or possessing party) or "location" (a business
	// location or destination location).
	Kind    string
	Org     uint32 // Kind organisation
	OrgName string
	Region  uint32 // the organisation's GB/T 2260 region
	ID      string // Kind party or location: the PGLN, SGLN or Digital Link as reported
	Lot     uint32 // the lot through which it was reached: the traced lot or one made from it
	// Received reports that it received items (a receiving, arriving,
	// accepting, selling or dispensing step there, or a destination).
	Received    bool
	First, Last int64    // unix ms of its first and last event
	Events      int      // events
	BizSteps    []string // distinct business steps, in order of first use
}

// TraceResult is a lot's forward trace.
type TraceResult struct {
	Lot     model.Lot
	Product model.Product
	// Downstream lists the lots made from the lot through transformations,
	// at any depth (bounded by MaxDepth and 256 lots).
	Downstream []model.Lot
	Recipients []Recipient
	Records    int // ledger records read
}

// ForwardTrace lists every organisation, party and location that handled
// items of a lot — directly, through any parent they were packed in, or
// through lots made from it by transformations.
func (c *Chain) ForwardTrace(lot uint32) (*TraceResult, error) {
	l, err := c.iss.Lot(lot)
	if err != nil {
		return nil, err
	}
	p, err := c.iss.Product(l.Product)
	if err != nil {
		return nil, err
	}
	res := &TraceResult{Lot: l, Product: p}
	ir, err := ledger.NewIndexReader(c.db)
	if err != nil {
		return nil, err
	}
	defer ir.Close()
	type rkey struct {
		kind string
		org  uint32
		id   string
		lot  uint32
	}
	recips := map[rkey]*Recipient{}
	add := func(k rkey, s *ledger.Summary, received bool) {
		r := recips[k]
		if r == nil {
			r = &Recipient{Kind: k.kind, Org: k.org, ID: k.id, Lot: k.lot, First: s.EventTime, Last: s.EventTime}
			recips[k] = r
		}
		r.Events++
		r.First, r.Last = min(r.First, s.EventTime), max(r.Last, s.EventTime)
		r.Received = r.Received || received
		if s.BizStep != "" && !slices.Contains(r.BizSteps, string(s.BizStep)) {
			r.BizSteps = append(r.BizSteps, string(s.BizStep))
		}
	}
	seen := map[uint32]bool{lot: true}
	queue := []struct {
		lot   uint32
		depth int
	}{{lot, 0}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		hits := map[uint64]ledger.Role{}
		collect := func(h ledger.Hit) bool { hits[h.Seq] = h.Role; return true }
		if err := ir.Lot(cur.lot, collect); err != nil {
			return nil, err
		}
		if err := ir.LotReach(cur.lot, collect); err != nil {
			return nil, err
		}
		seqs := make([]uint64, 0, len(hits))
		for s := range hits {
			seqs = append(seqs, s)
		}
		slices.Sort(seqs)
		for _, seq := range seqs {
			s, found, err := c.led.Summary(seq)
			if err != nil {
				return nil, err
			}
			if !found {
				return nil, fmt.Errorf("%w: lot %d is indexed under record %d, which does not exist", model.ErrState, cur.lot, seq)
			}
			res.Records++
			recv := resolve.ReceivingStep(s.BizStep)
			add(rkey{kind: "organisation", org: s.Org, lot: cur.lot}, s, recv)
			if s.BizLocation != "" {
				add(rkey{kind: string(epcis.SDTLocation), id: s.BizLocation, lot: cur.lot}, s, recv)
			}
			for _, d := range s.Dests {
				kind := "party"
				if d.Type == string(epcis.SDTLocation) {
					kind = string(epcis.SDTLocation)
				}
				add(rkey{kind: kind, id: d.ID, lot: cur.lot}, s, true)
			}
			// Lots made from this one.
			if hits[seq] != ledger.RoleInput || cur.depth+1 >= MaxDepth || len(seen) >= 256 {
				continue
			}
			pay, _, err := c.led.Payload(seq)
			if err != nil {
				return nil, err
			}
			for _, t := range pay.Targets {
				if t.Role != ledger.RoleOutput {
					continue
				}
				out := t.Lot
				if t.Kind == ledger.TargetRun && t.Product != 0 {
					if b := c.blockAt(t.Product, t.First); b != nil {
						out = b.Lot
					}
				}
				if out != 0 && !seen[out] {
					seen[out] = true
					queue = append(queue, struct {
						lot   uint32
						depth int
					}{out, cur.depth + 1})
					if dl, err := c.iss.Lot(out); err == nil {
						res.Downstream = append(res.Downstream, dl)
					}
				}
			}
		}
	}
	for _, r := range recips {
		if r.Kind == "organisation" {
			if o := c.iss.Org(r.Org); o != nil {
				r.OrgName, r.Region = o.Name, o.Region
			}
		}
		res.Recipients = append(res.Recipients, *r)
	}
	slices.SortFunc(res.Recipients, func(a, b Recipient) int {
		if c := cmp.Compare(a.First, b.First); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return res, nil
}
