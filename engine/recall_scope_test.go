package engine

import (
	"errors"
	"slices"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/resolve"
)

// TestOrderRecallCodes: a recall of two single codes reaches only the
// organisations that received those items — each with the count of those
// items and of the cases that held them, not of their whole lot — makes
// those codes resolve as recalled and the rest of their lot not, and does
// not stand over the lot on scan pages or for trading rules.
func TestOrderRecallCodes(t *testing.T) {
	c := newNoticeChain(t)
	case0, case1, case2 := c.code(t, c.cases, 0), c.code(t, c.cases, 1), c.code(t, c.cases, 2)
	c.capture(t, c.p.ID, shipTo("2026-03-01T09:00:00+08:00", "6901234", case0, case1), shipTo("2026-03-01T09:05:00+08:00", "6905678", case2))
	c.capture(t, c.d.ID, receive("2026-03-01T10:00:00+08:00", case0, case1))
	c.capture(t, c.d.ID, shipTo("2026-03-01T11:00:00+08:00", "6905678", case1))
	c.capture(t, c.h.ID, receive("2026-03-01T12:00:00+08:00", case1, case2))
	c.capture(t, c.h.ID, dispense("2026-03-01T13:00:00+08:00", c.code(t, c.items, 25)))
	// Item 12 (case 1: producer → distributor → pharmacy) and item 25
	// (case 2: producer → pharmacy, dispensed there).
	order := &notice.RecallOrder{Level: "II", Codes: []string{c.code(t, c.items, 12), c.code(t, c.items, 25)}, ReasonZH: "包装破损"}
	if _, err := c.n.OrderRecall(t.Context(), apikey.Key{Org: c.d.ID, Scopes: apikey.ScopeEvents}, order); !errors.Is(err, model.ErrWrongOrg) {
		t.Fatalf("the distributor recalled the producer's codes: %v", err)
	}
	bad := &notice.RecallOrder{Level: "II", Codes: []string{c.code(t, c.items, 12), case0}, ReasonZH: "x"}
	var fe *model.FieldError
	if _, err := c.n.OrderRecall(t.Context(), apikey.Key{Org: c.p.ID, Scopes: apikey.ScopeEvents}, bad); !errors.As(err, &fe) || fe.Field != "codes[1]" {
		t.Fatalf("a case among the codes: %v", err)
	}
	v, err := c.n.OrderRecall(t.Context(), apikey.Key{Org: c.p.ID, Scopes: apikey.ScopeEvents}, order)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint32]notice.RecipientView{}
	for _, p := range v.Recipients {
		got[p.Org] = p
	}
	if len(got) != 2 {
		t.Fatalf("recipients %+v", v.Recipients)
	}
	if d := got[c.d.ID].AtStart; d.Received != 1 || d.Cases != 1 || d.Shipped != 1 || d.Held != 0 {
		t.Errorf("distributor %+v, want 1 item in 1 case received and shipped on", d)
	}
	if h := got[c.h.ID].AtStart; h.Received != 2 || h.Cases != 2 || h.Sold != 1 || h.Held != 1 {
		t.Errorf("pharmacy %+v, want 2 items in 2 cases received, 1 dispensed", h)
	}
	if r, _ := c.e.Resolve(c.code(t, c.items, 12)); r.Status != resolve.StatusRecalled {
		t.Errorf("a recalled code resolves %v", r.Status)
	}
	if r, _ := c.e.Resolve(c.code(t, c.items, 13)); r.Status == resolve.StatusRecalled {
		t.Errorf("another item of the lot resolves %v", r.Status)
	}
	if rs := c.n.RecallsOfLot(c.items.Lot); len(rs) != 0 {
		t.Errorf("a recall of two codes stands over their whole lot: %+v", rs)
	}
}

// TestOrderRecallWindow: a product's time window recalls the lots
// produced in it and no other; a window with no lot in it, or backwards,
// is refused naming the field.
func TestOrderRecallWindow(t *testing.T) {
	c := newNoticeChain(t)
	l2, err := c.e.Issuance().AddLot(t.Context(), issue.LotSpec{Product: c.items.Product, Number: "L2", Produced: 20260301})
	if err != nil {
		t.Fatal(err)
	}
	l3, err := c.e.Issuance().AddLot(t.Context(), issue.LotSpec{Product: c.items.Product, Number: "L3", Produced: 20260420})
	if err != nil {
		t.Fatal(err)
	}
	key := apikey.Key{Org: c.p.ID, Scopes: apikey.ScopeEvents}
	for _, w := range []struct {
		w     notice.RecallWindow
		field string
	}{
		{notice.RecallWindow{Product: c.items.Product, From: "2026-05-01", To: "2026-05-31"}, "window"},
		{notice.RecallWindow{Product: c.items.Product, From: "2026-03-31", To: "2026-03-01"}, "window.to"},
		{notice.RecallWindow{Product: c.items.Product, From: "March", To: "2026-03-01"}, "window.from"},
		{notice.RecallWindow{Product: 999, From: "2026-03-01", To: "2026-03-31"}, "window.product"},
	} {
		var fe *model.FieldError
		if _, err := c.n.OrderRecall(t.Context(), key, &notice.RecallOrder{Level: "III", Window: &w.w, ReasonZH: "x"}); !errors.As(err, &fe) || fe.Field != w.field {
			t.Errorf("window %+v: %v, want a %s error", w.w, err, w.field)
		}
	}
	v, err := c.n.OrderRecall(t.Context(), key, &notice.RecallOrder{Level: "III", ReasonZH: "标签错误",
		Window: &notice.RecallWindow{Product: c.items.Product, From: "2026-03-01", To: "2026-03-31"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Scope.Window == nil || v.Scope.Window.From != 20260301 || !slices.Equal(v.LotNumbers, []string{"L2"}) {
		t.Errorf("recall scope %+v, lots %v", v.Scope, v.LotNumbers)
	}
	if len(c.n.RecallsOfLot(l2.ID)) != 1 || len(c.n.RecallsOfLot(l3.ID)) != 0 || len(c.n.RecallsOfLot(c.items.Lot)) != 0 {
		t.Errorf("recalls over L2 %d, L3 %d, L1 %d", len(c.n.RecallsOfLot(l2.ID)), len(c.n.RecallsOfLot(l3.ID)), len(c.n.RecallsOfLot(c.items.Lot)))
	}
}
