package demo

import (
	"context"
	"path/filepath"
	"testing"

	"tracecode/engine"
	"tracecode/engine/account"
	"tracecode/engine/code/cn"
)

// TestSeedAccounts: the demo's people cover the four levels above the
// first organisation and every organisation; their passwords log in;
// a second start reads the same accounts back.
func TestSeedAccounts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	eng, err := engine.Open(dir, &engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if _, err := eng.OpenAccounts(account.Options{Params: account.Params{Time: 1, Memory: 64, Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(context.Background(), eng, eng.APIKeys(), dir, "https://tc.test"); err != nil {
		t.Fatal(err)
	}
	as, err := SeedAccounts(eng, dir)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := eng.Accounts()
	levels := map[cn.Level]bool{}
	orgs := map[uint32]int{}
	for _, a := range as {
		acc, err := s.ByLogin(a.Login)
		if err != nil {
			t.Fatalf("%s: %v", a.Login, err)
		}
		if acc.Region != 0 {
			r, _ := cn.NewRegion(int(acc.Region))
			levels[r.Level()] = true
		}
		if acc.Org != 0 {
			orgs[acc.Org]++
		}
		if _, _, _, err := s.Login(account.Credentials{Login: a.Login, Password: a.Password}, nil); err != nil {
			t.Errorf("login %s: %v", a.Login, err)
		}
	}
	if len(levels) != 4 {
		t.Errorf("regulators at %d levels, want 4 (province, city, county, township): %v", len(levels), levels)
	}
	for _, o := range eng.Issuance().Orgs() {
		if orgs[o.ID] != 2 {
			t.Errorf("organisation %d has %d accounts, want an admin and a user", o.ID, orgs[o.ID])
		}
	}
	again, err := SeedAccounts(eng, dir)
	if err != nil || len(again) != len(as) || again[0].Password != as[0].Password {
		t.Errorf("second start: %d accounts, %v", len(again), err)
	}
}
