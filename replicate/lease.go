package replicate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrLeaseHeld is returned by Acquire while another writer's lease lasts.
var ErrLeaseHeld = errors.New("replicate: the writer's lease is held by another node")

// ErrLeaseLost is returned by Renew once the lease is no longer ours: it
// lapsed and another node took it, or it was released.
var ErrLeaseLost = errors.New("replicate: the writer's lease was lost")

// Lease is a writer's hold on the lease key. Its methods are safe for
// concurrent use (one goroutine renews it while publishers check it).
//
// The lease key holds the holder's name and its epoch. Acquire creates the
// key (JetStream's create-if-absent, a compare-and-set on "no key"); the
// bucket's TTL removes a key not updated for LeaseTTL; Renew updates it
// only if its revision is still the one we wrote last (compare-and-set),
// which also restarts the TTL. The epoch is the revision Acquire got: it
// rises with every new holder and never goes back, so a batch stamped
// with an older epoch than a replica has seen comes from a writer that
// lost its lease.
type Lease struct {
	kv     jetstream.KeyValue
	holder string
	addr   string
	epoch  uint64
	ttl    time.Duration

	mu  sync.Mutex
	rev uint64 // revision of our last write of the key
	// renewed is when the last successful Acquire or Renew was sent; the
	// lease is ours for at most TTL after it. Zero once lost or released.
	renewed time.Time
}

// LeaseValue is the JSON value of the lease key.
type LeaseValue struct {
	Holder string `json:"holder"`
	Epoch  uint64 `json:"epoch"`
	// Addr is where the writer takes writes (its public base,
	// scheme://host[:port]): replicas answer writes 307 to it. Empty:
	// not said.
	Addr string `json:"addr,omitempty"`
}

// Acquire takes the lease for holder (a name operators recognise: the
// node's address) if no one holds it. It returns ErrLeaseHeld, wrapped
// with the current holder's name, while another lease lasts.
func Acquire(ctx context.Context, kv jetstream.KeyValue, holder string) (*Lease, error) {
	return AcquireAt(ctx, kv, holder, "")
}

// AcquireAt is Acquire for a writer that takes writes at addr (its
// public base, which the lease value carries to the replicas).
func AcquireAt(ctx context.Context, kv jetstream.KeyValue, holder, addr string) (*Lease, error) {
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("replicate: lease bucket: %w", err)
	}
	sent := time.Now()
	// The epoch is the create's revision, unknown until it is written: the
	// first write names no epoch, and an update stamps it. Between the
	// two, the key already belongs to us (the update is a compare-and-set
	// on the create's revision).
	b, _ := json.Marshal(LeaseValue{Holder: holder, Addr: addr})
	rev, err := kv.Create(ctx, LeaseKey, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		cur := "?"
		if e, gerr := kv.Get(ctx, LeaseKey); gerr == nil {
			var v LeaseValue
			if json.Unmarshal(e.Value(), &v) == nil {
				cur = v.Holder
			}
		}
		return nil, fmt.Errorf("%w (%s)", ErrLeaseHeld, cur)
	}
	if err != nil {
		return nil, fmt.Errorf("replicate: acquire the lease: %w", err)
	}
	l := &Lease{kv: kv, holder: holder, addr: addr, epoch: rev, ttl: st.TTL()}
	l.rev, l.renewed = rev, sent
	if err := l.Renew(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Renew extends the lease by the bucket's TTL. It returns ErrLeaseLost if
// the key is no longer the one we wrote.
func (l *Lease) Renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	sent := time.Now()
	b, _ := json.Marshal(LeaseValue{Holder: l.holder, Epoch: l.epoch, Addr: l.addr})
	var rev uint64
	err := l.compareAndSet(ctx, func() (err error) {
		rev, err = l.kv.Update(ctx, LeaseKey, b, l.rev)
		return err
	})
	if errors.Is(err, ErrLeaseLost) {
		l.renewed = time.Time{}
		return err
	}
	if err != nil {
		return fmt.Errorf("replicate: renew the lease: %w", err)
	}
	l.rev, l.renewed = rev, sent
	return nil
}

// casAttempts bounds how often a compare-and-set on the lease key is
// tried while the key still reads as ours.
const casAttempts = 5

// compareAndSet runs write, a compare-and-set on the lease key at l.rev,
// and tells a lost lease from a refusal the key's state does not explain.
// A replicated bucket sometimes refuses a compare-and-set whose revision
// is the key's latest, "wrong last sequence" while its leader settles
// (github.com/nats-io/nats-server/issues/7281). If the key still reads as
// ours (its revision at most l.rev; a read served by a lagging replica can
// only be older), write is tried again, up to casAttempts times. The lease
// is lost once the key is gone or moved past l.rev, or when every attempt
// was refused. Safety rests on the server's check, never on the read: a
// retry writes only where the key still has our revision. l.mu is held.
func (l *Lease) compareAndSet(ctx context.Context, write func() error) error {
	delay := 20 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := write()
		if err == nil {
			return nil
		}
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("%w: %v", ErrLeaseLost, err)
		}
		if !isWrongLastSequence(err) {
			return err
		}
		if attempt == casAttempts || !l.stillOurs(ctx) {
			return fmt.Errorf("%w: %v", ErrLeaseLost, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %v", ErrLeaseLost, err)
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// stillOurs reports whether the lease key may still hold our last write:
// its latest revision, as read, is at most l.rev.
func (l *Lease) stillOurs(ctx context.Context) bool {
	e, err := l.kv.Get(ctx, LeaseKey)
	if err != nil {
		// Deleted, purged or expired: somebody released it or it lapsed.
		// Another error (a timeout) proves nothing either way.
		return !errors.Is(err, jetstream.ErrKeyNotFound) && !errors.Is(err, jetstream.ErrKeyDeleted)
	}
	return e.Revision() <= l.rev
}

// Keep renews the lease every TTL/3 until ctx ends (it then returns nil)
// or the lease is lost (ErrLeaseLost). A failed renewal that is not a
// loss — a NATS node unreachable — is retried at the next tick; the lease
// stops being Valid if none succeeds within the TTL.
func (l *Lease) Keep(ctx context.Context) error {
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, l.ttl/3)
		err := l.Renew(rctx)
		cancel()
		if errors.Is(err, ErrLeaseLost) {
			return err
		}
	}
}

// Release gives the lease up (a writer handing over after draining): the
// key is deleted only if it is still ours.
func (l *Lease) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.compareAndSet(ctx, func() error {
		return l.kv.Delete(ctx, LeaseKey, jetstream.LastRevision(l.rev))
	})
	if errors.Is(err, ErrLeaseLost) {
		return err
	}
	if err != nil {
		return fmt.Errorf("replicate: release the lease: %w", err)
	}
	l.renewed = time.Time{}
	return nil
}

// Epoch is the lease's fencing token: the revision that created it.
func (l *Lease) Epoch() uint64 { return l.epoch }

// Holder is the name the lease was taken under.
func (l *Lease) Holder() string { return l.holder }

// Valid reports whether the lease is surely still ours at now: the last
// successful renewal was sent less than the TTL ago. A writer refuses
// writes once it is not, even before it learns who took over.
func (l *Lease) Valid(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.renewed.IsZero() && now.Sub(l.renewed) < l.ttl
}

// ReadLease returns the lease's value; ok is false while no writer holds
// it (it lapsed or was released).
func ReadLease(ctx context.Context, kv jetstream.KeyValue) (v LeaseValue, ok bool, err error) {
	e, err := kv.Get(ctx, LeaseKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return LeaseValue{}, false, nil
	}
	if err != nil {
		return LeaseValue{}, false, fmt.Errorf("replicate: read the lease: %w", err)
	}
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		return LeaseValue{}, false, fmt.Errorf("replicate: lease value: %w", err)
	}
	return v, true, nil
}
