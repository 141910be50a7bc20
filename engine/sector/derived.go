package sector

import (
	"cmp"
	"slices"
	"time"

	"tracecode/engine/category"
)

// DerivedField is the event field that names, as a list of lot numbers,
// the lots made from the item the event is recorded on: the cut lots of a
// slaughtered animal (the meat profile's cut event). A lot so named shows
// the facts of the items it was made from when it has no registration of
// its own.
const DerivedField = "lots"

// derivedKey names a lot by its number among the lots of the
// organisation that recorded the event naming it: lot numbers are unique
// only within a product, and an organisation names its own lots (the
// slaughterhouse its cuts), so another organisation's lot with the same
// number never takes the facts.
type derivedKey struct {
	org uint32
	lot string
}

// indexDerived records that the lots event e names were made from item k.
// REQUIRES bk.mu for writing (or the book not yet shared).
func (bk *Book) indexDerived(k ItemKey, e *category.Event) {
	for _, lot := range e.Fields.List(DerivedField) {
		dk := derivedKey{e.Org, lot}
		srcs := bk.derived[dk]
		known := false
		for _, s := range srcs {
			known = known || s == k
		}
		if !known {
			bk.derived[dk] = append(srcs, k)
		}
	}
}

// Sources returns the items organisation org's lot numbered lot was made
// from (a cut lot's animals), in key order.
func (bk *Book) Sources(org uint32, lot string) []ItemKey {
	bk.mu.RLock()
	out := append([]ItemKey(nil), bk.derived[derivedKey{org, lot}]...)
	bk.mu.RUnlock()
	slices.SortFunc(out, func(a, b ItemKey) int {
		return cmp.Or(cmp.Compare(a.Lot, b.Lot), cmp.Compare(a.Product, b.Product), cmp.Compare(a.Counter, b.Counter))
	})
	return out
}

// SourceFacts returns the facts of the items lot was made from, the first
// source's in full; with several sources, each further source's facts
// whose values differ are appended (several ear tags, farms). Nil when
// the lot names no source.
func (bk *Book) SourceFacts(org uint32, lot string, region uint32, now time.Time) []category.Fact {
	var out []category.Fact
	seen := map[string]bool{}
	for _, k := range bk.Sources(org, lot) {
		for _, f := range bk.Facts(k, region, now) {
			id := f.Key + "\x00" + f.Value.ZH
			if !seen[id] {
				seen[id] = true
				out = append(out, f)
			}
		}
	}
	return out
}
