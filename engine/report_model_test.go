package engine

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/serial"
)

var modelSeed = flag.Uint64("model.seed", 0, "replay the report model test with this seed (0: a few fixed seeds)")

// mnode is a code of the model universe: kind 0 item, 1 case, 2 pallet
// (offsets of the fixture's blocks), 3 SSCC unit.
type mnode struct {
	kind int
	off  uint64
}

type mspan struct {
	parent      mnode
	since, till int64
}

// refModel is the obvious implementation of the rules, over a small universe.
type refModel struct {
	commissioned, voided, decom map[mnode]bool
	registered                  map[mnode]bool // SSCC units
	parent                      map[mnode]mnode
	since                       map[mnode]int64
	past                        map[mnode][]mspan
	recalled                    map[mnode]bool // the recalled flag: recalls and lifts of a code reach its present contents
	custody                     map[mnode]mcustody
	assoc                       map[mnode]int // sensors associated with a code (never containment)
	seq                         int           // applied reports so far: the order of custody records
}

// mcustody is a custody record: org 0 is A, 1 is B.
type mcustody struct {
	org, pending int // pending -1: none
	seq          int
}

// holder is who holds n: the custody record of n or a present container
// with the highest seq, else the owner (A owns the whole universe).
func (m *refModel) holder(n mnode) mcustody {
	best := mcustody{org: 0, pending: -1}
	for _, x := range append([]mnode{n}, m.ancestors(n)...) {
		if c, ok := m.custody[x]; ok && c.seq > best.seq {
			best = c
		}
	}
	return best
}

// descendants returns what n holds now, at any depth.
func (m *refModel) descendants(n mnode) []mnode {
	var out []mnode
	for c := range m.parent {
		if slices.Contains(m.ancestors(c), n) {
			out = append(out, c)
		}
	}
	return out
}

func (m *refModel) live(n mnode) bool {
	if n.kind == 3 {
		return m.registered[n] && !m.decom[n]
	}
	return m.commissioned[n] && !m.voided[n] && !m.decom[n]
}

func (m *refModel) level(n mnode) int {
	if n.kind == 3 {
		return 4 // pallet
	}
	return []int{1, 3, 4}[n.kind]
}

func (m *refModel) ancestors(n mnode) []mnode {
	var a []mnode
	for p, ok := m.parent[n]; ok && len(a) < 10; p, ok = m.parent[p] {
		a = append(a, p)
	}
	return a
}

// TestReportModel runs random sequences of commission, void, decommission,
// pack (natively, or captured and declared erroneous), unpack, capture,
// recall, lifting a recall, shipping and receiving, associations,
// transactions, and resolve against the engine and the model. On a
// mismatch it names the seed; go test -run TestReportModel -model.seed N
// replays it.
func TestReportModel(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if *modelSeed != 0 {
		seeds = []uint64{*modelSeed}
	} else if testing.Short() {
		seeds = seeds[:1]
	}
	for _, s := range seeds {
		t.Run(fmt.Sprint(s), func(t *testing.T) { runReportModel(t, s) })
	}
}

func runReportModel(t *testing.T, seed uint64) {
	f := newFixture(t)
	e := f.e
	rng := rand.New(rand.NewPCG(seed, seed*7919))
	m := &refModel{commissioned: map[mnode]bool{}, voided: map[mnode]bool{}, decom: map[mnode]bool{},
		registered: map[mnode]bool{}, parent: map[mnode]mnode{}, since: map[mnode]int64{}, past: map[mnode][]mspan{},
		recalled: map[mnode]bool{}, custody: map[mnode]mcustody{}, assoc: map[mnode]int{}}
	sizes := []uint64{40, 12, 4, 3}
	ssccs := []string{"(00)395201230000000012", "(00)395201230000000029", "(00)395201230000000036"}
	ssccNode := func(i uint64) agg.Node {
		v := []uint64{395201230000000012, 395201230000000029, 395201230000000036}[i]
		return agg.UnitNode(v)
	}
	// Pallets as SGTINs (a unit load with a GTIN, named by scheme): the
	// model treats them as items of a third level; SSCCs are kind 3.
	pallets := mint(t, e, issue.MintRequest{Product: f.prod.ID, Lot: "L1", Level: model.LevelPallet, Scheme: serial.GS1, Count: 10}).Block
	blocks := []model.Block{f.items, f.cases, pallets}
	codeOf := func(n mnode) string {
		if n.kind == 3 {
			return ssccs[n.off]
		}
		return f.code(blocks[n.kind], n.off)
	}
	dlOf := func(n mnode) string { // EPCIS takes URNs and Digital Links only
		if n.kind == 3 {
			return "https://id.gs1.org/00/" + ssccs[n.off][4:]
		}
		return codeOf(n)
	}
	engineNode := func(n mnode) agg.Node {
		if n.kind == 3 {
			return ssccNode(n.off)
		}
		b := blocks[n.kind]
		return agg.Node{Product: b.Product, Counter: b.Start + n.off}
	}
	fromEngine := map[agg.Node]mnode{}
	for k := range 4 {
		for o := uint64(0); o < sizes[k]; o++ {
			n := mnode{k, o}
			fromEngine[engineNode(n)] = n
		}
	}
	randNode := func(kinds ...int) mnode {
		k := kinds[rng.IntN(len(kinds))]
		return mnode{k, uint64(rng.IntN(int(sizes[k])))}
	}
	// pick returns a node satisfying good most of the time, so that most
	// reports are valid and the state grows; the rest probe the rules.
	pick := func(good func(mnode) bool, kinds ...int) mnode {
		for range 20 {
			n := randNode(kinds...)
			if rng.IntN(5) == 0 || good(n) {
				return n
			}
		}
		return randNode(kinds...)
	}
	base := testClock.Add(-48 * time.Hour)
	fail := func(step int, format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d step %d: %s (replay: go test ./engine -run TestReportModel -model.seed %d)", seed, step, fmt.Sprintf(format, args...), seed)
	}
	applied, rejected := 0, 0
	check := func(step int, what string, wantOK bool, err error) bool {
		t.Helper()
		if wantOK != (err == nil) {
			fail(step, "%s: model says ok=%v, engine says %v", what, wantOK, err)
		}
		if err == nil {
			applied++
			m.seq++
		} else {
			rejected++
		}
		return err == nil
	}
	defer func() {
		held := 0
		for _, c := range m.custody {
			if c.org == 1 {
				held++
			}
		}
		t.Logf("seed %d: %d reports applied, %d rejected as the model predicted; %d custody records (%d held by B), %d recalled",
			seed, applied, rejected, len(m.custody), held, len(m.recalled))
	}()
	for step := 1; step <= 400; step++ {
		at := base.Add(time.Duration(step) * time.Minute)
		meta := chain.ReportMeta{Org: f.orgA, Credential: "model", Time: at}
		orgs := []uint32{f.orgA, f.orgB}
		who := 0 // the reporting organisation of packing and unpacking: A, sometimes B
		if rng.IntN(3) == 0 {
			who = 1
		}
		switch op := rng.IntN(16); {
		case op < 3: // commission a short range
			k := rng.IntN(3)
			lo := pick(func(n mnode) bool { return !m.commissioned[n] && !m.voided[n] }, k).off
			hi := min(lo+uint64(rng.IntN(4)), sizes[k]-1)
			ok := true
			for o := lo; o <= hi; o++ {
				n := mnode{k, o}
				ok = ok && !m.commissioned[n] && !m.voided[n]
			}
			_, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: meta, Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: blocks[k].ID, First: lo, Last: hi}}}})
			if check(step, fmt.Sprintf("commission %d:%d..%d", k, lo, hi), ok, err) {
				for o := lo; o <= hi; o++ {
					m.commissioned[mnode{k, o}] = true
				}
			}
		case op == 3: // void one
			n := pick(func(n mnode) bool { return !m.commissioned[n] && !m.voided[n] }, 0, 1, 2)
			ok := !m.commissioned[n] && !m.voided[n]
			_, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: meta, Action: chain.LineVoid, Items: chain.Items{Codes: []string{codeOf(n)}}})
			if check(step, fmt.Sprintf("void %v", n), ok, err) {
				m.voided[n] = true
			}
		case op == 4: // decommission one
			n := randNode(0, 1, 2)
			ok := m.live(n) && m.holder(n).org == 0 // the owner's line, if it still holds the code
			_, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: meta, Action: chain.LineDecommission, Items: chain.Items{Codes: []string{codeOf(n)}}})
			if check(step, fmt.Sprintf("decommission %v", n), ok, err) {
				m.decom[n] = true
			}
		case op < 8: // pack 1–4 children into a parent
			parent := pick(func(n mnode) bool { return m.live(n) || n.kind == 3 }, 1, 2, 3)
			var kids []mnode
			for range rng.IntN(4) + 1 {
				c := pick(func(n mnode) bool {
					_, has := m.parent[n]
					return m.live(n) && !has && m.level(n) < m.level(parent)
				}, 0, 1, 2, 3)
				if !slices.Contains(kids, c) {
					kids = append(kids, c)
				}
			}
			// The model's SSCCs carry A's company prefix: only A registers them.
			ok := parent.kind == 3 && !m.registered[parent] && who == 0 || m.live(parent) && m.holder(parent).org == who
			anc := m.ancestors(parent)
			for _, c := range kids {
				_, has := m.parent[c]
				ok = ok && m.live(c) && !has && m.level(c) < m.level(parent) && c != parent && !slices.Contains(anc, c) && m.holder(c).org == who
			}
			codes := make([]string, len(kids))
			for i, c := range kids {
				codes[i] = codeOf(c)
			}
			meta.Org = orgs[who]
			if rng.IntN(4) == 0 { // captured as EPCIS, then declared erroneous: an empty stay
				dls := make([]string, len(kids))
				for i, c := range kids {
					dls[i] = fmt.Sprintf("%q", dlOf(c))
				}
				ev := fmt.Sprintf(`{"type":"AggregationEvent","eventTime":%q,"eventTimeZoneOffset":"+00:00","parentID":%q,"childEPCs":[%s],"action":"ADD","bizStep":"packing"}`,
					at.Format(time.RFC3339), dlOf(parent), strings.Join(dls, ","))
				_, err := f.capture(orgs[who], doc(ev))
				if check(step, fmt.Sprintf("pack %v into %v (EPCIS)", kids, parent), ok, err) {
					decl := strings.TrimSuffix(ev, "}") + fmt.Sprintf(`,"errorDeclaration":{"declarationTime":%q,"reason":"did_not_occur"}}`, at.Format(time.RFC3339))
					if _, err := f.capture(orgs[who], doc(decl)); err != nil {
						fail(step, "declaring the packing erroneous: %v", err)
					}
					m.seq++
					if parent.kind == 3 {
						m.registered[parent] = true
					}
					for _, c := range kids {
						m.past[c] = append(m.past[c], mspan{parent, at.UnixMilli(), at.UnixMilli()})
					}
				}
				break
			}
			_, err := e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: meta, Packs: []chain.Pack{{Parent: chain.Ref{Code: codeOf(parent)}, Children: chain.Items{Codes: codes}}}})
			if check(step, fmt.Sprintf("pack %v into %v", kids, parent), ok, err) {
				if parent.kind == 3 {
					m.registered[parent] = true
				}
				for _, c := range kids {
					m.parent[c] = parent
					m.since[c] = at.UnixMilli()
				}
			}
		case op == 8: // unpack some or all children of a parent
			parent := pick(func(n mnode) bool {
				for _, p := range m.parent {
					if p == n {
						return true
					}
				}
				return false
			}, 1, 2, 3)
			var in []mnode
			for c, p := range m.parent {
				if p == parent {
					in = append(in, c)
				}
			}
			all := rng.IntN(2) == 0
			var take []mnode
			if all {
				take = in
			} else if len(in) > 0 && rng.IntN(4) > 0 {
				take = append(take, in[rng.IntN(len(in))])
			} else {
				take = append(take, randNode(0, 1, 2, 3))
			}
			ok := (parent.kind != 3 || m.registered[parent]) && len(take) > 0 && m.holder(parent).org == who
			for _, c := range take {
				ok = ok && m.parent[c] == parent && slices.Contains(in, c)
			}
			u := chain.Unpack{Parent: chain.Ref{Code: codeOf(parent)}, All: all}
			for _, c := range take {
				u.Children.Codes = append(u.Children.Codes, codeOf(c))
			}
			meta.Org = orgs[who]
			hp := m.holder(parent)
			_, err := e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: meta, Unpacks: []chain.Unpack{u}})
			if check(step, fmt.Sprintf("unpack %v from %v (all %v) by %d", take, parent, all, who), ok, err) {
				for _, c := range take { // the children keep the parent's custody
					if hp.seq > 0 && m.custody[c].seq < hp.seq {
						m.custody[c] = hp
					}
				}
				for _, c := range take {
					m.past[c] = append(m.past[c], mspan{parent, m.since[c], at.UnixMilli()})
					delete(m.parent, c)
				}
			}
		case op == 10: // recall one code (and its present contents)
			n := pick(m.live, 0, 1, 2, 3)
			ok := m.live(n)
			_, err := e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: meta, Items: chain.Items{Codes: []string{codeOf(n)}}, Reason: "model"})
			if check(step, fmt.Sprintf("recall %v", n), ok, err) {
				m.recalled[n] = true
				for _, d := range m.descendants(n) {
					m.recalled[d] = true
				}
			}
		case op == 11: // lift the recall of one code (and of its present contents)
			n := pick(func(n mnode) bool { return m.recalled[n] }, 0, 1, 2, 3)
			ok := m.recalled[n]
			_, err := e.Reports().LiftRecall(t.Context(), &chain.LiftRequest{ReportMeta: meta, Items: chain.Items{Codes: []string{codeOf(n)}}, Reason: "model"})
			if check(step, fmt.Sprintf("lift the recall of %v", n), ok, err) {
				delete(m.recalled, n)
				for _, d := range m.descendants(n) {
					delete(m.recalled, d)
				}
			}
		case op == 12 || op == 13: // shipping to the other organisation, or receiving, captured as EPCIS
			by := rng.IntN(2)
			n := pick(func(n mnode) bool { // mostly what by holds (shipping) or what was shipped to it (receiving)
				h := m.holder(n)
				_, packed := m.parent[n]
				return m.live(n) && (op == 12 && h.org == by && !packed || op == 13 && h.pending == by)
			}, 0, 1, 2, 3)
			// Only the holder ships; the holder or the party it is pending for receives.
			ok := m.live(n) && (m.holder(n).org == by || op == 13 && m.holder(n).pending == by)
			ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"OBSERVE","bizStep":"receiving"}`,
				at.Format(time.RFC3339), dlOf(n))
			if op == 12 {
				dest := []string{"urn:epc:id:pgln:6901234.00000", "urn:epc:id:pgln:9520123.00000"}[by] // the other organisation
				ev = fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"OBSERVE","bizStep":"shipping",
"destinationList":[{"type":"owning_party","destination":%q}]}`, at.Format(time.RFC3339), dlOf(n), dest)
			}
			_, err := f.capture(orgs[by], doc(ev))
			if check(step, fmt.Sprintf("custody event %d on %v by %d", op, n, by), ok, err) {
				h := m.holder(n)
				switch {
				case op == 12 && h.org == by:
					m.custody[n] = mcustody{org: by, pending: 1 - by, seq: m.seq}
				case op == 13 && h.pending == by:
					m.custody[n] = mcustody{org: by, pending: -1, seq: m.seq}
				}
			}
		case op == 14: // a sensor associated with a code by its holder: shown, never containment
			n := pick(m.live, 0, 1, 2, 3)
			ok := m.live(n) && m.holder(n).org == who
			ev := fmt.Sprintf(`{"type":"AssociationEvent","eventTime":%q,"eventTimeZoneOffset":"+00:00","parentID":%q,"childEPCs":["urn:epc:id:giai:9520123.S%d"],"action":"ADD"}`,
				at.Format(time.RFC3339), dlOf(n), step)
			_, err := f.capture(orgs[who], doc(ev))
			if check(step, fmt.Sprintf("associate a sensor with %v", n), ok, err) {
				m.assoc[n]++
			}
		case op == 15: // a code bound to a purchase order by its holder: no state
			n := pick(m.live, 0, 1, 2, 3)
			ok := m.live(n) && m.holder(n).org == who
			ev := fmt.Sprintf(`{"type":"TransactionEvent","eventTime":%q,"eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"ADD",
"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:6901234000003:PO-%d"}]}`, at.Format(time.RFC3339), dlOf(n), step)
			_, err := f.capture(orgs[who], doc(ev))
			check(step, fmt.Sprintf("bind %v to a purchase order", n), ok, err)
		default: // an observation captured as EPCIS: the holder's (A's, unless it handed the code on)
			n := pick(m.live, 0, 1, 2, 3)
			ok := m.live(n) && m.holder(n).org == 0
			ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"OBSERVE","bizStep":"inspecting"}`,
				at.Format(time.RFC3339), dlOf(n))
			_, err := f.capture(f.orgA, doc(ev))
			check(step, fmt.Sprintf("observe %v", n), ok, err)
		}
		// Resolve a few codes and compare containment and status.
		for range 3 {
			n := randNode(0, 1, 2, 3)
			c, err := e.Resolve(codeOf(n))
			if err != nil {
				fail(step, "resolve %v: %v", n, err)
			}
			var got []mnode
			for _, p := range c.Parents {
				got = append(got, fromEngine[p.Parent])
			}
			if want := m.ancestors(n); !slices.Equal(got, want) {
				fail(step, "parents of %v: engine %v, model %v", n, got, want)
			}
			var past []mspan
			for _, p := range c.Past {
				past = append(past, mspan{fromEngine[p.Parent], p.Since, p.Until})
			}
			sortSpans := func(s []mspan) {
				slices.SortFunc(s, func(a, b mspan) int { return int(a.till - b.till) })
			}
			want := slices.Clone(m.past[n])
			sortSpans(past)
			sortSpans(want)
			if fmt.Sprint(past) != fmt.Sprint(want) {
				fail(step, "past parents of %v: engine %v, model %v", n, past, want)
			}
			var ws resolve.Status
			switch {
			case n.kind == 3 && !m.registered[n]:
				ws = resolve.StatusNeverIssued
			case m.voided[n]:
				ws = resolve.StatusVoided
			case n.kind != 3 && !m.commissioned[n]:
				ws = resolve.StatusIssued
			case m.recalled[n]:
				ws = resolve.StatusRecalled
			case m.decom[n]:
				ws = resolve.StatusDecommissioned
			default:
				ws = resolve.StatusActive
				for _, d := range m.descendants(n) {
					if m.recalled[d] {
						ws = resolve.StatusContainsRecalled
					}
				}
			}
			if c.Status != ws {
				fail(step, "status of %v: engine %v (%s), model %v", n, c.Status, c.Reason, ws)
			}
			if ws.Genuine() {
				h := m.holder(n)
				pending := uint32(0)
				if h.pending >= 0 {
					pending = orgs[h.pending]
				}
				if c.Holder.Org != orgs[h.org] || c.Holder.Pending != pending {
					fail(step, "holder of %v: engine %+v, model %+v", n, c.Holder, h)
				}
				if len(c.Associations) != m.assoc[n] {
					fail(step, "associations of %v: engine %d, model %d", n, len(c.Associations), m.assoc[n])
				}
			}
		}
	}
}
