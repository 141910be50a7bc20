package replicate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordData is the test's content of record seq.
func recordData(seq uint64) []byte {
	b := binary.BigEndian.AppendUint64(nil, seq)
	return append(b, bytes.Repeat([]byte{byte(seq)}, 92)...)
}

// follow runs a follower on a connection of its own until it has applied
// want records, and returns the records it applied.
func follow(t *testing.T, c *testCluster, want uint64) ([]Record, FollowerStats) {
	t.Helper()
	nc, js := c.connect()
	defer nc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := js.Stream(ctx, StreamName)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []Record
	f := NewFollower(Position{}, func(r Record) error {
		mu.Lock()
		got = append(got, Record{Seq: r.Seq, Data: append([]byte(nil), r.Data...)})
		mu.Unlock()
		return nil
	})
	errc := make(chan error, 1)
	go func() { errc <- f.Follow(ctx, s) }()
	deadline := time.Now().Add(60 * time.Second)
	for f.Stats().At.RecordSeq < want {
		select {
		case err := <-errc:
			t.Fatalf("follower stopped at %+v: %v", f.Stats(), err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("follower at %+v, want record %d", f.Stats(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return got, f.Stats()
}

// TestPublishBurstSurvivesNodeLoss: eight writers' records are group-
// committed to the R3 log; one NATS node is killed in the middle of the
// burst; every append is acknowledged, and a replica reading the log
// applies every record exactly once, in order, with its content.
func TestPublishBurstSurvivesNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node NATS cluster")
	}
	c := newTestCluster(t)
	js, _, kv := c.setup(5 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lease, err := Acquire(ctx, kv, "writer-1")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = lease.Keep(ctx) }()
	p, err := NewPublisher(ctx, js, lease, Position{}, nil)
	if err != nil {
		t.Fatal(err)
	}

	const total, writers = 3000, 8
	var (
		order  sync.Mutex // commit order, as the engine's write lock gives it
		next   uint64
		ackedN sync.WaitGroup
		killed = make(chan struct{})
		acked  = make(chan struct{}, total)
		errs   = make(chan error, total)
	)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				order.Lock()
				if next == total {
					order.Unlock()
					return
				}
				next++
				a, err := p.Enqueue(Record{Seq: next, Data: recordData(next)})
				order.Unlock()
				if err != nil {
					errs <- err
					return
				}
				ackedN.Add(1)
				if err := a.Wait(context.Background()); err != nil {
					errs <- err
				} else {
					acked <- struct{}{}
				}
				ackedN.Done()
			}
		}()
	}
	go func() {
		for i := 0; i < total/3; i++ {
			<-acked
		}
		c.kill(0)
		close(killed)
	}()
	wg.Wait()
	ackedN.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("an append failed: %v", err)
	}
	select {
	case <-killed:
	default:
		t.Fatal("the node was not killed during the burst")
	}
	msgs := p.Messages()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records in %d messages (group commit)", total, msgs)

	got, st := follow(t, c, total)
	if len(got) != total {
		t.Fatalf("applied %d records, want %d", len(got), total)
	}
	for i, r := range got {
		if r.Seq != uint64(i+1) || !bytes.Equal(r.Data, recordData(r.Seq)) {
			t.Fatalf("record %d: seq %d, data %x", i+1, r.Seq, r.Data[:8])
		}
	}
	if st.Refused != 0 {
		t.Errorf("%d messages refused", st.Refused)
	}
}

// TestFencedWriterRefused: a writer stops renewing its lease (a partition
// or a pause); once the lease lapses another node takes it with a higher
// epoch and fences the log. The old writer — even one whose clock still
// says its lease lasts — cannot publish: the stream refuses its message
// and it stops with ErrFenced; its renewal reports the lease lost. The
// log holds the first writer's records, then the second's, nothing else.
func TestFencedWriterRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node NATS cluster")
	}
	c := newTestCluster(t)
	js, s, kv := c.setup(2 * time.Second)
	ctx := context.Background()
	old, err := Acquire(ctx, kv, "writer-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(ctx, kv, "writer-2"); !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("a second writer acquired a held lease: %v", err)
	}
	p1, err := NewPublisher(ctx, js, old, Position{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 10; seq++ {
		if err := p1.Append(ctx, Record{Seq: seq, Data: recordData(seq)}); err != nil {
			t.Fatal(err)
		}
	}

	// writer-1 stops renewing; writer-2 takes the lease once it lapses.
	var lease2 *Lease
	deadline := time.Now().Add(60 * time.Second)
	for {
		lease2, err = Acquire(ctx, kv, "writer-2")
		if err == nil {
			break
		}
		if !errors.Is(err, ErrLeaseHeld) || time.Now().After(deadline) {
			t.Fatalf("writer-2 could not take the lapsed lease: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if lease2.Epoch() <= old.Epoch() {
		t.Fatalf("new epoch %d not above the old %d", lease2.Epoch(), old.Epoch())
	}
	at, err := LogPosition(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if at.RecordSeq != 10 {
		t.Fatalf("log position %+v, want record 10", at)
	}
	p2, err := NewPublisher(ctx, js, lease2, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(11); seq <= 20; seq++ {
		if err := p2.Append(ctx, Record{Seq: seq, Data: recordData(seq)}); err != nil {
			t.Fatal(err)
		}
	}

	// The old writer's clock says its lease lasts (its renewal just
	// "succeeded"): only the stream can stop it.
	old.mu.Lock()
	old.renewed = time.Now()
	old.mu.Unlock()
	err = p1.Append(ctx, Record{Seq: 11, Data: []byte("from the fenced writer")})
	if !errors.Is(err, ErrFenced) || !strings.Contains(err.Error(), "the log moved past") {
		t.Fatalf("the fenced writer's append: %v, want ErrFenced by the stream", err)
	}
	if _, err := p1.Enqueue(Record{Seq: 12}); !errors.Is(err, ErrFenced) {
		t.Errorf("after fencing, enqueue: %v", err)
	}
	if err := old.Renew(ctx); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("the old writer's renewal: %v, want ErrLeaseLost", err)
	}
	if old.Valid(time.Now()) {
		t.Error("the old lease is still valid after its loss was seen")
	}
	// A lapsed lease stops a writer by itself too, before the stream does.
	lease2.mu.Lock()
	lease2.renewed = time.Now().Add(-time.Hour)
	lease2.mu.Unlock()
	if err := p2.Append(ctx, Record{Seq: 21, Data: recordData(21)}); !errors.Is(err, ErrFenced) {
		t.Errorf("append under a lapsed lease: %v", err)
	}

	got, st := follow(t, c, 20)
	if len(got) != 20 {
		t.Fatalf("applied %d records", len(got))
	}
	for i, r := range got {
		if r.Seq != uint64(i+1) || !bytes.Equal(r.Data, recordData(r.Seq)) {
			t.Fatalf("record %d: seq %d data %q", i+1, r.Seq, r.Data)
		}
	}
	if st.Epoch != lease2.Epoch() {
		t.Errorf("follower's epoch %d, want the new writer's %d", st.Epoch, lease2.Epoch())
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 2 fence markers + 20 records in at most 20 messages.
	if info.State.Msgs > 22 {
		t.Errorf("the log holds %d messages", info.State.Msgs)
	}
}

// TestLeaseReleaseHandsOver: a writer that releases its lease (a drained
// shutdown) lets the next take it at once, with a higher epoch.
func TestLeaseReleaseHandsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node NATS cluster")
	}
	c := newTestCluster(t)
	_, _, kv := c.setup(time.Minute)
	ctx := context.Background()
	l1, err := Acquire(ctx, kv, "writer-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := l1.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(ctx, kv, "writer-2")
	if err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if l2.Epoch() <= l1.Epoch() {
		t.Errorf("epoch %d after %d", l2.Epoch(), l1.Epoch())
	}
	if err := l1.Renew(ctx); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("renewing a released lease: %v", err)
	}
	e, err := kv.Get(ctx, LeaseKey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(e.Value(), []byte(`"writer-2"`)) {
		t.Errorf("lease value %s", e.Value())
	}
}
