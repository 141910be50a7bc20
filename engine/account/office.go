package account

// Accounts and API keys as the audit log and the console see them: the
// key an account acts as, the actor and subject of an audited action,
// and an account created for an organisation that exists.

import (
	"errors"
	"fmt"

	"tracecode/engine/apikey"
	"tracecode/engine/model"
)

// Orgs is what the store asks of the engine's organisations.
type Orgs interface {
	Org(id uint32) (model.Org, error)
	OrgRegion(id uint32) uint32
}

// orgRegion returns organisation org's division (0: none, or no Orgs).
func (s *Store) orgRegion(org uint32) uint32 {
	if s.o.Orgs == nil || org == 0 {
		return 0
	}
	return s.o.Orgs.OrgRegion(org)
}

// KeyOf is what account a may see and do, as the API key that sees and
// does the same: an operator is the admin key of no organisation, a
// regulator or inspector a regulator key of its region (an inspector of an
// agency also records its inspections), an enterprise admin its
// organisation's key with every scope, an enterprise user the same
// without admin. A regulator account and a regulator key of one region see
// one and the same chain.
func KeyOf(a *Account) apikey.Key {
	k := apikey.Key{Org: a.Org, Name: a.Login, Created: a.Created, Revoked: a.Disabled}
	switch a.Role {
	case RoleOperator:
		k.Org, k.Scopes = 0, apikey.ScopeAdmin
	case RoleRegulator:
		k.Org, k.Scopes, k.Region = 0, apikey.ScopeRegulator, a.Region
	case RoleInspector:
		k.Scopes, k.Region = apikey.ScopeRegulator, a.Region
		if a.Org != 0 {
			k.Scopes |= apikey.ScopeEvents
		}
	case RoleEnterpriseAdmin:
		k.Scopes = apikey.ScopeAdmin | apikey.ScopeMint | apikey.ScopeReport | apikey.ScopeEvents
	case RoleEnterpriseUser:
		k.Scopes = apikey.ScopeMint | apikey.ScopeReport | apikey.ScopeEvents
	}
	return k
}

// ViewerOf is which audit entries key k reads: the operator's key every
// one, a regulator's those of its region, an organisation's admin those
// by or about its organisation, any other key none.
func ViewerOf(k apikey.Key) Viewer {
	switch {
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		return Viewer{Operator: true}
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0:
		return Viewer{Region: k.Region}
	case k.Org != 0 && k.Scopes.Has(apikey.ScopeAdmin):
		return Viewer{Org: k.Org}
	}
	return Viewer{}
}

// KeyActor is the audit-log actor of API key k (client: its address).
func (s *Store) KeyActor(k apikey.Key, client string) Actor {
	a := Actor{Key: k.ID, Org: k.Org, Region: k.Region, Client: client,
		Operator: k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin), Admin: k.Org != 0 && k.Scopes.Has(apikey.ScopeAdmin)}
	if a.Region == 0 {
		a.Region = s.orgRegion(k.Org)
	}
	return a
}

// AccountActor is the audit-log actor of account a (client: its address).
func (s *Store) AccountActor(a *Account, client string) Actor {
	act := s.KeyActor(KeyOf(a), client)
	act.Key, act.Account = 0, a.ID
	return act
}

// SubjectOf is the organisation and region account a concerns, for the
// audit log: a regulator's region, else its organisation's.
func (s *Store) SubjectOf(a *Account) Subject {
	if a.Role.Regional() {
		return Subject{Org: a.Org, Region: a.Region}
	}
	return Subject{Org: a.Org, Region: s.orgRegion(a.Org)}
}

// OrgSubject is organisation org as the subject of an audited action.
func (s *Store) OrgSubject(org uint32) Subject {
	return Subject{Org: org, Region: s.orgRegion(org)}
}

// Add creates the account o for actor: Authorize decides who may; the
// organisation of an enterprise account or an inspector must exist.
func (s *Store) Add(actor Actor, o NewOptions) (Account, error) {
	if o.Org != 0 {
		if s.o.Orgs == nil {
			return Account{}, fmt.Errorf("%w: org: no organisation %d", ErrInvalid, o.Org)
		}
		if _, err := s.o.Orgs.Org(o.Org); err != nil {
			if errors.Is(err, model.ErrUnknownOrg) {
				return Account{}, fmt.Errorf("%w: org: no organisation %d", ErrInvalid, o.Org)
			}
			return Account{}, err
		}
	}
	subj := Subject{Org: o.Org, Region: o.Region}
	if subj.Region == 0 {
		subj.Region = s.orgRegion(o.Org)
	}
	return s.Create(actor, o, subj)
}
