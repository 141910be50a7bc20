package all

import (
	"testing"

	"tracecode/engine/category"
	"tracecode/engine/model"
)

// TestRegistered: every profile is registered under its name, declares
// consistently, contributes at least one rule and one event kind, and
// every regulatory category the brief names has a profile.
func TestRegistered(t *testing.T) {
	want := []string{"dairy", "drug", "edible-oil", "elevator", "farm", "fireworks", "gas-cylinder", "hazchem", "liquor", "meat", "pesticide", "rare-earth", "vet-drug"}
	ps := category.Profiles()
	if len(ps) != len(want) {
		t.Fatalf("%d profiles, want %d", len(ps), len(want))
	}
	cats := map[model.Category]bool{}
	for i, p := range ps {
		if p.Name() != want[i] {
			t.Errorf("profile %d is %s, want %s", i, p.Name(), want[i])
		}
		if q, ok := category.Lookup(p.Name()); !ok || q != p {
			t.Errorf("Lookup(%s) = %v %v", p.Name(), q, ok)
		}
		if err := category.Check(p); err != nil {
			t.Error(err)
		}
		if len(p.Rules()) == 0 || len(p.Events()) == 0 {
			t.Errorf("%s: %d rules, %d event kinds", p.Name(), len(p.Rules()), len(p.Events()))
		}
		cats[p.Category()] = true
	}
	for _, c := range []model.Category{model.CatFarm, model.CatFood, model.CatDrug, model.CatPesticide, model.CatVetDrug,
		model.CatElevator, model.CatGasCylinder, model.CatHazChem, model.CatFireworks, model.CatRareEarth} {
		if !cats[c] {
			t.Errorf("no profile for %v", c)
		}
	}
	// Rule ids are unique across profiles (alerts store them).
	ids := map[string]string{}
	for _, p := range ps {
		for _, r := range p.Rules() {
			id := r.Info().ID
			if other, dup := ids[id]; dup && other != p.Name() {
				t.Errorf("rule %s in %s and %s", id, other, p.Name())
			}
			ids[id] = p.Name()
		}
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	p, _ := category.Lookup("drug")
	defer func() {
		if recover() == nil {
			t.Error("a second registration of drug did not panic")
		}
	}()
	category.Register(p)
}
