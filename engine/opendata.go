package engine

import (
	"tracecode/engine/opendata"
	"tracecode/engine/stats"
)

// OpenStatistics returns the statistics open data set of the months from
// to to (the first days, yyyymm01): every organisation's own counts by
// month, category and metric (engine/stats), as opendata.Build arranges
// them by region and suppresses them under cfg's thresholds.
func (e *Engine) OpenStatistics(cfg opendata.Config, from, to uint32) (opendata.Table, error) {
	if err := opendata.CheckMonths(from, to); err != nil {
		return opendata.Table{}, err
	}
	end := lastDay(to)
	var series []opendata.Series
	for _, o := range e.Orgs() {
		if o.Region == 0 {
			continue
		}
		cs, err := stats.ReadOrgMonths(e.db, o.ID, from, end)
		if err != nil {
			return opendata.Table{}, err
		}
		s := opendata.Series{Org: o.ID, Region: o.Region, Counts: map[opendata.Key]uint64{}}
		for k, c := range cs {
			for _, m := range opendata.Metrics {
				if n := c.Get(m); n != 0 {
					s.Counts[opendata.Key{Month: k.Month, Category: k.Category, Metric: m}] = n
				}
			}
		}
		series = append(series, s)
	}
	return opendata.Build(cfg, from, to, series)
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
