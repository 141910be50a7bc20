package engine

import (
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/resolve"
)

// TestContainsRecalled: a pallet and a case holding a recalled item say so
// (status and count); a case without one stays active; the item itself is
// recalled; an SSCC pallet counts through its cases too.
func TestContainsRecalled(t *testing.T) {
	f := supply(t)
	if _, err := f.e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: f.meta(f.orgA), Items: chain.Items{Codes: []string{f.code(f.items, 13)}}, Reason: "seal"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code             string
		status           resolve.Status
		inside, recalled uint64
	}{
		{f.code(f.pallets, 0), resolve.StatusContainsRecalled, 22, 1},
		{f.code(f.cases, 1), resolve.StatusContainsRecalled, 10, 1},
		{f.code(f.cases, 0), resolve.StatusActive, 10, 0},
		{f.code(f.items, 13), resolve.StatusRecalled, 0, 0},
		{f.code(f.items, 3), resolve.StatusActive, 0, 0},
	} {
		c, err := f.e.Resolve(tc.code)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != tc.status || c.Inside != tc.inside || c.RecalledInside != tc.recalled {
			t.Errorf("%s: status %v (%s), inside %d, recalled %d; want %v, %d, %d", tc.code, c.Status, c.Reason, c.Inside, c.RecalledInside,
				tc.status, tc.inside, tc.recalled)
		}
	}
	// An SSCC pallet of both cases, after they leave pallet 0.
	m := f.meta(f.orgA)
	m.Time = testClock.Add(-time.Hour)
	if _, err := f.e.Reports().Unpack(t.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: chain.Ref{Block: f.pallets.ID}, All: true}}}); err != nil {
		t.Fatal(err)
	}
	m.Time = testClock.Add(-30 * time.Minute)
	if _, err := f.e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{{Parent: chain.Ref{Code: "(00)395201230000000012"},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.cases.ID, First: 0, Last: 1}}}}}}); err != nil {
		t.Fatal(err)
	}
	c, err := f.e.Resolve("(00)395201230000000012")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != resolve.StatusContainsRecalled || c.Inside != 22 || c.RecalledInside != 1 {
		t.Errorf("SSCC: status %v, inside %d, recalled %d", c.Status, c.Inside, c.RecalledInside)
	}
	if c, _ := f.e.Resolve(f.code(f.pallets, 0)); c.Status != resolve.StatusActive || c.Inside != 0 {
		t.Errorf("emptied pallet: status %v, inside %d", c.Status, c.Inside)
	}
	// A lot recall reaches every item of the lot: the SSCC (no lot) holds
	// 22 recalled codes (cases and items of lot L1).
	if _, err := f.e.Reports().Recall(t.Context(), &chain.RecallRequest{ReportMeta: f.meta(f.orgA), Lots: []chain.LotRef{{Product: f.prod.ID, Number: "L1"}}}); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.e.Resolve("(00)395201230000000012"); c.Status != resolve.StatusContainsRecalled || c.RecalledInside != 22 {
		t.Errorf("after the lot recall: status %v, recalled %d", c.Status, c.RecalledInside)
	}
}

// BenchmarkResolveContents resolves a pallet of 50 cases of 10 items, one
// of them recalled: the contents count must stay a few range scans.
func BenchmarkResolveContents(b *testing.B) {
	f := newFixture(b)
	f.commission(f.items, 0, 499)
	f.commission(f.cases, 0, 49)
	t0 := testClock.Add(-10 * time.Hour)
	for i := uint64(0); i < 50; i++ {
		f.packRange(f.cases, i, f.items, i*10, i*10+9, t0)
	}
	f.packRange(f.pallets, 0, f.cases, 0, 49, t0.Add(time.Minute))
	if _, err := f.e.Reports().Recall(b.Context(), &chain.RecallRequest{ReportMeta: f.meta(f.orgA), Items: chain.Items{Codes: []string{f.code(f.items, 77)}}}); err != nil {
		b.Fatal(err)
	}
	pallet := f.code(f.pallets, 0)
	var c resolve.Chain
	b.ReportAllocs()
	for b.Loop() {
		if err := f.e.ResolveInto(&c, pallet); err != nil {
			b.Fatal(err)
		}
		if c.RecalledInside != 1 || c.Inside != 550 {
			b.Fatalf("inside %d, recalled %d", c.Inside, c.RecalledInside)
		}
	}
	b.ReportMetric(float64(c.Inside), "codes/pallet")
}
