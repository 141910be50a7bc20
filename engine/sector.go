package engine

// The engine's facade over engine/sector: the category office (a
// product's profile and master data, an item's master data, a filling
// station's media, the fill interlock, the facts a scan shows, rare-earth
// balances, the profiles' alert rules), which Sectors returns, and the
// engine as it asks it (sectorParts).

import (
	"sync"
	"time"

	"tracecode/engine/alert"
	_ "tracecode/engine/category/all" // every category profile
	"tracecode/engine/issue"
	"tracecode/engine/sector"
	"tracecode/engine/store"
)

// sectorState makes the category office on first use.
type sectorState struct {
	once sync.Once
	off  *sector.Office
}

// Sectors returns the engine's category office: products' profiles and
// master data, items' master data, filling stations, the fill interlock,
// a scan's category facts and rare-earth balances (see sector.Office).
func (e *Engine) Sectors() *sector.Office {
	e.sector.once.Do(func() { e.sector.off = sector.NewOffice(e.db, sectorParts{e, e.iss}, e.location()) })
	return e.sector.off
}

// location is the engine's time zone for calendar dates.
func (e *Engine) location() *time.Location {
	if e.opts.Location != nil {
		return e.opts.Location
	}
	return time.Local
}

// sectorParts is the engine as the category office asks it
// (sector.Engine).
type sectorParts struct {
	*Engine
	*issue.Book
}

func (p sectorParts) Commit(b *store.Batch) error { return p.iss.Commit(b, nil, nil, nil) }

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
