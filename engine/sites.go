package engine

import (
	"errors"
	"fmt"
	"sync"

	"tracecode/engine/site"
)

// siteState is the organisations' sites (engine/site), loaded on first
// use.
type siteState struct {
	once sync.Once
	bk   *site.Book
	err  error
}

// siteBook returns the site book, loading it the first time.
func (e *Engine) siteBook() (*site.Book, error) {
	s := &e.sites
	s.once.Do(func() { s.bk, s.err = site.Open(e.db) })
	return s.bk, s.err
}

// siteErr maps the site book's errors to the engine's sentinels
// (site.ErrNotFound stays itself).
func siteErr(err error) error {
	switch {
	case errors.Is(err, site.ErrConflict):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case errors.Is(err, site.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return err
}

// AddSite adds a site (a factory, a warehouse, a shop, a filling station
// …) to organisation org: its admin key or the operator's.
func (e *Engine) AddSite(k APIKey, org uint32, in *site.Input) (site.Site, error) {
	if !mayManageOrg(k, org) {
		return site.Site{}, fmt.Errorf("%w: only organisation %d's admin key or the operator adds its sites", ErrWrongOrg, org)
	}
	if _, err := e.Org(org); err != nil {
		return site.Site{}, err
	}
	bk, err := e.siteBook()
	if err != nil {
		return site.Site{}, err
	}
	s, err := bk.Add(org, in, e.nowMillis())
	return s, siteErr(err)
}

// UpdateSite replaces site id of organisation org (its name, kind,
// region, GLN, code, address, or closes it): its admin key or the
// operator's.
func (e *Engine) UpdateSite(k APIKey, org, id uint32, in *site.Input) (site.Site, error) {
	if !mayManageOrg(k, org) {
		return site.Site{}, fmt.Errorf("%w: only organisation %d's admin key or the operator changes its sites", ErrWrongOrg, org)
	}
	bk, err := e.siteBook()
	if err != nil {
		return site.Site{}, err
	}
	s, err := bk.Update(org, id, in, e.nowMillis())
	return s, siteErr(err)
}

// Sites returns the sites of organisation org that key k may see: all of
// them for the organisation's own keys and the operator; for a regulator,
// all of them when its region covers the organisation's registered
// address, else those in its region. Another organisation's key sees none
// (ErrWrongOrg).
func (e *Engine) Sites(k APIKey, org uint32) ([]site.Site, error) {
	o, err := e.Org(org)
	if err != nil {
		return nil, err
	}
	bk, err := e.siteBook()
	if err != nil {
		return nil, err
	}
	all := bk.OfOrg(org)
	switch {
	case k.Org == org && org != 0, k.Org == 0 && k.Scopes.Has(ScopeAdmin):
		return all, nil
	case k.Scopes.Has(ScopeRegulator) && k.Region != 0:
		if RegionCovers(k.Region, o.Region) {
			return all, nil
		}
		var out []site.Site
		for _, s := range all {
			if RegionCovers(k.Region, s.Region) {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: organisation %d's sites", ErrWrongOrg, org)
}

// SitesInRegion returns every site in region (a regulator's, at any
// level), whoever owns it: a county regulator's list of the plants,
// stores and shops it inspects.
func (e *Engine) SitesInRegion(region uint32) ([]site.Site, error) {
	bk, err := e.siteBook()
	if err != nil {
		return nil, err
	}
	return bk.InRegion(func(r uint32) bool { return RegionCovers(region, r) }), nil
}

// SiteByGLN returns the site a GLN names (an event's SGLN bizLocation or
// read point, by its GLN), if one is registered.
func (e *Engine) SiteByGLN(gln string) (site.Site, bool) {
	bk, err := e.siteBook()
	if err != nil {
		return site.Site{}, false
	}
	return bk.ByGLN(gln)
}
