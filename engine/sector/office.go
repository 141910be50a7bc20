package sector

// The category book as the engine's callers use it (Office): a product's
// profile and master data, an item's master data, a filling station's
// media, the fill interlock, the facts a scan shows, a rare-earth mass
// balance and the profiles' alert rules. The rules are the profiles'
// (engine/category); the records and their validation are the Book's;
// the office asks the engine through Engine.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/category/cylinder"
	"tracecode/engine/category/rareearth"
	"tracecode/engine/code"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Engine is what the office asks of the engine: the master data, code
// lookup, the commit of its batches (serialised with issuance's
// writers), the report chain's owner of an item and the alert
// evaluator, and the clock.
type Engine interface {
	Now() time.Time
	Org(id uint32) (model.Org, error)
	Product(id uint32) (model.Product, error)
	Lot(id uint32) (model.Lot, error)
	LotByNumber(product uint32, number string) (model.Lot, error)
	Lookup(input string) (model.LookupResult, error)
	// OrgRegion returns organisation org's region (0 if none).
	OrgRegion(org uint32) uint32
	// Commit commits b with fsync under the engine's write lock.
	Commit(b *store.Batch) error
	// ItemOwner returns item k's producer, division and code.
	ItemOwner(k ItemKey) Owner
	// Alerts returns the alert evaluator, or nil before the notices are
	// open (due dates are then not scheduled).
	Alerts() *alert.Evaluator
}

// Office is the category book with who may write it. It is safe for
// concurrent use; the book is loaded on first use.
type Office struct {
	db  *store.DB
	eng Engine
	loc *time.Location

	// wmu serializes the category writes: each validates against the
	// book, commits and publishes before the next validates.
	wmu  sync.Mutex
	once sync.Once
	bk   *Book
	err  error

	// facts caches the facts of codes that have none of their own, by
	// product, lot and audience (see Facts).
	factsMu sync.RWMutex
	facts   map[factsKey]factsEntry // GUARDED_BY(factsMu)
}

type factsKey struct {
	product, lot uint32
	public       bool
}

// factsEntry is the facts a product's record gives a lot's codes, as of
// book generation gen. Read-only once stored.
type factsEntry struct {
	gen   uint64
	facts []category.Fact
}

const maxFactsEntries = 1 << 16

// NewOffice returns the office over db, asking eng; loc is the time zone
// of calendar dates.
func NewOffice(db *store.DB, eng Engine, loc *time.Location) *Office {
	return &Office{db: db, eng: eng, loc: loc}
}

func (o *Office) nowMillis() int64 { return o.eng.Now().UnixMilli() }

// Book returns the category book, loading it from the store the first
// time.
func (o *Office) Book() (*Book, error) {
	o.once.Do(func() {
		o.bk, o.err = Load(o.db, func(org uint32) string {
			if g, err := o.eng.Org(org); err == nil {
				return g.USCC
			}
			return ""
		})
	})
	return o.bk, o.err
}

// officeErr maps the category errors to the engine's sentinels.
func officeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case category.IsInvalid(err), errors.Is(err, ErrNoProfile), errors.Is(err, ErrNotRegistered):
		return fmt.Errorf("%w: %w", model.ErrInvalid, err)
	case errors.Is(err, ErrDuplicate):
		return fmt.Errorf("%w: %w", model.ErrExists, err)
	case errors.Is(err, cylinder.ErrUnknownStation):
		return fmt.Errorf("%w: %w", model.ErrInvalid, err)
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
func (o *Office) SetProductProfile(ctx context.Context, spec ProfileSpec) (ProductProfile, error) {
	if err := ctx.Err(); err != nil {
		return ProductProfile{}, err
	}
	bk, err := o.Book()
	if err != nil {
		return ProductProfile{}, err
	}
	o.wmu.Lock()
	defer o.wmu.Unlock()
	p, err := o.eng.Product(spec.Product)
	if err != nil {
		return ProductProfile{}, err
	}
	if spec.Org != 0 && p.Org != spec.Org {
		return ProductProfile{}, fmt.Errorf("%w: product %d is organisation %d's", model.ErrWrongOrg, p.ID, p.Org)
	}
	prof, err := CheckProduct(p.Category, spec.Profile, spec.Fields)
	if err != nil {
		return ProductProfile{}, officeErr(err)
	}
	pp := ProductProfile{Product: p.ID, Profile: prof.Name(), Updated: o.nowMillis(),
		Fields: HashPrivate(prof.ProductFields(), spec.Fields)}
	b := o.db.NewBatch()
	if err := b.Set(ProductKey(p.ID), pp.AppendBinary(nil)); err != nil {
		b.Close()
		return ProductProfile{}, err
	}
	if err := o.eng.Commit(b); err != nil {
		return ProductProfile{}, err
	}
	bk.PutProduct(pp)
	return pp, nil
}

// ProductProfile returns product's category profile (ok false: none).
func (o *Office) ProductProfile(product uint32) (ProductProfile, bool) {
	bk, err := o.Book()
	if err != nil {
		return ProductProfile{}, false
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
func (o *Office) RegisterItem(ctx context.Context, spec ItemSpec) (Item, error) {
	if err := ctx.Err(); err != nil {
		return Item{}, err
	}
	bk, err := o.Book()
	if err != nil {
		return Item{}, err
	}
	var key ItemKey
	var product uint32
	switch {
	case spec.Code != "" && spec.Lot != "":
		return Item{}, model.FieldErrorf("lot", spec.Lot, "names a lot; an item is a code or a lot, not both")
	case spec.Code != "":
		r, err := o.eng.Lookup(spec.Code)
		if err != nil {
			return Item{}, err
		}
		key, product = CodeItem(r.Product.ID, r.Counter), r.Product.ID
	case spec.Lot != "":
		l, err := o.eng.LotByNumber(spec.Product, spec.Lot)
		if err != nil {
			return Item{}, err
		}
		key, product = LotItem(l.ID), l.Product
	default:
		return Item{}, model.FieldErrorf("code", "", "is required (or product and lot)")
	}
	p, err := o.eng.Product(product)
	if err != nil {
		return Item{}, err
	}
	if spec.Org != 0 && p.Org != spec.Org {
		return Item{}, fmt.Errorf("%w: product %d is organisation %d's", model.ErrWrongOrg, p.ID, p.Org)
	}
	o.wmu.Lock()
	defer o.wmu.Unlock()
	fields, err := bk.CheckItem(key, product, spec.Fields)
	if err != nil {
		return Item{}, officeErr(err)
	}
	it := Item{Key: key, Product: product, Fields: fields, Org: spec.Org, Updated: o.nowMillis()}
	b := o.db.NewBatch()
	if err := b.Set(ItemRecordKey(key), it.AppendBinary(nil)); err != nil {
		b.Close()
		return Item{}, err
	}
	ev, err := o.scheduleItem(b, bk, it)
	if err != nil {
		b.Close()
		return Item{}, err
	}
	if err := o.eng.Commit(b); err != nil {
		return Item{}, err
	}
	bk.PutItem(it)
	if ev != nil {
		ev.Committed()
	}
	return it, nil
}

// Items returns the registered items of product.
func (o *Office) Items(product uint32) ([]Item, error) {
	bk, err := o.Book()
	if err != nil {
		return nil, err
	}
	return bk.Items(product), nil
}

// SetStation records the media organisation org fills as a gas filling
// station (the fill interlock asks it). The organisation needs a USCC: the
// station is named by it in fills and interlock requests.
func (o *Office) SetStation(ctx context.Context, org uint32, media []string) (Org, error) {
	if err := ctx.Err(); err != nil {
		return Org{}, err
	}
	bk, err := o.Book()
	if err != nil {
		return Org{}, err
	}
	g, err := o.eng.Org(org)
	if err != nil {
		return Org{}, err
	}
	if g.USCC == "" {
		return Org{}, model.FieldErrorf("org", fmt.Sprint(org), "has no unified social credit code: a filling station is named by it")
	}
	if err := CheckMedia(media); err != nil {
		return Org{}, officeErr(err)
	}
	o.wmu.Lock()
	defer o.wmu.Unlock()
	so := Org{Org: org, Media: slices.Clone(media), Updated: o.nowMillis()}
	b := o.db.NewBatch()
	if err := b.Set(OrgKey(org), so.AppendBinary(nil)); err != nil {
		b.Close()
		return Org{}, err
	}
	if err := o.eng.Commit(b); err != nil {
		return Org{}, err
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
// not registered, or a code that is neither, is model.ErrInvalid.
func (o *Office) CheckFill(code, station string, at time.Time) (FillCheck, error) {
	bk, err := o.Book()
	if err != nil {
		return FillCheck{}, err
	}
	today := category.DateOf(at.In(o.loc))
	d, err := bk.CheckFill(code, station, today)
	if err == nil || errors.Is(err, cylinder.ErrUnknownStation) {
		return FillCheck{Decision: d, RegCode: code}, officeErr(err)
	}
	// Not a registration code: the trace code on the cylinder's tag.
	r, lerr := o.eng.Lookup(code)
	if lerr != nil {
		return FillCheck{}, fmt.Errorf("%w: code %q is neither a cylinder registration code (%v) nor a trace code (%v)", model.ErrInvalid, code, err, lerr)
	}
	it, ok := bk.Item(CodeItem(r.Product.ID, r.Counter))
	reg := it.Fields.Get("reg_code")
	if !ok || reg == "" {
		// A trace code with no cylinder registration: not registered.
		if _, err := bk.CheckFill("", station, today); errors.Is(err, cylinder.ErrUnknownStation) {
			return FillCheck{}, officeErr(err)
		}
		return FillCheck{Decision: cylinder.Decision{Reasons: cylinder.NotRegistered, Due: category.NoDate, ScrapBy: category.NoDate}}, nil
	}
	d, err = bk.CheckFill(reg, station, today)
	return FillCheck{Decision: d, RegCode: reg}, officeErr(err)
}

// Facts returns the category facts of an issued code (item: its
// own registration, else its lot's, else those of the items the lot was
// made from, else those its product's record alone gives) or of a lot
// (item false) at now; nil when it has none. public keeps only the facts anyone who scans may see.
func (o *Office) Facts(product uint32, counter uint64, item bool, lot uint32, now time.Time, public bool) []category.Fact {
	bk, err := o.Book()
	if err != nil {
		return nil
	}
	// Most codes have no record of their own, their lot none, and the lot
	// no source items: their facts are their product record's alone, the
	// same for every code of the lot and independent of now, so they are
	// kept by (product, lot) under the book's generation. (Profile of
	// resolve/http's uncached answers: the lookups of product, org, lot
	// and sources behind them were ~2 % of the handler.) The returned
	// slice is shared: callers copy it, never change it.
	if item && bk.Registered(CodeItem(product, counter)) {
		return o.computeFacts(bk, product, counter, item, lot, now, public)
	}
	gen := bk.Gen()
	k := factsKey{product: product, lot: lot, public: public}
	o.factsMu.RLock()
	e, ok := o.facts[k]
	o.factsMu.RUnlock()
	if ok && e.gen == gen {
		return e.facts
	}
	if lot != 0 && (bk.Registered(LotItem(lot)) || o.lotHasSources(bk, lot)) {
		return o.computeFacts(bk, product, counter, false, lot, now, public)
	}
	facts := bk.ProductFacts(product)
	if public {
		facts = slices.DeleteFunc(facts, func(f category.Fact) bool { return !f.Public })
	}
	o.factsMu.Lock()
	if o.facts == nil || len(o.facts) >= maxFactsEntries {
		o.facts = make(map[factsKey]factsEntry)
	}
	o.facts[k] = factsEntry{gen: gen, facts: facts}
	o.factsMu.Unlock()
	return facts
}

// computeFacts is Facts without the cache.
func (o *Office) computeFacts(bk *Book, product uint32, counter uint64, item bool, lot uint32, now time.Time, public bool) []category.Fact {
	region := uint32(0)
	if p, err := o.eng.Product(product); err == nil {
		region = o.eng.OrgRegion(p.Org)
	}
	var facts []category.Fact
	if item {
		facts = bk.Facts(CodeItem(product, counter), region, now)
	}
	if facts == nil && lot != 0 {
		facts = bk.Facts(LotItem(lot), region, now)
	}
	if facts == nil && lot != 0 {
		facts = o.sourceFacts(bk, lot, region, now)
	}
	if facts == nil {
		facts = bk.ProductFacts(product)
	}
	if public {
		facts = slices.DeleteFunc(facts, func(f category.Fact) bool { return !f.Public })
	}
	return facts
}

// lotHasSources reports whether lot names items it was made from.
func (o *Office) lotHasSources(bk *Book, lot uint32) bool {
	l, err := o.eng.Lot(lot)
	if err != nil {
		return true // let computeFacts decide, uncached
	}
	p, err := o.eng.Product(l.Product)
	if err != nil {
		return true
	}
	return bk.hasSources(p.Org, l.Number)
}

// ItemByCode reports whether code is a sector code a registered
// item carries (a cylinder's registration code, an elevator's code or
// rescue id) and which item.
func (o *Office) ItemByCode(f code.SectorFormat, value string) (ItemKey, bool) {
	bk, err := o.Book()
	if err != nil {
		return ItemKey{}, false
	}
	return bk.ItemByCode(f.String(), value)
}

// sourceFacts returns the facts of the items lot was made from (a cut
// lot's animals, named by their cut events), nil when none.
func (o *Office) sourceFacts(bk *Book, lot uint32, region uint32, now time.Time) []category.Fact {
	l, err := o.eng.Lot(lot)
	if err != nil {
		return nil
	}
	p, err := o.eng.Product(l.Product)
	if err != nil {
		return nil
	}
	return bk.SourceFacts(p.Org, l.Number, region, now)
}

// AlertRules returns every profile's rules, reading the book
// (category.AlertRules over AlertSource).
func (o *Office) AlertRules() []alert.Rule {
	return category.AlertRules(AlertSource{Book: o.Book, Owner: o.eng.ItemOwner}, o.loc)
}

// scheduleItem stages in b the due dates of registering it (an
// elevator's first maintenance and inspection, a cylinder's inspection);
// the caller calls Committed on the result after b commits.
func (o *Office) scheduleItem(b *store.Batch, bk *Book, it Item) (*alert.Eval, error) {
	ax := o.eng.Alerts()
	if ax == nil {
		return nil, nil
	}
	st, ok := bk.Registering(it, o.eng.ItemOwner(it.Key))
	if !ok {
		return nil, nil
	}
	ev := ax.Begin(b, o.nowMillis())
	return ev, ev.Apply(&alert.Fact{Kind: alert.FactEvent, Time: o.nowMillis(), Detail: st})
}

// RareEarthBalance returns the month's REO mass balance (month: any time
// in it) of the enterprise whose rare-earth flow is recorded on the lot
// numbered lot of product: the monthly flow report's content
// (rareearth.Balance.AppendCSV writes it).
func (o *Office) RareEarthBalance(product uint32, lot string, month time.Time) (rareearth.Balance, error) {
	bk, err := o.Book()
	if err != nil {
		return rareearth.Balance{}, err
	}
	l, err := o.eng.LotByNumber(product, lot)
	if err != nil {
		return rareearth.Balance{}, err
	}
	p, err := o.eng.Product(product)
	if err != nil {
		return rareearth.Balance{}, err
	}
	b, err := bk.MassBalance(LotItem(l.ID), o.eng.OrgRegion(p.Org), month)
	return b, officeErr(err)
}
