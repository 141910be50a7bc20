package sector

import (
	"testing"

	"tracecode/engine/category"
)

// TestSourcesByOrganisation: a cut event names its lots by number; the
// lots are the recording organisation's, so another organisation's lot
// with the same number has no sources.
func TestSourcesByOrganisation(t *testing.T) {
	bk := &Book{derived: map[derivedKey][]ItemKey{}}
	animal := ItemKey{Product: 3, Counter: 7}
	bk.indexDerived(animal, &category.Event{Kind: "cut", Org: 20, Fields: category.Record{DerivedField: "C1"}})
	if got := bk.Sources(20, "C1"); len(got) != 1 || got[0] != animal {
		t.Errorf("the slaughterhouse's lot C1: %v", got)
	}
	if got := bk.Sources(21, "C1"); len(got) != 0 {
		t.Errorf("another organisation's lot C1 took the animal's facts: %v", got)
	}
}
