package opendata

import (
	"tracecode/engine/model"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// Statistics returns the statistics open data set of the months from to
// to (the first days, yyyymm01): every organisation's own counts in db
// by month, category and metric (engine/stats), arranged by region and
// suppressed under cfg's thresholds (Build). Organisations of no region
// are left out.
func Statistics(db *store.DB, orgs []model.Org, cfg Config, from, to uint32) (Table, error) {
	if err := CheckMonths(from, to); err != nil {
		return Table{}, err
	}
	end := lastDay(to)
	var series []Series
	for _, o := range orgs {
		if o.Region == 0 {
			continue
		}
		cs, err := stats.ReadOrgMonths(db, o.ID, from, end)
		if err != nil {
			return Table{}, err
		}
		s := Series{Org: o.ID, Region: o.Region, Counts: map[Key]uint64{}}
		for k, c := range cs {
			for _, m := range Metrics {
				if n := c.Get(m); n != 0 {
					s.Counts[Key{Month: k.Month, Category: k.Category, Metric: m}] = n
				}
			}
		}
		series = append(series, s)
	}
	return Build(cfg, from, to, series)
}

// lastDay returns the last day (yyyymmdd) of month m (yyyymm01).
func lastDay(m uint32) uint32 {
	y, mo := m/10000, m/100%100
	days := [13]uint32{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo]
	if mo == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 29
	}
	return y*10000 + mo*100 + days
}
