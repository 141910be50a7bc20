package engine

import (
	"context"
	"testing"
	"time"

	"tracecode/engine/category"
	"tracecode/engine/issue"
	"tracecode/engine/sector"
)

// TestSectorFactsCacheFollowsRegistration: a lot's codes show no facts
// while neither the lot nor its product has any (the answer the facts
// cache keeps), then the lot's facts once it is registered — the cache
// never serves the answer of before.
func TestSectorFactsCacheFollowsRegistration(t *testing.T) {
	e := openTest(t, "")
	ctx := context.Background()
	org, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "天水花牛苹果合作社", USCC: "91620503MA71PE013U", GCPs: []string{"9520123"}})
	if err != nil {
		t.Fatal(err)
	}
	apples, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: org.ID, GTIN: testGTIN, GCPLength: 7, NameZH: "花牛苹果", Category: ParseCategoryMust("farm")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sectors().SetProductProfile(ctx, sector.ProfileSpec{Org: org.ID, Product: apples.ID, Profile: "farm", Fields: category.Record{"class": "fruit"}}); err != nil {
		t.Fatal(err)
	}
	lot, err := e.Issuance().AddLot(ctx, issue.LotSpec{Product: apples.ID, Number: "HN2026A"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for range 2 { // the second answer comes from the cache
		if f := e.Sectors().Facts(apples.ID, 5, true, lot.ID, now, true); len(f) != 0 {
			t.Fatalf("facts of an unregistered lot's code: %+v", f)
		}
	}
	if _, err := e.Sectors().RegisterItem(ctx, sector.ItemSpec{Org: org.ID, Product: apples.ID, Lot: "HN2026A",
		Fields: category.Record{"origin": "620503100", "committer": "天水花牛苹果合作社", "contact": "0938-1234567"}}); err != nil {
		t.Fatal(err)
	}
	if f := e.Sectors().Facts(apples.ID, 5, true, lot.ID, now, true); len(f) == 0 {
		t.Fatal("no facts for a code of the lot once the lot is registered")
	}
}
