package pgbase

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := OpenSchema(ctx, "", Schema+"_test")
	if err != nil {
		if Required() {
			t.Fatalf("TRACECODE_CI=1 and PostgreSQL is required: %v", err)
		}
		t.Skipf("skipping: PostgreSQL not reachable at %s (%v); start it or set TRACECODE_CI=1 to make this fail", DefaultDSN, err)
	}
	t.Cleanup(db.Close)
	if err := db.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestBaselineChain(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	code := func(i int) string { return fmt.Sprintf("(01)09520123456788(21)S%06d", i) }
	if err := db.Mint(ctx, 100, func(i int, r *Row) {
		*r = Row{Code: code(i), GTIN: "09520123456788", Serial: fmt.Sprintf("S%06d", i), Lot: "L1", BlockID: 1}
	}); err != nil {
		t.Fatal(err)
	}
	// Case and pallet are codes too.
	if err := db.Mint(ctx, 2, func(i int, r *Row) {
		*r = Row{Code: []string{"CASE1", "PALLET1"}[i], GTIN: "-", Serial: "-", Lot: "L1", BlockID: 2}
	}); err != nil {
		t.Fatal(err)
	}
	children := []string{code(0), code(1), code(2)}
	if err := db.Pack(ctx, "CASE1", children); err != nil {
		t.Fatal(err)
	}
	if err := db.Pack(ctx, "PALLET1", []string{"CASE1"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Pack(ctx, "CASE1", []string{"NOPE"}); err == nil {
		t.Fatal("packing a code that does not exist succeeded")
	}
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	if err := db.AddEvents(ctx, []Event{
		{Code: code(1), BizStep: "commissioning", Disposition: "active", Time: t0, Location: "L", Org: "A"},
		{Code: "PALLET1", BizStep: "shipping", Disposition: "in_transit", Time: t0.Add(time.Hour), Location: "L", Org: "A"},
	}); err != nil {
		t.Fatal(err)
	}
	ch, err := db.Resolve(ctx, code(1))
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Found || ch.Row.Serial != "S000001" {
		t.Fatalf("Resolve: %+v", ch)
	}
	if fmt.Sprint(ch.Containers) != "[CASE1 PALLET1]" {
		t.Fatalf("containers %v, want [CASE1 PALLET1]", ch.Containers)
	}
	if len(ch.Events) != 2 || ch.Events[0].BizStep != "commissioning" || ch.Events[1].BizStep != "shipping" {
		t.Fatalf("events %+v, want commissioning then shipping (inherited from the pallet)", ch.Events)
	}
	miss, err := db.Resolve(ctx, "NEVER")
	if err != nil || miss.Found {
		t.Fatalf("Resolve(never issued) = %+v, %v", miss, err)
	}
	n, err := db.DiskBytes(ctx)
	if err != nil || n <= 0 {
		t.Fatalf("DiskBytes = %d, %v", n, err)
	}
}
