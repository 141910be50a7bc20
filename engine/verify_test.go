package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// TestVerifyFindsDamage damages a consistent store in several ways and
// expects Verify to say what is wrong where.
func TestVerifyFindsDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(f *fixture, b *store.Batch)
		want   []string
	}{
		{"lost item state chunk", func(f *fixture, b *store.Batch) {
			b.Delete(itemstate.AppendKey(nil, f.items.ID, 0))
		}, []string{"child 0 is not flagged packed", "2 codes are flagged packed but the child→parent runs hold 22"}},
		{"lost child→parent run", func(f *fixture, b *store.Batch) {
			b.Delete(agg.AppendRunKey(nil, f.prod.ID, f.items.Start))
		}, []string{"is listed but its run says no parent", "22 codes are flagged packed but the child→parent runs hold 12"}},
		{"edited event", func(f *fixture, b *store.Batch) {
			ts, _ := f.e.tr()
			seq := ts.Ledger().NextSeq() - 1
			pay, _, _ := ts.Ledger().Payload(seq)
			pay.Body = []byte(strings.Replace(string(pay.Body), "shipping", "receiving", 1))
			b.Set(ledger.AppendPayloadKey(nil, seq), pay.AppendValue(nil))
		}, []string{"was changed after it was logged", "the event was changed"}},
		{"forged custody and error mark", func(f *fixture, b *store.Batch) {
			c := agg.Custody{Org: 99, Seq: 1}
			b.Set(agg.AppendCustodyKey(nil, agg.Node{Product: f.prod.ID, Counter: f.items.Start}), c.AppendValue(nil))
			b.Set(ledger.AppendErroneousKey(nil, 1), store.Uint(2).AppendBinary(nil))
		}, []string{"custody of", "names an unknown organisation", "erroneous mark of record 1"}},
		{"commissioned code in a released tail", func(f *fixture, b *store.Batch) {
			blk := f.items
			blk.Released = blk.Count - 5
			b.Set(store.AppendBlockKey(nil, blk.ID), store.AppendBlock(nil, &blk))
		}, []string{"commissioned codes lie in the tail released from offset 5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := supply(t)
			if _, err := f.capture(f.orgA, doc(fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T14:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"shipping"}`, f.code(f.pallets, 0)))); err != nil {
				t.Fatal(err)
			}
			rep, err := f.e.Verify()
			if err != nil || !rep.OK() {
				t.Fatalf("before damage: %v %v", rep.Problems, err)
			}
			if rep.Records == 0 || rep.Runs != 3 || rep.Packed != 22 || rep.Orgs != 1 {
				t.Fatalf("verify counted %+v", rep)
			}
			b := f.e.db.NewBatch()
			tc.damage(f, b)
			if err := b.Commit(true); err != nil {
				t.Fatal(err)
			}
			// Reopen so that Verify and every cache see the damage.
			dir := f.e.db.Dir()
			f.e.Close()
			e, err := Open(dir, &Options{Store: smallStore(), Now: func() time.Time { return testClock }})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			rep, err = e.Verify()
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(rep.Problems, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("Verify did not report %q; it said:\n%s", w, all)
				}
			}
		})
	}
}
