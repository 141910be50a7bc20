package engine

import (
	"errors"
	"fmt"
	"sync"

	"tracecode/engine/account"
)

// accountStores holds each open engine's account store (one per
// database: the audit sequence is allocated in memory).
var accountStores sync.Map // *Engine → *account.Store

// OpenAccounts opens the engine's account store with o (o.Now defaults to
// the engine's clock). The first call decides; later calls, and Accounts,
// return the same store.
func (e *Engine) OpenAccounts(o account.Options) (*account.Store, error) {
	if s, ok := accountStores.Load(e); ok {
		return s.(*account.Store), nil
	}
	if o.Now == nil {
		o.Now = e.Now
	}
	s, err := account.Open(e.db, o)
	if err != nil {
		return nil, err
	}
	got, _ := accountStores.LoadOrStore(e, s)
	return got.(*account.Store), nil
}

// Accounts returns the engine's account store, opened with the default
// options if OpenAccounts was not called.
func (e *Engine) Accounts() (*account.Store, error) { return e.OpenAccounts(account.Options{}) }

// AccountKey is what account a may see and do, as the API key that sees
// and does the same: an operator is the admin key of no organisation, a
// regulator or inspector a regulator key of its region (an inspector of an
// agency also records its inspections), an enterprise admin its
// organisation's key with every scope, an enterprise user the same
// without admin. A regulator account and a regulator key of one region see
// one and the same chain (TraceAccessOf decides for both).
func AccountKey(a *account.Account) APIKey {
	k := APIKey{Org: a.Org, Name: a.Login, Created: a.Created, Revoked: a.Disabled}
	switch a.Role {
	case account.RoleOperator:
		k.Org, k.Scopes = 0, ScopeAdmin
	case account.RoleRegulator:
		k.Org, k.Scopes, k.Region = 0, ScopeRegulator, a.Region
	case account.RoleInspector:
		k.Scopes, k.Region = ScopeRegulator, a.Region
		if a.Org != 0 {
			k.Scopes |= ScopeEvents
		}
	case account.RoleEnterpriseAdmin:
		k.Scopes = ScopeAdmin | ScopeMint | ScopeReport | ScopeEvents
	case account.RoleEnterpriseUser:
		k.Scopes = ScopeMint | ScopeReport | ScopeEvents
	}
	return k
}

// KeyActor is the audit-log actor of API key k (client: its address).
func (e *Engine) KeyActor(k APIKey, client string) account.Actor {
	a := account.Actor{Key: k.ID, Org: k.Org, Region: k.Region, Client: client,
		Operator: k.Org == 0 && k.Scopes.Has(ScopeAdmin), Admin: k.Org != 0 && k.Scopes.Has(ScopeAdmin)}
	if a.Region == 0 {
		a.Region = e.orgRegion(k.Org)
	}
	return a
}

// AccountActor is the audit-log actor of account a (client: its address).
func (e *Engine) AccountActor(a *account.Account, client string) account.Actor {
	act := e.KeyActor(AccountKey(a), client)
	act.Key, act.Account = 0, a.ID
	return act
}

// AccountSubject is the organisation and region account a concerns, for
// the audit log: a regulator's region, else its organisation's.
func (e *Engine) AccountSubject(a *account.Account) account.Subject {
	if a.Role.Regional() {
		return account.Subject{Org: a.Org, Region: a.Region}
	}
	return account.Subject{Org: a.Org, Region: e.orgRegion(a.Org)}
}

// OrgSubject is organisation org as the subject of an audited action.
func (e *Engine) OrgSubject(org uint32) account.Subject {
	return account.Subject{Org: org, Region: e.orgRegion(org)}
}

// AuditViewer is which audit entries k reads: the operator's key every
// one, a regulator's those of its region, an organisation's admin those by
// or about its organisation, any other key none.
func AuditViewer(k APIKey) account.Viewer {
	switch {
	case k.Org == 0 && k.Scopes.Has(ScopeAdmin):
		return account.Viewer{Operator: true}
	case k.Scopes.Has(ScopeRegulator) && k.Region != 0:
		return account.Viewer{Region: k.Region}
	case k.Org != 0 && k.Scopes.Has(ScopeAdmin):
		return account.Viewer{Org: k.Org}
	}
	return account.Viewer{}
}

// CreateAccount creates the account o for actor: account.Authorize
// decides who may; the organisation of an enterprise account or an
// inspector must exist.
func (e *Engine) CreateAccount(actor account.Actor, o account.NewOptions) (account.Account, error) {
	s, err := e.Accounts()
	if err != nil {
		return account.Account{}, err
	}
	if o.Org != 0 {
		if _, err := e.Org(o.Org); err != nil {
			if errors.Is(err, ErrUnknownOrg) {
				return account.Account{}, fmt.Errorf("%w: org: no organisation %d", account.ErrInvalid, o.Org)
			}
			return account.Account{}, err
		}
	}
	subj := account.Subject{Org: o.Org, Region: o.Region}
	if subj.Region == 0 {
		subj.Region = e.orgRegion(o.Org)
	}
	return s.Create(actor, o, subj)
}

// Login checks a login form's credentials and opens a session (see
// account.Store.Login).
func (e *Engine) Login(c account.Credentials) (token string, sess account.Session, a account.Account, err error) {
	s, err := e.Accounts()
	if err != nil {
		return "", account.Session{}, account.Account{}, err
	}
	return s.Login(c, func(a *account.Account) account.Subject { return e.AccountSubject(a) })
}
