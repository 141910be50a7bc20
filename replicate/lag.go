package replicate

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Lag is how far a follower is behind the log.
type Lag struct {
	// Messages are the messages stored after the follower's position.
	Messages uint64
	// Age is how long ago the first of them was stored (0: none).
	Age time.Duration
}

// MeasureLag compares a follower's position with the stream's end: the
// messages not yet consumed, and the age of the first of them.
func MeasureLag(ctx context.Context, s jetstream.Stream, at Position) (Lag, error) {
	info, err := s.Info(ctx)
	if err != nil {
		return Lag{}, fmt.Errorf("replicate: stream %s: %w", StreamName, err)
	}
	last := info.State.LastSeq
	if last <= at.StreamSeq {
		return Lag{}, nil
	}
	m, err := s.GetMsg(ctx, at.StreamSeq+1)
	if err != nil {
		return Lag{}, fmt.Errorf("replicate: stream message %d: %w", at.StreamSeq+1, err)
	}
	return Lag{Messages: last - at.StreamSeq, Age: max(time.Since(m.Time), 0)}, nil
}
