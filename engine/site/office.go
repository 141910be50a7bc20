package site

// The sites as API keys use them (Office): who adds and changes an
// organisation's sites, and which sites a key sees.

import (
	"errors"
	"fmt"

	"tracecode/engine/apikey"
	"tracecode/engine/model"
)

// Orgs is what the office asks of the engine: an organisation by id
// (model.ErrUnknownOrg when there is none).
type Orgs interface {
	Org(id uint32) (model.Org, error)
}

// Office is the site book as keys use it. It is safe for concurrent use.
type Office struct {
	// Book is the site book.
	Book *Book
	orgs Orgs
	now  func() int64 // unix ms
}

// NewOffice returns the office over b, asking orgs, with the clock now.
func NewOffice(b *Book, orgs Orgs, now func() int64) *Office {
	return &Office{Book: b, orgs: orgs, now: now}
}

// mayManage reports whether key k may change organisation org's sites:
// its own admin key, or the operator's.
func mayManage(k apikey.Key, org uint32) bool {
	return k.Scopes.Has(apikey.ScopeAdmin) && (k.Org == org || k.Org == 0)
}

// modelErr wraps the book's errors in the engine's sentinels
// (model.ErrConflict, model.ErrInvalid; ErrNotFound stays itself).
func modelErr(err error) error {
	switch {
	case errors.Is(err, ErrConflict):
		return fmt.Errorf("%w: %w", model.ErrConflict, err)
	case errors.Is(err, ErrInvalid):
		return fmt.Errorf("%w: %w", model.ErrInvalid, err)
	}
	return err
}

// Add adds a site (a factory, a warehouse, a shop, a filling station …)
// to organisation org: its admin key or the operator's.
func (o *Office) Add(k apikey.Key, org uint32, in *Input) (Site, error) {
	if !mayManage(k, org) {
		return Site{}, fmt.Errorf("%w: only organisation %d's admin key or the operator adds its sites", model.ErrWrongOrg, org)
	}
	if _, err := o.orgs.Org(org); err != nil {
		return Site{}, err
	}
	s, err := o.Book.Add(org, in, o.now())
	return s, modelErr(err)
}

// Update replaces site id of organisation org (its name, kind, region,
// GLN, code, address, or closes it): its admin key or the operator's.
func (o *Office) Update(k apikey.Key, org, id uint32, in *Input) (Site, error) {
	if !mayManage(k, org) {
		return Site{}, fmt.Errorf("%w: only organisation %d's admin key or the operator changes its sites", model.ErrWrongOrg, org)
	}
	s, err := o.Book.Update(org, id, in, o.now())
	return s, modelErr(err)
}

// Of returns the sites of organisation org that key k may see: all of
// them for the organisation's own keys and the operator; for a regulator,
// all of them when its region covers the organisation's registered
// address, else those in its region. Another organisation's key sees none
// (model.ErrWrongOrg).
func (o *Office) Of(k apikey.Key, org uint32) ([]Site, error) {
	g, err := o.orgs.Org(org)
	if err != nil {
		return nil, err
	}
	all := o.Book.OfOrg(org)
	switch {
	case k.Org == org && org != 0, k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		return all, nil
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0:
		if apikey.RegionCovers(k.Region, g.Region) {
			return all, nil
		}
		var out []Site
		for _, s := range all {
			if apikey.RegionCovers(k.Region, s.Region) {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: organisation %d's sites", model.ErrWrongOrg, org)
}

// InRegion returns every site in region (a regulator's, at any level),
// whoever owns it: a county regulator's list of the plants, stores and
// shops it inspects.
func (o *Office) InRegion(region uint32) []Site {
	return o.Book.InRegion(func(r uint32) bool { return apikey.RegionCovers(region, r) })
}

// MovedInto returns the divisions outside division where the region
// index may hold events of sites in it today (Book.Before): those sites'
// earlier regions, and their organisations' for sites added since.
func (o *Office) MovedInto(division uint32) []uint32 {
	return o.Book.Before(func(r uint32) bool { return apikey.RegionCovers(division, r) }, func(org uint32) uint32 {
		g, err := o.orgs.Org(org)
		if err != nil {
			return 0
		}
		return g.Region
	})
}
