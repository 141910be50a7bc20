package engine

import (
	"context"
	"errors"
	"testing"

	"tracecode/engine/chain"
	"tracecode/engine/resolve"
)

// TestPingStats: Ping answers nil on an open engine and ErrClosed after
// Close; Stats and the area estimates count what was written.
func TestPingStats(t *testing.T) {
	f := supply(t)
	e := f.e
	if err := e.Ping(); err != nil {
		t.Fatalf("Ping on an open engine: %v", err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := e.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e.Stats(); st.DiskUsage == 0 || st.FlushCount == 0 {
		t.Errorf("Stats after a flush: disk %d, flushes %d", st.DiskUsage, st.FlushCount)
	}
	trace, err := e.EstimateDiskUsage(AreaTrace)
	if err != nil || trace == 0 {
		t.Errorf("trace area after packing: %d bytes, %v", trace, err)
	}
	led, err := e.EstimateDiskUsage(AreaLedger)
	if err != nil || led == 0 || led > trace {
		t.Errorf("ledger area %d bytes (%v), want 0 < ledger ≤ trace (%d)", led, err, trace)
	}
	if _, err := e.EstimateDiskUsage(Area(99)); err == nil {
		t.Error("an unknown area was estimated")
	}
	f.verifyClean()
	if err := e.Issuance().Check(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Ping(); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close: %v, want ErrClosed", err)
	}
	if st := e.Stats(); st.DiskUsage != 0 {
		t.Errorf("Stats after Close: %+v", st)
	}
}

// lotStatus is the public status of lot id (resolve.Resolver.LotStatus).
func lotStatus(e *Engine, id uint32) (resolve.ClassStatus, error) {
	l, err := e.Issuance().Lot(id)
	if err != nil {
		return resolve.ClassStatus{}, err
	}
	return e.Reports().Resolver().LotStatus(&l)
}

// TestLotStatusRecall: a lot recall answers for the lot, a product recall
// for every lot of the product, a lift ends it.
func TestLotStatusRecall(t *testing.T) {
	f := supply(t)
	e := f.e
	l1, err := e.Issuance().LotByNumber(f.prod.ID, "L1")
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := lotStatus(e, l1.ID); cs.Status == resolve.PublicRecalled || err != nil {
		t.Fatalf("lot never recalled: %+v, %v", cs, err)
	}
	m := f.meta(f.orgA)
	if _, err := e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: m, Lots: []chain.LotRef{{Product: f.prod.ID, Number: "L1"}}, Reason: "melamine"}); err != nil {
		t.Fatal(err)
	}
	cs, err := lotStatus(e, l1.ID)
	if cs.Status != resolve.PublicRecalled || err != nil || cs.Recall.Time != m.Time.UnixMilli() || cs.RecallOfProduct || cs.RecallReason != "melamine" {
		t.Errorf("recalled lot: %+v %v, want recalled since %d for melamine", cs, err, m.Time.UnixMilli())
	}
	lb, err := e.Issuance().LotByNumber(f.prodB.ID, "B1")
	if err != nil {
		t.Fatal(err)
	}
	if cs, _ := lotStatus(e, lb.ID); cs.Status == resolve.PublicRecalled {
		t.Error("another product's lot answers recalled")
	}
	if _, err := e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: f.meta(f.orgB), Products: []uint32{f.prodB.ID}, Reason: "label"}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := lotStatus(e, lb.ID); cs.Status != resolve.PublicRecalled || !cs.RecallOfProduct {
		t.Errorf("a lot of a recalled product: %+v, want recalled with its product", cs)
	}
	if _, err := e.Reports().LiftRecall(t.Context(), &chain.LiftRequest{ReportMeta: m, Lots: []chain.LotRef{{Product: f.prod.ID, Number: "L1"}}, Reason: "test negative"}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := lotStatus(e, l1.ID); cs.Status == resolve.PublicRecalled {
		t.Error("a lifted lot recall still answers recalled")
	}
}
