package replicate

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The scans stream carries the replicas' scan counts to the writer
// (docs/replication.md): each message is one replica's per-item deltas
// since its previous message (scanlog.AppendDeltas), with a message id
// unique to the replica's process, so a retried publish is stored once.
// The writer merges the stream in order and keeps its position in its
// own store, with the counts.
const (
	// ScanStreamName is the stream of the replicas' scan counts.
	ScanStreamName = "TRACECODE_SCANS"
	// ScanSubject is its subject.
	ScanSubject = "tracecode.scans"
	// ScanMaxAge is how long a scans message is kept: a writer down
	// longer loses the replicas' scans of that time (never counts them
	// twice).
	ScanMaxAge = 7 * 24 * time.Hour
)

// SetupScans creates the scans stream if missing (replicas as c says)
// and returns it.
func SetupScans(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.Stream, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	s, err := retryUnavailable(ctx, func() (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name:        ScanStreamName,
			Description: "tracecode: the replicas' per-item scan counts, for the writer",
			Subjects:    []string{ScanSubject},
			Storage:     jetstream.FileStorage,
			Replicas:    c.Replicas,
			Retention:   jetstream.LimitsPolicy,
			MaxAge:      ScanMaxAge,
			Duplicates:  c.DedupWindow,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("replicate: stream %s: %w", ScanStreamName, err)
	}
	return s, nil
}

// ScanSender publishes one node's scan deltas. A message that failed is
// sent again, with the same id, before any new one: the stream's
// duplicate window stores it once however often it is retried. Not safe
// for concurrent use: one goroutine sends.
type ScanSender struct {
	js   jetstream.JetStream
	id   string // node ":" this process's start
	n    uint64 // messages made
	next *nats.Msg
	// Sent counts the messages stored.
	Sent uint64
}

// NewScanSender returns the sender of node (a name operators recognise).
// Its message ids are node, this process's start time and a counter: a
// restarted replica never reuses an id of its previous run.
func NewScanSender(js jetstream.JetStream, node string) *ScanSender {
	return &ScanSender{js: js, id: node + ":" + strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// Flush sends the message that failed last time, if any, else the body
// take returns (nil: nothing to send). It returns nil once the stream
// stored it; on error the message is kept for the next Flush.
func (s *ScanSender) Flush(ctx context.Context, take func() []byte) error {
	if s.next == nil {
		body := take()
		if body == nil {
			return nil
		}
		s.n++
		m := nats.NewMsg(ScanSubject)
		m.Data = body
		m.Header.Set(jetstream.MsgIDHeader, s.id+":"+strconv.FormatUint(s.n, 10))
		s.next = m
	}
	if _, err := s.js.PublishMsg(ctx, s.next); err != nil {
		return fmt.Errorf("replicate: send scans: %w", err)
	}
	s.next = nil
	s.Sent++
	return nil
}

// FollowScans calls fn for every message of the scans stream after
// stream sequence after, in order, until ctx ends (it then returns nil)
// or fn fails.
func FollowScans(ctx context.Context, s jetstream.Stream, after uint64, fn func(seq uint64, body []byte) error) error {
	return consume(ctx, s, ScanSubject, after, fn)
}
