package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// ship returns an ObjectEvent shipping codes to organisation B (its PGLN).
func shipToB(at string, codes ...string) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%s],"action":"OBSERVE",
"bizStep":"shipping","disposition":"in_transit","destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:6901234.00000"}]}`,
		at, quoteList(codes))
}

// shipToA returns an ObjectEvent shipping codes to organisation A (its PGLN).
func shipToA(at string, codes ...string) string {
	return strings.Replace(shipToB(at, codes...), "pgln:6901234.", "pgln:9520123.", 1)
}

func receive(at string, codes ...string) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%s],"action":"OBSERVE",
"bizStep":"receiving","disposition":"in_progress"}`, at, quoteList(codes))
}

func quoteList(codes []string) string {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = fmt.Sprintf("%q", c)
	}
	return strings.Join(q, ",")
}

// TestCustody: a distributor that received a producer's pallet unpacks
// it, repacks a case onto a pallet of its own SSCC and breaks the case
// down; before receiving it is refused, and so is the producer once the
// pallet left its hands ("another organisation's codes").
func TestCustody(t *testing.T) {
	f := supply(t)
	pallet, case1, item13 := f.code(f.pallets, 0), f.code(f.cases, 1), f.code(f.items, 13)
	mb := f.meta(f.orgB)
	mb.Time = testClock.Add(-5 * time.Hour)
	unpackB := func(parent string, children ...string) error {
		u := chain.Unpack{Parent: chain.Ref{Code: parent}, Children: chain.Items{Codes: children}}
		_, err := f.e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: mb, Unpacks: []chain.Unpack{u}})
		return err
	}
	// B never received the pallet.
	wantErrs(t, unpackB(pallet, case1), ie{model.ErrWrongOrg, pallet})
	if err := unpackB(pallet, case1); !strings.Contains(err.Error(), "another organisation's codes") {
		t.Errorf("refusal does not say whose codes: %v", err)
	}
	// B can neither sell nor ship what it does not hold.
	sellB := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":[%q],
"action":"DELETE","bizStep":"retail_selling","disposition":"retail_sold"}`, item13)
	_, err := f.capture(f.orgB, doc(sellB))
	wantErrs(t, err, ie{model.ErrWrongOrg, item13})
	// Shipped to B (by A, the holder), not received yet.
	if _, err := f.capture(f.orgA, doc(shipToB("2026-03-01T10:00:00+08:00", pallet))); err != nil {
		t.Fatal(err)
	}
	err = unpackB(pallet, case1)
	wantErrs(t, err, ie{model.ErrWrongOrg, pallet})
	if !strings.Contains(err.Error(), "not received yet") {
		t.Errorf("refusal before receiving: %v", err)
	}
	c, _ := f.e.Resolve(item13)
	if c.Holder.Org != f.orgA || c.Holder.Pending != f.orgB {
		t.Errorf("in transit: holder %+v", c.Holder)
	}
	// Receiving by A itself, or a shipment by B (not the holder), moves
	// nothing.
	if _, err := f.capture(f.orgA, doc(receive("2026-03-01T10:30:00+08:00", pallet))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.capture(f.orgB, doc(receive("2026-03-01T11:00:00+08:00", pallet))); err != nil {
		t.Fatal(err)
	}
	c, _ = f.e.Resolve(item13)
	if c.Holder.Org != f.orgB || c.Holder.Pending != 0 || c.Holder.Seq == 0 {
		t.Fatalf("after B's receiving: holder %+v", c.Holder)
	}
	// A no longer holds what it shipped: it neither sells, ships nor
	// decommissions it.
	ma := f.meta(f.orgA)
	ma.Time = testClock.Add(-5 * time.Hour)
	sellA := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T12:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":[%q],
"action":"DELETE","bizStep":"retail_selling","disposition":"retail_sold"}`, f.code(f.items, 2))
	_, err = f.capture(f.orgA, doc(sellA))
	wantErrs(t, err, ie{model.ErrWrongOrg, f.code(f.items, 2)})
	_, err = f.capture(f.orgA, doc(shipToB("2026-03-01T12:00:00+08:00", f.code(f.cases, 0))))
	wantErrs(t, err, ie{model.ErrWrongOrg, f.code(f.cases, 0)})
	_, err = f.e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: ma, Action: chain.LineDecommission, Items: chain.Items{Codes: []string{f.code(f.items, 2)}}})
	wantErrs(t, err, ie{model.ErrWrongOrg, f.code(f.items, 2)})
	_, err = f.e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: ma, Unpacks: []chain.Unpack{{Parent: chain.Ref{Code: case1}, All: true}}})
	wantErrs(t, err, ie{model.ErrWrongOrg, case1})
	// B breaks the pallet down, repacks case 1 onto its own SSCC, takes
	// item 13 out and sells it.
	if err := unpackB(pallet, case1); err != nil {
		t.Fatal(err)
	}
	sscc := "(00)369012340000000017"
	mb.Time = testClock.Add(-4 * time.Hour)
	if _, err := f.e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: mb, Packs: []chain.Pack{{Parent: chain.Ref{Code: sscc}, Children: chain.Items{Codes: []string{case1}}}}}); err != nil {
		t.Fatal(err)
	}
	// A cannot pack into B's SSCC, nor take case 1 out of it.
	ma.Time = testClock.Add(-3 * time.Hour)
	_, err = f.e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: ma, Unpacks: []chain.Unpack{{Parent: chain.Ref{Code: sscc}, All: true}}})
	wantErrs(t, err, ie{model.ErrWrongOrg, sscc})
	mb.Time = testClock.Add(-3 * time.Hour)
	if err := unpackB(case1, item13); err != nil {
		t.Fatal(err)
	}
	c, _ = f.e.Resolve(item13)
	if c.Holder.Org != f.orgB || len(c.Parents) != 0 {
		t.Fatalf("item taken out by B: holder %+v, parents %v", c.Holder, c.Parents)
	}
	sell := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T14:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":[%q],
"action":"DELETE","bizStep":"retail_selling","disposition":"retail_sold"}`, item13)
	if _, err := f.capture(f.orgB, doc(sell)); err != nil {
		t.Fatal(err)
	}
	// Case 1 (in B's SSCC) and the rest of pallet 0 are B's; case 0 too,
	// inside the received pallet.
	for _, code := range []string{case1, f.code(f.items, 14), f.code(f.cases, 0), f.code(f.items, 2), sscc} {
		c, err := f.e.Resolve(code)
		if err != nil {
			t.Fatal(err)
		}
		if c.Holder.Org != f.orgB {
			t.Errorf("%s: holder %+v, want B", code, c.Holder)
		}
	}
	// Custody survives a reopen (the fast-path flag is reloaded).
	f.e = reopen(t, f.e)
	if c, _ := f.e.Resolve(f.code(f.items, 14)); c.Holder.Org != f.orgB {
		t.Errorf("after reopening: holder %+v", c.Holder)
	}
}

// TestResolveAllocsWithCustody: once custody records exist, resolving an
// item of a received pallet reads them without allocating more than
// TestResolveReuseAllocs allows.
func TestResolveAllocsWithCustody(t *testing.T) {
	f := supply(t)
	pallet := f.code(f.pallets, 0)
	if _, err := f.capture(f.orgA, doc(shipToB("2026-03-01T10:00:00+08:00", pallet))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.capture(f.orgB, doc(receive("2026-03-01T11:00:00+08:00", pallet))); err != nil {
		t.Fatal(err)
	}
	code := f.code(f.items, 7)
	var c resolve.Chain
	if err := f.e.ResolveInto(&c, code); err != nil || c.Holder.Org != f.orgB {
		t.Fatalf("holder %+v %v", c.Holder, err)
	}
	n := testing.AllocsPerRun(200, func() {
		if err := f.e.ResolveInto(&c, code); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("ResolveInto with custody records: %.1f allocations", n)
	if n > 3 && !reportRace {
		t.Errorf("ResolveInto allocates %.0f times per call with custody records, want at most 3", n)
	}
}

// BenchmarkPackCustody packs 1,000 cases of 10 items per report with
// custody lookups off (no custody record in the store) and on (records
// exist, so every parent and run of children is checked).
func BenchmarkPackCustody(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("custody=%v/children=10000", on), func(b *testing.B) {
			f := newFixture(b)
			e := f.e
			items, _ := e.Issuance().Mint(ctxBG, issue.MintRequest{Product: f.prod.ID, Lot: "L1", Level: model.LevelItem, Count: 100_000_000})
			cases, _ := e.Issuance().Mint(ctxBG, issue.MintRequest{Product: f.prod.ID, Lot: "L1", Level: model.LevelCase, Count: 10_000_000})
			meta := chain.ReportMeta{Org: f.orgA, Time: testClock.Add(-time.Hour)}
			for _, blk := range []model.Block{items.Block, cases.Block} {
				if _, err := e.Reports().ReportLine(b.Context(), &chain.LineReport{ReportMeta: meta, Action: chain.LineCommission,
					Items: chain.Items{Ranges: []chain.BlockRange{{Block: blk.ID, First: 0, Last: blk.Count - 1}}}}); err != nil {
					b.Fatal(err)
				}
			}
			if on { // another organisation's goods were handed on: lookups are on
				f.commission(f.itemsB, 0, 0)
				item := f.code(f.itemsB, 0)
				if _, err := f.capture(f.orgB, doc(shipToA("2026-03-01T10:00:00+08:00", item))); err != nil {
					b.Fatal(err)
				}
				if _, err := f.capture(f.orgA, doc(receive("2026-03-01T11:00:00+08:00", item))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				r := &chain.PackReport{ReportMeta: meta, Packs: make([]chain.Pack, 0, 1000)}
				for range 1000 {
					r.Packs = append(r.Packs, chain.Pack{Parent: chain.Ref{Block: cases.Block.ID, Offset: uint64(k)},
						Children: chain.Items{Ranges: []chain.BlockRange{{Block: items.Block.ID, First: uint64(k * 10), Last: uint64(k*10 + 9)}}}})
					k++
				}
				if _, err := e.Reports().Pack(b.Context(), r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(k*10)/b.Elapsed().Seconds(), "children/s")
		})
	}
}
