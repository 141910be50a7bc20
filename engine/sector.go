package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"tracecode/engine/category"
	_ "tracecode/engine/category/all" // every category profile
	"tracecode/engine/category/cylinder"
	"tracecode/engine/code"
	"tracecode/engine/sector"
)

// This file is the facade of the category (sector) data (engine/sector):
// a product's profile and master data, an item's master data, a filling
// station's media, category events on capture, the fill interlock and the
// facts a scan shows. The rules are the profiles' (engine/category); the
// records and their validation are engine/sector's.

// sectorState loads the book on first use.
type sectorState struct {
	// wmu serializes the category writes: each validates against the
	// book, commits and publishes before the next validates.
	wmu  sync.Mutex
	once sync.Once
	bk   *sector.Book
	err  error
}

// sectorBook returns the category book, loading it from the store the
// first time.
func (e *Engine) sectorBook() (*sector.Book, error) {
	s := &e.sector
	s.once.Do(func() {
		s.bk, s.err = sector.Load(e.db, func(org uint32) string {
			if o, err := e.Org(org); err == nil {
				return o.USCC
			}
			return ""
		})
	})
	return s.bk, s.err
}

// sectorErr maps the category errors to the engine's sentinels.
func sectorErr(err error) error {
	switch {
	case err == nil:
		return nil
	case category.IsInvalid(err), errors.Is(err, sector.ErrNoProfile), errors.Is(err, sector.ErrNotRegistered):
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	case errors.Is(err, sector.ErrDuplicate):
		return fmt.Errorf("%w: %w", ErrExists, err)
	case errors.Is(err, cylinder.ErrUnknownStation):
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return err
}

// ProfileSpec sets a product's category profile and master data.
type ProfileSpec struct {
	// Org is the organisation acting: it must own the product (0: the
	// operator).
	Org     uint32
	Product uint32
	// Profile names the profile ("gas-cylinder", "pesticide", "dairy" …);
	// it must refine the product's category.
	Profile string
	Fields  category.Record
}

// SetProductProfile validates and stores a product's category profile and
// master data (replacing what it had). Every problem is reported, each
// naming its field.
func (e *Engine) SetProductProfile(ctx context.Context, spec ProfileSpec) (sector.ProductProfile, error) {
	if err := ctx.Err(); err != nil {
		return sector.ProductProfile{}, err
	}
	bk, err := e.sectorBook()
	if err != nil {
		return sector.ProductProfile{}, err
	}
	e.sector.wmu.Lock()
	defer e.sector.wmu.Unlock()
	p, err := e.Product(spec.Product)
	if err != nil {
		return sector.ProductProfile{}, err
	}
	if spec.Org != 0 && p.Org != spec.Org {
		return sector.ProductProfile{}, fmt.Errorf("%w: product %d is organisation %d's", ErrWrongOrg, p.ID, p.Org)
	}
	prof, err := sector.CheckProduct(p.Category, spec.Profile, spec.Fields)
	if err != nil {
		return sector.ProductProfile{}, sectorErr(err)
	}
	pp := sector.ProductProfile{Product: p.ID, Profile: prof.Name(), Updated: e.nowMillis(),
		Fields: sector.HashPrivate(prof.ProductFields(), spec.Fields)}
	b := e.db.NewBatch()
	if err := b.Set(sector.ProductKey(p.ID), pp.AppendBinary(nil)); err != nil {
		b.Close()
		return sector.ProductProfile{}, err
	}
	if err := e.commit(b); err != nil {
		return sector.ProductProfile{}, err
	}
	bk.PutProduct(pp)
	return pp, nil
}

// ProductProfile returns product's category profile (ok false: none).
func (e *Engine) ProductProfile(product uint32) (sector.ProductProfile, bool) {
	bk, err := e.sectorBook()
	if err != nil {
		return sector.ProductProfile{}, false
	}
	pp, _, ok := bk.Profile(product)
	return pp, ok
}

// ItemSpec registers an item's category master data: the item is one
// issued code (Code, in any form the resolver reads) or one lot (Product
// and Lot, the lot number).
type ItemSpec struct {
	// Org is the organisation acting: it must own the item's product
	// (0: the operator).
	Org     uint32
	Code    string
	Product uint32
	Lot     string
	Fields  category.Record
}

// RegisterItem validates and stores an item's master data against its
// product's profile (replacing what it had).
func (e *Engine) RegisterItem(ctx context.Context, spec ItemSpec) (sector.Item, error) {
	if err := ctx.Err(); err != nil {
		return sector.Item{}, err
	}
	bk, err := e.sectorBook()
	if err != nil {
		return sector.Item{}, err
	}
	var key sector.ItemKey
	var product uint32
	switch {
	case spec.Code != "" && spec.Lot != "":
		return sector.Item{}, fieldErr("lot", spec.Lot, "names a lot; an item is a code or a lot, not both")
	case spec.Code != "":
		r, err := e.Lookup(spec.Code)
		if err != nil {
			return sector.Item{}, err
		}
		key, product = sector.CodeItem(r.Product.ID, r.Counter), r.Product.ID
	case spec.Lot != "":
		l, err := e.LotByNumber(spec.Product, spec.Lot)
		if err != nil {
			return sector.Item{}, err
		}
		key, product = sector.LotItem(l.ID), l.Product
	default:
		return sector.Item{}, fieldErr("code", "", "is required (or product and lot)")
	}
	p, err := e.Product(product)
	if err != nil {
		return sector.Item{}, err
	}
	if spec.Org != 0 && p.Org != spec.Org {
		return sector.Item{}, fmt.Errorf("%w: product %d is organisation %d's", ErrWrongOrg, p.ID, p.Org)
	}
	e.sector.wmu.Lock()
	defer e.sector.wmu.Unlock()
	fields, err := bk.CheckItem(key, product, spec.Fields)
	if err != nil {
		return sector.Item{}, sectorErr(err)
	}
	it := sector.Item{Key: key, Product: product, Fields: fields, Org: spec.Org, Updated: e.nowMillis()}
	b := e.db.NewBatch()
	if err := b.Set(sector.ItemRecordKey(key), it.AppendBinary(nil)); err != nil {
		b.Close()
		return sector.Item{}, err
	}
	ev, err := e.scheduleSectorItem(b, bk, it)
	if err != nil {
		b.Close()
		return sector.Item{}, err
	}
	if err := e.commit(b); err != nil {
		return sector.Item{}, err
	}
	bk.PutItem(it)
	if ev != nil {
		ev.Committed()
	}
	return it, nil
}

// SectorItems returns the registered items of product.
func (e *Engine) SectorItems(product uint32) ([]sector.Item, error) {
	bk, err := e.sectorBook()
	if err != nil {
		return nil, err
	}
	return bk.Items(product), nil
}

// SetStation records the media organisation org fills as a gas filling
// station (the fill interlock asks it). The organisation needs a USCC: the
// station is named by it in fills and interlock requests.
func (e *Engine) SetStation(ctx context.Context, org uint32, media []string) (sector.Org, error) {
	if err := ctx.Err(); err != nil {
		return sector.Org{}, err
	}
	bk, err := e.sectorBook()
	if err != nil {
		return sector.Org{}, err
	}
	o, err := e.Org(org)
	if err != nil {
		return sector.Org{}, err
	}
	if o.USCC == "" {
		return sector.Org{}, fieldErr("org", fmt.Sprint(org), "has no unified social credit code: a filling station is named by it")
	}
	if err := sector.CheckMedia(media); err != nil {
		return sector.Org{}, sectorErr(err)
	}
	e.sector.wmu.Lock()
	defer e.sector.wmu.Unlock()
	so := sector.Org{Org: org, Media: slices.Clone(media), Updated: e.nowMillis()}
	b := e.db.NewBatch()
	if err := b.Set(sector.OrgKey(org), so.AppendBinary(nil)); err != nil {
		b.Close()
		return sector.Org{}, err
	}
	if err := e.commit(b); err != nil {
		return sector.Org{}, err
	}
	bk.PutOrg(so)
	return so, nil
}

// FillCheck is the fill interlock's answer for one cylinder.
type FillCheck struct {
	cylinder.Decision
	RegCode string // the cylinder's registration code
}

// CheckFill asks the fill interlock whether the filling station with
// USCC station may fill the cylinder scanned as code (its 气瓶登记代码, or
// the trace code of a registered cylinder) at time at. A station that is
// not registered, or a code that is neither, is ErrInvalid.
func (e *Engine) CheckFill(code, station string, at time.Time) (FillCheck, error) {
	bk, err := e.sectorBook()
	if err != nil {
		return FillCheck{}, err
	}
	today := category.DateOf(at.In(e.location()))
	d, err := bk.CheckFill(code, station, today)
	if err == nil || errors.Is(err, cylinder.ErrUnknownStation) {
		return FillCheck{Decision: d, RegCode: code}, sectorErr(err)
	}
	// Not a registration code: the trace code on the cylinder's tag.
	r, lerr := e.Lookup(code)
	if lerr != nil {
		return FillCheck{}, fmt.Errorf("%w: code %q is neither a cylinder registration code (%v) nor a trace code (%v)", ErrInvalid, code, err, lerr)
	}
	it, ok := bk.Item(sector.CodeItem(r.Product.ID, r.Counter))
	reg := it.Fields.Get("reg_code")
	if !ok || reg == "" {
		// A trace code with no cylinder registration: not registered.
		if _, err := bk.CheckFill("", station, today); errors.Is(err, cylinder.ErrUnknownStation) {
			return FillCheck{}, sectorErr(err)
		}
		return FillCheck{Decision: cylinder.Decision{Reasons: cylinder.NotRegistered, Due: category.NoDate, ScrapBy: category.NoDate}}, nil
	}
	d, err = bk.CheckFill(reg, station, today)
	return FillCheck{Decision: d, RegCode: reg}, sectorErr(err)
}

// location is the engine's time zone for calendar dates.
func (e *Engine) location() *time.Location {
	if e.opts.Location != nil {
		return e.opts.Location
	}
	return time.Local
}

// SectorFacts returns the category facts of an issued code (item: its
// own registration, else its lot's) or of a lot (item false) at now; nil
// when it has none. public keeps only the facts anyone who scans may see.
func (e *Engine) SectorFacts(product uint32, counter uint64, item bool, lot uint32, now time.Time, public bool) []category.Fact {
	bk, err := e.sectorBook()
	if err != nil {
		return nil
	}
	region := uint32(0)
	if p, err := e.Product(product); err == nil {
		region = e.orgRegion(p.Org)
	}
	var facts []category.Fact
	if item {
		facts = bk.Facts(sector.CodeItem(product, counter), region, now)
	}
	if facts == nil && lot != 0 {
		facts = bk.Facts(sector.LotItem(lot), region, now)
	}
	if facts == nil && lot != 0 {
		facts = e.sourceFacts(bk, lot, region, now)
	}
	if public {
		facts = slices.DeleteFunc(facts, func(f category.Fact) bool { return !f.Public })
	}
	return facts
}

// ItemBySectorCode reports whether code is a sector code a registered
// item carries (a cylinder's registration code, an elevator's code or
// rescue id) and which item.
func (e *Engine) ItemBySectorCode(f code.SectorFormat, value string) (sector.ItemKey, bool) {
	bk, err := e.sectorBook()
	if err != nil {
		return sector.ItemKey{}, false
	}
	return bk.ItemByCode(f.String(), value)
}
