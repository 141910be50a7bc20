package engine

// EPCIS subscriptions' facade: engine/epcissub keeps the subscriptions
// and makes their documents, which the outbox delivers; this file says
// who may subscribe and which events a subscription sees (its creating
// key's, EventVisible).

import (
	"errors"
	"fmt"
	"time"

	"tracecode/engine/epcisq"
	"tracecode/engine/epcissub"
)

// Subscription is a standing query on a named query (the REST binding's
// /queries/{name}/subscriptions).
type Subscription = epcissub.Subscription

// SubscriptionSchedule is a subscription's query schedule.
type SubscriptionSchedule = epcissub.Schedule

// ErrSubscription is a subscription refused for its content (dest,
// signatureToken, stream or schedule); errors wrap it and name the field.
var ErrSubscription = epcissub.ErrInvalid

// openSubscriptions makes the subscription manager of the notices' outbox.
func (n *Notices) openSubscriptions() *epcissub.Manager {
	e := n.e
	return epcissub.Open(epcissub.Config{DB: e.db, Outbox: n.Outbox, Now: e.Now, Location: e.opts.Location,
		Runner: func() (*epcisq.Runner, error) {
			ts, err := e.tr()
			if err != nil {
				return nil, err
			}
			return &epcisq.Runner{DB: e.db, Led: ts.Ledger(), TokenKey: e.queryTokenKey()}, nil
		},
		Env: func(s *Subscription) (epcisq.Env, error) {
			k, found, err := e.APIKeys().Get(s.KeyID)
			if err != nil {
				return nil, err
			}
			if found && k.Revoked != 0 {
				return nil, fmt.Errorf("the subscribing key %x was revoked", s.KeyID)
			}
			return queryEnv{e: e, k: APIKey{ID: s.KeyID, Org: s.Org, Region: s.Region, Scopes: Scope(s.Scopes)}}, nil
		}})
}

// subs returns the subscription manager (OpenNotices makes it).
func (e *Engine) subs() (*epcissub.Manager, error) {
	n := e.Notices()
	if n == nil || n.subs == nil {
		return nil, errors.New("engine: subscriptions need the notices (OpenNotices) for their delivery")
	}
	return n.subs, nil
}

// Subscribe subscribes k's owner to its named query: s gives Dest,
// Token, ReportIfEmpty and Stream or Schedule; initialRecordTime (zero:
// now) is the record time from which events are sent. The events sent are
// those k sees (EventVisible), while k is not revoked. k needs the
// events, regulator or admin scope.
func (e *Engine) Subscribe(k APIKey, query string, s Subscription, initialRecordTime time.Time) (Subscription, error) {
	if !k.Scopes.Has(ScopeEvents) && !k.Scopes.Has(ScopeRegulator) && !k.Scopes.Has(ScopeAdmin) {
		return Subscription{}, fmt.Errorf("%w: subscribing needs the events, regulator or admin scope", ErrWrongOrg)
	}
	m, err := e.subs()
	if err != nil {
		return Subscription{}, err
	}
	n, found, err := e.NamedQuery(k, query)
	if err != nil {
		return Subscription{}, err
	}
	if !found {
		return Subscription{}, fmt.Errorf("%w: no query named %q", epcissub.ErrNotFound, query)
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
func (e *Engine) Subscriptions(k APIKey, query string) ([]Subscription, error) {
	owner, err := queryOwner(k)
	if err != nil {
		return nil, err
	}
	if _, err := e.subs(); err != nil {
		return nil, err
	}
	return epcissub.List(e.db, owner, query)
}

// SubscriptionOf returns k's owner's subscription id to query (found
// false: none, or another owner's).
func (e *Engine) SubscriptionOf(k APIKey, query string, id uint64) (Subscription, bool, error) {
	owner, err := queryOwner(k)
	if err != nil {
		return Subscription{}, false, err
	}
	s, found, err := epcissub.Get(e.db, id)
	if err != nil || !found || s.Owner != owner || s.Query != query {
		return Subscription{}, false, err
	}
	return s, true, nil
}

// Unsubscribe deletes k's owner's subscription id to query (the events,
// regulator or admin scope); found is false when there was none.
func (e *Engine) Unsubscribe(k APIKey, query string, id uint64) (bool, error) {
	if !k.Scopes.Has(ScopeEvents) && !k.Scopes.Has(ScopeRegulator) && !k.Scopes.Has(ScopeAdmin) {
		return false, fmt.Errorf("%w: unsubscribing needs the events, regulator or admin scope", ErrWrongOrg)
	}
	if _, found, err := e.SubscriptionOf(k, query, id); err != nil || !found {
		return false, err
	}
	m, err := e.subs()
	if err != nil {
		return false, err
	}
	owner, _ := queryOwner(k)
	return m.Delete(owner, id)
}

// dropSubscriptions deletes the subscriptions of owner's query name (the
// query is deleted).
func (e *Engine) dropSubscriptions(owner, name string) error {
	if n := e.Notices(); n != nil && n.subs != nil {
		return n.subs.DeleteQuery(owner, name)
	}
	return nil
}

// PumpSubscriptions makes one pass over the subscriptions (Run does it
// every second): documents delivered advance their cursors, new matching
// events are staged in the outbox. It returns how many documents it
// staged.
func (n *Notices) PumpSubscriptions() (int, error) { return n.subs.Pump() }

// ErrNoSuchQuery: a subscription names no query of the key's owner.
var ErrNoSuchQuery = epcissub.ErrNotFound
