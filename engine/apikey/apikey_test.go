package apikey

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/engine/model"
	"tracecode/engine/store"
)

func openTestDB(t testing.TB) (*store.DB, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	db, err := store.Open(dir, &store.Options{CacheSize: 8 << 20, MemTableSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return db, dir
}

func openAt(dir string) (*store.DB, error) { return store.Open(dir, nil) }

func TestAPIKeysLifecycle(t *testing.T) {
	db, dir := openTestDB(t)
	keys := New(db)
	if any, _ := keys.Any(); any {
		t.Fatal("empty store has keys")
	}
	tok, k, err := keys.Create(Options{Org: 3, Scopes: ScopeMint | ScopeReport, Name: "line 1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "tck_") || len(tok) != 4+16+1+43 {
		t.Fatalf("token %q", tok)
	}
	got, err := keys.Authenticate(tok)
	if err != nil || got.ID != k.ID || got.Org != 3 || !got.Scopes.Has(ScopeMint) || got.Scopes.Has(ScopeAdmin) {
		t.Fatalf("Authenticate: %+v %v", got, err)
	}
	// A wrong secret with the right id is refused.
	bad := tok[:len(tok)-1] + "A"
	if tok[len(tok)-1] == 'A' {
		bad = tok[:len(tok)-1] + "B"
	}
	if _, err := keys.Authenticate(bad); !errors.Is(err, ErrUnknown) {
		t.Fatalf("wrong secret: %v", err)
	}
	for _, m := range []string{"", "Bearer x", "tck_zz", tok + "x", strings.Replace(tok, "tck_", "tcx_", 1)} {
		if _, err := keys.Authenticate(m); !errors.Is(err, ErrMalformed) {
			t.Errorf("Authenticate(%q) = %v, want malformed", m, err)
		}
	}
	// The secret is not stored anywhere.
	secret := tok[len(tok)-43:]
	if err := db.ScanPrefix(nil, func(k, v []byte) error {
		if strings.Contains(string(v), secret) {
			t.Errorf("secret stored in %x", k)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Revoke(k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Authenticate(tok); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked key: %v", err)
	}
	db.Close()
	db2, err := openAt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	keys = New(db2)
	if _, err := keys.Authenticate(tok); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked key after restart: %v", err)
	}
	list, err := keys.List(3, false)
	if err != nil || len(list) != 1 || list[0].Name != "line 1" || list[0].Revoked == 0 {
		t.Fatalf("List: %+v %v", list, err)
	}
}

func TestAPIKeyCreateRefusesBadOptions(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	keys := New(db)
	for _, o := range []Options{
		{Org: 1},
		{Scopes: ScopeRegulator},
		{Scopes: ScopeMint},
		{Org: 1, Scopes: ScopeRegulator, Region: 1234567},
	} {
		if _, _, err := keys.Create(o); err == nil {
			t.Errorf("Create(%+v) succeeded", o)
		}
	}
}

// TestAPIKeyRegulatorRegion: a regulator key's region must be in the GB/T
// 2260 table ("33" and "999999" used to become keys); a region on a key
// without the regulator scope is refused as well.
func TestAPIKeyRegulatorRegion(t *testing.T) {
	db, _ := openTestDB(t)
	defer db.Close()
	keys := New(db)
	for _, region := range []uint32{33, 999999, 990000, 330006, 620102000, 620000001} {
		_, _, err := keys.Create(Options{Scopes: ScopeRegulator, Region: region, Name: "r"})
		if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "region") {
			t.Errorf("region %d: %v", region, err)
		}
	}
	if _, _, err := keys.Create(Options{Org: 1, Scopes: ScopeEvents, Region: 330000}); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("a region on an events key: %v", err)
	}
	for _, region := range []uint32{330000, 330100, 330106, 620102001} {
		if _, k, err := keys.Create(Options{Scopes: ScopeRegulator, Region: region, Name: "r"}); err != nil || k.Region != region {
			t.Errorf("region %d: %+v %v", region, k, err)
		}
	}
}

func TestParseScopes(t *testing.T) {
	s, err := ParseScopes("mint, events,regulator")
	if err != nil || s != ScopeMint|ScopeEvents|ScopeRegulator || s.String() != "mint,events,regulator" {
		t.Fatalf("%v %v", s, err)
	}
	if _, err := ParseScopes("mint,root"); err == nil || !strings.Contains(err.Error(), `"root"`) {
		t.Fatalf("unknown scope: %v", err)
	}
}

func TestRegionCovers(t *testing.T) {
	for _, c := range []struct {
		region, code uint32
		want         bool
	}{
		{330000, 330106, true}, {330000, 320106, false}, {330100, 330106, true},
		{330100, 330206, false}, {330106, 330106, true}, {330106, 330107, false}, {0, 330106, false}, {330000, 0, false},
		// Townships: a county, prefecture and province cover a township
		// under them (a county used to cover only its own six digits), a
		// township only itself, and a number that is no division (township
		// part 000) is covered by nothing.
		{620102, 620102001, true}, {620100, 620102001, true}, {620000, 620102001, true}, {620103, 620102001, false},
		{620102001, 620102001, true}, {620102001, 620102, false}, {620102001, 620102002, false}, {620102, 620102000, false},
	} {
		if got := RegionCovers(c.region, c.code); got != c.want {
			t.Errorf("RegionCovers(%d, %d) = %v", c.region, c.code, got)
		}
	}
}

// TestAPIKeyDecodeDamaged: a stored API key read through the one value
// codec round-trips, and a damaged one is refused wrapping the store's
// ErrCorrupt (ErrVersion for an unknown version) and naming the field.
func TestAPIKeyDecodeDamaged(t *testing.T) {
	k := Key{ID: 7, Created: 1_700_000_000_000, Org: 3, Scopes: ScopeMint | ScopeReport, Region: 330100, Name: "line 3"}
	k.hash[0] = 9
	v := k.appendBinary(nil)
	if got, err := decodeAPIKey(7, v); err != nil || got != k {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, tc := range []struct {
		name string
		v    []byte
		want error
		text string
	}{
		{"truncated name", v[:len(v)-1], store.ErrCorrupt, "name"},
		{"trailing byte", append(append([]byte(nil), v...), 0), store.ErrCorrupt, "trailing"},
		{"short hash", v[:len(v)-len(k.Name)-1-5], store.ErrCorrupt, "hash"},
		{"version 2", append([]byte{2}, v[1:]...), store.ErrVersion, "version 2"},
		{"empty", nil, store.ErrCorrupt, "truncated"},
	} {
		_, err := decodeAPIKey(7, tc.v)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), "API key 0000000000000007") {
			t.Errorf("%s: %v, want %v naming %q", tc.name, err, tc.want, tc.text)
		}
	}
}
