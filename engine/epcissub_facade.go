package engine

// EPCIS subscriptions: engine/epcissub keeps them, says who may
// subscribe and makes their documents, which the outbox delivers, with
// the events the subscribing key sees (epcisq.Office.Visible).

import (
	"errors"

	"tracecode/engine/epcissub"
)

// openSubscriptions makes the subscription manager of the notices' outbox.
func (n *Notices) openSubscriptions() *epcissub.Manager {
	e := n.e
	return epcissub.Open(epcissub.Config{DB: e.db, Outbox: n.Outbox, Now: e.Now, Location: e.opts.Location,
		Queries: e.Queries(),
		Revoked: func(id uint64) (bool, error) {
			k, found, err := e.APIKeys().Get(id)
			return found && k.Revoked != 0, err
		}})
}

// Subscriptions returns the subscription manager (OpenNotices makes it,
// for the outbox that delivers its documents).
func (e *Engine) Subscriptions() (*epcissub.Manager, error) {
	if n := e.Notices(); n != nil && n.subs != nil {
		return n.subs, nil
	}
	return nil, errors.New("engine: subscriptions need the notices (OpenNotices) for their delivery")
}
