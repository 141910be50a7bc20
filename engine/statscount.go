package engine

// The engine's facade over engine/stats: queries of the committed counts
// and who may read them (stats.Office), and the scan log's counting.

import "tracecode/engine/stats"

// Statistics returns the statistics office over the engine's store and
// master data: Query answers a statistics query from the committed counts
// (one region and category over a span of days, by day or by month); For
// answers it as a key may see it (the operator every region, a regulator
// its region and below, an organisation its own counts).
func (e *Engine) Statistics() *stats.Office {
	return stats.NewOffice(e.db, e.stats, e.iss, e.opts.Location)
}
