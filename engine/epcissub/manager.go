package epcissub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
	"tracecode/engine/outbox"
	"tracecode/engine/store"
)

// Config is what the Manager needs of the engine.
type Config struct {
	DB     *store.DB
	Outbox *outbox.Outbox
	// Queries is the query office: the named queries subscriptions are
	// made on, and, where Runner or Env is nil, the runner over the
	// ledger and the events a subscribing key sees.
	Queries *epcisq.Office
	// Revoked reports whether API key id was revoked (nil: keys are
	// never revoked); a revoked key's subscriptions send nothing.
	Revoked func(id uint64) (bool, error)
	// Runner returns the query runner over the ledger (an error when the
	// engine is closed); nil: Queries.Runner.
	Runner func() (*epcisq.Runner, error)
	// Env returns the visibility of s's creating key (an error stops
	// deliveries of s until it answers); nil: Queries.Env of the key,
	// unless Revoked says it was revoked.
	Env func(s *Subscription) (epcisq.Env, error)
	// Now is the clock (nil: time.Now); Location the schedules' time zone
	// (nil: UTC).
	Now      func() time.Time
	Location *time.Location
	// MaxBatch is how many events a document holds at most (default 500).
	MaxBatch int
	// MaxScan bounds the records one subscription reads per pass
	// (default 20,000).
	MaxScan int
	// OnError hears a pass's errors in Run (nil: dropped; each
	// subscription's last error is in its record too).
	OnError func(error)
	// RetryAfter delays a subscription's next document after its
	// delivery died or a one-event document was too large (default 10
	// minutes).
	RetryAfter time.Duration
}

// Manager keeps the subscriptions and makes their documents.
type Manager struct {
	cfg Config
	mu  sync.Mutex // serialises every write of subscription records
}

// Open returns the manager over cfg and makes the outbox sign callbacks
// with the subscriptions' tokens.
func Open(cfg Config) *Manager {
	cfg.queryConfig()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 500
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 10 * time.Minute
	}
	m := &Manager{cfg: cfg}
	cfg.Outbox.SetCallbackSecret(func(id uint64) (string, bool, error) {
		s, found, err := Get(cfg.DB, id)
		return s.Token, found, err
	})
	return m
}

// Create checks s (dest, token, stream or schedule), gives it an id and
// its cursor — the last record now, or the last before initialRecordTime
// when it is given (initial > 0: unix ms) — and stores it, synced.
func (m *Manager) Create(s *Subscription, initial int64) error {
	if err := s.check(m.cfg.Outbox.CheckURL); err != nil {
		return err
	}
	if _, err := epcisq.Parse(s.Params); err != nil {
		return err
	}
	r, err := m.cfg.Runner()
	if err != nil {
		return err
	}
	now := m.cfg.Now()
	s.Created = now.UnixMilli()
	s.Cursor = r.Led.NextSeq() - 1
	if initial > 0 {
		if s.Cursor, err = r.FirstRecordAt(initial); err != nil {
			return err
		}
		s.Cursor--
	}
	s.Batch = uint32(m.cfg.MaxBatch)
	s.Inflight, s.InflightHi, s.InflightN, s.NotBefore, s.Delivered, s.LastDelivered, s.LastError = 0, 0, 0, 0, 0, 0, ""
	if !s.Schedule.IsZero() {
		next, ok := s.Schedule.Next(now, m.cfg.Location)
		if !ok {
			return fmt.Errorf("%w: schedule: never fires", ErrInvalid)
		}
		s.NextRun = next.UnixMilli()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	lo, hi := store.SubscriptionKeys.Bounds()
	it, err := m.cfg.DB.NewIter(lo, hi)
	if err != nil {
		return err
	}
	s.ID = 1
	if it.Last() {
		last, err := store.DecodeSubscriptionKey(it.Key())
		if err != nil {
			it.Close()
			return err
		}
		s.ID = last + 1
	}
	if err := it.Close(); err != nil {
		return err
	}
	return m.put(nil, s)
}

// put writes s (in b when not nil, else in its own synced batch).
func (m *Manager) put(b *store.Batch, s *Subscription) error {
	if b != nil {
		return b.Set(store.SubscriptionKey(s.ID), s.AppendBinary(nil))
	}
	b = m.cfg.DB.NewBatch()
	defer b.Close()
	if err := b.Set(store.SubscriptionKey(s.ID), s.AppendBinary(nil)); err != nil {
		return err
	}
	return b.Commit(true)
}

// Delete removes owner's subscription id (found false: none, or
// another owner's); a document on its way is not sent.
func (m *Manager) Delete(owner string, id uint64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, found, err := Get(m.cfg.DB, id)
	if err != nil || !found || s.Owner != owner {
		return false, err
	}
	b := m.cfg.DB.NewBatch()
	defer b.Close()
	if err := b.Delete(store.SubscriptionKey(id)); err != nil {
		return false, err
	}
	return true, b.Commit(true)
}

// DeleteQuery removes every subscription of owner's query (the named
// query is being deleted).
func (m *Manager) DeleteQuery(owner, query string) error {
	subs, err := List(m.cfg.DB, owner, query)
	if err != nil {
		return err
	}
	for _, s := range subs {
		if _, err := m.Delete(owner, s.ID); err != nil {
			return err
		}
	}
	return nil
}

// Pump makes one pass over every subscription: it settles the document
// in flight (delivered: the cursor advances to the records it covered;
// 413: the batch is halved and the same records go again; dead: they go
// again after RetryAfter), and makes the next document of each that has
// none in flight and is due (stream: any new matching event; schedule:
// its next run). It returns how many documents it staged.
func (m *Manager) Pump() (int, error) {
	subs, err := List(m.cfg.DB, "", "")
	if err != nil {
		return 0, err
	}
	staged := 0
	var errs []error
	for i := range subs {
		n, err := m.pumpOne(subs[i].ID)
		staged += n
		if err != nil {
			errs = append(errs, fmt.Errorf("subscription %d: %w", subs[i].ID, err))
		}
	}
	if staged > 0 {
		m.cfg.Outbox.Kick()
	}
	return staged, errors.Join(errs...)
}

// pumpOne settles and feeds subscription id; it rereads the record under
// the lock (a Delete may have come between).
func (m *Manager) pumpOne(id uint64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, found, err := Get(m.cfg.DB, id)
	if err != nil || !found {
		return 0, err
	}
	now := m.cfg.Now().UnixMilli()
	before := s.AppendBinary(nil)
	if s.Inflight != 0 {
		n, err := m.cfg.Outbox.Get(s.Inflight)
		if err != nil && !errors.Is(err, outbox.ErrNotFound) {
			return 0, err
		}
		switch {
		case err != nil:
			// The notification is gone (a restore without it): send again.
			s.Inflight = 0
		case n.State == outbox.Pending:
		case n.State == outbox.Delivered:
			s.Cursor, s.Inflight = s.InflightHi, 0
			s.Delivered++
			s.LastDelivered, s.LastError = n.Delivered, ""
			s.Batch = min(uint32(m.cfg.MaxBatch), max(1, s.Batch*2))
		case n.State == outbox.TooLarge && s.InflightN > 1:
			s.Inflight, s.LastError = 0, n.LastError
			s.Batch = max(1, s.InflightN/2)
		default:
			// Dead, or a single event too large: the same records again,
			// later.
			s.Inflight, s.LastError = 0, n.LastError
			s.NotBefore = now + m.cfg.RetryAfter.Milliseconds()
		}
	}
	staged := 0
	if s.Inflight == 0 && now >= s.NotBefore && (s.Stream || now >= s.NextRun) {
		if staged, err = m.feed(&s, now); err != nil {
			s.LastError = err.Error()
		}
	}
	if bytes.Equal(before, s.AppendBinary(nil)) {
		return 0, err
	}
	if staged == 0 {
		if perr := m.put(nil, &s); perr != nil {
			return 0, perr
		}
	}
	return staged, err
}

// feed makes s's next document, staged in the outbox in the batch that
// writes s (so the document exists if and only if the subscription
// knows it is in flight).
func (m *Manager) feed(s *Subscription, now int64) (int, error) {
	r, err := m.cfg.Runner()
	if err != nil {
		return 0, err
	}
	env, err := m.cfg.Env(s)
	if err != nil {
		return 0, err
	}
	q, err := epcisq.Parse(s.Params)
	if err != nil {
		return 0, err
	}
	found, hi, err := r.After(q, s.Cursor, int(max(1, s.Batch)), m.cfg.MaxScan, env)
	if err != nil {
		return 0, err
	}
	caughtUp := hi >= r.Led.NextSeq()-1
	scheduled := !s.Stream
	if scheduled && caughtUp {
		if next, ok := s.Schedule.Next(time.UnixMilli(now), m.cfg.Location); ok {
			s.NextRun = next.UnixMilli()
		} else {
			s.NextRun = 1<<63 - 1
		}
	}
	if len(found) == 0 && !(scheduled && s.ReportIfEmpty) {
		s.Cursor = hi
		return 0, nil
	}
	events := make([]epcis.Event, len(found))
	for i := range found {
		events[i] = found[i].Event
	}
	var body bytes.Buffer
	opts := &epcis.MarshalOptions{Header: epcis.Header{Type: epcis.TypeEPCISQueryDocument, QueryName: s.Query,
		SubscriptionID: strconv.FormatUint(s.ID, 10), CreationDate: time.UnixMilli(now).UTC()}}
	if err := epcis.MarshalDocument(&body, events, opts); err != nil {
		return 0, err
	}
	b := m.cfg.DB.NewBatch()
	defer b.Close()
	n := outbox.Notification{Source: outbox.SourceSubscription, SourceID: s.ID, Channel: outbox.Callback,
		Org: s.Org, Region: s.Region, Target: s.Dest, Payload: body.Bytes(), Created: now}
	if err := m.cfg.Outbox.Stage(b, &n); err != nil {
		return 0, err
	}
	s.Inflight, s.InflightHi, s.InflightN = n.ID, hi, uint32(len(found))
	if err := m.put(b, s); err != nil {
		return 0, err
	}
	return 1, b.Commit(true)
}

// Run pumps every interval until ctx ends (serve runs it beside the
// outbox's sender).
func (m *Manager) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := m.Pump(); err != nil && ctx.Err() == nil && m.cfg.OnError != nil {
			m.cfg.OnError(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
