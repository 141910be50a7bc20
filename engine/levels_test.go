package engine

import (
	"errors"
	"strings"
	"testing"
)

// TestEditProductLevelGTINs: the owning organisation declares its case
// GTIN; another organisation's key and a regulator may not, and a
// refused declaration writes nothing.
func TestEditProductLevelGTINs(t *testing.T) {
	w := newEditWorld(t)
	e := w.e
	p, err := e.AddProduct(t.Context(), ProductSpec{Org: w.org.ID, GTIN: "06901234000016", GCPLength: 7, NameZH: "纯牛奶 250毫升",
		Category: ParseCategoryMust("food"), Levels: LevelSet(0).With(LevelItem).With(LevelCase)})
	if err != nil {
		t.Fatal(err)
	}
	in := &ProductEdit{LevelGTINs: map[Level]string{LevelCase: "16901234000013"}}
	for name, k := range map[string]APIKey{"another organisation": w.hostile, "a regulator": w.regulator} {
		if _, _, err := e.EditProduct(t.Context(), k, p.ID, in); !errors.Is(err, ErrWrongOrg) {
			t.Errorf("%s declares the case GTIN: %v, want ErrWrongOrg", name, err)
		}
	}
	bad := &ProductEdit{LevelGTINs: map[Level]string{LevelCase: "16901234000012"}}
	if _, _, err := e.EditProduct(t.Context(), w.owner, p.ID, bad); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "check digit") {
		t.Errorf("a bad check digit: %v, want ErrInvalid naming the check digit", err)
	}
	if q, _ := e.Product(p.ID); !q.LevelGTINs.Of(LevelCase).IsZero() {
		t.Fatalf("a refused declaration wrote case GTIN %s", q.LevelGTINs.Of(LevelCase))
	}
	if tr, err := e.ProductTrail(w.owner, p.ID); err != nil || len(tr) != 0 {
		t.Fatalf("trail after refused declarations: %+v %v", tr, err)
	}
	q, _, err := e.EditProduct(t.Context(), w.owner, p.ID, in)
	if err != nil || q.LevelGTINs.Of(LevelCase).String() != "16901234000013" {
		t.Fatalf("the owner declares the case GTIN: %v (case %s)", err, q.LevelGTINs.Of(LevelCase))
	}
	tr, err := e.ProductTrail(w.owner, p.ID)
	if err != nil || len(tr) != 1 || tr[0].Changes[0] != (Change{Field: "levelGTIN.case", Old: "", New: "16901234000013"}) {
		t.Fatalf("trail %+v %v", tr, err)
	}
	if r, err := e.ProductByGTIN(q.LevelGTINs.Of(LevelCase)); err != nil || r.ID != p.ID {
		t.Fatalf("ProductByGTIN(case GTIN) = %d, %v", r.ID, err)
	}
}
