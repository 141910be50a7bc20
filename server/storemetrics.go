package server

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"tracecode/engine"
	"tracecode/engine/scanlog"
)

// storeCollector exports the Pebble store's and the scan log's numbers at
// scrape time (one Engine.Stats call per scrape, nothing on the request path).
type storeCollector struct {
	eng   *engine.Engine
	scans *scanlog.Log
	cache *respCache // may be nil
	descs map[string]*prometheus.Desc
}

type storeMetric struct {
	name, help string
	counter    bool
	labels     []string
}

var storeMetricDefs = []storeMetric{
	{"tracecode_pebble_disk_usage_bytes", "Bytes the Pebble store occupies on disk.", false, nil},
	{"tracecode_pebble_read_amplification", "Pebble read amplification (L0 sublevels plus non-empty levels).", false, nil},
	{"tracecode_pebble_level_tables", "Live SSTables per LSM level.", false, []string{"level"}},
	{"tracecode_pebble_level_bytes", "Live SSTable bytes per LSM level.", false, []string{"level"}},
	{"tracecode_pebble_compactions_total", "Pebble compactions completed.", true, nil},
	{"tracecode_pebble_compaction_debt_bytes", "Estimated bytes Pebble still has to compact.", false, nil},
	{"tracecode_pebble_compactions_running", "Pebble compactions in progress.", false, nil},
	{"tracecode_pebble_flushes_total", "Pebble memtable flushes.", true, nil},
	{"tracecode_pebble_ingestions_total", "Pebble SSTable ingestions.", true, nil},
	{"tracecode_pebble_memtable_bytes", "Bytes held by Pebble memtables.", false, nil},
	{"tracecode_pebble_wal_written_bytes_total", "Bytes written to Pebble's write-ahead log.", true, nil},
	{"tracecode_pebble_block_cache_bytes", "Bytes in Pebble's block cache.", false, nil},
	{"tracecode_pebble_block_cache_hits_total", "Pebble block cache hits.", true, nil},
	{"tracecode_pebble_block_cache_misses_total", "Pebble block cache misses.", true, nil},
	{"tracecode_pebble_filter_hits_total", "Bloom filter checks that let a read skip a table.", true, nil},
	{"tracecode_pebble_filter_misses_total", "Bloom filter checks that did not.", true, nil},
	{"tracecode_scanlog_recorded_total", "Public scans recorded by the scan log.", true, nil},
	{"tracecode_scanlog_written_total", "Raw scan records written to the store.", true, nil},
	{"tracecode_scanlog_dropped_total", "Raw scan records dropped (buffer full or write failed).", true, nil},
	{"tracecode_scanlog_pending", "Raw scans waiting for the next flush.", false, nil},
	{"tracecode_resolve_cache_hits_total", "Public JSON answers served from the response cache.", true, nil},
	{"tracecode_resolve_cache_misses_total", "Public JSON look-ups the response cache could not answer.", true, nil},
	{"tracecode_shared_space_remaining", "Codes a space shared by every organisation (space=\"short\": the engine-wide short-code space) may still issue.", false, []string{"space"}},
	{"tracecode_shared_space_issued", "Codes taken from a space shared by every organisation.", false, []string{"space"}},
	{"tracecode_shared_space_org_quota", "The most codes one organisation may take from a shared space.", false, []string{"space"}},
	{"tracecode_shared_space_max_org_issued", "The most codes any one organisation took from a shared space.", false, []string{"space"}},
}

func newStoreCollector(eng *engine.Engine, scans *scanlog.Log, cache *respCache) *storeCollector {
	c := &storeCollector{eng: eng, scans: scans, cache: cache, descs: map[string]*prometheus.Desc{}}
	for _, d := range storeMetricDefs {
		c.descs[d.name] = prometheus.NewDesc(d.name, d.help, d.labels, nil)
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.eng.Stats()
	emit := func(name string, v float64, labels ...string) {
		typ := prometheus.GaugeValue
		for _, d := range storeMetricDefs {
			if d.name == name && d.counter {
				typ = prometheus.CounterValue
			}
		}
		ch <- prometheus.MustNewConstMetric(c.descs[name], typ, v, labels...)
	}
	for _, u := range c.eng.Issuance().SharedSpaces() {
		emit("tracecode_shared_space_remaining", float64(u.Remaining()), u.Space)
		emit("tracecode_shared_space_issued", float64(u.Issued), u.Space)
		emit("tracecode_shared_space_org_quota", float64(u.QuotaPerOrg), u.Space)
		emit("tracecode_shared_space_max_org_issued", float64(u.MaxOrgIssued), u.Space)
	}
	emit("tracecode_pebble_disk_usage_bytes", float64(st.DiskUsage))
	emit("tracecode_pebble_read_amplification", float64(st.ReadAmp))
	for i := range st.LevelFiles {
		emit("tracecode_pebble_level_tables", float64(st.LevelFiles[i]), strconv.Itoa(i))
		emit("tracecode_pebble_level_bytes", float64(st.LevelBytes[i]), strconv.Itoa(i))
	}
	emit("tracecode_pebble_compactions_total", float64(st.CompactionCount))
	emit("tracecode_pebble_compaction_debt_bytes", float64(st.CompactionDebt))
	emit("tracecode_pebble_compactions_running", float64(st.CompactionsRunning))
	emit("tracecode_pebble_flushes_total", float64(st.FlushCount))
	emit("tracecode_pebble_ingestions_total", float64(st.IngestCount))
	emit("tracecode_pebble_memtable_bytes", float64(st.MemTableSize))
	emit("tracecode_pebble_wal_written_bytes_total", float64(st.WALBytesWritten))
	emit("tracecode_pebble_block_cache_bytes", float64(st.BlockCacheSize))
	emit("tracecode_pebble_block_cache_hits_total", float64(st.BlockCacheHits))
	emit("tracecode_pebble_block_cache_misses_total", float64(st.BlockCacheMisses))
	emit("tracecode_pebble_filter_hits_total", float64(st.FilterHits))
	emit("tracecode_pebble_filter_misses_total", float64(st.FilterMisses))
	emit("tracecode_scanlog_recorded_total", float64(c.scans.Recorded()))
	emit("tracecode_scanlog_written_total", float64(c.scans.Written()))
	emit("tracecode_scanlog_dropped_total", float64(c.scans.Dropped()))
	emit("tracecode_scanlog_pending", float64(c.scans.Pending()))
	if c.cache != nil {
		emit("tracecode_resolve_cache_hits_total", float64(c.cache.hits.Load()))
		emit("tracecode_resolve_cache_misses_total", float64(c.cache.misses.Load()))
	}
}
