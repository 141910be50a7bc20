package engine

import (
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/notice"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
)

// TestOrderRecallRetry: an order retried with the same idempotency key
// (its answer was lost) answers the same recall and stages no second set
// of notifications. Another key makes another
// recall.
func TestOrderRecallRetry(t *testing.T) {
	c := newNoticeChain(t)
	case0 := c.code(t, c.cases, 0)
	c.capture(t, c.p.ID, shipTo("2026-03-01T09:00:00+08:00", "6901234", case0))
	c.capture(t, c.d.ID, receive("2026-03-01T10:00:00+08:00", case0))
	order := func(id string) *notice.RecallOrder {
		return &notice.RecallOrder{Level: "II", Lots: []chain.LotRef{{Product: c.items.Product, Number: "L1"}}, ReasonZH: "标签错误", RequestID: id}
	}
	key := apikey.Key{ID: 3, Org: c.p.ID, Scopes: apikey.ScopeEvents}
	v1, err := c.n.OrderRecall(t.Context(), key, order("order-1"))
	if err != nil {
		t.Fatal(err)
	}
	notes := func(id uint64) int {
		t.Helper()
		ns, err := c.n.Outbox.BySource(outbox.SourceRecall, id)
		if err != nil {
			t.Fatal(err)
		}
		return len(ns)
	}
	n1 := notes(v1.ID)
	if n1 == 0 {
		t.Fatal("the recall staged no notification")
	}
	v2, err := c.n.OrderRecall(t.Context(), key, order("order-1"))
	if err != nil {
		t.Fatal(err)
	}
	if v2.ID != v1.ID || notes(v1.ID) != n1 || notes(v1.ID+1) != 0 {
		t.Fatalf("retry: recall %d (first %d), %d notifications (first %d), %d under the next id", v2.ID, v1.ID, notes(v1.ID), n1, notes(v1.ID+1))
	}
	if all, _ := c.n.Recalls.List(func(*recall.Recall) bool { return true }); len(all) != 1 {
		t.Fatalf("%d recalls after a retry", len(all))
	}
	v3, err := c.n.OrderRecall(t.Context(), key, order("order-2"))
	if err != nil {
		t.Fatal(err)
	}
	if v3.ID == v1.ID {
		t.Fatal("another idempotency key answered the first recall")
	}
}
