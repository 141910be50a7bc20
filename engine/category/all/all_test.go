package all

import (
	"testing"

	"tracecode/engine/category"
	"tracecode/engine/model"
)

// TestRegistered: every profile is registered under its name, declares
// consistently, contributes at least one rule and one event kind (or, a
// farm-input register of feed, fertiliser or seed, gives its facts from
// the product record alone), and every regulatory category has a profile.
func TestRegistered(t *testing.T) {
	want := []string{"dairy", "drug", "edible-oil", "elevator", "farm", "feed", "fertiliser", "fireworks", "gas-cylinder", "hazchem", "liquor", "meat", "pesticide", "rare-earth", "seed", "vet-drug"}
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
		if _, register := p.(category.ProductFacter); register && len(p.Rules()) == 0 && len(p.Events()) == 0 {
			if p.Category() != model.CatFeed && p.Category() != model.CatFertiliser && p.Category() != model.CatSeed {
				t.Errorf("%s: no rules and no event kinds", p.Name())
			}
		} else if len(p.Rules()) == 0 || len(p.Events()) == 0 {
			t.Errorf("%s: %d rules, %d event kinds", p.Name(), len(p.Rules()), len(p.Events()))
		}
		cats[p.Category()] = true
	}
	for c := model.Category(1); c.Valid(); c++ {
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
