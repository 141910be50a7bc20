package replicate

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStreamSeqOfAndSnapshots: StreamSeqOf finds, for every record
// position, the last message whose records all lie at or before it (as a
// scan of every message's header does); snapshots carry their stream
// sequence, NewestSnapshot takes the furthest one not beyond a bound, and
// PruneSnapshots keeps the newest.
func TestStreamSeqOfAndSnapshots(t *testing.T) {
	c := newTestCluster(t)
	js, s, kv := c.setup(10 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lease, err := Acquire(ctx, kv, "writer-1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPublisher(ctx, js, lease, Position{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	var acks []*Ack
	for seq := uint64(1); seq <= n; seq++ {
		a, err := p.Enqueue(Record{Seq: seq, Data: recordData(seq)})
		if err != nil {
			t.Fatal(err)
		}
		acks = append(acks, a)
		if seq%37 == 0 { // let some messages go out alone
			if err := a.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, a := range acks {
		if err := a.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lasts []uint64 // lasts[i]: HeaderLast of stream message i+1
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		l, err := strconv.ParseUint(m.Header.Get(HeaderLast), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		lasts = append(lasts, l)
	}
	t.Logf("%d records in %d messages", n, len(lasts))
	for pos := uint64(1); pos <= n+1; pos++ {
		want := uint64(0)
		for i, l := range lasts {
			if l <= pos {
				want = uint64(i + 1)
			}
		}
		got, err := StreamSeqOf(ctx, s, pos)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("StreamSeqOf(%d) = %d, want %d", pos, got, want)
		}
	}
	if got, err := StreamSeqOf(ctx, s, 0); got != 0 || err != nil {
		t.Errorf("StreamSeqOf(0) = %d, %v", got, err)
	}

	ob, err := SnapshotStore(ctx, js, Config{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := NewestSnapshot(ctx, ob, 0); ok || err != nil {
		t.Fatalf("an empty bucket: ok %v, %v", ok, err)
	}
	for _, pos := range []uint64{100, 50, 300, 200} {
		st, err := StreamSeqOf(ctx, s, pos)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := PutSnapshot(ctx, ob, Position{StreamSeq: st, RecordSeq: pos}, strings.NewReader("archive "+strconv.FormatUint(pos, 10))); err != nil {
			t.Fatal(err)
		}
	}
	// A replicated bucket's listing can lag its puts for a moment (under
	// -race it once listed only the first): wait until it lists all four.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ss, err := Snapshots(ctx, ob)
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bucket lists %d snapshots of the 4 put", len(ss))
		}
	}
	for _, c := range []struct{ upTo, want uint64 }{{0, 300}, {299, 200}, {200, 200}, {99, 50}} {
		snap, ok, err := NewestSnapshot(ctx, ob, c.upTo)
		if err != nil || !ok || snap.Position != c.want {
			t.Fatalf("NewestSnapshot up to %d: %+v %v %v, want position %d", c.upTo, snap, ok, err, c.want)
		}
		if want, _ := StreamSeqOf(ctx, s, c.want); snap.StreamSeq != want || want == 0 {
			t.Errorf("snapshot at %d: stream sequence %d, want %d", c.want, snap.StreamSeq, want)
		}
	}
	if _, ok, err := NewestSnapshot(ctx, ob, 10); ok || err != nil {
		t.Errorf("no snapshot up to 10: ok %v, %v", ok, err)
	}
	gone, err := PruneSnapshots(ctx, ob, 2)
	if err != nil || len(gone) != 2 || gone[0].Position != 50 || gone[1].Position != 100 {
		t.Fatalf("pruned %+v, %v; want the snapshots at 50 and 100", gone, err)
	}
	// A listing right after a delete may still show the object on a
	// cluster (the delete marker reaches the listing's consumer after).
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		left, err := Snapshots(ctx, ob)
		if err == nil && len(left) == 2 && left[0].Position == 200 && left[1].Position == 300 {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("left %+v, %v; want 200 and 300", left, err)
		}
	}
}
