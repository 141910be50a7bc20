package engine

// The engine's facade over engine/sector: the category office (a
// product's profile and master data, an item's master data, a filling
// station's media, the fill interlock, the facts a scan shows, rare-earth
// balances, the profiles' alert rules) and the engine as it asks it
// (sectorParts).

import (
	"context"
	"sync"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	_ "tracecode/engine/category/all" // every category profile
	"tracecode/engine/category/rareearth"
	"tracecode/engine/code"
	"tracecode/engine/sector"
	"tracecode/engine/store"
)

// The category office's requests and answers (see package sector).
type (
	ProfileSpec = sector.ProfileSpec
	ItemSpec    = sector.ItemSpec
	FillCheck   = sector.FillCheck
)

// sectorState makes the category office on first use.
type sectorState struct {
	once sync.Once
	off  *sector.Office
}

// sectorOffice returns the engine's category office.
func (e *Engine) sectorOffice() *sector.Office {
	e.sector.once.Do(func() { e.sector.off = sector.NewOffice(e.db, sectorParts{e}, e.location()) })
	return e.sector.off
}

// sectorBook returns the category book, loading it on first use.
func (e *Engine) sectorBook() (*sector.Book, error) { return e.sectorOffice().Book() }

// sectorAlertRules returns every profile's alert rules.
func (e *Engine) sectorAlertRules() []alert.Rule { return e.sectorOffice().AlertRules() }

// location is the engine's time zone for calendar dates.
func (e *Engine) location() *time.Location {
	if e.opts.Location != nil {
		return e.opts.Location
	}
	return time.Local
}

// SetProductProfile validates and stores a product's category profile and
// master data (sector.Office.SetProductProfile).
func (e *Engine) SetProductProfile(ctx context.Context, spec ProfileSpec) (sector.ProductProfile, error) {
	return e.sectorOffice().SetProductProfile(ctx, spec)
}

// ProductProfile returns product's category profile (ok false: none).
func (e *Engine) ProductProfile(product uint32) (sector.ProductProfile, bool) {
	return e.sectorOffice().ProductProfile(product)
}

// RegisterItem validates and stores an item's master data against its
// product's profile (sector.Office.RegisterItem).
func (e *Engine) RegisterItem(ctx context.Context, spec ItemSpec) (sector.Item, error) {
	return e.sectorOffice().RegisterItem(ctx, spec)
}

// SectorItems returns the registered items of product.
func (e *Engine) SectorItems(product uint32) ([]sector.Item, error) {
	return e.sectorOffice().Items(product)
}

// SetStation records the media organisation org fills as a gas filling
// station (sector.Office.SetStation).
func (e *Engine) SetStation(ctx context.Context, org uint32, media []string) (sector.Org, error) {
	return e.sectorOffice().SetStation(ctx, org, media)
}

// CheckFill asks the fill interlock whether the filling station with
// USCC station may fill the cylinder scanned as code at time at
// (sector.Office.CheckFill).
func (e *Engine) CheckFill(code, station string, at time.Time) (FillCheck, error) {
	return e.sectorOffice().CheckFill(code, station, at)
}

// SectorFacts returns the category facts of an issued code or of a lot
// at now (sector.Office.Facts).
func (e *Engine) SectorFacts(product uint32, counter uint64, item bool, lot uint32, now time.Time, public bool) []category.Fact {
	return e.sectorOffice().Facts(product, counter, item, lot, now, public)
}

// ItemBySectorCode reports whether code is a sector code a registered
// item carries and which item (sector.Office.ItemByCode).
func (e *Engine) ItemBySectorCode(f code.SectorFormat, value string) (sector.ItemKey, bool) {
	return e.sectorOffice().ItemByCode(f, value)
}

// RareEarthBalance returns the month's REO mass balance of the enterprise
// whose rare-earth flow is recorded on the lot numbered lot of product
// (sector.Office.RareEarthBalance).
func (e *Engine) RareEarthBalance(product uint32, lot string, month time.Time) (rareearth.Balance, error) {
	return e.sectorOffice().RareEarthBalance(product, lot, month)
}

// sectorParts is the engine as the category office asks it
// (sector.Engine).
type sectorParts struct{ *Engine }

func (p sectorParts) OrgRegion(org uint32) uint32 { return p.orgRegion(org) }

func (p sectorParts) Commit(b *store.Batch) error { return p.commit(b) }

func (p sectorParts) ItemOwner(k sector.ItemKey) sector.Owner {
	if c := p.trace.Load(); c != nil {
		return c.SectorOwner(k)
	}
	return sector.Owner{}
}

func (p sectorParts) Alerts() *alert.Evaluator {
	if n := p.Notices(); n != nil {
		return n.Alerts
	}
	return nil
}
