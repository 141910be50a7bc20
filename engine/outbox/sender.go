package outbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"tracecode/engine/store"
)

// Publisher publishes one message on a JetStream subject, with msgID as
// its Nats-Msg-Id (JetStream drops a second message with the same id
// within the stream's duplicate window). NewJetStream returns one.
type Publisher interface {
	Publish(ctx context.Context, subject string, data []byte, msgID string) error
}

// Sender delivers pending notifications. One runs per store (inside
// serve).
type Sender struct {
	o      *Outbox
	client *http.Client
	js     Publisher
	now    func() time.Time
}

// NewSender returns the sender of o: webhooks go through client (nil: a
// client with Config.Timeout), JetStream notifications through js (nil:
// they wait, pending, until a sender with a publisher runs). now is the
// clock (nil: time.Now).
func (o *Outbox) NewSender(client *http.Client, js Publisher, now func() time.Time) *Sender {
	if client == nil {
		client = &http.Client{Timeout: o.cfg.Timeout}
	}
	if now == nil {
		now = time.Now
	}
	return &Sender{o: o, client: client, js: js, now: now}
}

// Signature returns the X-Tracecode-Signature header value of body under
// secret: "sha256=" and the hex HMAC-SHA256.
func Signature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Run delivers until ctx ends: a round whenever a notification is due,
// Kick is called, or at the latest every minute (a notification committed
// by another process is found then).
func (s *Sender) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.o.kick:
		}
		next, err := s.Round(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wait := time.Minute
		if next != math.MaxInt64 {
			wait = min(wait, time.Duration(next-s.now().UnixMilli())*time.Millisecond)
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(max(wait, 0))
	}
}

// Round delivers every notification due now (up to Config.Batch; more
// makes the next round due at once), records the outcomes in one synced
// batch and returns when the next one is due (math.MaxInt64: none).
func (s *Sender) Round(ctx context.Context) (next int64, err error) {
	now := s.now().UnixMilli()
	next = math.MaxInt64
	var due []Notification
	lo, hi := store.OutboxPendingKeys.Bounds()
	err = s.o.db.Scan(lo, hi, func(k, _ []byte) error {
		id, err := store.DecodeOutboxPendingKey(k)
		if err != nil {
			return err
		}
		n, err := s.o.Get(id)
		if err != nil {
			return err
		}
		if n.Channel == JetStream && s.js == nil || n.Channel == Callback && s.o.callbackSecret.Load() == nil {
			return nil
		}
		if n.NextTry > now {
			next = min(next, n.NextTry)
			return nil
		}
		due = append(due, n)
		if len(due) == s.o.cfg.Batch {
			next = now
			return errFull
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFull) {
		return 0, err
	}
	if len(due) == 0 {
		return next, nil
	}
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make([]error, len(due))
	for range min(s.o.cfg.Workers, len(due)) {
		wg.Go(func() {
			for i := range work {
				errs[i] = s.deliver(ctx, &due[i])
			}
		})
	}
	for i := range due {
		work <- i
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	b := s.o.db.NewBatch()
	defer b.Close()
	done := s.now().UnixMilli()
	for i := range due {
		n := &due[i]
		n.Attempts++
		switch {
		case errs[i] == nil:
			n.State, n.Delivered, n.LastError, n.NextTry = Delivered, done, "", 0
		case errors.Is(errs[i], errTooLarge):
			n.State, n.LastError, n.NextTry = TooLarge, truncate(errs[i].Error(), 300), 0
		case errors.Is(errs[i], errGone):
			n.State, n.LastError, n.NextTry = Dead, truncate(errs[i].Error(), 300), 0
		default:
			n.LastError = truncate(errs[i].Error(), 300)
			if int(n.Attempts) >= s.o.cfg.MaxAttempts {
				n.State, n.NextTry = Dead, 0
			} else {
				n.NextTry = done + s.backoff(n.Attempts).Milliseconds()
				next = min(next, n.NextTry)
			}
		}
		if err := b.Set(key(n.ID), n.AppendBinary(nil)); err != nil {
			return 0, err
		}
		if n.State != Pending {
			if err := b.Delete(pendingKey(n.ID)); err != nil {
				return 0, err
			}
		}
	}
	return next, b.Commit(true)
}

var (
	errFull     = errors.New("outbox: round full")
	errTooLarge = errors.New("the receiver answered 413 Content Too Large")
	errGone     = errors.New("the notification's source is gone")
)

// backoff returns the wait after the attempts-th failure: BaseDelay
// doubled per earlier failure, capped at MaxDelay, drawn from [d/2, d].
func (s *Sender) backoff(attempts uint32) time.Duration {
	d := s.o.cfg.MaxDelay
	if attempts < 40 {
		d = min(d, s.o.cfg.BaseDelay<<(attempts-1))
	}
	if d <= 0 {
		d = s.o.cfg.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// deliver makes one attempt.
func (s *Sender) deliver(ctx context.Context, n *Notification) error {
	id := strconv.FormatUint(n.ID, 10)
	if n.Channel == JetStream {
		pctx, cancel := context.WithTimeout(ctx, s.o.cfg.Timeout)
		defer cancel()
		return s.js.Publish(pctx, n.Target, n.Payload, "tracecode-"+id)
	}
	if n.Channel == Callback {
		return s.callback(ctx, n, id)
	}
	e, found, err := s.o.Endpoint(n.Org)
	if err != nil {
		return err
	}
	if !found || e.Secret == "" {
		return fmt.Errorf("organisation %d has no webhook secret", n.Org)
	}
	rctx, cancel := context.WithTimeout(ctx, s.o.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, n.Target, bytes.NewReader(n.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tracecode-outbox")
	req.Header.Set("X-Tracecode-Delivery", id)
	req.Header.Set("Idempotency-Key", id)
	req.Header.Set("X-Tracecode-Attempt", strconv.FormatUint(uint64(n.Attempts+1), 10))
	req.Header.Set("X-Tracecode-Signature", Signature(e.Secret, n.Payload))
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// GS1Signature returns the GS1-Signature header value of an EPCIS
// subscription's delivery: the lowercase hex HMAC-SHA256 of body under
// the subscription's signatureToken (the REST binding leaves the
// signature's form to the implementation and names HMAC-SHA256 as one).
func GS1Signature(token string, body []byte) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// callback makes one attempt at a Callback: a POST of the EPCIS query
// document, signed with the source's secret; 413 is errTooLarge, a
// source without a secret errGone.
func (s *Sender) callback(ctx context.Context, n *Notification, id string) error {
	secret, found, err := (*s.o.callbackSecret.Load())(n.SourceID)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: %s %d", errGone, n.Source, n.SourceID)
	}
	rctx, cancel := context.WithTimeout(ctx, s.o.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, n.Target, bytes.NewReader(n.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/ld+json")
	req.Header.Set("User-Agent", "tracecode-outbox")
	req.Header.Set("GS1-EPCIS-Version", "2.0.0")
	req.Header.Set("X-Tracecode-Delivery", id)
	req.Header.Set("Idempotency-Key", id)
	req.Header.Set("X-Tracecode-Attempt", strconv.FormatUint(uint64(n.Attempts+1), 10))
	if secret != "" {
		req.Header.Set("GS1-Signature", GS1Signature(secret, n.Payload))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		return fmt.Errorf("%w (%d bytes)", errTooLarge, len(n.Payload))
	case resp.StatusCode/100 != 2:
		return fmt.Errorf("callback answered %s", resp.Status)
	}
	return nil
}
