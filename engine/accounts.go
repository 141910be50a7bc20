package engine

import (
	"sync"

	"tracecode/engine/account"
)

// accountStores holds each open engine's account store (one per
// database: the audit sequence is allocated in memory).
var accountStores sync.Map // *Engine → *account.Store

// OpenAccounts opens the engine's account store with o (o.Now defaults to
// the engine's clock, o.Orgs to its organisations). The first call
// decides; later calls, and Accounts, return the same store.
func (e *Engine) OpenAccounts(o account.Options) (*account.Store, error) {
	if s, ok := accountStores.Load(e); ok {
		return s.(*account.Store), nil
	}
	if o.Now == nil {
		o.Now = e.Now
	}
	if o.Orgs == nil {
		o.Orgs = e.iss
	}
	s, err := account.Open(e.db, o)
	if err != nil {
		return nil, err
	}
	got, _ := accountStores.LoadOrStore(e, s)
	return got.(*account.Store), nil
}

// Accounts returns the engine's account store (people's accounts, their
// sessions and the audit log, with the actors and subjects of audited
// actions), opened with the default options if OpenAccounts was not
// called.
func (e *Engine) Accounts() (*account.Store, error) { return e.OpenAccounts(account.Options{}) }
