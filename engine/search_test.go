package engine

import (
	"errors"
	"strings"
	"testing"

	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/search"
	"tracecode/engine/store"
)

// TestSearchIndex: the index is built at Open and follows master-data
// writes (an organisation, a product, the organisation a product's
// GTIN creates); a query error names the bad check digit; the public
// enterprise view is found by USCC and by id, and an unknown key is
// refused.
func TestSearchIndex(t *testing.T) {
	e := openTest(t, "")
	names := func(q string) string {
		t.Helper()
		a, err := e.Search(q, 0)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		var out []string
		for _, h := range a.Hits {
			if h.Product != nil {
				out = append(out, h.Product.NameZH+"@"+h.Org.Name)
			} else {
				out = append(out, h.Org.Name)
			}
		}
		return strings.Join(out, ",")
	}
	if got := names("福州"); got != "" {
		t.Fatalf("an empty store finds %q", got)
	}
	o, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "福州示范药业有限公司", NameEN: "Fuzhou Demo Pharma", USCC: "91350100M000100Y43", GCPs: []string{"6901234"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: "6901234567892", GCPLength: 7, NameZH: "示范感冒药", NameEN: "Demo cold remedy", Category: ParseCategoryMust("drug")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "示范奶粉", Category: ParseCategoryMust("food"), OrgName: "示范乳业"}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"福州":                 "福州示范药业有限公司",
		"fuzhou demo":        "福州示范药业有限公司",
		"示范":                 "示范乳业,示范奶粉@示范乳业,示范感冒药@福州示范药业有限公司,福州示范药业有限公司",
		"6901234567892":      "示范感冒药@福州示范药业有限公司",
		"91350100M000100Y43": "福州示范药业有限公司",
		"COLD remedy":        "示范感冒药@福州示范药业有限公司",
	} {
		if got := names(q); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
	if _, err := e.Search("6901234567893", 0); !errors.Is(err, search.ErrInvalid) || !strings.Contains(err.Error(), "check digit is 3, expected 2") {
		t.Errorf("a wrong check digit: %v", err)
	}
	// Reopened: built from the store.
	e = reopen(t, e)
	if got := names("感冒药"); got != "示范感冒药@福州示范药业有限公司" {
		t.Errorf("after reopening: %q", got)
	}
	for _, key := range []string{"91350100M000100Y43", "91350100m000100y43", "1"} {
		v, err := e.OneStop().Enterprise(key)
		if err != nil || v.Org.ID != o.ID || len(v.Products) != 1 {
			t.Errorf("PublicEnterprise(%q): %+v %v", key, v.Org, err)
		}
	}
	for _, key := range []string{"91350100M000100Y44", "99", "x"} {
		if _, err := e.OneStop().Enterprise(key); !errors.Is(err, model.ErrUnknownOrg) {
			t.Errorf("PublicEnterprise(%q): %v", key, err)
		}
	}
}

// TestSearchRefresh: a replica's reload (Refresh of the issuance family)
// brings the organisations and products it has not indexed yet.
func TestSearchRefresh(t *testing.T) {
	e := openTest(t, "")
	if _, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "福州示范药业有限公司", GCPs: []string{"6901234"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: "6901234567892", GCPLength: 7, NameZH: "示范感冒药", Category: ParseCategoryMust("drug")}); err != nil {
		t.Fatal(err)
	}
	e.search.Store(search.New()) // as a replica's index before the writer's batches
	if a, _ := e.Search("示范", 0); a.Total != 0 {
		t.Fatalf("the emptied index finds %d", a.Total)
	}
	if err := e.Refresh(store.FamIssue); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.Search("示范", 0); a.Total != 2 {
		t.Errorf("after Refresh: %d hits, want the organisation and the product", a.Total)
	}
}
