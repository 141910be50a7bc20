package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/store"
	"tracecode/engine/verify"
)

// history builds a store with one record of every kind that derives
// something: commissioning, packing (runs, children, an SSCC unit),
// unpacking (history), shipping and receiving (custody), an association,
// an error declaration (erroneous mark), a lot recall (recall mark) and a
// recall of single codes (recalled bits), a release (a block's tail).
func history(t *testing.T) *fixture {
	f := supply(t)
	m := f.meta(f.orgA)
	m.Time = testClock.Add(-9 * time.Hour)
	if _, err := f.e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: chain.Ref{Block: f.cases.ID, Offset: 1},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 15, Last: 19}}}}}}); err != nil {
		t.Fatal(err)
	}
	m.Time = testClock.Add(-8 * time.Hour)
	if _, err := f.e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{{Parent: chain.Ref{Code: "(00)395201230000000012"}, ParentLevel: model.LevelPallet,
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.cases.ID, First: 2, Last: 2}}}}}}); err != nil {
		t.Fatal(err)
	}
	pallet := f.code(f.pallets, 0)
	observe := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"inspecting"}`, f.code(f.items, 30))
	assoc := fmt.Sprintf(`{"type":"AssociationEvent","eventTime":"2026-03-01T10:30:00+08:00","eventTimeZoneOffset":"+08:00",
"parentID":%q,"childEPCs":["urn:epc:id:giai:9520123.LOGGER-1"],"action":"ADD"}`, pallet)
	if _, err := f.capture(f.orgA, doc(observe, assoc, shipToB("2026-03-01T11:00:00+08:00", pallet))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.capture(f.orgA, doc(declare(observe))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.capture(f.orgB, doc(receive("2026-03-01T12:00:00+08:00", pallet))); err != nil {
		t.Fatal(err)
	}
	m.Time = testClock.Add(-2 * time.Hour)
	if _, err := f.e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: m, Lots: []chain.LotRef{{Product: f.prod.ID, Number: "L1"}}, Reason: "沙门氏菌"}); err != nil {
		t.Fatal(err)
	}
	f.commission(f.itemsB, 0, 9)
	mb := f.meta(f.orgB)
	mb.Time = testClock.Add(-time.Hour)
	if _, err := f.e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: mb, Items: chain.Items{Ranges: []chain.BlockRange{{Block: f.itemsB.ID, First: 2, Last: 4}}}, Reason: "破损"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Reports().ReleaseRest(t.Context(), &chain.ReleaseReport{ReportMeta: mb, Block: f.itemsB.ID, From: 90}); err != nil {
		t.Fatal(err)
	}
	return f
}

// tamper applies damage to f's store behind the engine's back, reopens it
// and returns what Verify says.
func tamper(t *testing.T, f *fixture, damage func(b *store.Batch)) *verify.Report {
	t.Helper()
	b := f.e.db.NewBatch()
	damage(b)
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	dir := f.e.db.Dir()
	f.e.Close()
	e, err := Open(dir, &Options{Store: smallStore(), Now: func() time.Time { return testClock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	f.e = e
	rep, err := e.Verify()
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// firstKey returns the first key under prefix whose tail contains sub (or
// any, for nil) and its value.
func firstKey(t *testing.T, f *fixture, family store.KeySpace, match func(k, v []byte) bool) (k, v []byte) {
	t.Helper()
	err := f.e.db.ScanPrefix(family.Prefix(), func(kk, vv []byte) error {
		if k == nil && (match == nil || match(kk, vv)) {
			k, v = append([]byte{}, kk...), append([]byte{}, vv...)
		}
		return nil
	})
	if err != nil || k == nil {
		t.Fatalf("no %s key: %v", family.Name(), err)
	}
	return k, v
}

// TestVerifyDeletedLotRecall is the tampering an auditor tries first:
// delete a lot's recall mark, and the lot resolves genuine again. Verify
// must fail, naming the recall and the record that made it.
func TestVerifyDeletedLotRecall(t *testing.T) {
	f := history(t)
	lot, err := f.e.Issuance().LotByNumber(f.prod.ID, "L1")
	if err != nil {
		t.Fatal(err)
	}
	rep := tamper(t, f, func(b *store.Batch) { b.Delete(ledger.AppendRecallKey(nil, true, lot.ID)) })
	all := strings.Join(rep.Problems, "\n")
	if rep.OK() || !strings.Contains(all, fmt.Sprintf(`recall mark of lot %d ("L1" of product %d): missing: the ledger derives a recall by record`, lot.ID, f.prod.ID)) {
		t.Fatalf("Verify did not name the deleted recall; it said (OK=%v):\n%s", rep.OK(), all)
	}
	if rep.Replayed == 0 || rep.Derived == 0 {
		t.Errorf("Verify replayed %d records and compared %d derived records", rep.Replayed, rep.Derived)
	}
}

// TestVerifyDerivedRecords tampers with each kind of derived record —
// deleted, altered, forged — directly in Pebble, and expects Verify to
// name the record and say how it differs from what the ledger implies.
func TestVerifyDerivedRecords(t *testing.T) {
	setBits := func(f *fixture, b *store.Batch, blk model.Block, k itemstate.Kind, on bool, lo, hi uint64) {
		ts, err := f.e.tr()
		if err != nil {
			t.Fatal(err)
		}
		tx := ts.Items().Begin()
		if on {
			err = tx.Set(k, blk.ID, lo, hi)
		} else {
			err = tx.Clear(k, blk.ID, lo, hi)
		}
		if err != nil {
			t.Fatal(err)
		}
		tx.Write(b)
	}
	node := func(b model.Block, off uint64) agg.Node { return agg.Node{Product: b.Product, Counter: b.Start + off} }
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, f *fixture, b *store.Batch)
		want   []string
	}{
		{"recalled bits cleared", func(t *testing.T, f *fixture, b *store.Batch) {
			setBits(f, b, f.itemsB, itemstate.Recalled, false, 2, 5)
		}, []string{"item state of block 4 chunk 0", "recalled: the ledger sets 3 offsets (2, 3, 4), the store does not"}},
		{"commissioned bit forged", func(t *testing.T, f *fixture, b *store.Batch) {
			setBits(f, b, f.items, itemstate.Commissioned, true, 500, 501)
		}, []string{"commissioned: the store sets offset 500, no record implies it"}},
		{"product recall mark forged", func(t *testing.T, f *fixture, b *store.Batch) {
			r := ledger.Recall{Seq: 3, Time: testClock.UnixMilli()}
			b.Set(ledger.AppendRecallKey(nil, false, f.prodB.ID), r.AppendValue(nil))
		}, []string{"recall mark of product 2: not derived from the ledger: the store holds a recall by record 3"}},
		{"custody deleted", func(t *testing.T, f *fixture, b *store.Batch) {
			b.Delete(agg.AppendCustodyKey(nil, f.palletNode(0)))
		}, []string{"custody of", "missing: the ledger derives holder 2 (pending 0)"}},
		{"custody altered", func(t *testing.T, f *fixture, b *store.Batch) {
			k, v := firstKey(t, f, store.CustodyKeys, nil)
			c, _ := agg.DecodeCustody(v)
			c.Org, c.Pending = c.Pending, 0
			if c.Org == 0 {
				c.Org = 1
			}
			b.Set(k, c.AppendValue(nil))
		}, []string{"custody of", "differs: the ledger derives holder 2"}},
		{"child→parent run forged", func(t *testing.T, f *fixture, b *store.Batch) {
			r := agg.Run{Product: f.prod.ID, First: f.items.Start + 60, Last: f.items.Start + 69, Parent: node(f.cases, 6), Since: testClock.UnixMilli(), Seq: 2}
			b.Set(agg.AppendRunKey(nil, r.Product, r.First), r.AppendValue(nil))
		}, []string{"child→parent run of product 1 from counter", "not derived from the ledger: the store holds counters"}},
		{"children bitmap deleted", func(t *testing.T, f *fixture, b *store.Batch) {
			k, _ := firstKey(t, f, store.ParentChildrenKeys, nil)
			b.Delete(k)
		}, []string{"children of", "missing"}},
		{"SSCC unit altered", func(t *testing.T, f *fixture, b *store.Batch) {
			k, v := firstKey(t, f, store.UnitKeys, nil)
			u, _ := agg.DecodeUnit(0, v)
			u.Org = f.orgB
			b.Set(k, u.AppendValue(nil))
		}, []string{"SSCC unit 095201230000000004: differs: the ledger derives a unit of organisation 1"}},
		{"association deleted", func(t *testing.T, f *fixture, b *store.Batch) {
			k, _ := firstKey(t, f, store.AssociationKeys, nil)
			b.Delete(k)
		}, []string{`association of "urn:epc:id:giai:9520123.LOGGER-1"`, "missing"}},
		{"erroneous mark deleted", func(t *testing.T, f *fixture, b *store.Batch) {
			k, _ := firstKey(t, f, store.ErroneousKeys, nil)
			b.Delete(k)
		}, []string{"erroneous mark of record", "missing"}},
		{"event index entry deleted", func(t *testing.T, f *fixture, b *store.Batch) {
			k, _ := firstKey(t, f, store.EvNodeKeys, nil)
			b.Delete(k)
		}, []string{"event index of", "missing"}},
		{"lot reach entry deleted", func(t *testing.T, f *fixture, b *store.Batch) {
			k, _ := firstKey(t, f, store.LotReachKeys, nil)
			b.Delete(k)
		}, []string{"reach index of lot 1", "missing"}},
		{"foreign identifier index entry deleted", func(t *testing.T, f *fixture, b *store.Batch) {
			k, _ := firstKey(t, f, store.EvForeignKeys, nil)
			b.Delete(k)
		}, []string{`foreign-identifier index of "(8004)9520123LOGGER-1" as child, record`, "missing"}},
		{"foreign identifier index entry forged", func(t *testing.T, f *fixture, b *store.Batch) {
			b.Set(store.AppendSeq(store.AppendEvForeignKey(nil, byte(ledger.RoleEPC), "(8003)04012345555554987"), 1), []byte{1})
		}, []string{`foreign-identifier index of "(8003)04012345555554987" as epc, record 1`, "not derived from the ledger"}},
		{"unpacking history deleted", func(t *testing.T, f *fixture, b *store.Batch) {
			k, _ := firstKey(t, f, store.ChildHistoryKeys, nil)
			b.Delete(k)
		}, []string{"past parent of product 1", "missing"}},
		{"request id forged", func(t *testing.T, f *fixture, b *store.Batch) {
			b.Set(store.AppendReportIDKey(nil, f.orgB, "line-2/000001"), store.Uint(1).AppendBinary(nil))
		}, []string{`request id "line-2/000001" of organisation 2: names record 1, which is not a record of the organisation`}},
		{"released tail taken back", func(t *testing.T, f *fixture, b *store.Batch) {
			blk := f.itemsB
			blk.Released = 0
			b.Set(store.AppendBlockKey(nil, blk.ID), store.AppendBlock(nil, &blk))
		}, []string{"block 4: the ledger derives it active, released from offset 90; the store holds it active, released from offset 100"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := history(t)
			rep := tamper(t, f, func(b *store.Batch) { tc.damage(t, f, b) })
			all := strings.Join(rep.Problems, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("Verify did not report %q; it said:\n%s", w, all)
				}
			}
		})
	}
}
