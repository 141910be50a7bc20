package replicate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the JetStream resources replication uses.
const (
	// StreamName is the stream holding the writer's log.
	StreamName = "TRACECODE_LOG"
	// Subject is the one subject the log is published on.
	Subject = "tracecode.log"
	// LeaseBucket is the key-value bucket holding the writer's lease.
	LeaseBucket = "tracecode-lease"
	// LeaseKey is the lease's key in LeaseBucket.
	LeaseKey = "writer"
)

// Config says how the log stream and the lease bucket are made.
type Config struct {
	// Replicas is the number of NATS nodes each message and lease write
	// is stored on; a write is acknowledged once a majority has it. 0
	// means 3. 1 is for a single-node test server only.
	Replicas int
	// LeaseTTL is how long a lease lasts without renewal. 0 means 10 s.
	LeaseTTL time.Duration
	// DedupWindow is how long the stream remembers message ids to drop a
	// retried publish. 0 means 2 minutes.
	DedupWindow time.Duration
}

// Defaults of Config.
const (
	DefaultReplicas    = 3
	DefaultLeaseTTL    = 10 * time.Second
	DefaultDedupWindow = 2 * time.Minute
)

func (c Config) withDefaults() Config {
	if c.Replicas == 0 {
		c.Replicas = DefaultReplicas
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.DedupWindow == 0 {
		c.DedupWindow = DefaultDedupWindow
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.Replicas < 1 || c.Replicas > 5:
		return fmt.Errorf("replicate: Replicas %d: want 1 to 5 (JetStream's limit)", c.Replicas)
	case c.LeaseTTL < time.Second:
		return fmt.Errorf("replicate: LeaseTTL %v: want at least 1s", c.LeaseTTL)
	case c.DedupWindow < time.Second:
		return fmt.Errorf("replicate: DedupWindow %v: want at least 1s", c.DedupWindow)
	}
	return nil
}

// Setup creates the log stream and the lease bucket if missing and
// returns the stream. The stream keeps every message (no age or size
// limit; a replica that starts from a snapshot reads from the snapshot's
// position), refuses deletes and purges, and is stored in files.
func Setup(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.Stream, jetstream.KeyValue, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, nil, err
	}
	s, err := retryUnavailable(ctx, func() (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, streamConfig(c))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("replicate: stream %s: %w", StreamName, err)
	}
	kv, err := retryUnavailable(ctx, func() (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:      LeaseBucket,
			Description: "tracecode: the writer's lease",
			TTL:         c.LeaseTTL,
			History:     1,
			Storage:     jetstream.FileStorage,
			Replicas:    c.Replicas,
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("replicate: bucket %s: %w", LeaseBucket, err)
	}
	return s, kv, nil
}

// setupRetryFor bounds how long Setup retries a JetStream API request
// that found no leader to answer it.
const setupRetryFor = 30 * time.Second

// retryUnavailable runs f until it answers, retrying for up to
// setupRetryFor (and while ctx lasts) when the request timed out or found
// no responder: right after a NATS node dies, the cluster elects new
// stream and meta leaders, and API requests go unanswered for seconds.
// Other errors are returned at once.
func retryUnavailable[T any](ctx context.Context, f func() (T, error)) (T, error) {
	deadline := time.Now().Add(setupRetryFor)
	delay := 100 * time.Millisecond
	for {
		v, err := f()
		if err == nil || !(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders)) ||
			ctx.Err() != nil || time.Now().After(deadline) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// streamConfig is the log stream's configuration.
func streamConfig(c Config) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "tracecode: the writer's committed batches, in order",
		Subjects:    []string{Subject},
		Storage:     jetstream.FileStorage,
		Replicas:    c.Replicas,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardNew,
		Duplicates:  c.DedupWindow,
		DenyDelete:  true,
		DenyPurge:   true,
	}
}

// isWrongLastSequence reports the stream's refusal of a publish whose
// expected last sequence is not the stream's: someone else published.
func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}
