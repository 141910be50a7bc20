package issue

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// withIndicator returns GTIN-14 gtin with indicator digit d and its check
// digit recomputed: the GS1 form of a higher packaging level's GTIN.
func withIndicator(t testing.TB, gtin string, d byte) string {
	t.Helper()
	body := string(d) + gtin[1:13]
	c, err := gs1.CheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

func TestLevelGTINChecks(t *testing.T) {
	ctx := context.Background()
	e := openTest(t, "")
	caseGTIN := withIndicator(t, testGTIN, '1')
	levels := model.LevelSet(0).With(model.LevelItem).With(model.LevelInner).With(model.LevelCase)
	spec := func(gtin string, lg map[Level]string) ProductSpec {
		return ProductSpec{GTIN: gtin, GCPLength: 7, NameZH: "阿莫西林胶囊", Category: model.CatDrug, Levels: levels, LevelGTINs: lg}
	}
	p, err := e.AddProduct(ctx, spec(testGTIN, map[Level]string{model.LevelCase: caseGTIN}))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.LevelGTINs.Of(model.LevelCase).String(); got != caseGTIN {
		t.Fatalf("case GTIN = %s, want %s", got, caseGTIN)
	}
	if q, err := e.ProductByGTIN(p.LevelGTINs.Of(model.LevelCase)); err != nil || q.ID != p.ID {
		t.Fatalf("ProductByGTIN(case GTIN) = %d, %v; want product %d", q.ID, err, p.ID)
	}

	other := "09520123456795" // same prefix, another item

	for _, c := range []struct {
		name string
		spec ProductSpec
		kind error
		want string
	}{
		{"bad check digit", spec(other, map[Level]string{model.LevelCase: withIndicator(t, other, '1')[:13] + "0"}), ErrInvalid, "check digit"},
		{"other company prefix", spec(other, map[Level]string{model.LevelCase: withIndicator(t, "06901234000011", '1')}), ErrInvalid, "company prefix 9520123"},
		{"another product's level GTIN", spec(other, map[Level]string{model.LevelCase: caseGTIN}), ErrExists, "product 1"},
		{"another product's GTIN", spec(other, map[Level]string{model.LevelCase: testGTIN}), ErrExists, "product 1"},
		{"the item's own GTIN", spec(other, map[Level]string{model.LevelCase: other}), ErrInvalid, "distinct GTIN"},
		{"two levels one GTIN", spec(other, map[Level]string{model.LevelInner: withIndicator(t, other, '2'), model.LevelCase: withIndicator(t, other, '2')}), ErrInvalid, "level inner"},
		{"pallet", spec(other, map[Level]string{model.LevelPallet: withIndicator(t, other, '3')}), ErrInvalid, "SSCC"},
		{"variable measure", spec(other, map[Level]string{model.LevelCase: withIndicator(t, other, '9')}), ErrInvalid, "variable-measure"},
		{"level not of the product", ProductSpec{GTIN: other, GCPLength: 7, NameZH: "x", Category: model.CatDrug,
			LevelGTINs: map[Level]string{model.LevelCase: withIndicator(t, other, '1')}}, ErrInvalid, "not one of product"},
		{"product without GTIN", ProductSpec{Org: p.Org, OwnCode: "X1", NameZH: "x", Category: model.CatDrug, Levels: levels,
			LevelGTINs: map[Level]string{model.LevelCase: withIndicator(t, other, '1')}}, ErrInvalid, "has no GTIN"},
	} {
		_, err := e.AddProduct(ctx, c.spec)
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: AddProduct error %v, want %v naming %q", c.name, err, c.kind, c.want)
		}
		if n := len(e.Products(0)); n != 1 {
			t.Fatalf("%s: %d products after a refused AddProduct, want 1", c.name, n)
		}
	}

	// A new product's GTIN may not be another's level GTIN.
	if _, err := e.AddProduct(ctx, spec(caseGTIN, nil)); !errors.Is(err, ErrExists) {
		t.Errorf("AddProduct with another product's case GTIN: %v, want ErrExists", err)
	}

	// Declared later, by an amendment: the inner pack; the case never changes.
	innerGTIN := withIndicator(t, testGTIN, '2')
	p, err = e.AmendProduct(ctx, p.ID, func(p *Product, _ *store.Batch) error {
		p.LevelGTINs[model.LevelInner], _ = gs1.ParseGTIN(innerGTIN)
		return nil
	})
	if err != nil || p.LevelGTINs.Of(model.LevelInner).String() != innerGTIN {
		t.Fatalf("AmendProduct declaring the inner GTIN: %v (inner %s)", err, p.LevelGTINs.Of(model.LevelInner))
	}
	for name, change := range map[string]func(p *Product, _ *store.Batch) error{
		"changed": func(p *Product, _ *store.Batch) error {
			p.LevelGTINs[model.LevelCase], _ = gs1.ParseGTIN(withIndicator(t, testGTIN, '3'))
			return nil
		},
		"removed": func(p *Product, _ *store.Batch) error { p.LevelGTINs[model.LevelCase] = gs1.GTIN{}; return nil },
	} {
		_, err := e.AmendProduct(ctx, p.ID, change)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "never") {
			t.Errorf("case GTIN %s: %v, want ErrInvalid saying it never changes", name, err)
		}
	}
	if q, _ := e.Product(p.ID); q.LevelGTINs.Of(model.LevelCase).String() != caseGTIN {
		t.Errorf("case GTIN after refused changes = %s, want %s", q.LevelGTINs.Of(model.LevelCase), caseGTIN)
	}
}
