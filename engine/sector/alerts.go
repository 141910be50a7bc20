package sector

// The profiles' rules in the alert evaluator: a category event staged by
// a report travels to the rules as an alert.Fact whose Detail is a
// *Staged (the item, its history before and after the event, the
// subject and the division), and a due date names its item by the due
// entry's subject (the item's 13-byte key). AlertSource answers
// category.Source from both.

import (
	"slices"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/code/cn"
)

// Staged is a category event (or a registration: Target.Event nil) on
// one item, as the alert rules read it from alert.Fact.Detail.
type Staged struct {
	Profile string
	Target  category.Target
}

// Owner is what the alert rules need of an item's product: its producer
// and the producer's division, and the code as people read it (the
// item's trace code; "" for a lot).
type Owner struct {
	Org    uint32
	Region uint32
	Code   string
}

// ItemSubject returns the alert subject of item k: its product and
// counter or lot, the producer, and its code — the first code field of
// its master data (a cylinder's registration code, an elevator's
// registration code), else the trace code.
func ItemSubject(p category.Profile, k ItemKey, item category.Record, o Owner) alert.Subject {
	s := alert.Subject{Product: k.Product, Counter: k.Counter, Lot: k.Lot, Org: o.Org, Code: o.Code}
	for _, f := range p.ItemFields() {
		if f.Kind == category.KindCode && item.Get(f.Name) != "" {
			s.Code = item.Get(f.Name)
			break
		}
	}
	return s
}

// ItemRegion returns the division item's alerts are routed to: the first
// township field of its master data (an elevator's, a plot's, a farm's),
// else fallback (the producer's division).
func ItemRegion(p category.Profile, item category.Record, fallback uint32) uint32 {
	for _, f := range p.ItemFields() {
		if f.Kind != category.KindRegion {
			continue
		}
		if r, err := cn.ParseRegion(item.Get(f.Name)); err == nil {
			return r.Uint32()
		}
	}
	return fallback
}

// NewStaged returns the alert detail of event e (nil: the item's
// registration) applied to item k.
func NewStaged(p category.Profile, k ItemKey, before, after *category.History, e *category.Event, o Owner) *Staged {
	item := after.Item
	return &Staged{Profile: p.Name(), Target: category.Target{Before: before, After: after, Event: e,
		Subject: ItemSubject(p, k, item, o), Region: ItemRegion(p, item, o.Region), Key: appendItem(nil, k)}}
}

// AlertSource is category.Source over a book: Book returns it (loaded on
// first use), Owner an item's producer and code.
type AlertSource struct {
	Book  func() (*Book, error)
	Owner func(k ItemKey) Owner
}

// CategoryTarget implements category.Source.
func (s AlertSource) CategoryTarget(profile string, f *alert.Fact) (category.Target, bool) {
	switch f.Kind {
	case alert.FactEvent:
		st, ok := f.Detail.(*Staged)
		if !ok || st.Profile != profile {
			return category.Target{}, false
		}
		return st.Target, true
	case alert.FactDue:
		if f.Due == nil {
			return category.Target{}, false
		}
		k, ok := decodeItem(f.Due.Subject)
		if !ok {
			return category.Target{}, false
		}
		bk, err := s.Book()
		if err != nil {
			return category.Target{}, false
		}
		o := s.Owner(k)
		h, p, ok := bk.History(k, o.Region)
		if !ok || p.Name() != profile {
			return category.Target{}, false
		}
		return NewStaged(p, k, h, h, nil, o).Target, true
	}
	return category.Target{}, false
}

// Registering returns the alert detail of registering it (its due-date
// rules start watching the item, or move to its new master data) before
// it is published: the history is the item's events with its new master
// data. ok is false when its product has no profile.
func (bk *Book) Registering(it Item, o Owner) (*Staged, bool) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	pp, ok := bk.products[it.Product]
	if !ok {
		return nil, false
	}
	p, ok := category.Lookup(pp.Profile)
	if !ok {
		return nil, false
	}
	h := &category.History{Product: pp.Fields, Item: it.Fields, Region: o.Region, Inputs: bk.inputs,
		Events: slices.Clone(bk.events[it.Key])}
	return NewStaged(p, it.Key, h, h, nil, o), true
}
