package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"tracecode/engine/serial"
)

// TestShortQuotaHostileOrg: a hostile organisation sends 100 concurrent
// mints of 10^10 short codes with AllowPartial (together the whole
// engine-wide space, which they used to exhaust in about a second); it
// gets its quota and then refusals naming the quota, and another
// organisation still mints — before and after a reopen.
func TestShortQuotaHostileOrg(t *testing.T) {
	e := openTest(t, "")
	addOrg := func(name, gcp string) Product {
		o, err := e.AddOrg(t.Context(), OrgSpec{Name: name, GCPs: []string{gcp}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.AddProduct(t.Context(), ProductSpec{Org: o.ID, OwnCode: "SC-" + gcp, NameZH: "散装大米", Category: ParseCategoryMust("food")})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	hostile, victim := addOrg("恶意租户", "6920001"), addOrg("守法企业", "6920002")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var got uint64
	var refused []error
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.Mint(context.Background(), MintRequest{Product: hostile.ID, Count: 10_000_000_000, Scheme: serial.Short, AllowPartial: true})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				refused = append(refused, err)
				return
			}
			got += res.Block.Count
		}()
	}
	wg.Wait()
	if got != DefaultShortQuotaPerOrg || len(refused) == 0 {
		t.Fatalf("the hostile organisation took %d short codes (quota %d), %d refusals", got, uint64(DefaultShortQuotaPerOrg), len(refused))
	}
	for _, err := range refused {
		if !errors.Is(err, ErrCap) || !strings.Contains(err.Error(), "quota") {
			t.Fatalf("refusal: %v", err)
		}
	}
	mintVictim := func() {
		t.Helper()
		res, err := e.Mint(context.Background(), MintRequest{Product: victim.ID, Count: 1_000_000, Scheme: serial.Short})
		if err != nil || res.Block.Count != 1_000_000 {
			t.Fatalf("another organisation's mint: %+v %v", res, err)
		}
	}
	mintVictim()
	sp := e.SharedSpaces()
	if len(sp) != 1 || sp[0].Space != "short" || sp[0].Issued != DefaultShortQuotaPerOrg+1_000_000 ||
		sp[0].MaxOrgIssued != DefaultShortQuotaPerOrg || sp[0].Remaining() != serial.CapShort-sp[0].Issued {
		t.Fatalf("shared spaces: %+v", sp)
	}
	e = reopen(t, e)
	if _, err := e.Mint(context.Background(), MintRequest{Product: hostile.ID, Count: 1, Scheme: serial.Short, AllowPartial: true}); !errors.Is(err, ErrCap) {
		t.Fatalf("the quota after reopen: %v", err)
	}
	mintVictim()
}

// TestShortQuotaOption: the quota is configurable and may not reach the
// space's cap.
func TestShortQuotaOption(t *testing.T) {
	o := Options{ShortQuotaPerOrg: serial.CapShort}
	o.EnsureDefaults()
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "ShortQuotaPerOrg") {
		t.Fatalf("a quota equal to the space: %v", err)
	}
	o = Options{}
	o.EnsureDefaults()
	if o.ShortQuotaPerOrg != DefaultShortQuotaPerOrg || o.Validate() != nil {
		t.Fatalf("default quota %d: %v", o.ShortQuotaPerOrg, o.Validate())
	}
}
