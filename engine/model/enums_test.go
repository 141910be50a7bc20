package model

import "testing"

// TestNamesRoundTrip: every category and level name parses back to its
// value, and a name that is not one is refused.
func TestNamesRoundTrip(t *testing.T) {
	for _, n := range CategoryNames() {
		c, err := ParseCategory(n)
		if err != nil || c.String() != n || !c.Valid() {
			t.Errorf("category %q: got %v, %v", n, c, err)
		}
	}
	for l := LevelItem; l <= LevelPallet; l++ {
		got, err := ParseLevel(l.String())
		if err != nil || got != l {
			t.Errorf("level %v: got %v, %v", l, got, err)
		}
	}
	if _, err := ParseCategory("toys"); err == nil {
		t.Error("ParseCategory(toys) accepted")
	}
	if _, err := ParseLevel("crate"); err == nil {
		t.Error("ParseLevel(crate) accepted")
	}
	s := LevelSet(0).With(LevelItem).With(LevelPallet)
	if !s.Has(LevelItem) || s.Has(LevelCase) || len(s.Levels()) != 2 {
		t.Errorf("LevelSet %v", s)
	}
	if StateReleased.String() != "released" || CodeState(9).String() != "state(9)" {
		t.Errorf("CodeState names: %v %v", StateReleased, CodeState(9))
	}
}
