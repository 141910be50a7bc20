package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"tracecode/engine/config"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// TestShortQuotaHostileOrg: a hostile organisation sends 100 concurrent
// mints of 10^10 short codes with AllowPartial (together the whole
// engine-wide space, which they used to exhaust in about a second); it
// gets its quota and then refusals naming the quota, and another
// organisation still mints — before and after a reopen.
func TestShortQuotaHostileOrg(t *testing.T) {
	e := openTest(t, "")
	addOrg := func(name, gcp string) model.Product {
		o, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: name, GCPs: []string{gcp}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{Org: o.ID, OwnCode: "SC-" + gcp, NameZH: "散装大米", Category: ParseCategoryMust("food")})
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
			res, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: hostile.ID, Count: 10_000_000_000, Scheme: serial.Short, AllowPartial: true})
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
	if got != config.DefaultShortQuotaPerOrg || len(refused) == 0 {
		t.Fatalf("the hostile organisation took %d short codes (quota %d), %d refusals", got, uint64(config.DefaultShortQuotaPerOrg), len(refused))
	}
	for _, err := range refused {
		if !errors.Is(err, model.ErrCap) || !strings.Contains(err.Error(), "quota") {
			t.Fatalf("refusal: %v", err)
		}
	}
	mintVictim := func() {
		t.Helper()
		res, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: victim.ID, Count: 1_000_000, Scheme: serial.Short})
		if err != nil || res.Block.Count != 1_000_000 {
			t.Fatalf("another organisation's mint: %+v %v", res, err)
		}
	}
	mintVictim()
	sp := e.Issuance().SharedSpaces()
	if len(sp) != 3 || sp[0].Space != "short" || sp[0].Issued != config.DefaultShortQuotaPerOrg+1_000_000 ||
		sp[0].MaxOrgIssued != config.DefaultShortQuotaPerOrg || sp[0].Remaining() != serial.CapShort-sp[0].Issued {
		t.Fatalf("shared spaces: %+v", sp)
	}
	e = reopen(t, e)
	if _, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: hostile.ID, Count: 1, Scheme: serial.Short, AllowPartial: true}); !errors.Is(err, model.ErrCap) {
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
	if o.ShortQuotaPerOrg != config.DefaultShortQuotaPerOrg || o.Validate() != nil {
		t.Fatalf("default quota %d: %v", o.ShortQuotaPerOrg, o.Validate())
	}
}

// TestLotAndProductQuotas: lot and product ids are 32-bit spaces shared by
// every organisation; one organisation creating lots (directly or by
// minting with createLot) and products past its quota is refused with
// ErrCap naming the quota, also after a reopen, while another still
// creates them.
func TestLotAndProductQuotas(t *testing.T) {
	dir := t.TempDir()
	open := func() *Engine {
		e, err := Open(dir, &Options{Store: smallStore(), MaxLotsPerOrg: 3, MaxProductsPerOrg: 2})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := open()
	ctx := t.Context()
	a, _ := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "甲", GCPs: []string{"6920001"}})
	b, _ := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "乙", GCPs: []string{"6920002"}})
	product := func(org uint32, code string) (model.Product, error) {
		return e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: org, OwnCode: code, NameZH: "米", Category: ParseCategoryMust("food")})
	}
	pa, err := product(a.ID, "A1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := product(a.ID, "A2"); err != nil {
		t.Fatal(err)
	}
	if _, err := product(a.ID, "A3"); !errors.Is(err, model.ErrCap) || !strings.Contains(err.Error(), "MaxProductsPerOrg") {
		t.Fatalf("a third product: %v", err)
	}
	pb, err := product(b.ID, "B1")
	if err != nil {
		t.Fatalf("another organisation's product: %v", err)
	}
	for _, n := range []string{"L1", "L2"} {
		if _, err := e.Issuance().AddLot(ctx, issue.LotSpec{Product: pa.ID, Number: n}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: pa.ID, Lot: "L3", CreateLot: true, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: pa.ID, Lot: "L4", CreateLot: true, Count: 1}); !errors.Is(err, model.ErrCap) || !strings.Contains(err.Error(), "MaxLotsPerOrg") {
		t.Fatalf("a fourth lot by minting: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = open()
	defer e.Close()
	if _, err := e.Issuance().AddLot(ctx, issue.LotSpec{Product: pa.ID, Number: "L5"}); !errors.Is(err, model.ErrCap) {
		t.Fatalf("a fourth lot after reopen: %v", err)
	}
	if _, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: a.ID, OwnCode: "A4", NameZH: "米", Category: ParseCategoryMust("food")}); !errors.Is(err, model.ErrCap) {
		t.Fatalf("a third product after reopen: %v", err)
	}
	if _, err := e.Issuance().AddLot(ctx, issue.LotSpec{Product: pb.ID, Number: "L1"}); err != nil {
		t.Fatalf("another organisation's lot: %v", err)
	}
	sp := e.Issuance().SharedSpaces()
	if sp[1].Space != "lot" || sp[1].Issued != 4 || sp[1].MaxOrgIssued != 3 || sp[2].Space != "product" || sp[2].MaxOrgIssued != 2 {
		t.Fatalf("shared spaces: %+v", sp)
	}
	if err := e.Issuance().Check(); err != nil {
		t.Fatal(err)
	}
}
