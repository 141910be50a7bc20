package engine

import (
	"errors"
	"strings"
	"testing"

	"tracecode/engine/amend"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/notice"
)

// editWorld is an organisation of Chengguan District (620102) with a
// product and a lot, and the keys that act on them.
type editWorld struct {
	e                                   *Engine
	org                                 model.Org
	p                                   model.Product
	l                                   model.Lot
	owner, hostile, regulator, stranger apikey.Key
}

func newEditWorld(t *testing.T) *editWorld {
	t.Helper()
	e := openTest(t, "")
	o, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "兰州示范乳业", Region: "620102", GCPs: []string{"6901234"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.Issuance().AddOrg(t.Context(), issue.OrgSpec{Name: "天水他厂", Region: "620500", GCPs: []string{"9520123"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{Org: o.ID, GTIN: testGTIN2, GCPLength: 7, NameZH: "婴幼儿配方奶粉", Category: ParseCategoryMust("food")})
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.Issuance().AddLot(t.Context(), issue.LotSpec{Product: p.ID, Number: "L1", Produced: 20260101, Expiry: 20261231})
	if err != nil {
		t.Fatal(err)
	}
	return &editWorld{e: e, org: o, p: p, l: l,
		owner:     apikey.Key{ID: 0x11, Org: o.ID, Scopes: apikey.ScopeMint | apikey.ScopeReport},
		hostile:   apikey.Key{ID: 0x22, Org: other.ID, Scopes: apikey.ScopeAdmin | apikey.ScopeMint},
		regulator: apikey.Key{ID: 0x33, Scopes: apikey.ScopeRegulator, Region: 620100},
		stranger:  apikey.Key{ID: 0x44, Scopes: apikey.ScopeRegulator, Region: 620500}}
}

func u32(v uint32) *uint32 { return &v }
func str(s string) *string { return &s }

func TestEditLotDatesNeedAReasonAndKeepATrail(t *testing.T) {
	w := newEditWorld(t)
	e := w.e
	// A date change without a reason is refused, naming the reason, and
	// writes nothing.
	_, _, err := e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Expiry: u32(20270331)})
	if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("expiry without a reason: %v", err)
	}
	if l, _ := e.Issuance().Lot(w.l.ID); l.Expiry != 20261231 {
		t.Fatalf("a refused change wrote the expiry %d", l.Expiry)
	}
	if tr, err := e.Amendments().LotTrail(w.owner, w.l.ID); err != nil || len(tr) != 0 {
		t.Fatalf("trail after a refused change: %v %v", tr, err)
	}
	// An expiry before the production date is refused.
	if _, _, err := e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Expiry: u32(20251231), Reason: "x"}); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "before the production date") {
		t.Fatalf("expiry before production: %v", err)
	}
	// With a reason it is changed, with quantity and origin, and the trail
	// says who, when, old → new and why.
	l, det, err := e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Expiry: u32(20270331), Quantity: new(uint64(1200)), Unit: str("箱"),
		Origin: str("甘肃省兰州市"), Reason: "稳定性试验延长保质期"})
	if err != nil || l.Expiry != 20270331 || l.Produced != 20260101 || l.Number != "L1" || det.Quantity != 1200 || det.Origin != "甘肃省兰州市" {
		t.Fatalf("edit: %+v %+v %v", l, det, err)
	}
	tr, err := e.Amendments().LotTrail(w.owner, w.l.ID)
	if err != nil || len(tr) != 1 {
		t.Fatalf("trail %+v %v", tr, err)
	}
	got := tr[0]
	if got.Seq != 1 || got.By != "key:0000000000000011" || got.Org != w.org.ID || got.Reason != "稳定性试验延长保质期" || got.At != e.nowMillis() ||
		len(got.Changes) != 4 || got.Changes[0] != (amend.Change{Field: "expiry", Old: "2026-12-31", New: "2027-03-31"}) || got.Changes[1] != (amend.Change{Field: "quantity", Old: "", New: "1200"}) {
		t.Fatalf("trail entry %+v", got)
	}
	// A change of nothing writes no entry.
	if _, _, err := e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Expiry: u32(20270331), Reason: "same"}); err != nil {
		t.Fatal(err)
	}
	if tr, _ := e.Amendments().LotTrail(w.owner, w.l.ID); len(tr) != 1 {
		t.Fatalf("an unchanged edit added to the trail: %d entries", len(tr))
	}
	// The regulator of the city reads the trail; a regulator of another
	// city and another organisation do not (as for a lot they cannot see).
	if tr, err := e.Amendments().LotTrail(w.regulator, w.l.ID); err != nil || len(tr) != 1 {
		t.Fatalf("regulator's trail: %v %v", tr, err)
	}
	for _, k := range []apikey.Key{w.stranger, w.hostile} {
		if _, err := e.Amendments().LotTrail(k, w.l.ID); !errors.Is(err, model.ErrUnknownLot) {
			t.Errorf("trail read by %+v: %v", k, err)
		}
	}
	// Survives a reopen.
	e = reopen(t, e)
	if l, _ := e.Issuance().Lot(w.l.ID); l.Expiry != 20270331 {
		t.Fatalf("expiry after reopen %d", l.Expiry)
	}
	if d, err := e.Amendments().LotDetails(w.l.ID); err != nil || d.Quantity != 1200 || d.Unit != "箱" {
		t.Fatalf("details after reopen %+v %v", d, err)
	}
	if tr, _ := e.Amendments().LotTrail(w.owner, w.l.ID); len(tr) != 1 || tr[0].Changes[0].New != "2027-03-31" {
		t.Fatalf("trail after reopen %+v", tr)
	}
	if rep, err := e.Verify(); err != nil || !rep.OK() {
		t.Fatalf("verify after the edit: %v %v", err, rep.Problems)
	}
}

// TestEditRefusesOthers: another organisation's key and a regulator may
// not change the organisation's products or lots; nothing is written.
func TestEditRefusesOthers(t *testing.T) {
	w := newEditWorld(t)
	for _, k := range []apikey.Key{w.hostile, w.regulator, {ID: 0x55, Org: w.org.ID, Scopes: apikey.ScopeReport}} {
		if _, _, err := w.e.Amendments().EditLot(t.Context(), k, w.l.ID, &amend.LotEdit{Expiry: u32(20270101), Reason: "x"}); !errors.Is(err, model.ErrWrongOrg) {
			t.Errorf("lot edit by %+v: %v", k, err)
		}
		if _, _, err := w.e.Amendments().EditProduct(t.Context(), k, w.p.ID, &amend.ProductEdit{NameZH: str("冒名")}); !errors.Is(err, model.ErrWrongOrg) {
			t.Errorf("product edit by %+v: %v", k, err)
		}
	}
	if l, _ := w.e.Issuance().Lot(w.l.ID); l.Expiry != 20261231 {
		t.Fatalf("a refused edit changed the lot: %+v", l)
	}
	if p, _ := w.e.Issuance().Product(w.p.ID); p.NameZH != "婴幼儿配方奶粉" {
		t.Fatalf("a refused edit changed the product: %+v", p)
	}
	if tr, _ := w.e.Amendments().ProductTrail(w.owner, w.p.ID); len(tr) != 0 {
		t.Fatalf("a refused edit left a trail: %+v", tr)
	}
}

// TestEditLotOnHoldKeepsDates: a lot on hold keeps its dates; its other
// facts may still change.
func TestEditLotOnHoldKeepsDates(t *testing.T) {
	w := newEditWorld(t)
	n, err := w.e.OpenNotices(notice.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.HoldLot(w.regulator, chain.LotRef{Product: w.p.ID, Number: "L1"}, "抽检不合格"); err != nil {
		t.Fatal(err)
	}
	_, _, err = w.e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Expiry: u32(20270331), Reason: "延长"})
	if !errors.Is(err, model.ErrState) || !strings.Contains(err.Error(), "on hold") {
		t.Fatalf("expiry of a held lot: %v", err)
	}
	if _, _, err := w.e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Produced: u32(20260102), Reason: "更正"}); !errors.Is(err, model.ErrState) {
		t.Fatalf("production date of a held lot: %v", err)
	}
	if l, _ := w.e.Issuance().Lot(w.l.ID); l.Expiry != 20261231 || l.Produced != 20260101 {
		t.Fatalf("held lot's dates changed: %+v", l)
	}
	if _, d, err := w.e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Origin: str("甘肃省兰州市城关区")}); err != nil || d.Origin != "甘肃省兰州市城关区" {
		t.Fatalf("origin of a held lot: %+v %v", d, err)
	}
}

func TestEditProduct(t *testing.T) {
	w := newEditWorld(t)
	e := w.e
	p, det, err := e.Amendments().EditProduct(t.Context(), w.owner, w.p.ID, &amend.ProductEdit{NameZH: str("陇原婴幼儿配方奶粉"), NameEN: str("Longyuan infant formula"),
		Description: str("一段\r\n适用0-6月龄"), Images: &[]string{"https://img.example.cn/a.jpg"},
		Links: &[]model.Link{{Type: "gs1:pip", URL: "https://lz.example.cn/p"}}})
	if err != nil || p.NameZH != "陇原婴幼儿配方奶粉" || p.GTIN != w.p.GTIN || p.Org != w.org.ID || det.Description != "一段\n适用0-6月龄" || len(p.Links) != 1 {
		t.Fatalf("edit %+v %+v %v", p, det, err)
	}
	if got, _ := e.Issuance().Product(w.p.ID); got.NameEN != "Longyuan infant formula" {
		t.Fatalf("product after edit %+v", got)
	}
	tr, err := e.Amendments().ProductTrail(w.regulator, w.p.ID)
	if err != nil || len(tr) != 1 || len(tr[0].Changes) != 5 || tr[0].Changes[0] != (amend.Change{Field: "nameZH", Old: "婴幼儿配方奶粉", New: "陇原婴幼儿配方奶粉"}) {
		t.Fatalf("trail %+v %v", tr, err)
	}
	// The one-stop search finds the new name.
	a, err := e.Search("陇原", 10)
	if err != nil || a.Total != 1 || a.Hits[0].Product == nil || a.Hits[0].Product.ID != w.p.ID {
		t.Fatalf("search for the new name: %+v %v", a, err)
	}
	// Bad input names its field and writes nothing.
	for _, c := range []struct {
		in   amend.ProductEdit
		want string
	}{
		{amend.ProductEdit{NameZH: str("")}, "name"},
		{amend.ProductEdit{Images: &[]string{"javascript:alert(1)"}}, "images[0]"},
		{amend.ProductEdit{Links: &[]model.Link{{Type: "gs1:pip", URL: "https://a@b.example/"}}}, "link url"},
		{amend.ProductEdit{Description: str("a\x00b")}, "description"},
	} {
		if _, _, err := e.Amendments().EditProduct(t.Context(), w.owner, w.p.ID, &c.in); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("edit %+v: %v, want an error naming %q", c.in, err, c.want)
		}
	}
	if tr, _ := e.Amendments().ProductTrail(w.owner, w.p.ID); len(tr) != 1 {
		t.Fatalf("refused edits left %d entries", len(tr))
	}
}

// TestEditRecalledLotKeepsExpiry: a recalled lot's expiry date stays.
func TestEditRecalledLotKeepsExpiry(t *testing.T) {
	w := newEditWorld(t)
	if _, err := w.e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: chain.ReportMeta{Org: w.org.ID, Credential: "test"},
		Lots: []chain.LotRef{{Product: w.p.ID, Number: "L1"}}, Reason: "三聚氰胺"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := w.e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Expiry: u32(20270331), Reason: "延长"})
	if !errors.Is(err, model.ErrState) || !strings.Contains(err.Error(), "recalled") {
		t.Fatalf("expiry of a recalled lot: %v", err)
	}
	if l, _ := w.e.Issuance().Lot(w.l.ID); l.Expiry != 20261231 {
		t.Fatalf("recalled lot's expiry changed: %+v", l)
	}
}

// TestEditBumpsRevision: every accepted edit of a product or a lot raises
// its record's revision by one (what caches derived from the record key
// on), a refused one does not, and the revision survives a reopen.
func TestEditBumpsRevision(t *testing.T) {
	w := newEditWorld(t)
	e := w.e
	if w.p.Revision != 0 || w.l.Revision != 0 {
		t.Fatalf("new records have revisions %d, %d; want 0", w.p.Revision, w.l.Revision)
	}
	p, _, err := e.Amendments().EditProduct(t.Context(), w.owner, w.p.ID, &amend.ProductEdit{NameEN: str("Infant formula")})
	if err != nil || p.Revision != 1 {
		t.Fatalf("first product edit: revision %d, %v; want 1", p.Revision, err)
	}
	if _, _, err := e.Amendments().EditProduct(t.Context(), w.owner, w.p.ID, &amend.ProductEdit{NameZH: str("")}); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("empty name: %v", err)
	}
	if p, _, err = e.Amendments().EditProduct(t.Context(), w.owner, w.p.ID, &amend.ProductEdit{NameEN: str("Infant formula 1")}); err != nil || p.Revision != 2 {
		t.Fatalf("second product edit: revision %d, %v; want 2", p.Revision, err)
	}
	l, _, err := e.Amendments().EditLot(t.Context(), w.owner, w.l.ID, &amend.LotEdit{Site: str("兰州一厂")})
	if err != nil || l.Revision != 1 {
		t.Fatalf("lot edit: revision %d, %v; want 1", l.Revision, err)
	}
	e = reopen(t, e)
	if got, _ := e.Issuance().Product(w.p.ID); got.Revision != 2 {
		t.Errorf("product revision after reopen %d, want 2", got.Revision)
	}
	if got, _ := e.Issuance().Lot(w.l.ID); got.Revision != 1 {
		t.Errorf("lot revision after reopen %d, want 1", got.Revision)
	}
}
