// Package sector keeps the category (sector) data the profiles of
// engine/category read: each product's profile and master data, each
// item's master data (a cylinder, an elevator, a lot of apples), each
// item's category events in time order, and the media of the gas filling
// stations. It validates with the profiles (category.ValidateProduct,
// ValidateItem, ValidateEvent), builds the History a profile reads, and
// keeps the cylinder fill interlock's in-memory index current.
//
// The engine owns the writes: it builds a batch with the values this
// package encodes, commits it, then publishes to the Book. Reports stage
// category events through a Tx, published after the report commits.
// Keys and values are documented on each type and in docs/storage.md.
package sector

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/category/cylinder"
	cylcode "tracecode/engine/code/cn/cylinder"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Errors. Validation errors of the profiles wrap category.ErrInvalid.
var (
	ErrNoProfile     = errors.New("sector: the product has no category profile")
	ErrNotRegistered = errors.New("sector: the item's master data is not registered")
	ErrDuplicate     = errors.New("sector: the code is registered to another item")
)

// Book is the in-memory view of the category records. It is safe for
// concurrent use.
type Book struct {
	mu       sync.RWMutex
	orgs     map[uint32]Org
	products map[uint32]ProductProfile
	items    map[ItemKey]Item
	events   map[ItemKey][]category.Event
	// codes maps "format:value" of every code field of every item to
	// its item (a cylinder's registration code, an elevator's codes and
	// rescue id): unique, and how a scanned sector code finds its item.
	codes map[string]ItemKey
	// inputs is what History.Inputs holds: the stations ("station:" USCC
	// → media) and the registered input products (registration or
	// approval number → master data). Replaced, never changed in place.
	inputs map[string]category.Record
	// derived maps an organisation's lot number to the items it was made
	// from, by the DerivedField of their events (a cut lot to its
	// animals).
	derived map[derivedKey][]ItemKey
	// uscc gives an organisation's USCC ("" none).
	uscc func(org uint32) string
	cyl  *cylinder.Index
	// gen counts the publications (PutOrg, PutProduct, PutItem,
	// Tx.Publish), each bumped under mu after its change: what is cached
	// from the book under one gen is stale once it moves.
	gen atomic.Uint64
}

// Gen returns the book's generation (see Book.gen).
func (bk *Book) Gen() uint64 { return bk.gen.Load() }

// Registered reports whether item k has a record of its own (a
// registered item, or a lot registered as one).
func (bk *Book) Registered(k ItemKey) bool {
	bk.mu.RLock()
	_, ok := bk.items[k]
	bk.mu.RUnlock()
	return ok
}

// hasSources reports whether org's lot numbered lot names items it was
// made from.
func (bk *Book) hasSources(org uint32, lot string) bool {
	bk.mu.RLock()
	n := len(bk.derived[derivedKey{org, lot}])
	bk.mu.RUnlock()
	return n > 0
}

// Load reads every category record from db. uscc gives an organisation's
// unified social credit code (the station key of the interlock).
func Load(db *store.DB, uscc func(org uint32) string) (*Book, error) {
	bk := &Book{orgs: map[uint32]Org{}, products: map[uint32]ProductProfile{}, items: map[ItemKey]Item{},
		events: map[ItemKey][]category.Event{}, codes: map[string]ItemKey{}, derived: map[derivedKey][]ItemKey{}, uscc: uscc}
	var t *cylinder.Table
	if p, ok := category.Lookup("gas-cylinder"); ok {
		if cp, ok := p.(*cylinder.Profile); ok {
			t = cp.Table
		}
	}
	bk.cyl = cylinder.NewIndex(t)
	err := db.ScanPrefix(store.SectorOrgKeys.Prefix(), func(k, v []byte) error {
		o, err := DecodeOrg(k, v)
		bk.orgs[o.Org] = o
		return err
	})
	if err == nil {
		err = db.ScanPrefix(store.SectorProductKeys.Prefix(), func(k, v []byte) error {
			p, err := DecodeProduct(k, v)
			bk.products[p.Product] = p
			return err
		})
	}
	if err == nil {
		err = db.ScanPrefix(store.SectorItemKeys.Prefix(), func(k, v []byte) error {
			it, err := DecodeItem(k, v)
			bk.items[it.Key] = it
			return err
		})
	}
	if err == nil {
		err = db.ScanPrefix(store.SectorEventKeys.Prefix(), func(k, v []byte) error {
			e, err := DecodeEvent(k, v)
			bk.events[e.Item] = append(bk.events[e.Item], e.Event)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	for k, evs := range bk.events {
		slices.SortStableFunc(evs, func(a, b category.Event) int { return a.Time.Compare(b.Time) })
		bk.events[k] = evs
		for i := range evs {
			bk.indexDerived(k, &evs[i])
		}
	}
	for k, it := range bk.items {
		bk.indexCodes(k, it)
	}
	bk.rebuildInputs()
	for o := range bk.orgs {
		bk.putStation(o)
	}
	for k := range bk.items {
		bk.putCylinder(k)
	}
	return bk, nil
}

// Profile returns the profile of product (ok false: none).
func (bk *Book) Profile(product uint32) (ProductProfile, category.Profile, bool) {
	bk.mu.RLock()
	pp, ok := bk.products[product]
	bk.mu.RUnlock()
	if !ok {
		return ProductProfile{}, nil, false
	}
	p, ok := category.Lookup(pp.Profile)
	return pp, p, ok
}

// Item returns item k's master data.
func (bk *Book) Item(k ItemKey) (Item, bool) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	it, ok := bk.items[k]
	return it, ok
}

// Org returns org's category data.
func (bk *Book) Org(org uint32) (Org, bool) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	o, ok := bk.orgs[org]
	return o, ok
}

// ItemByCode returns the item whose code field of format f holds value
// (a cylinder's registration code, an elevator's registration code).
func (bk *Book) ItemByCode(f string, value string) (ItemKey, bool) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	k, ok := bk.codes[f+":"+value]
	return k, ok
}

// Items returns the items of product (every item if product is 0), lots
// and codes, in key order.
func (bk *Book) Items(product uint32) []Item {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	var out []Item
	for _, it := range bk.items {
		if product == 0 || it.Product == product {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b Item) int {
		switch {
		case a.Key.Lot != b.Key.Lot:
			return int(int64(a.Key.Lot) - int64(b.Key.Lot))
		case a.Key.Product != b.Key.Product:
			return int(int64(a.Key.Product) - int64(b.Key.Product))
		case a.Key.Counter < b.Key.Counter:
			return -1
		case a.Key.Counter > b.Key.Counter:
			return 1
		}
		return 0
	})
	return out
}

// History returns what item k's profile reads (nil, false when the item
// is not registered or its product has no profile), with region as the
// item's division.
func (bk *Book) History(k ItemKey, region uint32) (*category.History, category.Profile, bool) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	return bk.historyLocked(k, region, nil)
}

// historyLocked builds item k's history with pending events appended.
// REQUIRES bk.mu.
func (bk *Book) historyLocked(k ItemKey, region uint32, pending []category.Event) (*category.History, category.Profile, bool) {
	it, ok := bk.items[k]
	if !ok {
		return nil, nil, false
	}
	pp, ok := bk.products[it.Product]
	if !ok {
		return nil, nil, false
	}
	p, ok := category.Lookup(pp.Profile)
	if !ok {
		return nil, nil, false
	}
	evs := bk.events[k]
	h := &category.History{Product: pp.Fields, Item: it.Fields, Region: region, Inputs: bk.inputs,
		Events: make([]category.Event, 0, len(evs)+len(pending))}
	h.Events = append(append(h.Events, evs...), pending...)
	slices.SortStableFunc(h.Events, func(a, b category.Event) int { return a.Time.Compare(b.Time) })
	return h, p, true
}

// Facts returns the facts item k's profile derives at now (nil when the
// item is not registered).
func (bk *Book) Facts(k ItemKey, region uint32, now time.Time) []category.Fact {
	h, p, ok := bk.History(k, region)
	if !ok {
		return nil
	}
	return p.Facts(h, now)
}

// ProductFacts returns the facts product's profile derives from the
// product record alone (category.ProductFacter); nil when the product has
// no profile or its profile's facts need a registered item.
func (bk *Book) ProductFacts(product uint32) []category.Fact {
	pp, p, ok := bk.Profile(product)
	if !ok {
		return nil
	}
	pf, ok := p.(category.ProductFacter)
	if !ok {
		return nil
	}
	return pf.ProductFacts(pp.Fields)
}

// CheckFill asks the fill interlock whether the station of filling unit
// station (its USCC) may fill the cylinder with registration code code on
// day today.
func (bk *Book) CheckFill(code, station string, today category.Date) (cylinder.Decision, error) {
	return bk.cyl.Check(code, station, today)
}

// ---- validation of new records ----

// CheckProduct validates a product profile for a product of category cat
// and returns the profile.
func CheckProduct(cat model.Category, name string, fields category.Record) (category.Profile, error) {
	p, ok := category.Lookup(name)
	if !ok {
		var names []string
		for _, p := range category.Profiles() {
			names = append(names, p.Name())
		}
		return nil, &category.FieldError{Scope: "product", Field: "profile", Value: name,
			Reason: "is not a category profile (" + strings.Join(names, ", ") + ")"}
	}
	if p.Category() != cat {
		return nil, &category.FieldError{Scope: "product", Field: "profile", Value: name,
			Reason: fmt.Sprintf("refines category %s, the product is %s", p.Category(), cat)}
	}
	return p, category.ValidateProduct(p, fields)
}

// CheckItem validates item k's master data against its product's
// profile; it returns the record to store (private fields hashed).
func (bk *Book) CheckItem(k ItemKey, product uint32, fields category.Record) (category.Record, error) {
	pp, p, ok := bk.Profile(product)
	if !ok {
		return nil, fmt.Errorf("%w: product %d (set it first: PUT /v1/products/%d/profile)", ErrNoProfile, product, product)
	}
	if err := category.ValidateItem(p, pp.Fields, fields); err != nil {
		return nil, err
	}
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	for _, f := range p.ItemFields() {
		if f.Kind != category.KindCode || fields[f.Name] == "" {
			continue
		}
		if other, dup := bk.codes[codeKey(f, fields[f.Name])]; dup && other != k {
			return nil, fmt.Errorf("%w: %s %s is %v", ErrDuplicate, f.Name, fields[f.Name], other)
		}
	}
	return HashPrivate(p.ItemFields(), fields), nil
}

// CheckMedia validates the media a filling station fills.
func CheckMedia(media []string) error {
	if len(media) == 0 {
		return &category.FieldError{Scope: "station", Field: "media", Reason: "is required (" + strings.Join(cylinder.MediumNames(), ", ") + ")"}
	}
	for i, m := range media {
		if _, ok := cylinder.ParseMedium(m); !ok {
			return &category.FieldError{Scope: "station", Field: fmt.Sprintf("media[%d]", i), Value: m,
				Reason: "is not a medium (" + strings.Join(cylinder.MediumNames(), ", ") + ")"}
		}
	}
	return nil
}

func codeKey(f category.FieldSpec, v string) string { return f.Code.String() + ":" + v }

// ---- publishing committed records ----

// PutOrg publishes o.
func (bk *Book) PutOrg(o Org) {
	bk.mu.Lock()
	defer bk.mu.Unlock()
	defer bk.gen.Add(1)
	bk.orgs[o.Org] = o
	bk.rebuildInputs()
	bk.putStation(o.Org)
}

// PutProduct publishes p.
func (bk *Book) PutProduct(p ProductProfile) {
	bk.mu.Lock()
	defer bk.mu.Unlock()
	defer bk.gen.Add(1)
	bk.products[p.Product] = p
	bk.rebuildInputs()
	for k, it := range bk.items {
		if it.Product == p.Product {
			bk.putCylinder(k)
		}
	}
}

// PutItem publishes it.
func (bk *Book) PutItem(it Item) {
	bk.mu.Lock()
	defer bk.mu.Unlock()
	defer bk.gen.Add(1)
	if old, ok := bk.items[it.Key]; ok {
		for k, v := range bk.codes {
			if v == it.Key {
				delete(bk.codes, k)
			}
		}
		// A cylinder registered anew under another code: its old code
		// is no longer registered.
		if reg := old.Fields.Get("reg_code"); reg != "" && reg != it.Fields.Get("reg_code") {
			if c, err := cylcode.Parse(reg); err == nil {
				bk.cyl.PutCylinder(c, cylinder.Cylinder{})
			}
		}
	}
	bk.items[it.Key] = it
	bk.indexCodes(it.Key, it)
	bk.putCylinder(it.Key)
}

// indexCodes indexes the code fields of it. REQUIRES bk.mu for writing.
func (bk *Book) indexCodes(k ItemKey, it Item) {
	pp, ok := bk.products[it.Product]
	if !ok {
		return
	}
	p, ok := category.Lookup(pp.Profile)
	if !ok {
		return
	}
	for _, f := range p.ItemFields() {
		if f.Kind == category.KindCode && it.Fields[f.Name] != "" {
			bk.codes[codeKey(f, it.Fields[f.Name])] = k
		}
	}
}

// rebuildInputs rebuilds the inputs map. REQUIRES bk.mu for writing.
func (bk *Book) rebuildInputs() {
	in := map[string]category.Record{}
	for id, o := range bk.orgs {
		if u := bk.usccOf(id); u != "" && len(o.Media) > 0 {
			in[cylinder.StationKey(u)] = category.Record{"media": strings.Join(o.Media, ",")}
		}
	}
	for _, pp := range bk.products {
		for _, f := range []string{"reg_number", "approval_number", "code_prefix", "enterprise_code"} {
			if v := pp.Fields[f]; v != "" && (pp.Profile == "pesticide" || pp.Profile == "vet-drug") {
				in[v] = pp.Fields
			}
		}
	}
	bk.inputs = in
}

func (bk *Book) usccOf(org uint32) string {
	if bk.uscc == nil {
		return ""
	}
	return bk.uscc(org)
}

// putStation indexes org's station. REQUIRES bk.mu for writing (or the
// book not yet shared).
func (bk *Book) putStation(org uint32) {
	u := bk.usccOf(org)
	if u == "" {
		return
	}
	h := &category.History{Inputs: bk.inputs}
	bk.cyl.PutStation(cylinder.StationOf(h, u))
}

// putCylinder indexes item k when it is a cylinder. REQUIRES bk.mu for
// writing (or the book not yet shared).
func (bk *Book) putCylinder(k ItemKey) {
	h, p, ok := bk.historyLocked(k, 0, nil)
	if !ok || p.Name() != "gas-cylinder" {
		return
	}
	c, err := cylcode.Parse(h.Item.Get("reg_code"))
	if err != nil {
		return
	}
	bk.cyl.PutCylinder(c, cylinder.Of(h))
}

// ---- reports ----

// Tx stages the category events of one report: each is validated against
// the item's history including the events staged before it, written to
// the report's batch, and published by Publish once the batch committed.
// A Tx is used by one report at a time (the engine's report lock).
type Tx struct {
	bk      *Book
	pending map[ItemKey][]category.Event
}

// Begin starts a report's Tx.
func (bk *Book) Begin() *Tx { return &Tx{bk: bk} }

// Applied is a category event staged on one item: the profile, the
// item's history before the event and with it, and the event as stored
// (private fields hashed). The alert rules read it (NewStaged).
type Applied struct {
	Profile category.Profile
	Before  *category.History
	After   *category.History
	Event   *category.Event
}

// Apply validates category event e on item k (of division region) and,
// when it is valid, stages it in b under ledger record seq (now is the
// report's time). The error is
// ErrNotRegistered, ErrNoProfile or the profile's validation error
// (category.ErrInvalid).
func (tx *Tx) Apply(b *store.Batch, k ItemKey, product uint32, region uint32, seq uint64, e category.Event, now time.Time) (Applied, error) {
	bk := tx.bk
	bk.mu.RLock()
	h, p, ok := bk.historyLocked(k, region, tx.pending[k])
	_, hasProfile := bk.products[product]
	bk.mu.RUnlock()
	if !ok {
		if !hasProfile {
			return Applied{}, fmt.Errorf("%w: product %d", ErrNoProfile, product)
		}
		return Applied{}, fmt.Errorf("%w: %v (register it: PUT /v1/items)", ErrNotRegistered, k)
	}
	if err := category.ValidateEvent(p, h, &e); err != nil {
		return Applied{}, err
	}
	for _, s := range p.Events() {
		if s.Kind == e.Kind {
			e.Fields = HashPrivate(s.Fields, e.Fields)
		}
	}
	if tx.pending == nil {
		tx.pending = map[ItemKey][]category.Event{}
	}
	tx.pending[k] = append(tx.pending[k], e)
	se := Event{Item: k, Seq: seq, Event: e}
	if err := b.Set(EventKey(k, seq), se.AppendBinary(nil)); err != nil {
		return Applied{}, err
	}
	after := *h
	after.Events = append(slices.Clip(h.Events), e)
	slices.SortStableFunc(after.Events, func(a, b category.Event) int { return a.Time.Compare(b.Time) })
	return Applied{Profile: p, Before: h, After: &after, Event: &e}, nil
}

// Staged reports whether the Tx staged any event.
func (tx *Tx) Staged() bool { return len(tx.pending) > 0 }

// Publish installs the staged events after the report committed.
func (tx *Tx) Publish() {
	if len(tx.pending) == 0 {
		return
	}
	bk := tx.bk
	bk.mu.Lock()
	defer bk.mu.Unlock()
	defer bk.gen.Add(1)
	for k, evs := range tx.pending {
		all := append(bk.events[k], evs...)
		slices.SortStableFunc(all, func(a, b category.Event) int { return a.Time.Compare(b.Time) })
		bk.events[k] = all
		for i := range evs {
			bk.indexDerived(k, &evs[i])
		}
		bk.putCylinder(k)
	}
	tx.pending = nil
}
