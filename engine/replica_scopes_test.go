package engine

import (
	"slices"
	"sync"
	"testing"
	"time"

	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/replica"
	"tracecode/engine/resolve"
)

// logRecorder is a writer's replication log in memory.
type logRecorder struct {
	mu      sync.Mutex
	batches [][]byte // from position 1
}

func (r *logRecorder) Committed(seq uint64, repr []byte) func() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq != uint64(len(r.batches))+1 {
		panic("BUG: log gap")
	}
	r.batches = append(r.batches, repr)
	return func() error { return nil }
}

// since returns the batches after position done.
func (r *logRecorder) since(done uint64) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches[done:])
}

// A replica announces what the writer's reports changed, as the writer
// does: packing into a case holding items of two products changes both
// products' answers, and no other product's; master data
// changes every answer.
func TestReplicaAnnouncesScopes(t *testing.T) {
	log := &logRecorder{}
	so := smallStore()
	so.Replicator = log
	now := func() time.Time { return testClock }
	w, err := Open(t.TempDir(), &Options{Store: so, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	f := newFixtureOn(t, w)
	other, err := w.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: "09520123000028", GCPLength: 7, Org: f.orgA, NameZH: "丙", Category: ParseCategoryMust("food")})
	if err != nil {
		t.Fatal(err)
	}
	otherItems := mint(t, w, issue.MintRequest{Product: other.ID, Lot: "O1", CreateLot: true, Level: model.LevelItem, Count: 10}).Block
	f.commission(f.items, 0, 1)
	f.commission(otherItems, 0, 0)
	f.commission(f.cases, 0, 0)
	f.commission(f.itemsB, 0, 0)
	f.packRange(f.cases, 0, f.items, 0, 0, testClock.Add(-time.Hour))
	f.packRange(f.cases, 0, otherItems, 0, 0, testClock.Add(-time.Hour))

	dir := t.TempDir()
	rs, err := replica.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	done := log.since(0)
	if err := rs.ApplyBatches(1, done); err != nil {
		t.Fatal(err)
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReplica(dir, &Options{Store: smallStore(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []*resolve.Scopes
	r.OnChanged(func(s *resolve.Scopes) { got = append(got, s) })
	apply := func() *resolve.Scopes {
		t.Helper()
		pos := r.ReplicatedSeq()
		fam, err := r.ApplyReplicatedBatches(pos+1, log.since(pos))
		if err != nil {
			t.Fatal(err)
		}
		got = nil
		if err := r.Refresh(fam); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("refresh announced %d times", len(got))
		}
		return got[0]
	}

	f.packRange(f.cases, 0, f.items, 1, 1, testClock.Add(-time.Minute))
	s := apply()
	if s.All || !slices.Contains(s.Products, other.ID) || !slices.Contains(s.Products, f.prod.ID) || slices.Contains(s.Products, f.prodB.ID) {
		t.Errorf("packing into a mixed case: %+v, want products %d and %d", s, f.prod.ID, other.ID)
	}
	f.commission(f.itemsB, 1, 1)
	if s := apply(); s.All || !slices.Equal(s.Products, []uint32{f.prodB.ID}) {
		t.Errorf("a line report of product %d: %+v", f.prodB.ID, s)
	}
	if _, err := w.Issuance().AddLot(t.Context(), issue.LotSpec{Product: f.prod.ID, Number: "L9"}); err != nil {
		t.Fatal(err)
	}
	if s := apply(); !s.All {
		t.Errorf("master data: %+v, want every answer", s)
	}
}
