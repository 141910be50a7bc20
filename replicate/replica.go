package replicate

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrGap is returned when the log skips records: a record after the one
// applied last is missing. The replica stops rather than apply out of
// order; it must start again from a snapshot.
var ErrGap = errors.New("replicate: gap in the log")

// Follower reads the log in stream order and applies each record once, in
// Seq order. A record at or below the last applied Seq is a duplicate (a
// writer's retry, or a replay after a restart) and is skipped; a message
// stamped with an epoch below the highest seen comes from a fenced writer
// and is refused whole. Follow hands the records of every message already
// delivered (up to a bound, maxGroupMessages and maxGroupBytes) to one
// call of the apply function, so that a replica behind the writer
// applies many messages under one sync.
type Follower struct {
	// apply applies records in order and returns how many it applied.
	apply func([]Record) (int, error)

	mu struct {
		sync.Mutex
		at       Position // last message consumed, last record applied
		epoch    uint64   // highest epoch seen
		dups     uint64   // records skipped as duplicates
		refused  uint64   // messages refused for a stale epoch
		messages uint64   // messages consumed
	}
}

// Bounds of the messages Follow groups into one apply.
const (
	maxGroupMessages = 256
	maxGroupBytes    = 8 << 20
)

// NewFollower returns a follower that has applied the log up to at (zero
// for an empty store) and calls apply for every later record, in order.
// apply's error stops the follower.
func NewFollower(at Position, apply func(Record) error) *Follower {
	return newFollower(at, func(recs []Record) (int, error) {
		for i, r := range recs {
			if err := apply(r); err != nil {
				return i, fmt.Errorf("replicate: apply record %d: %w", r.Seq, err)
			}
		}
		return len(recs), nil
	})
}

// NewBatchFollower is NewFollower with an apply that takes consecutive
// records at once (the records of one or more messages) and applies all
// of them or none: a store's ApplyReplicatedBatches, one sync for all.
func NewBatchFollower(at Position, apply func([]Record) error) *Follower {
	return newFollower(at, func(recs []Record) (int, error) {
		if err := apply(recs); err != nil {
			return 0, fmt.Errorf("replicate: apply records %d–%d: %w", recs[0].Seq, recs[len(recs)-1].Seq, err)
		}
		return len(recs), nil
	})
}

func newFollower(at Position, apply func([]Record) (int, error)) *Follower {
	f := &Follower{apply: apply}
	f.mu.at = at
	return f
}

// FollowerStats are a follower's counters.
type FollowerStats struct {
	At       Position
	Epoch    uint64
	Dups     uint64
	Refused  uint64
	Messages uint64
}

// Stats returns the follower's position and counters.
func (f *Follower) Stats() FollowerStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return FollowerStats{At: f.mu.at, Epoch: f.mu.epoch, Dups: f.mu.dups, Refused: f.mu.refused, Messages: f.mu.messages}
}

// streamMsg is one message of a stream: its stream sequence and body.
type streamMsg struct {
	seq  uint64
	body []byte
}

// Handle applies one log message at stream sequence streamSeq.
func (f *Follower) Handle(streamSeq uint64, body []byte) error {
	return f.handle([]streamMsg{{streamSeq, body}})
}

// handle applies consecutive log messages: their new records in one call
// of apply. Records before a gap or a damaged message are applied, then
// the error is returned.
func (f *Follower) handle(msgs []streamMsg) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	at, epoch := f.mu.at, f.mu.epoch
	var dups, refused, messages uint64
	var recs []Record
	var stop error
	type mark struct{ stream, record uint64 }
	var marks []mark // the last record of each message done
msgs:
	for _, m := range msgs {
		e, rs, err := decodeFrame(m.body)
		if err != nil {
			stop = fmt.Errorf("replicate: stream message %d: %w", m.seq, err)
			break
		}
		if m.seq <= at.StreamSeq {
			continue // delivered again after a reconnect
		}
		messages++
		at.StreamSeq = m.seq
		if e < epoch {
			refused++
			marks = append(marks, mark{m.seq, at.RecordSeq})
			continue
		}
		epoch = e
		for _, r := range rs {
			switch {
			case r.Seq <= at.RecordSeq:
				dups++
				continue
			case r.Seq != at.RecordSeq+1:
				stop = fmt.Errorf("%w: record %d follows %d (stream message %d)", ErrGap, r.Seq, at.RecordSeq, m.seq)
				break msgs
			}
			recs = append(recs, r)
			at.RecordSeq = r.Seq
		}
		marks = append(marks, mark{m.seq, at.RecordSeq})
	}
	n := 0
	var err error
	if len(recs) > 0 {
		n, err = f.apply(recs)
	}
	// The position moves to the last message all of whose records are
	// applied, and to the last record applied.
	applied := f.mu.at.RecordSeq
	if n > 0 {
		applied = recs[n-1].Seq
	}
	f.mu.at.RecordSeq = applied
	for _, mk := range marks {
		if mk.record > applied {
			break
		}
		f.mu.at.StreamSeq = mk.stream
	}
	if err == nil {
		f.mu.at.StreamSeq = at.StreamSeq
		f.mu.epoch = epoch
	}
	f.mu.dups += dups
	f.mu.refused += refused
	f.mu.messages += messages
	if err != nil {
		return err
	}
	return stop
}

// Follow consumes the log from the message after the follower's position
// until ctx ends (it then returns nil) or a message cannot be applied. It
// uses an ordered consumer: JetStream redelivers from the last message
// handed over after any reconnect or NATS node loss. The messages already
// delivered when one is applied go with it, up to maxGroupMessages and
// maxGroupBytes.
func (f *Follower) Follow(ctx context.Context, s jetstream.Stream) error {
	return consumeGroups(ctx, s, Subject, f.Stats().At.StreamSeq, maxGroupMessages, maxGroupBytes, f.handle)
}

// consume calls fn for every message of stream s on subject after stream
// sequence after, in order, with an ordered consumer, until ctx ends (it
// then returns nil) or fn fails.
func consume(ctx context.Context, s jetstream.Stream, subject string, after uint64, fn func(seq uint64, body []byte) error) error {
	return consumeGroups(ctx, s, subject, after, 1, 0, func(msgs []streamMsg) error {
		for _, m := range msgs {
			if err := fn(m.seq, m.body); err != nil {
				return err
			}
		}
		return nil
	})
}

// consumeGroups is consume handing fn the messages already delivered
// together: the next one (waiting for it), then those received meanwhile,
// up to maxMsgs messages and maxBytes of bodies (at least one message).
func consumeGroups(ctx context.Context, s jetstream.Stream, subject string, after uint64, maxMsgs, maxBytes int, fn func([]streamMsg) error) error {
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject},
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    after + 1,
	})
	if err != nil {
		return fmt.Errorf("replicate: %s consumer from message %d: %w", subject, after+1, err)
	}
	it, err := c.Messages()
	if err != nil {
		return fmt.Errorf("replicate: consume %s: %w", subject, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	type delivery struct {
		m   streamMsg
		err error
	}
	ch := make(chan delivery, maxMsgs)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var d delivery
			m, err := it.Next()
			if err == nil {
				var md *jetstream.MsgMetadata
				if md, err = m.Metadata(); err == nil {
					d.m = streamMsg{md.Sequence.Stream, m.Data()}
				} else {
					err = fmt.Errorf("replicate: %s message metadata: %w", subject, err)
				}
			}
			d.err = err
			select {
			case ch <- d:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		it.Stop()
		close(quit)
		wg.Wait()
	}()
	var group []streamMsg
	for {
		group = group[:0]
		d := <-ch
		size := 0
		for d.err == nil {
			group = append(group, d.m)
			size += len(d.m.body)
			if len(group) >= maxMsgs || size >= maxBytes {
				break
			}
			select {
			case d = <-ch:
				continue
			default:
			}
			break
		}
		if len(group) > 0 {
			if err := fn(group); err != nil {
				return err
			}
		}
		if d.err != nil {
			if ctx.Err() != nil || errors.Is(d.err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			return fmt.Errorf("replicate: consume %s: %w", subject, d.err)
		}
	}
}
