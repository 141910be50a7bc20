// Package epcissub keeps the EPCIS 2.0 query interface's standing work:
// subscriptions to named queries, whose new matching events are sent as
// EPCISQueryDocuments to the subscriber's webhook through the durable
// outbox (engine/outbox), and asynchronous capture jobs. Its records are
// the store's Subscription and CaptureJob keys; who may see which event
// is asked of the engine through epcisq.Env.
package epcissub

import (
	"encoding/binary"
	"errors"
	"fmt"

	"tracecode/engine/epcisq"
	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Errors.
var (
	ErrInvalid  = errors.New("epcissub: invalid")
	ErrNotFound = errors.New("epcissub: not found")
)

// Subscription is a standing query: its named query's new matching
// events go to Dest, at most Batch per document, as the creator's key
// would see them.
//
// # Representation (key 0x9F | id u64, value version 1)
//
//	ver=1 | owner str | query str | n uvarint | n × (name str | value str)
//	      | keyID uvarint | org uvarint | region uvarint | scopes uvarint
//	      | dest str | token str | flags u8 (1 reportIfEmpty, 2 stream)
//	      | 6 × schedule field str | created varint
//	      | cursor uvarint | batch uvarint | inflight uvarint | inflightHi uvarint
//	      | inflightN uvarint | notBefore varint | nextRun varint
//	      | delivered uvarint | lastDelivered varint | lastError str
type Subscription struct {
	ID uint64 `json:"subscriptionID,string"`
	// Owner is the owner of the named query (engine's rule: org:N,
	// region:N or operator); only its keys read or delete it.
	Owner string `json:"-"`
	// Query is the named query's name; Params its parameters when the
	// subscription was made.
	Query  string         `json:"queryName"`
	Params []epcisq.Param `json:"-"`
	// The creating key: events are those it would see.
	KeyID  uint64 `json:"-"`
	Org    uint32 `json:"-"`
	Region uint32 `json:"-"`
	Scopes uint32 `json:"-"`

	Dest          string   `json:"dest"`
	Token         string   `json:"-"` // signatureToken: signs each document (GS1-Signature); never shown back
	ReportIfEmpty bool     `json:"reportIfEmpty"`
	Stream        bool     `json:"stream"`
	Schedule      Schedule `json:"schedule,omitzero"`
	Created       int64    `json:"-"`

	// Cursor: every record up to it was delivered or does not match.
	Cursor uint64 `json:"-"`
	// Batch is how many events one document holds at most (halved when
	// the receiver answers 413, doubled back after each delivery).
	Batch uint32 `json:"-"`
	// Inflight is the outbox notification on its way (0: none); it
	// covers the records up to InflightHi, with InflightN events.
	Inflight   uint64 `json:"-"`
	InflightHi uint64 `json:"-"`
	InflightN  uint32 `json:"-"`
	// NotBefore delays the next document after a failure (unix ms);
	// NextRun is a schedule's next run.
	NotBefore int64 `json:"-"`
	NextRun   int64 `json:"-"`

	Delivered     uint64 `json:"delivered"`
	LastDelivered int64  `json:"-"`
	LastError     string `json:"lastError,omitzero"`
}

const subVersion = 1

func appendStr(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

// AppendBinary appends the stored value of s.
func (s *Subscription) AppendBinary(dst []byte) []byte {
	dst = appendStr(appendStr(append(dst, subVersion), s.Owner), s.Query)
	dst = binary.AppendUvarint(dst, uint64(len(s.Params)))
	for _, p := range s.Params {
		dst = appendStr(appendStr(dst, p.Name), p.Value)
	}
	for _, v := range [...]uint64{s.KeyID, uint64(s.Org), uint64(s.Region), uint64(s.Scopes)} {
		dst = binary.AppendUvarint(dst, v)
	}
	dst = appendStr(appendStr(dst, s.Dest), s.Token)
	var flags byte
	if s.ReportIfEmpty {
		flags |= 1
	}
	if s.Stream {
		flags |= 2
	}
	dst = append(dst, flags)
	sc := &s.Schedule
	for _, v := range [...]string{sc.Second, sc.Minute, sc.Hour, sc.DayOfMonth, sc.Month, sc.DayOfWeek} {
		dst = appendStr(dst, v)
	}
	dst = binary.AppendVarint(dst, s.Created)
	for _, v := range [...]uint64{s.Cursor, uint64(s.Batch), s.Inflight, s.InflightHi, uint64(s.InflightN)} {
		dst = binary.AppendUvarint(dst, v)
	}
	dst = binary.AppendVarint(binary.AppendVarint(dst, s.NotBefore), s.NextRun)
	dst = binary.AppendVarint(binary.AppendUvarint(dst, s.Delivered), s.LastDelivered)
	return appendStr(dst, s.LastError)
}

// DecodeSubscription decodes subscription id's stored value.
func DecodeSubscription(id uint64, v []byte) (Subscription, error) {
	d := wire.NewReader("subscription", v)
	d.Version(subVersion)
	s := Subscription{ID: id}
	s.Owner, s.Query = d.Str(), d.Str()
	n := d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		s.Params = append(s.Params, epcisq.Param{Name: d.Str(), Value: d.Str()})
	}
	s.KeyID, s.Org, s.Region, s.Scopes = d.Uvarint(), d.U32(), d.U32(), d.U32()
	s.Dest, s.Token = d.Str(), d.Str()
	flags := d.U8()
	if d.Err == nil && flags&^3 != 0 {
		d.Fail(fmt.Sprintf("flags %#x", flags))
	}
	s.ReportIfEmpty, s.Stream = flags&1 != 0, flags&2 != 0
	sc := &s.Schedule
	for _, f := range [...]*string{&sc.Second, &sc.Minute, &sc.Hour, &sc.DayOfMonth, &sc.Month, &sc.DayOfWeek} {
		*f = d.Str()
	}
	s.Created = d.Varint()
	s.Cursor, s.Batch, s.Inflight, s.InflightHi, s.InflightN = d.Uvarint(), d.U32(), d.Uvarint(), d.Uvarint(), d.U32()
	s.NotBefore, s.NextRun = d.Varint(), d.Varint()
	s.Delivered, s.LastDelivered = d.Uvarint(), d.Varint()
	s.LastError = d.Str()
	return s, d.Done()
}

// Get reads subscription id.
func Get(db *store.DB, id uint64) (Subscription, bool, error) {
	var s Subscription
	found, err := db.Get(store.SubscriptionKey(id), func(v []byte) (err error) {
		s, err = DecodeSubscription(id, v)
		return err
	})
	return s, found, err
}

// List lists the subscriptions, by id; owner and query "" list every
// owner's and every query's.
func List(db *store.DB, owner, query string) ([]Subscription, error) {
	var out []Subscription
	lo, hi := store.SubscriptionKeys.Bounds()
	err := db.Scan(lo, hi, func(k, v []byte) error {
		id, err := store.DecodeSubscriptionKey(k)
		if err != nil {
			return err
		}
		s, err := DecodeSubscription(id, v)
		if err != nil {
			return err
		}
		if (owner == "" || s.Owner == owner) && (query == "" || s.Query == query) {
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// check checks what a subscriber gives.
func (s *Subscription) check(checkURL func(string) error) error {
	switch {
	case s.Stream && !s.Schedule.IsZero():
		return fmt.Errorf("%w: stream and schedule: give one (stream: true for every new event, or a schedule)", ErrInvalid)
	case !s.Stream && s.Schedule.IsZero():
		return fmt.Errorf("%w: neither stream nor schedule: give one (stream: true for every new event, or a schedule)", ErrInvalid)
	case len(s.Token) > 256:
		return fmt.Errorf("%w: signatureToken: %d bytes, more than 256", ErrInvalid, len(s.Token))
	case s.Token != "" && len(s.Token) < 16:
		return fmt.Errorf("%w: signatureToken: %d bytes, want at least 16 (or none)", ErrInvalid, len(s.Token))
	}
	if err := s.Schedule.Check(); err != nil {
		return err
	}
	if err := checkURL(s.Dest); err != nil {
		return fmt.Errorf("%w: dest: %v", ErrInvalid, err)
	}
	return nil
}
