package ledger

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
)

// TestReader reads summaries and bodies through a Reader in the orders a
// query walks (forward with gaps, backwards, a record twice, one that does
// not exist) and compares them with the point reads; the bodies it
// returned earlier must be intact after later reads filled and replaced
// its slab.
func TestReader(t *testing.T) {
	db := openDB(t, "")
	l, err := Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	tx := l.Begin(b)
	const n = 400
	for i := range n {
		s := sampleSummary()
		s.ContentHash = [32]byte{byte(i), byte(i >> 8), 1}
		s.EventTime += int64(i)
		p := Payload{Targets: []Target{{Role: RoleEPC, Kind: TargetRun, Product: 1, First: uint64(i), Last: uint64(i)}},
			Body: bytes.Repeat(fmt.Appendf(nil, "event %d;", i), 40+i%50)} // 400 bodies of 0.4–1 KB: several slabs
		tx.Append(&s, &p, 1)
	}
	if err := b.Commit(false); err != nil {
		t.Fatal(err)
	}
	tx.Publish()
	// A second ledger over the same store: an empty summary cache, so
	// the Reader's summaries come from its iterator.
	l2, err := Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var order []uint64
	for seq := uint64(1); seq <= n; seq += 3 {
		order = append(order, seq)
	}
	order = append(order, 7, 7, 2, n+5, 1, n)
	rd := l2.NewReader()
	var bodies [][]byte
	for _, seq := range order {
		s, found, err := rd.Summary(seq)
		ws, wfound, werr := l.Summary(seq)
		if err != nil || werr != nil || found != wfound || found && !reflect.DeepEqual(*s, *ws) {
			t.Fatalf("record %d: summary %+v %v %v, want %+v %v %v", seq, s, found, err, ws, wfound, werr)
		}
		body, found, err := rd.PayloadBody(seq)
		wb, wfound, werr := l.PayloadBody(seq)
		if err != nil || werr != nil || found != wfound || !bytes.Equal(body, wb) {
			t.Fatalf("record %d: body %.20q %v %v, want %.20q %v %v", seq, body, found, err, wb, wfound, werr)
		}
		bodies = append(bodies, body)
	}
	if err := rd.Close(); err != nil {
		t.Fatal(err)
	}
	for i, seq := range order {
		wb, _, _ := l.PayloadBody(seq)
		if !bytes.Equal(bodies[i], wb) {
			t.Fatalf("record %d's body changed after later reads: %.20q, want %.20q", seq, bodies[i], wb)
		}
	}
}
