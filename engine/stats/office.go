package stats

// The statistics as the engine's callers use them (Office): who may read
// which counts, and the scan log's tallies folded into its flushes. The
// rules of what is counted live here (the metrics) and in the writes that
// build each Delta (which records count as what).

import (
	"errors"
	"fmt"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/model"
	"tracecode/engine/scanlog"
	"tracecode/engine/store"
)

// Registry is what the office asks of the master data: a product (for
// its organisation and category) and an organisation's region.
type Registry interface {
	// ProductByID returns product id, or nil.
	ProductByID(id uint32) *model.Product
	// OrgRegion returns organisation org's region (0 if none).
	OrgRegion(org uint32) uint32
}

// Office reads the committed counts for API keys and counts the scan
// log's flushes. It is safe for concurrent use.
type Office struct {
	db  *store.DB
	k   *Keeper
	reg Registry
	loc *time.Location
}

// NewOffice returns the office over db, folding counts in through k and
// asking reg; loc is the time zone of business days.
func NewOffice(db *store.DB, k *Keeper, reg Registry, loc *time.Location) *Office {
	return &Office{db: db, k: k, reg: reg, loc: loc}
}

// Query answers a statistics query from the committed counts (see Read).
func (o *Office) Query(q Query) (Answer, error) { return Read(o.db, q) }

// For answers q as key may see it. The operator's key (admin, no
// organisation) sees every region and organisation. A regulator's key sees
// its region and every division below it (q.Region 0 means its own
// region) and each organisation registered there. An organisation's key
// sees its own counts only (q.Org 0 means its own). Anything else is
// refused with model.ErrWrongOrg; a malformed query wraps
// model.ErrInvalid and ErrQuery.
func (o *Office) For(key apikey.Key, q Query) (Answer, error) {
	switch {
	case key.Org == 0 && key.Scopes.Has(apikey.ScopeAdmin):
	case key.Org != 0:
		if q.Region != 0 || (q.Org != 0 && q.Org != key.Org) {
			return Answer{}, fmt.Errorf("%w: an organisation's key sees its own statistics only, not a region's or another organisation's", model.ErrWrongOrg)
		}
		q.Org = key.Org
	case key.Scopes.Has(apikey.ScopeRegulator):
		if q.Org != 0 {
			if !apikey.RegionCovers(key.Region, o.reg.OrgRegion(q.Org)) {
				return Answer{}, fmt.Errorf("%w: organisation %d is not registered in the regulator's region %d", model.ErrWrongOrg, q.Org, key.Region)
			}
			break
		}
		if q.Region == 0 {
			q.Region = key.Region
		}
		if !apikey.RegionCovers(key.Region, q.Region) {
			return Answer{}, fmt.Errorf("%w: region %d is outside the regulator's region %d", model.ErrWrongOrg, q.Region, key.Region)
		}
	default:
		return Answer{}, fmt.Errorf("%w: the key is neither the operator's, a regulator's nor an organisation's", model.ErrWrongOrg)
	}
	a, err := Read(o.db, q)
	if errors.Is(err, ErrQuery) {
		return a, fmt.Errorf("%w: %w", model.ErrInvalid, err)
	}
	return a, err
}

// CountScans commits a scan-log flush's batch b with its tallied scans
// folded in: public scans and newly suspicious items, at the product's
// organisation's region and the product's category, on the scan's
// business day (the quarter hour's first instant). It is the scan log's
// scanlog.Counter.
func (o *Office) CountScans(b *store.Batch, t map[scanlog.Tally]scanlog.TallyCount, commit func() error) error {
	var d Delta
	for k, c := range t {
		var org, region uint32
		var cat model.Category
		if p := o.reg.ProductByID(k.Product); p != nil {
			org, region, cat = p.Org, o.reg.OrgRegion(p.Org), p.Category
		}
		day := Day(k.Quarter*900_000, o.loc)
		d.Add(org, region, cat, day, Scans, c.Scans)
		d.Add(org, region, cat, day, Suspicious, c.Suspicious)
	}
	return o.k.Commit(b, &d, commit)
}
