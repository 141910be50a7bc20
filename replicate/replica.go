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
// and is refused whole.
type Follower struct {
	apply func(Record) error

	mu struct {
		sync.Mutex
		at       Position // last message consumed, last record applied
		epoch    uint64   // highest epoch seen
		dups     uint64   // records skipped as duplicates
		refused  uint64   // messages refused for a stale epoch
		messages uint64   // messages consumed
	}
}

// NewFollower returns a follower that has applied the log up to at (zero
// for an empty store) and calls apply for every later record, in order.
// apply's error stops the follower.
func NewFollower(at Position, apply func(Record) error) *Follower {
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

// Handle applies one log message at stream sequence streamSeq.
func (f *Follower) Handle(streamSeq uint64, body []byte) error {
	epoch, recs, err := decodeFrame(body)
	if err != nil {
		return fmt.Errorf("replicate: stream message %d: %w", streamSeq, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if streamSeq <= f.mu.at.StreamSeq {
		return nil // delivered again after a reconnect
	}
	f.mu.messages++
	f.mu.at.StreamSeq = streamSeq
	if epoch < f.mu.epoch {
		f.mu.refused++
		return nil
	}
	f.mu.epoch = epoch
	for _, r := range recs {
		switch {
		case r.Seq <= f.mu.at.RecordSeq:
			f.mu.dups++
			continue
		case r.Seq != f.mu.at.RecordSeq+1:
			return fmt.Errorf("%w: record %d follows %d (stream message %d)", ErrGap, r.Seq, f.mu.at.RecordSeq, streamSeq)
		}
		if err := f.apply(r); err != nil {
			return fmt.Errorf("replicate: apply record %d: %w", r.Seq, err)
		}
		f.mu.at.RecordSeq = r.Seq
	}
	return nil
}

// Follow consumes the log from the message after the follower's position
// until ctx ends (it then returns nil) or a message cannot be applied. It
// uses an ordered consumer: JetStream redelivers from the last message
// handed over after any reconnect or NATS node loss.
func (f *Follower) Follow(ctx context.Context, s jetstream.Stream) error {
	return consume(ctx, s, Subject, f.Stats().At.StreamSeq, f.Handle)
}

// consume calls fn for every message of stream s on subject after stream
// sequence after, in order, with an ordered consumer, until ctx ends (it
// then returns nil) or fn fails.
func consume(ctx context.Context, s jetstream.Stream, subject string, after uint64, fn func(seq uint64, body []byte) error) error {
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
	defer it.Stop()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			return fmt.Errorf("replicate: consume %s: %w", subject, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("replicate: %s message metadata: %w", subject, err)
		}
		if err := fn(md.Sequence.Stream, m.Data()); err != nil {
			return err
		}
	}
}
