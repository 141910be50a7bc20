package stats

import (
	"testing"
	"time"

	"tracecode/engine/model"
	"tracecode/engine/store"
)

// BenchmarkQuery measures a province's statistics over a year, every day
// with counts in four categories from 30 organisations in as many
// counties and townships:
//
//	go test -run '^$' -bench Query ./engine/stats
func BenchmarkQuery(b *testing.B) {
	db, err := store.Open(b.TempDir(), &store.Options{CacheSize: 8 << 20, MemTableSize: 4 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	k := NewKeeper(db)
	regions := []uint32{620102001, 620102002, 620103, 620104, 620105, 620502, 620503, 620702, 621102, 620402}
	cats := []model.Category{model.CatFood, model.CatFarm, model.CatDrug, model.CatPesticide}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := range 365 {
		day := dayOfTime(start.AddDate(0, 0, d))
		var delta Delta
		for org := range uint32(30) {
			r := regions[org%uint32(len(regions))]
			for _, c := range cats {
				delta.Add(org+1, r, c, day, Commissioned, 1000)
				delta.Add(org+1, r, c, day, Shipped, 100)
				delta.Add(org+1, r, c, day, Events, 3)
				delta.Add(org+1, r, c, day, LagBucket(time.Hour), 3)
			}
			delta.Active(org+1, r, day)
		}
		bt := db.NewBatch()
		if err := k.Commit(bt, &delta, func() error { return bt.Commit(false) }); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		q    Query
	}{
		{"province/year/by=day", Query{Region: 620000, From: 20250101, To: 20251231}},
		{"province/year/by=month", Query{Region: 620000, From: 20250101, To: 20251231, ByMonth: true}},
		{"province/year/category=drug", Query{Region: 620000, Category: model.CatDrug, From: 20250101, To: 20251231}},
		{"country/year/by=month", Query{From: 20250101, To: 20251231, ByMonth: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var a Answer
			for b.Loop() {
				if a, err = Read(db, c.q); err != nil {
					b.Fatal(err)
				}
			}
			if a.Totals.Get(Commissioned) != 365*30*1000*uint64(len(cats))/map[bool]uint64{true: 4, false: 1}[c.q.Category != 0] {
				b.Fatalf("commissioned %d", a.Totals.Get(Commissioned))
			}
			b.ReportMetric(float64(a.Rows), "rows")
		})
	}
}
