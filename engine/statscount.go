package engine

// The engine's facade over engine/stats: queries of the committed counts
// and who may read them (stats.Office), and the scan log's counting.

import (
	"tracecode/engine/apikey"
	"tracecode/engine/stats"
)

// statsOffice returns the statistics office over the engine's store and
// master data.
func (e *Engine) statsOffice() *stats.Office {
	return stats.NewOffice(e.db, e.stats, e.iss, e.opts.Location)
}

// StatsQuery answers a statistics query from the committed counts (see
// stats.Read): one region and category over a span of days, by day or by
// month.
func (e *Engine) StatsQuery(q stats.Query) (stats.Answer, error) { return e.statsOffice().Query(q) }

// StatsFor answers q as key may see it (stats.Office.For): the operator
// every region, a regulator its region and below, an organisation its
// own counts; ErrWrongOrg otherwise, ErrInvalid for a malformed query.
func (e *Engine) StatsFor(key apikey.Key, q stats.Query) (stats.Answer, error) {
	return e.statsOffice().For(key, q)
}
