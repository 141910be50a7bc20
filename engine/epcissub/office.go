package epcissub

// Subscriptions and capture jobs as API keys use them: who may subscribe
// and which events a subscription sees (its creating key's,
// epcisq.Office.Visible), who may submit and read a capture job, and a
// job's document applied as the synchronous capture would.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcisq"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// queryConfig fills cfg's Runner and Env from its query office: the
// runner over the ledger, and the events the subscribing key sees while
// it is not revoked.
func (cfg *Config) queryConfig() {
	q := cfg.Queries
	if q == nil {
		return
	}
	if cfg.Runner == nil {
		cfg.Runner = q.Runner
	}
	if cfg.Env == nil {
		cfg.Env = func(s *Subscription) (epcisq.Env, error) {
			if cfg.Revoked != nil {
				revoked, err := cfg.Revoked(s.KeyID)
				if err != nil {
					return nil, err
				}
				if revoked {
					return nil, fmt.Errorf("the subscribing key %x was revoked", s.KeyID)
				}
			}
			return q.Env(apikey.Key{ID: s.KeyID, Org: s.Org, Region: s.Region, Scopes: apikey.Scope(s.Scopes)}), nil
		}
	}
}

// Subscribe subscribes k's owner to its named query: s gives Dest,
// Token, ReportIfEmpty and Stream or Schedule; initialRecordTime (zero:
// now) is the record time from which events are sent. The events sent are
// those k sees (epcisq.Office.Visible), while k is not revoked. k needs
// the events, regulator or admin scope.
func (m *Manager) Subscribe(k apikey.Key, query string, s Subscription, initialRecordTime time.Time) (Subscription, error) {
	if err := epcisq.MayWrite(k, "subscribing"); err != nil {
		return Subscription{}, err
	}
	n, found, err := m.cfg.Queries.Named(k, query)
	if err != nil {
		return Subscription{}, err
	}
	if !found {
		return Subscription{}, fmt.Errorf("%w: no query named %q", ErrNotFound, query)
	}
	s.Owner, s.Query, s.Params = n.Owner, n.Name, n.Params
	s.KeyID, s.Org, s.Region, s.Scopes = k.ID, k.Org, k.Region, uint32(k.Scopes)
	var initial int64
	if !initialRecordTime.IsZero() {
		initial = initialRecordTime.UnixMilli()
	}
	return s, m.Create(&s, initial)
}

// Subscriptions lists k's owner's subscriptions to query.
func (m *Manager) Subscriptions(k apikey.Key, query string) ([]Subscription, error) {
	owner, err := epcisq.Owner(k)
	if err != nil {
		return nil, err
	}
	return List(m.cfg.DB, owner, query)
}

// Subscription returns k's owner's subscription id to query (found
// false: none, or another owner's).
func (m *Manager) Subscription(k apikey.Key, query string, id uint64) (Subscription, bool, error) {
	owner, err := epcisq.Owner(k)
	if err != nil {
		return Subscription{}, false, err
	}
	s, found, err := Get(m.cfg.DB, id)
	if err != nil || !found || s.Owner != owner || s.Query != query {
		return Subscription{}, false, err
	}
	return s, true, nil
}

// Unsubscribe deletes k's owner's subscription id to query (the events,
// regulator or admin scope); found is false when there was none.
func (m *Manager) Unsubscribe(k apikey.Key, query string, id uint64) (bool, error) {
	if err := epcisq.MayWrite(k, "unsubscribing"); err != nil {
		return false, err
	}
	s, found, err := m.Subscription(k, query, id)
	if err != nil || !found {
		return false, err
	}
	return m.Delete(s.Owner, id)
}

// SubmitAs accepts an EPCIS document (JSON-LD, or XML when xml) as a
// capture job of k's organisation (its key with the events scope),
// stored synced before it returns; the runner applies it, all or
// nothing, as the synchronous capture would. requestID makes the capture
// idempotent as chain.ReportMeta.RequestID does. The job answered holds
// no document.
func (js *Jobs) SubmitAs(k apikey.Key, doc []byte, xml bool, requestID string) (Job, error) {
	if k.Org == 0 || !k.Scopes.Has(apikey.ScopeEvents) {
		return Job{}, fmt.Errorf("%w: events are captured by an organisation's key with the events scope", model.ErrWrongOrg)
	}
	j := Job{Org: k.Org, Credential: "key:" + strconv.FormatUint(k.ID, 16), RequestID: requestID, XML: xml, Doc: doc}
	if k.Scopes.Has(apikey.ScopeRegulator) {
		j.Region = k.Region
	}
	if err := js.Submit(&j); err != nil {
		return Job{}, err
	}
	j.Doc = nil
	return j, nil
}

// JobOf returns job id, without its document, if k may see it (its
// organisation's keys, the operator's); found is false otherwise.
func (js *Jobs) JobOf(k apikey.Key, id uint64) (Job, bool, error) {
	j, found, err := js.Get(id)
	if err != nil || !found {
		return Job{}, false, err
	}
	if !(k.Org != 0 && k.Org == j.Org) && !(k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin)) {
		return Job{}, false, nil
	}
	j.Doc = nil
	return j, true, nil
}

// Capturer applies EPCIS documents as the synchronous capture does (the
// engine).
type Capturer interface {
	CaptureJSON(ctx context.Context, r io.Reader, o *chain.CaptureOptions) (*chain.Receipt, error)
	CaptureXML(ctx context.Context, r io.Reader, o *chain.CaptureOptions) (*chain.Receipt, error)
}

// ApplyWith returns the jobs' apply function over c: a job's document
// captured with its organisation, region, credential and request id; a
// rejected report's errors become the job's, and a closed, failed or
// full store is transient (the job is applied again later).
func ApplyWith(c Capturer) func(ctx context.Context, j *Job) Outcome {
	return func(ctx context.Context, j *Job) Outcome {
		o := &chain.CaptureOptions{Org: j.Org, Region: j.Region, Credential: j.Credential, RequestID: j.RequestID}
		capture := c.CaptureJSON
		if j.XML {
			capture = c.CaptureXML
		}
		rec, err := capture(ctx, bytes.NewReader(j.Doc), o)
		var re *chain.ReportError
		switch {
		case err == nil:
			return Outcome{Records: rec.Records, Duplicates: rec.Duplicates}
		case errors.As(err, &re):
			out := Outcome{Dropped: re.Dropped}
			for _, ie := range re.Errors {
				out.Errors = append(out.Errors, JobError{Event: ie.Event, Field: ie.Field, Code: ie.Code, Reason: ie.Reason})
			}
			return out
		case errors.Is(err, store.ErrClosed), errors.Is(err, model.ErrFailed), errors.Is(err, store.ErrDiskFull), ctx.Err() != nil:
			return Outcome{Transient: err}
		}
		return Outcome{Errors: []JobError{{Event: -1, Reason: err.Error()}}}
	}
}
