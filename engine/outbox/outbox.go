// Package outbox is the durable outbox of notifications: every
// notification a recall, hold or alert causes is a record in the store,
// staged in the same batch as its cause, so a notification exists if and
// only if its cause committed. A background Sender delivers each at
// least once — an HTTPS POST to the organisation's webhook, signed with
// its secret, or a publication on NATS JetStream — retrying with
// exponential backoff and jitter and giving up (dead letter) after
// Config.MaxAttempts tries. The pending index is what the sender reads,
// so after a crash it resumes exactly where it stopped.
//
// Every notification carries its id as an idempotency key (the
// X-Tracecode-Delivery header, the JetStream Nats-Msg-Id): a receiver
// that sees an id twice has seen the same notification twice.
package outbox

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Errors.
var (
	ErrInvalid  = errors.New("outbox: invalid")
	ErrNotFound = errors.New("outbox: not found")
)

// Channel is how a notification travels. Numeric values are persisted.
type Channel uint8

// The channels.
const (
	// Webhook: an HTTPS POST of the payload to the organisation's webhook
	// (Target is its URL when the notification was made).
	Webhook Channel = 1
	// JetStream: a publication on NATS JetStream (Target is the subject).
	JetStream Channel = 2
	// Callback: an HTTP POST of an EPCIS query document to a
	// subscription's destination (Target), signed in the GS1-Signature
	// header under the secret Outbox.CallbackSecret gives for SourceID. A
	// 413 answer ends the notification as TooLarge: its source sends the
	// events again in smaller documents.
	Callback Channel = 3
)

var channelNames = [...]string{"", "webhook", "jetstream", "callback"}

// String returns "webhook", "jetstream" or "callback".
func (c Channel) String() string {
	if c >= Webhook && c <= Callback {
		return channelNames[c]
	}
	return fmt.Sprintf("channel(%d)", uint8(c))
}

// MarshalText writes the name.
func (c Channel) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// SourceKind is what caused a notification. Numeric values are persisted.
type SourceKind uint8

// The source kinds.
const (
	SourceRecall SourceKind = 1
	SourceAlert  SourceKind = 2
	// SourceSubscription: an EPCIS subscription's delivery (SourceID is
	// the subscription's id).
	SourceSubscription SourceKind = 3
)

var sourceNames = [...]string{"", "recall", "alert", "subscription"}

// String returns "recall", "alert" or "subscription".
func (k SourceKind) String() string {
	if k >= SourceRecall && k <= SourceSubscription {
		return sourceNames[k]
	}
	return fmt.Sprintf("source(%d)", uint8(k))
}

// MarshalText writes the name.
func (k SourceKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// State is where a notification is. Numeric values are persisted.
type State uint8

// The states.
const (
	// Pending: not delivered yet (NextTry says when the next try is).
	Pending State = 1
	// Delivered: the receiver accepted it (a 2xx answer, a JetStream ack).
	Delivered State = 2
	// Dead: Config.MaxAttempts tries failed; nothing retries it.
	Dead State = 3
	// TooLarge: the receiver answered 413 to a Callback; nothing retries
	// it (its source sends the same events in smaller documents).
	TooLarge State = 4
)

var stateNames = [...]string{"", "pending", "delivered", "dead", "too_large"}

// String returns "pending", "delivered", "dead" or "too_large".
func (s State) String() string {
	if s >= Pending && s <= TooLarge {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText writes the name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Notification is one message to one receiver.
//
// # Representation (key 0xB0 | id u64, value version 1)
//
//	ver=1 | source u8 | sourceID uvarint | channel u8 | org uvarint | region uvarint
//	      | target str | payload str | created varint | state u8 | attempts uvarint
//	      | nextTry varint | lastError str | delivered varint
//
// Times are unix ms. Pending ones also have a key 0xB1 | id (deleted on
// delivery or death); every one a key 0xB2 | source u8 | sourceID u64 | id.
type Notification struct {
	ID       uint64     `json:"id"`
	Source   SourceKind `json:"source"`
	SourceID uint64     `json:"source_id"`
	Channel  Channel    `json:"channel"`
	// Org is the organisation it is for (0: regulators, by Region).
	Org    uint32 `json:"org,omitzero"`
	Region uint32 `json:"region,omitzero"`
	// Target is the webhook URL or the JetStream subject.
	Target    string `json:"target"`
	Payload   []byte `json:"-"`
	Created   int64  `json:"created"`
	State     State  `json:"state"`
	Attempts  uint32 `json:"attempts"`
	NextTry   int64  `json:"next_try,omitzero"`
	LastError string `json:"last_error,omitzero"`
	Delivered int64  `json:"delivered,omitzero"`
}

func key(id uint64) []byte { return store.OutboxKey(id) }
func pendingKey(id uint64) []byte {
	return store.OutboxPendingKey(id)
}

func sourceKey(kind SourceKind, src, id uint64) []byte {
	return store.OutboxBySourceKey(uint8(kind), src, id)
}

const version = 1

// AppendBinary appends the stored value of n.
func (n *Notification) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.U8(byte(n.Source))
	w.Uvarint(n.SourceID)
	w.U8(byte(n.Channel))
	w.U32(n.Org)
	w.U32(n.Region)
	w.Str(n.Target)
	w.Bytes(n.Payload)
	w.Varint(n.Created)
	w.U8(byte(n.State))
	w.U32(n.Attempts)
	w.Varint(n.NextTry)
	w.Str(n.LastError)
	w.Varint(n.Delivered)
	return w.B
}

// Decode decodes the stored value v of notification id.
func Decode(id uint64, v []byte) (Notification, error) {
	d := wire.NewReader("notification", v)
	d.Version(version)
	n := Notification{ID: id}
	d.Field = "source"
	n.Source = SourceKind(d.U8())
	n.SourceID = d.Uvarint()
	d.Field = "channel"
	n.Channel = Channel(d.U8())
	if d.Err == nil && (n.Channel < Webhook || n.Channel > Callback) {
		d.Fail(fmt.Sprintf("channel %d", n.Channel))
	}
	d.Field = "org"
	n.Org = d.U32()
	d.Field = "region"
	n.Region = d.U32()
	d.Field = "target"
	n.Target = d.Str()
	d.Field = "payload"
	n.Payload = []byte(d.Str())
	d.Field = "created"
	n.Created = d.Varint()
	d.Field = "state"
	n.State = State(d.U8())
	if d.Err == nil && (n.State < Pending || n.State > TooLarge) {
		d.Fail(fmt.Sprintf("state %d", n.State))
	}
	d.Field = "attempts"
	n.Attempts = d.U32()
	d.Field = "next try"
	n.NextTry = d.Varint()
	d.Field = "last error"
	n.LastError = d.Str()
	d.Field = "delivered"
	n.Delivered = d.Varint()
	return n, d.Done()
}

// Outbox stages notifications and reads them back. The Sender delivers
// them.
type Outbox struct {
	db     *store.DB
	cfg    Config
	nextID atomic.Uint64
	kick   chan struct{}
	mu     sync.Mutex // serialises endpoint updates (read, modify, write)
	// callbackSecret gives the signing secret of a Callback's source
	// (SetCallbackSecret); found false: the source is gone and the
	// notification dies.
	callbackSecret atomic.Pointer[func(sourceID uint64) (secret string, found bool, err error)]
}

// SetCallbackSecret sets how the sender finds the secret a Callback
// notification of source id is signed with (the subscription's
// signatureToken). Until it is set, Callback notifications wait.
func (o *Outbox) SetCallbackSecret(fn func(sourceID uint64) (secret string, found bool, err error)) {
	o.callbackSecret.Store(&fn)
}

// Open opens the outbox of db with configuration cfg (zero fields get
// their defaults).
func Open(db *store.DB, cfg Config) (*Outbox, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &Outbox{db: db, cfg: cfg, kick: make(chan struct{}, 1)}
	it, err := db.NewIter(store.OutboxKeys.Bounds())
	if err != nil {
		return nil, err
	}
	if it.Last() {
		last, err := store.DecodeOutboxKey(it.Key())
		if err != nil {
			it.Close()
			return nil, err
		}
		o.nextID.Store(last)
	}
	return o, it.Close()
}

// Config returns the configuration, defaults filled.
func (o *Outbox) Config() Config { return o.cfg }

// Stage gives n an id and writes it, pending, into b; it exists once b
// commits. Call Kick after the commit so the sender does not wait for its
// next timer.
func (o *Outbox) Stage(b *store.Batch, n *Notification) error {
	if n.Channel < Webhook || n.Channel > Callback || n.Source < SourceRecall || n.Source > SourceSubscription || n.Target == "" {
		return fmt.Errorf("%w: notification %+v", ErrInvalid, n)
	}
	n.ID = o.nextID.Add(1)
	n.State, n.Attempts, n.NextTry, n.LastError, n.Delivered = Pending, 0, n.Created, "", 0
	if err := b.Set(key(n.ID), n.AppendBinary(nil)); err != nil {
		return err
	}
	if err := b.Set(pendingKey(n.ID), []byte{version}); err != nil {
		return err
	}
	return b.Set(sourceKey(n.Source, n.SourceID, n.ID), []byte{version})
}

// Kick wakes the sender: notifications were committed.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Get returns notification id.
func (o *Outbox) Get(id uint64) (Notification, error) {
	var n Notification
	var derr error
	found, err := o.db.Get(key(id), func(v []byte) error { n, derr = Decode(id, v); return nil })
	if err == nil {
		err = derr
	}
	if err == nil && !found {
		err = fmt.Errorf("%w: notification %d", ErrNotFound, id)
	}
	return n, err
}

// BySource returns the notifications a recall or alert caused, in the
// order they were made.
func (o *Outbox) BySource(kind SourceKind, src uint64) ([]Notification, error) {
	lo := sourceKey(kind, src, 0)
	hi := sourceKey(kind, src+1, 0)
	var ids []uint64
	err := o.db.Scan(lo, hi, func(k, _ []byte) error {
		_, _, id, err := store.DecodeOutboxBySourceKey(k)
		if err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Notification, 0, len(ids))
	for _, id := range ids {
		n, err := o.Get(id)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// PendingCount returns how many notifications wait for delivery.
func (o *Outbox) PendingCount() (int, error) {
	n := 0
	lo, hi := store.OutboxPendingKeys.Bounds()
	err := o.db.Scan(lo, hi, func(_, _ []byte) error { n++; return nil })
	return n, err
}
