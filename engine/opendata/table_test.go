package opendata

import (
	"testing"

	"tracecode/engine/model"
	"tracecode/engine/stats"
)

// TestBuild: four enterprises of farm products in Gansu — three in
// Maiji District (Tianshui), one in Qinzhou District — and two in
// Chengguan District (Lanzhou). Qinzhou's single enterprise is
// suppressed, and Maiji as its complement (Tianshui minus Maiji would
// give it). Chengguan's two are suppressed, and Lanzhou with them; the
// province minus Tianshui would then give Lanzhou, so Tianshui is
// suppressed as a complement too, and the province is shown.
func TestBuild(t *testing.T) {
	farm, _ := model.ParseCategory("farm")
	m := uint32(20260601)
	k := Key{Month: m, Category: farm, Metric: stats.Commissioned}
	series := []Series{
		{Org: 1, Region: 620503001, Counts: map[Key]uint64{k: 40}},
		{Org: 2, Region: 620503002, Counts: map[Key]uint64{k: 30}},
		{Org: 3, Region: 620503, Counts: map[Key]uint64{k: 20}},
		{Org: 4, Region: 620502001, Counts: map[Key]uint64{k: 25}},
		{Org: 5, Region: 620102001, Counts: map[Key]uint64{k: 10}},
		{Org: 6, Region: 620102002, Counts: map[Key]uint64{k: 12}},
		{Org: 7, Region: 0, Counts: map[Key]uint64{k: 99}}, // no region: not counted
	}
	tb, err := Build(Config{}, 20260501, m, series)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint32]Row{}
	for _, r := range tb.Rows {
		if r.Month == m && r.Metric == stats.Commissioned {
			got[r.Region.Uint32()] = r
		}
		if r.Month == 20260501 && r.Value != 0 {
			t.Errorf("May has a count: %+v", r)
		}
	}
	want := map[uint32]struct {
		v      uint64
		reason Reason
	}{
		620000: {137, Shown},
		620100: {22, FewEnterprises},
		620102: {22, FewEnterprises},
		620500: {115, Complementary},
		620502: {25, FewEnterprises},
		620503: {90, Complementary},
	}
	if len(got) != len(want) {
		t.Errorf("regions %v", got)
	}
	for code, w := range want {
		r := got[code]
		if r.Value != w.v || r.Reason != w.reason {
			t.Errorf("%d: %d %v, want %d %v", code, r.Value, r.Reason, w.v, w.reason)
		}
	}
	if got[620503].Parent.Uint32() != 620500 || got[620500].Parent.Uint32() != 620000 {
		t.Errorf("parents %v %v", got[620503].Parent, got[620500].Parent)
	}
	if _, err := Build(Config{}, 20261301, 20261301, nil); err == nil {
		t.Error("month 13 builds")
	}
	if _, err := Build(Config{MinEnterprises: 1}, m, m, nil); err == nil {
		t.Error("MinEnterprises 1 builds")
	}
}
