package store

// This file exposes Pebble's metrics as numbers, so the server
// can export them to Prometheus without importing Pebble.

import "fmt"

// Stats is a numeric snapshot of the database's health: what an operator
// graphs. Sizes are bytes, counts are cumulative since open unless noted.
type Stats struct {
	DiskUsage          uint64   // tables, WAL, manifest, blob files
	ReadAmp            int      // sublevels in L0 plus non-empty levels: worst-case tables a read consults
	LevelFiles         [7]int64 // live tables per level (gauge)
	LevelBytes         [7]int64 // live table bytes per level (gauge)
	L0Sublevels        int32    // gauge
	CompactionCount    int64    // compactions completed
	CompactionDebt     uint64   // estimated bytes still to compact (gauge)
	CompactionsRunning int64    // gauge
	FlushCount         int64    // memtable flushes completed
	IngestCount        uint64   // SSTable ingestions
	MemTableSize       uint64   // bytes held by memtables (gauge)
	MemTableCount      int64    // memtables (gauge)
	WALBytesWritten    uint64   // bytes written to the WAL, with framing
	WALSize            uint64   // live WAL bytes (gauge)
	BlockCacheSize     int64    // bytes in the block cache (gauge)
	BlockCacheHits     int64    // block cache hits
	BlockCacheMisses   int64    // block cache misses
	FileCacheHits      int64    // table cache hits
	FileCacheMisses    int64    // table cache misses
	FilterHits         int64    // bloom filter said "absent": a read skipped a table
	FilterMisses       int64    // bloom filter said "maybe"
	Snapshots          int      // open snapshots (gauge)
	TableIters         int64    // open table iterators (gauge)
	// DiskFreeBytes is the free space of the store's filesystem, as an
	// unprivileged writer sees it; 0 when the filesystem cannot say.
	DiskFreeBytes uint64
	_             [0]func() // not comparable: fields may be added
}

// Stats returns the database's metrics as numbers.
func (d *DB) Stats() Stats {
	if !d.g.enter() {
		return Stats{}
	}
	defer d.g.leave()
	m := d.db.Metrics()
	s := Stats{
		DiskUsage:          m.DiskSpaceUsage(),
		ReadAmp:            m.ReadAmp(),
		L0Sublevels:        m.Levels[0].Sublevels,
		CompactionCount:    m.Compact.Count,
		CompactionDebt:     m.Compact.EstimatedDebt,
		CompactionsRunning: m.Compact.NumInProgress,
		FlushCount:         m.Flush.Count,
		IngestCount:        m.Ingest.Count,
		MemTableSize:       m.MemTable.Size,
		MemTableCount:      m.MemTable.Count,
		WALBytesWritten:    m.WAL.BytesWritten,
		WALSize:            m.WAL.Size,
		BlockCacheSize:     m.BlockCache.Size,
		BlockCacheHits:     m.BlockCache.Hits,
		BlockCacheMisses:   m.BlockCache.Misses,
		FileCacheHits:      m.FileCache.Hits,
		FileCacheMisses:    m.FileCache.Misses,
		FilterHits:         m.Filter.Hits,
		FilterMisses:       m.Filter.Misses,
		Snapshots:          m.Snapshots.Count,
		TableIters:         m.TableIters,
	}
	if u, err := d.opts.FS.GetDiskUsage(d.dir); err == nil {
		s.DiskFreeBytes = u.AvailBytes
	}
	for i := range m.Levels {
		if i < len(s.LevelFiles) {
			s.LevelFiles[i] = m.Levels[i].TablesCount
			s.LevelBytes[i] = m.Levels[i].TablesSize
		}
	}
	return s
}

// Area is a part of the key space holding one kind of record: a range of
// key prefixes, for disk usage estimates.
type Area uint8

// The areas of the key space.
const (
	// AreaTrace is per-item state, aggregation and the ledger: prefixes
	// 0x70–0xBF (keys_trace.go).
	AreaTrace Area = 1
	// AreaLedger is the ledger's records, payloads and event indexes
	// (and the custody and association records beside them): prefixes
	// 0x80–0x8F.
	AreaLedger Area = 2
)

// bounds returns a's key range [lo, hi).
func (a Area) bounds() (lo, hi []byte, ok bool) {
	switch a {
	case AreaTrace:
		return []byte{0x70}, []byte{0xC0}, true
	case AreaLedger:
		return []byte{0x80}, []byte{0x90}, true
	}
	return nil, nil, false
}

// String returns the area's name.
func (a Area) String() string {
	switch a {
	case AreaTrace:
		return "trace"
	case AreaLedger:
		return "ledger"
	}
	return fmt.Sprintf("area(%d)", uint8(a))
}

// EstimateAreaUsage returns the approximate bytes of tables holding area
// a's keys.
func (d *DB) EstimateAreaUsage(a Area) (uint64, error) {
	if !d.g.enter() {
		return 0, errClosed("estimate disk usage")
	}
	defer d.g.leave()
	lo, hi, ok := a.bounds()
	if !ok {
		return 0, fmt.Errorf("store: unknown key area %d", uint8(a))
	}
	return d.db.EstimateDiskUsage(lo, hi)
}
