package engine

import "tracecode/engine/opendata"

// OpenStatistics returns the statistics open data set of the months from
// to to (yyyymm01) over every organisation (opendata.Statistics).
func (e *Engine) OpenStatistics(cfg opendata.Config, from, to uint32) (opendata.Table, error) {
	return opendata.Statistics(e.db, e.iss.Orgs(), cfg, from, to)
}
