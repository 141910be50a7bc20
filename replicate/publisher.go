package replicate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrFenced is returned once the publisher's writer is no longer the
// writer: its lease lapsed or another writer published to the log after
// it. Nothing it publishes afterwards reaches the log.
var ErrFenced = errors.New("replicate: fenced: this node is no longer the writer")

// Header names of a log message.
const (
	// HeaderEpoch carries the publishing lease's epoch (decimal).
	HeaderEpoch = "Tracecode-Epoch"
	// HeaderLast carries the Seq of the message's last record (decimal).
	HeaderLast = "Tracecode-Last"
)

// PublisherOptions tune a Publisher.
type PublisherOptions struct {
	// MaxBatchBytes bounds one message's records (the group commit); 0
	// means 512 KiB. It must stay under the NATS server's max_payload.
	MaxBatchBytes int
	// AttemptTimeout bounds one publish attempt; a timed-out attempt is
	// retried with the same message id until the lease lapses. 0 means 2 s.
	AttemptTimeout time.Duration
}

// Publisher appends the writer's records to the log, in order, each
// acknowledged only once a quorum of NATS nodes stores it. Records queued
// while a publish is in flight go out together in the next message (group
// commit). Every message carries the lease's epoch and is published with
// the stream's expected last sequence — the last message this writer
// published — so that a message from a writer that another has since
// fenced is refused by the stream itself.
type Publisher struct {
	js    jetstream.JetStream
	lease *Lease
	opts  PublisherOptions

	mu struct {
		sync.Mutex
		queue   []pending
		next    uint64 // Seq the next enqueued record must have
		failed  error  // set once; every later Enqueue fails with it
		closed  bool
		wake    chan struct{}
		flushed uint64 // messages published
	}
	// lastStream is the stream sequence of the last message this writer
	// published (or found at start). Only the flusher touches it.
	lastStream uint64
	done       chan struct{}
}

type pending struct {
	rec Record
	ack *Ack
}

// Ack is the outcome of one enqueued record.
type Ack struct {
	done chan struct{}
	err  error
}

// Wait returns nil once a quorum stores the record, or the error that
// stopped it. If ctx ends first it returns ctx's error: the record may
// still be published.
func (a *Ack) Wait(ctx context.Context) error {
	select {
	case <-a.done:
		return a.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Position is where the log stands: the stream sequence of its last
// message and the Seq of its last record (0, 0 when empty).
type Position struct {
	StreamSeq uint64
	RecordSeq uint64
}

// LogPosition reads the log's last message.
func LogPosition(ctx context.Context, s jetstream.Stream) (Position, error) {
	info, err := s.Info(ctx)
	if err != nil {
		return Position{}, fmt.Errorf("replicate: stream info: %w", err)
	}
	p := Position{StreamSeq: info.State.LastSeq}
	// Walk back over empty messages (fence markers) to the last record.
	for seq := info.State.LastSeq; seq >= info.State.FirstSeq && seq > 0; seq-- {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			return Position{}, fmt.Errorf("replicate: message %d: %w", seq, err)
		}
		_, recs, err := decodeFrame(m.Data)
		if err != nil {
			return Position{}, fmt.Errorf("replicate: message %d: %w", seq, err)
		}
		if len(recs) > 0 {
			p.RecordSeq = recs[len(recs)-1].Seq
			break
		}
	}
	return p, nil
}

// NewPublisher makes this node the log's writer under lease. at is the
// log position the node has applied up to (a replica taking over must
// have caught up to the log's end first). It fences every earlier writer:
// it publishes an empty message stamped with the lease's epoch, expecting
// at.StreamSeq as the stream's last message — if anything was published
// after at, it fails with ErrFenced wrapped, and the caller catches up and
// tries again. The next record enqueued must have Seq at.RecordSeq+1.
func NewPublisher(ctx context.Context, js jetstream.JetStream, lease *Lease, at Position, o *PublisherOptions) (*Publisher, error) {
	p := &Publisher{js: js, lease: lease, lastStream: at.StreamSeq, done: make(chan struct{})}
	if o != nil {
		p.opts = *o
	}
	if p.opts.MaxBatchBytes <= 0 {
		p.opts.MaxBatchBytes = 512 << 10
	}
	if p.opts.AttemptTimeout <= 0 {
		p.opts.AttemptTimeout = 2 * time.Second
	}
	p.mu.next = at.RecordSeq + 1
	p.mu.wake = make(chan struct{}, 1)
	if err := p.publish(ctx, nil, at.RecordSeq); err != nil {
		return nil, err
	}
	go p.flusher()
	return p, nil
}

// Enqueue queues rec for publication without waiting; rec.Seq must follow
// the last record enqueued. The engine calls it in commit order, and
// acknowledges its client after Ack.Wait.
func (p *Publisher) Enqueue(rec Record) (*Ack, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.mu.failed != nil:
		return nil, p.mu.failed
	case p.mu.closed:
		return nil, errors.New("replicate: publisher closed")
	case rec.Seq != p.mu.next:
		return nil, fmt.Errorf("replicate: record %d enqueued, want %d (records go in log order)", rec.Seq, p.mu.next)
	}
	p.mu.next++
	a := &Ack{done: make(chan struct{})}
	p.mu.queue = append(p.mu.queue, pending{rec: rec, ack: a})
	select {
	case p.mu.wake <- struct{}{}:
	default:
	}
	return a, nil
}

// Append enqueues rec and waits for its acknowledgement.
func (p *Publisher) Append(ctx context.Context, rec Record) error {
	a, err := p.Enqueue(rec)
	if err != nil {
		return err
	}
	return a.Wait(ctx)
}

// LastEnqueued returns the Seq of the last record enqueued (or found in
// the log at start).
func (p *Publisher) LastEnqueued() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mu.next - 1
}

// Err returns the error that stopped the publisher, nil while it works.
func (p *Publisher) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mu.failed
}

// Messages returns the number of log messages published so far (each a
// group of records).
func (p *Publisher) Messages() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mu.flushed
}

// Close publishes what is queued, then stops.
func (p *Publisher) Close() error {
	p.mu.Lock()
	p.mu.closed = true
	select {
	case p.mu.wake <- struct{}{}:
	default:
	}
	p.mu.Unlock()
	<-p.done
	return p.Err()
}

// flusher publishes the queue, a group at a time, until closed.
func (p *Publisher) flusher() {
	defer close(p.done)
	for {
		p.mu.Lock()
		for len(p.mu.queue) == 0 && !p.mu.closed {
			p.mu.Unlock()
			<-p.mu.wake
			p.mu.Lock()
		}
		if len(p.mu.queue) == 0 { // closed and drained
			p.mu.Unlock()
			return
		}
		n, size := 0, 0
		for n < len(p.mu.queue) && (n == 0 || size+len(p.mu.queue[n].rec.Data) <= p.opts.MaxBatchBytes) {
			size += len(p.mu.queue[n].rec.Data) + 10
			n++
		}
		group := append([]pending(nil), p.mu.queue[:n]...)
		p.mu.queue = p.mu.queue[n:]
		failed := p.mu.failed
		p.mu.Unlock()

		err := failed
		if err == nil {
			recs := make([]Record, len(group))
			for i, g := range group {
				recs[i] = g.rec
			}
			err = p.publish(context.Background(), recs, recs[len(recs)-1].Seq)
		}
		p.mu.Lock()
		if err != nil && p.mu.failed == nil {
			p.mu.failed = err
		}
		if err == nil {
			p.mu.flushed++
		}
		p.mu.Unlock()
		for _, g := range group {
			g.ack.err = err
			close(g.ack.done)
		}
	}
}

// publish appends one message of recs (none: a fence marker) whose last
// record is last, retrying a timed-out attempt with the same message id
// while the lease is valid.
func (p *Publisher) publish(ctx context.Context, recs []Record, last uint64) error {
	epoch := p.lease.Epoch()
	m := nats.NewMsg(Subject)
	m.Data = appendFrame(nil, epoch, recs)
	m.Header.Set(HeaderEpoch, strconv.FormatUint(epoch, 10))
	m.Header.Set(HeaderLast, strconv.FormatUint(last, 10))
	// The id names the writer's epoch and the position: a retry of the same
	// publish is dropped by the stream's deduplication.
	id := strconv.FormatUint(epoch, 10) + ":" + strconv.FormatUint(p.lastStream, 10)
	for attempt := 1; ; attempt++ {
		if !p.lease.Valid(time.Now()) {
			return fmt.Errorf("%w: the lease (epoch %d) was not renewed within its TTL", ErrFenced, epoch)
		}
		actx, cancel := context.WithTimeout(ctx, p.opts.AttemptTimeout)
		ack, err := p.js.PublishMsg(actx, m, jetstream.WithMsgID(id), jetstream.WithExpectLastSequence(p.lastStream),
			jetstream.WithRetryAttempts(10), jetstream.WithRetryWait(100*time.Millisecond))
		cancel()
		switch {
		case err == nil:
			p.lastStream = ack.Sequence
			return nil
		case isWrongLastSequence(err):
			// Either an earlier attempt of ours was stored (its ack was
			// lost) or another writer published: the last message says.
			if seq, ok, serr := p.lastIsOurs(ctx, id); serr == nil && ok {
				p.lastStream = seq
				return nil
			}
			return fmt.Errorf("%w: the log moved past stream message %d: %v", ErrFenced, p.lastStream, err)
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout), errors.Is(err, nats.ErrNoResponders),
			errors.Is(err, jetstream.ErrNoStreamResponse), errors.Is(err, nats.ErrConnectionReconnecting):
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue // leader election or reconnect: same id, same expectation
		default:
			return fmt.Errorf("replicate: publish records up to %d (attempt %d): %w", last, attempt, err)
		}
	}
}

// lastIsOurs reports whether the stream's last message has message id
// id, and its stream sequence.
func (p *Publisher) lastIsOurs(ctx context.Context, id string) (uint64, bool, error) {
	s, err := p.js.Stream(ctx, StreamName)
	if err != nil {
		return 0, false, err
	}
	m, err := s.GetLastMsgForSubject(ctx, Subject)
	if err != nil {
		return 0, false, err
	}
	return m.Sequence, m.Header.Get(jetstream.MsgIDHeader) == id, nil
}
