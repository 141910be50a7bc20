package outbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StreamName is the JetStream stream the outbox publishes on; it takes
// every subject under "tracecode.".
const StreamName = "TRACECODE"

// RecallSubject is the subject of a recall notification for organisation
// org in division region: tracecode.recall.<region>.<org>.
func RecallSubject(region, org uint32) string {
	return "tracecode.recall." + strconv.FormatUint(uint64(region), 10) + "." + strconv.FormatUint(uint64(org), 10)
}

// AlertSubject is the subject of an alert for the regulators of division
// region: tracecode.alert.<region>. An alert is published once for its
// own division and once for every level above it.
func AlertSubject(region uint32) string {
	return "tracecode.alert." + strconv.FormatUint(uint64(region), 10)
}

type jsPublisher struct{ js jetstream.JetStream }

// NewJetStream returns a Publisher on connection nc, creating the stream
// StreamName (subjects "tracecode.>", file storage) if it does not
// exist.
func NewJetStream(ctx context.Context, nc *nats.Conn) (Publisher, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("outbox: jetstream: %w", err)
	}
	_, err = js.Stream(ctx, StreamName)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: StreamName, Subjects: []string{"tracecode.>"}, Storage: jetstream.FileStorage})
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: jetstream stream %s: %w", StreamName, err)
	}
	return jsPublisher{js}, nil
}

// Publish publishes and waits for the stream's acknowledgement.
func (p jsPublisher) Publish(ctx context.Context, subject string, data []byte, msgID string) error {
	if strings.ContainsAny(subject, " \t\r\n*>") {
		return fmt.Errorf("%w: subject %q", ErrInvalid, subject)
	}
	_, err := p.js.Publish(ctx, subject, data, jetstream.WithMsgID(msgID))
	return err
}
