package epcissub

import (
	"bytes"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
	"tracecode/engine/model"
)

var liveIDs atomic.Uint64

// Live opens a stream of k's owner's named query for one connection: the
// events recorded from now on (from initialRecordTime when it is not
// zero) that match it and that k sees (epcisq.Office.Visible). k needs
// the events, regulator or admin scope, as Subscribe does; another
// owner's query is ErrNotFound. Each Next checks that k is not revoked (a
// revoked key's stream ends with an error wrapping model.ErrWrongOrg).
func (m *Manager) Live(k apikey.Key, query string, initialRecordTime time.Time) (*Live, error) {
	if err := epcisq.MayWrite(k, "subscribing"); err != nil {
		return nil, err
	}
	n, found, err := m.cfg.Queries.Named(k, query)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: no query named %q", ErrNotFound, query)
	}
	env := func() (epcisq.Env, error) {
		if m.cfg.Revoked != nil && k.ID != 0 {
			revoked, err := m.cfg.Revoked(k.ID)
			if err != nil {
				return nil, err
			}
			if revoked {
				return nil, fmt.Errorf("%w: the subscribing key %x was revoked", model.ErrWrongOrg, k.ID)
			}
		}
		return m.cfg.Queries.Env(k), nil
	}
	var initial int64
	if !initialRecordTime.IsZero() {
		initial = initialRecordTime.UnixMilli()
	}
	return NewLive(n.Name, LiveID(liveIDs.Add(1)), n.Params, initial, m.cfg.Runner, env)
}

// Live streams a named query's new events to one connection (the REST
// binding's WebSocket subscription, GET /queries/{name}/events with
// Upgrade: websocket). Nothing is stored: its cursor lives with the
// connection, and starts at the last record when it opens (or before the
// first record of initialRecordTime). It is not safe for concurrent use.
type Live struct {
	q      *epcisq.Query
	name   string
	id     string
	cursor uint64
	runner func() (*epcisq.Runner, error)
	env    func() (epcisq.Env, error)
	// MaxBatch is the most events one document holds (default 500);
	// MaxScan the most records one Next reads (default 20,000).
	MaxBatch, MaxScan int
}

// NewLive checks params (a named query's) and places the cursor: the
// last record now, or the last before initial (unix ms) when initial > 0.
// env answers which events the connection's key sees, asked at every
// Next (an error ends the stream: a revoked key). id names the stream in
// the documents' subscriptionID.
func NewLive(name, id string, params []epcisq.Param, initial int64, runner func() (*epcisq.Runner, error), env func() (epcisq.Env, error)) (*Live, error) {
	q, err := epcisq.Parse(params)
	if err != nil {
		return nil, err
	}
	r, err := runner()
	if err != nil {
		return nil, err
	}
	l := &Live{q: q, name: name, id: id, runner: runner, env: env, MaxBatch: 500}
	l.cursor = r.Led.NextSeq() - 1
	if initial > 0 {
		first, err := r.FirstRecordAt(initial)
		if err != nil {
			return nil, err
		}
		l.cursor = first - 1
	}
	return l, nil
}

// Cursor is the last record the stream has considered.
func (l *Live) Cursor() uint64 { return l.cursor }

// Next returns the next EPCISQueryDocument (JSON-LD, queryName the named
// query, subscriptionID the stream's id) with up to MaxBatch of the
// events recorded after the cursor that the query matches and the key
// sees, in record order, and moves the cursor past the records it read;
// nil when there is no new matching event. now dates the document.
func (l *Live) Next(now time.Time) ([]byte, int, error) {
	r, err := l.runner()
	if err != nil {
		return nil, 0, err
	}
	env, err := l.env()
	if err != nil {
		return nil, 0, err
	}
	found, hi, err := r.After(l.q, l.cursor, max(1, l.MaxBatch), l.MaxScan, env)
	if err != nil {
		return nil, 0, err
	}
	l.cursor = hi
	if len(found) == 0 {
		return nil, 0, nil
	}
	events := make([]epcis.Event, len(found))
	for i := range found {
		events[i] = found[i].Event
	}
	var body bytes.Buffer
	opts := &epcis.MarshalOptions{Header: epcis.Header{Type: epcis.TypeEPCISQueryDocument, QueryName: l.name,
		SubscriptionID: l.id, CreationDate: now.UTC().Truncate(time.Millisecond)}}
	if err := epcis.MarshalDocument(&body, events, opts); err != nil {
		return nil, 0, err
	}
	return body.Bytes(), len(found), nil
}

// LiveID names the n-th live stream of a process in documents'
// subscriptionID ("ws-" and n).
func LiveID(n uint64) string { return "ws-" + strconv.FormatUint(n, 10) }
