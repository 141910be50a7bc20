package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"tracecode/engine/chain"
	"tracecode/engine/epcis"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
	"tracecode/engine/model"
)

// TestWritesHonourCancelledContext: every write path refuses to start
// with a context that has ended, and applies nothing.
func TestWritesHonourCancelledContext(t *testing.T) {
	f := newFixture(t)
	e := f.e
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ts, _ := e.tr()
	seq := ts.Ledger().NextSeq()
	items := chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 0, Last: 9}}}
	ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"ADD","bizStep":"commissioning","disposition":"active"}`, f.code(f.items, 0))
	calls := map[string]func() error{
		"ReportLine": func() error {
			_, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: f.meta(f.orgA), Action: chain.LineCommission, Items: items})
			return err
		},
		"ReleaseRest": func() error {
			_, err := e.Reports().ReleaseRest(ctx, &chain.ReleaseReport{ReportMeta: f.meta(f.orgA), Block: f.items.ID, From: 900})
			return err
		},
		"Pack": func() error {
			_, err := e.Reports().Pack(ctx, &chain.PackReport{ReportMeta: f.meta(f.orgA), Packs: []chain.Pack{{Parent: chain.Ref{Block: f.cases.ID}, Children: items}}})
			return err
		},
		"Unpack": func() error {
			_, err := e.Reports().Unpack(ctx, &chain.UnpackReport{ReportMeta: f.meta(f.orgA), Unpacks: []chain.Unpack{{Parent: chain.Ref{Block: f.cases.ID}, All: true}}})
			return err
		},
		"CaptureJSON": func() error {
			_, err := e.Reports().CaptureJSON(ctx, strings.NewReader(doc(ev)), &chain.CaptureOptions{Org: f.orgA})
			return err
		},
		"Recall": func() error {
			_, err := e.Reports().Recall(ctx, &chain.RecallRequest{ReportMeta: f.meta(f.orgA), Items: items, Reason: "test"})
			return err
		},
		"LiftRecall": func() error {
			_, err := e.Reports().LiftRecall(ctx, &chain.LiftRequest{ReportMeta: f.meta(f.orgA), Items: items, Reason: "test"})
			return err
		},
		"AddOrg": func() error {
			_, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "丙"})
			return err
		},
		"AddProduct": func() error {
			_, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: f.orgA, OwnCode: "X1", NameZH: "丙", Category: ParseCategoryMust("food")})
			return err
		},
		"AddLot": func() error {
			_, err := e.Issuance().AddLot(ctx, issue.LotSpec{Product: f.prod.ID, Number: "L9"})
			return err
		},
		"VoidBlock": func() error {
			_, err := e.Reports().VoidBlock(ctx, &chain.VoidReport{ReportMeta: f.meta(f.orgA), Block: f.pallets.ID})
			return err
		},
		"Mint": func() error {
			_, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: f.prod.ID, Lot: "L1", Count: 10})
			return err
		},
	}
	before := dump(t, e)
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", name, err)
		}
	}
	if got := ts.Ledger().NextSeq(); got != seq {
		t.Errorf("ledger moved from %d to %d", seq, got)
	}
	if after := dump(t, e); after != before {
		t.Errorf("cancelled writes changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestReportGivesUpWaitingForReportLock: a report queued behind another
// (which holds the report lock, as a long capture does) returns when its
// context ends instead of waiting for the lock.
func TestReportGivesUpWaitingForReportLock(t *testing.T) {
	f := newFixture(t)
	ts, _ := f.e.tr()
	ts.Lock() // another report in progress
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := f.e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: f.meta(f.orgA), Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: f.items.ID, First: 0, Last: 9}}}})
		done <- err
	}()
	cancel()
	err := <-done
	ts.Unlock()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ReportLine behind a held report lock = %v, want context.Canceled", err)
	}
	if st, _ := ts.Items().State(f.items.ID, 0); st.Has(itemstate.Commissioned) {
		t.Fatal("a cancelled report commissioned a code")
	}
	f.commission(f.items, 0, 9) // the lock is usable again
}

// countdownCtx is a context whose Err turns to context.Canceled at its
// n-th call: it ends a report at a chosen check without timing.
type countdownCtx struct {
	context.Context
	n atomic.Int32
}

func (c *countdownCtx) Err() error {
	if c.n.Add(-1) <= 0 {
		return context.Canceled
	}
	return nil
}

// TestCaptureStopsBetweenEvents: a capture whose context ends after its
// first events stops there and applies none of them.
func TestCaptureStopsBetweenEvents(t *testing.T) {
	f := newFixture(t)
	var evs []string
	for i := range 5 {
		evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"ADD","bizStep":"commissioning","disposition":"active"}`, f.code(f.items, uint64(i))))
	}
	ts, _ := f.e.tr()
	seq := ts.Ledger().NextSeq()
	// Checks: CaptureJSON, the report lock, then one per event: the
	// context ends at the third event.
	ctx := &countdownCtx{Context: t.Context()}
	ctx.n.Store(5)
	_, err := f.e.Reports().CaptureJSON(ctx, strings.NewReader(doc(evs...)), &chain.CaptureOptions{Org: f.orgA})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("capture = %v, want context.Canceled", err)
	}
	if ctx.n.Load() > 0 {
		t.Fatalf("capture returned with %d context checks left: it did not stop between events", ctx.n.Load())
	}
	if got := ts.Ledger().NextSeq(); got != seq {
		t.Fatalf("ledger moved from %d to %d", seq, got)
	}
	for i := range 5 {
		if st, _ := ts.Items().State(f.items.ID, uint64(i)); st.Has(itemstate.Commissioned) {
			t.Fatalf("item %d commissioned by a cancelled capture", i)
		}
	}
	// The same document applies with a live context.
	if rec, err := f.capture(f.orgA, doc(evs...)); err != nil || rec.Records != 5 {
		t.Fatalf("capture: %+v %v", rec, err)
	}
}

// TestCaptureRefusesMalformedTimeZone: a parsed document whose event has
// a malformed or missing eventTimeZoneOffset is refused naming the field,
// never stored as +00:00.
func TestCaptureRefusesMalformedTimeZone(t *testing.T) {
	f := newFixture(t)
	ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"ADD","bizStep":"commissioning","disposition":"active"}`, f.code(f.items, 0))
	for _, tz := range []string{"+8:00", "08:00", "+08:60", "+15:00", "", "+08:00x"} {
		d, err := epcis.ParseDocument(strings.NewReader(doc(ev)), epcis.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d.Events[0].EventTimeZoneOffset = tz
		_, err = f.e.Reports().Capture(t.Context(), d, &chain.CaptureOptions{Org: f.orgA})
		var re *chain.ReportError
		if !errors.As(err, &re) || len(re.Errors) != 1 || re.Errors[0].Field != "epcisBody.eventList[0].eventTimeZoneOffset" ||
			!errors.Is(err, model.ErrInvalid) {
			t.Errorf("offset %q: %v, want one invalid eventTimeZoneOffset", tz, err)
		}
	}
	for _, c := range []struct {
		s    string
		want int
	}{{"+08:00", 480}, {"-05:30", -330}, {"+14:00", 840}, {"-00:00", 0}} {
		if got, err := epcis.ParseOffset(c.s); err != nil || got != c.want {
			t.Errorf("ParseOffset(%q) = %d, %v, want %d", c.s, got, err, c.want)
		}
	}
}
