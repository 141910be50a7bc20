package scanlog

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Ref names a scanned item: a product and the counter of the code
// within the product (what a serial decrypts to). Logistic units (SSCCs)
// use Product 0 and the SSCC's 17 data digits and check digit as Counter.
type Ref struct {
	Product uint32
	Counter uint64
}

// ClientClass says what kind of client scanned a code, as the server
// guesses it from the request. Values are persisted: never renumber them.
type ClientClass uint8

// The client classes.
const (
	ClientUnknown ClientClass = 0
	ClientBrowser ClientClass = 1 // a phone or desktop browser
	ClientWeChat  ClientClass = 2 // WeChat's in-app browser or scanner
	ClientAlipay  ClientClass = 3 // Alipay / Taobao in-app browser
	ClientApp     ClientClass = 4 // an app or program asking for JSON
	ClientScanner ClientClass = 5 // a GS1 resolver client (linkset, linkType)
	ClientBot     ClientClass = 6 // a crawler or link previewer

	numClientClasses = 7
)

var clientClassNames = [numClientClasses]string{"unknown", "browser", "wechat", "alipay", "app", "scanner", "bot"}

// String returns the class name ("browser", "wechat", …).
func (c ClientClass) String() string {
	if c < numClientClasses {
		return clientClassNames[c]
	}
	return fmt.Sprintf("client(%d)", uint8(c))
}

// Scan is one public look-up of a code.
//
// # Representation
//
// Scans are stored in segments, one per flush: key 0xC1 | unix ms of the
// segment's first scan u64 | seq u32, value
//
//	ver=1 | n uvarint | n × (Δms uvarint | product uvarint | counter uvarint | region uvarint | class u8)
//
// where Δms is the scan's time minus the previous scan's (the first
// against the key's time), scans in arrival order. A segment of a few
// thousand scans costs one Pebble write and about 10 bytes a scan; one key
// per scan cost the resolver 15% of its throughput.
type Scan struct {
	Ref  Ref
	Time int64 // unix milliseconds
	// Region is the GB/T 2260 division the scan came from, as coarse as
	// given; 0 = unknown. Only a source the client cannot choose (a
	// trusted edge's header) may set it: it is evidence of cloning.
	Region uint32
	Class  ClientClass // who scanned
	// Client identifies who scanned, for counting distinct clients: see
	// ClientOf. 0 = unknown (not counted). Not kept in raw segments.
	Client uint32
}

// MaxRegions is how many distinct prefectures a Stats remembers;
// more than that is as suspicious as it gets.
const MaxRegions = 8

// Stats sums up the public scans of one item.
//
// # Representation (value of key 0xC0|product|counter, version 2)
//
//	ver=2 | count uvarint | first varint | last varint | n u8 | region uvarint × n
//	      | m u8 | client u32 × m | verdict u8
//	      | (verdict ≠ 0) time varint | key u64 | reason uvarint-length string
//
// Version 1 ends after the regions (no clients, no review).
type Stats struct {
	Count   uint64 // public scans so far, this one included when returned by Record
	First   int64  // unix milliseconds of the first scan; 0 if never scanned
	Last    int64  // unix milliseconds of the latest scan
	NRegion uint8  // number of valid entries in Regions
	// Regions are the distinct prefecture-level divisions (GB/T 2260 codes
	// rounded down to a multiple of 100) trusted scans came from, in
	// first-seen order; at most MaxRegions. A review's clear empties
	// them.
	Regions [MaxRegions]uint32
	NClient uint8 // number of valid entries in Clients
	// Clients are the distinct clients (ClientOf) that scanned the item
	// since the last clear, in first-seen order; at most MaxClients.
	Clients [MaxClients]uint32
	// Review is a regulator's last decision on the flag; zero if none.
	Review Review
	// Suspicious is set by Record and Stats (never stored) when the
	// evidence crosses the Log's thresholds (see Log.suspicious)
	// or a regulator confirmed the flag: a cloned label is being scanned.
	Suspicious bool
}

const scanStatsVersion = 2

func scanStatsKey(dst []byte, r Ref) []byte {
	return store.AppendScanStatsKey(dst, r.Product, r.Counter)
}

func (s *Stats) appendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(scanStatsVersion)
	w.Uvarint(s.Count)
	w.Varint(s.First)
	w.Varint(s.Last)
	w.U8(s.NRegion)
	for _, r := range s.Regions[:s.NRegion] {
		w.U32(r)
	}
	w.U8(s.NClient)
	for _, c := range s.Clients[:s.NClient] {
		w.BE32(c)
	}
	w.U8(byte(s.Review.Verdict))
	if s.Review.Verdict != 0 {
		w.Varint(s.Review.Time)
		w.BE64(s.Review.Key)
		w.Str(s.Review.Reason)
	}
	return w.B
}

// decodeScanStats reads a scan stats value of version 1 or 2. A damaged
// value wraps store.ErrCorrupt naming the field and byte offset; a newer
// version, store.ErrVersion.
func decodeScanStats(b []byte) (Stats, error) {
	var s Stats
	d := wire.Reader{What: "scan stats", B: b}
	d.Version(scanStatsVersion)
	var ver uint8
	if d.Err == nil {
		ver = b[0]
	}
	d.Field = "count"
	s.Count = d.Uvarint()
	d.Field = "first"
	s.First = d.Varint()
	d.Field = "last"
	s.Last = d.Varint()
	d.Field = "region count"
	if s.NRegion = d.U8(); s.NRegion > MaxRegions {
		d.Fail(fmt.Sprintf("%d regions, at most %d", s.NRegion, MaxRegions))
	}
	d.Field = "region"
	for i := range s.Regions[:min(s.NRegion, MaxRegions)] {
		if r := d.Uvarint(); r <= 999999 {
			s.Regions[i] = uint32(r)
		} else {
			d.Fail(fmt.Sprintf("%d is not a six-digit division code", r))
		}
	}
	if d.Err == nil && ver >= 2 {
		decodeScanEvidence(&s, &d)
	}
	d.Field = ""
	if err := d.Done(); err != nil {
		return Stats{}, err
	}
	return s, nil
}

// appendScanSegment appends the value of a segment of scans (sorted or
// not: Δms may be negative only if scans arrive out of order, so times are
// zig-zag encoded).
func appendScanSegment(dst []byte, base int64, scans []Scan) []byte {
	w := wire.Writer{B: dst}
	w.Version(1)
	w.Count(len(scans))
	prev := base
	for i := range scans {
		s := &scans[i]
		w.Varint(s.Time - prev)
		prev = s.Time
		w.U32(s.Ref.Product)
		w.Uvarint(s.Ref.Counter)
		w.U32(s.Region)
		w.U8(byte(s.Class))
	}
	return w.B
}

// DecodeSegment calls fn for each scan of a raw scan segment (key
// 0xC1|ms|seq, value v), in stored order.
func DecodeSegment(key, v []byte, fn func(Scan) error) error {
	prev, _, err := store.DecodeScanRawKey(key)
	if err != nil {
		return err
	}
	d := wire.Reader{What: "scan segment", B: v}
	bad := func() error { return fmt.Errorf("scan segment %x: %w", key, d.Err) }
	d.Version(1)
	d.Field = "count"
	cnt := d.Count()
	for i := 0; i < cnt && d.Err == nil; i++ {
		var s Scan
		d.Field = "time"
		s.Time = prev + d.Varint()
		prev = s.Time
		d.Field = "product"
		s.Ref.Product = d.U32()
		d.Field = "counter"
		s.Ref.Counter = d.Uvarint()
		d.Field = "region"
		if r := d.Uvarint(); r <= 999999 {
			s.Region = uint32(r)
		} else {
			d.Fail(fmt.Sprintf("%d is not a six-digit division code", r))
		}
		d.Field = "class"
		s.Class = ClientClass(d.U8())
		if d.Err != nil {
			return bad()
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	d.Field = ""
	if d.Done() != nil {
		return bad()
	}
	return nil
}

// Options tune a Log. The zero value of every field means the
// default.
type Options struct {
	// FlushInterval is how often buffered scans are written, as one
	// segment in an unsynced batch. A crash loses at most this much of the
	// raw scan log; Close flushes everything with fsync. Default 250 ms.
	FlushInterval time.Duration
	// CountInterval is how often changed per-item counts are written (each
	// costs a Pebble write, so a busy resolver writes them less often than
	// raw scans). A crash loses at most this much of the counts. Default
	// 2 s; never shorter than FlushInterval.
	CountInterval time.Duration
	// MaxPending bounds the raw scans buffered between flushes; beyond it
	// raw records are dropped (counted in Dropped) rather than slow the
	// resolver. Per-item counts are never dropped. Default 1 Mi.
	MaxPending int
	// CacheEntries bounds the per-item counts kept in memory after they are
	// written. Default 1 Mi (about 100 MB).
	CacheEntries int
	// SuspiciousScore is the evidence (Stats.Evidence: distinct
	// clients, weighted by class, capped per address) at which an item is
	// flagged as a probable clone. Default 16: eight people's phones on
	// eight networks, or sixteen apps. At most 2×MaxClients.
	SuspiciousScore int
	// SuspiciousRegions is the number of distinct prefectures trusted
	// scans of one item came from at which it is flagged. Default 3.
	SuspiciousRegions int
	// NoRaw turns off the raw scan records (0xC1), keeping only per-item
	// counts. Default false: every scan is kept.
	NoRaw bool
}

// Defaults of Options that `tracecode serve` also shows as flag
// defaults.
const (
	DefaultFlushInterval     = 250 * time.Millisecond
	DefaultSuspiciousScore   = 16
	DefaultSuspiciousRegions = 3
)

// EnsureDefaults fills zero (or negative) fields with their defaults and caps
// SuspiciousScore at what evidence can reach.
func (o *Options) EnsureDefaults() {
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.CountInterval <= 0 {
		o.CountInterval = 2 * time.Second
	}
	o.CountInterval = max(o.CountInterval, o.FlushInterval)
	if o.MaxPending <= 0 {
		o.MaxPending = 1 << 20
	}
	if o.CacheEntries <= 0 {
		o.CacheEntries = 1 << 20
	}
	if o.SuspiciousScore <= 0 {
		o.SuspiciousScore = DefaultSuspiciousScore
	}
	o.SuspiciousScore = min(o.SuspiciousScore, maxEvidence)
	if o.SuspiciousRegions <= 0 {
		o.SuspiciousRegions = DefaultSuspiciousRegions
	}
}

// Log records public scans off the resolver's hot path: Record updates
// an in-memory per-item count and queues a raw record; a background
// goroutine writes both to the store in batches every FlushInterval.
// It is safe for concurrent use.
type Log struct {
	db       *store.DB
	opt      Options
	perShard int
	shards   [scanShards]scanShard

	rawMu sync.Mutex
	raw   []Scan // GUARDED_BY(rawMu); scans not yet written
	spare []Scan // GUARDED_BY(rawMu); the other half of the double buffer

	flushMu sync.Mutex // serialises flushes
	segBuf  []byte     // GUARDED_BY(flushMu); encoded segment
	// statBuf is the flush's list of changed counts, reused (profile: the
	// list grown afresh was most of a busy resolver's flush time).
	statBuf []dirtyStat // GUARDED_BY(flushMu)
	seq     atomic.Uint32

	recorded, dropped, written atomic.Uint64
	flushErr                   atomic.Pointer[error]

	stop chan struct{}
	done chan struct{}
	once sync.Once

	// seen says which items the store surely holds no counts of, once
	// buildSeen has filled it; seenDone is closed when buildSeen returns.
	seen     *seenFilter
	seenDone chan struct{}
	// loads counts the store reads of first touches (tests).
	loads atomic.Uint64

	// count, if set, commits a flush's batch with the scans tallied
	// since the previous flush (the statistics).
	count Counter

	// remoteMu guards what Merge applied of other nodes' scans; a flush
	// of the counts holds it while it takes the changed counts, so the
	// position it writes covers exactly the merges in them. Lock order:
	// flushMu, remoteMu, a shard's mu.
	remoteMu sync.Mutex
	remote   mergeState // GUARDED_BY(remoteMu)
	// mergeWritten is the merge position the store holds.
	mergeWritten uint64 // GUARDED_BY(flushMu)
}

// Counter folds tallied scans into batch b and calls commit to commit it,
// returning its error.
type Counter func(b *store.Batch, t map[Tally]TallyCount, commit func() error) error

// Tally is what scans are tallied by between flushes: the product and the
// quarter hour (unix ms / 900,000), fine enough for any business-day
// clock's zone offset.
type Tally struct {
	Product uint32
	Quarter int64
}

// TallyCount is the scans of one tally and how many of them made their
// item newly suspicious.
type TallyCount struct {
	Scans, Suspicious uint64
}

const scanShards = 64

type scanShard struct {
	mu    sync.Mutex
	m     map[Ref]scanEntry    // GUARDED_BY(mu)
	dirty []Ref                // GUARDED_BY(mu); refs changed since the last flush
	tally map[Tally]TallyCount // GUARDED_BY(mu); scans since the last flush (when the log counts them)
}

type scanEntry struct {
	st    Stats
	dirty bool
}

// Open starts a scan log over db. o may be nil for defaults. Close
// it to flush and stop the writer.
func Open(db *store.DB, o *Options) *Log { return OpenCounted(db, o, nil) }

// OpenCounted is Open whose flushes, if count is not nil, commit through
// count with the scans tallied since the previous flush (the statistics
// kept as data arrives, engine/stats).
func OpenCounted(db *store.DB, o *Options, count Counter) *Log {
	var opt Options
	if o != nil {
		opt = *o
	}
	opt.EnsureDefaults()
	l := &Log{db: db, opt: opt, perShard: max(opt.CacheEntries/scanShards, 16), count: count,
		stop: make(chan struct{}), done: make(chan struct{}), seenDone: make(chan struct{})}
	for i := range l.shards {
		l.shards[i].m = make(map[Ref]scanEntry)
		l.shards[i].tally = make(map[Tally]TallyCount)
	}
	l.seen = newSeenFilter(l.opt.CacheEntries)
	go l.buildSeen()
	go l.run()
	return l
}

// Options returns the options in force, defaults filled.
func (l *Log) Options() Options { return l.opt }

func (r Ref) shard() int {
	h := (uint64(r.Product)<<40 ^ r.Counter) * 0x9E3779B97F4A7C15
	return int(h >> 58) // 64 shards
}

// load reads r's stored stats, unless the filter of stored counts says
// there are none.
func (l *Log) load(r Ref) (Stats, error) {
	if l.seen.absent(r) {
		return Stats{}, nil
	}
	l.loads.Add(1)
	return loadStats(l.db, r)
}

// loadStats reads r's stored stats (zero if none).
func loadStats(db *store.DB, r Ref) (Stats, error) {
	var k [13]byte
	var st Stats
	var derr error
	_, err := db.Get(scanStatsKey(k[:0], r), func(v []byte) error {
		st, derr = decodeScanStats(v)
		return derr
	})
	return st, err
}

// Record counts one scan and returns the item's stats including it, with
// Suspicious set. It does no disk write; on the first scan of an item since
// start (or since its count was evicted from memory) it reads the stored
// count once; if that read fails, nothing is counted and the error returned.
func (l *Log) Record(s Scan) (Stats, error) {
	sh := &l.shards[s.Ref.shard()]
	sh.mu.Lock()
	e, ok := sh.m[s.Ref]
	if !ok {
		sh.mu.Unlock()
		loaded, err := l.load(s.Ref)
		if err != nil {
			// Counting from zero would overwrite the stored count.
			return Stats{}, err
		}
		sh.mu.Lock()
		if e, ok = sh.m[s.Ref]; !ok {
			e = scanEntry{st: loaded}
		}
	}
	st := &e.st
	was := l.count != nil && l.suspicious(st)
	st.add(&s)
	if !e.dirty {
		e.dirty = true
		sh.dirty = append(sh.dirty, s.Ref)
	}
	if l.count != nil {
		k := Tally{s.Ref.Product, s.Time / 900_000}
		c := sh.tally[k]
		c.Scans++
		if !was && l.suspicious(st) {
			c.Suspicious++
		}
		sh.tally[k] = c
	}
	sh.m[s.Ref] = e
	out := e.st
	sh.mu.Unlock()

	l.recorded.Add(1)
	if !l.opt.NoRaw {
		l.rawMu.Lock()
		if len(l.raw) < l.opt.MaxPending {
			l.raw = append(l.raw, s)
		} else {
			l.dropped.Add(1)
		}
		l.rawMu.Unlock()
	}
	out.Suspicious = l.suspicious(&out)
	return out, nil
}

// suspicious is the clone rule: a regulator's confirmation, or weighted
// distinct clients (Stats.Evidence) reaching SuspiciousScore, or
// trusted regions reaching SuspiciousRegions. The raw count is not
// evidence: one client scanning a genuine item a thousand times (a load
// test, a curious child) is one client.
func (l *Log) suspicious(st *Stats) bool { return l.opt.suspicious(st) }

// suspicious is the clone rule with o's thresholds (see Log.suspicious).
func (o *Options) suspicious(st *Stats) bool {
	if st.Review.Verdict == VerdictConfirmed {
		return true
	}
	return st.Evidence() >= o.SuspiciousScore || int(st.NRegion) >= o.SuspiciousRegions
}

// add counts scan s into st: the count, first and last time, its client
// and its prefecture.
func (st *Stats) add(s *Scan) {
	st.Count++
	if st.First == 0 || s.Time < st.First {
		st.First = s.Time
	}
	if s.Time > st.Last {
		st.Last = s.Time
	}
	st.addClient(s.Client)
	if s.Region != 0 {
		pref := s.Region
		if pref >= 1e8 { // a 9-digit township code: its county's six digits
			pref /= 1000
		}
		st.addRegion(pref / 100 * 100)
	}
}

// addRegion records prefecture pref (if new and there is room).
func (st *Stats) addRegion(pref uint32) {
	if pref == 0 || int(st.NRegion) >= MaxRegions {
		return
	}
	for _, r := range st.Regions[:st.NRegion] {
		if r == pref {
			return
		}
	}
	st.Regions[st.NRegion] = pref
	st.NRegion++
}

// Stats returns the stats of an item without counting a scan.
func (l *Log) Stats(r Ref) (Stats, error) {
	sh := &l.shards[r.shard()]
	sh.mu.Lock()
	e, ok := sh.m[r]
	sh.mu.Unlock()
	if ok {
		st := e.st
		st.Suspicious = l.suspicious(&st)
		return st, nil
	}
	st, err := l.load(r)
	st.Suspicious = err == nil && l.suspicious(&st)
	return st, err
}

// Recorded returns the number of scans recorded since start.
func (l *Log) Recorded() uint64 { return l.recorded.Load() }

// Dropped returns the number of raw scan records dropped because the
// buffer was full.
func (l *Log) Dropped() uint64 { return l.dropped.Load() }

// Written returns the number of raw scan records written.
func (l *Log) Written() uint64 { return l.written.Load() }

// Pending returns the number of raw scans waiting to be written.
func (l *Log) Pending() int {
	l.rawMu.Lock()
	defer l.rawMu.Unlock()
	return len(l.raw)
}

// Err returns the last flush error, or nil.
func (l *Log) Err() error {
	if p := l.flushErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (l *Log) run() {
	defer close(l.done)
	t := time.NewTicker(l.opt.FlushInterval)
	defer t.Stop()
	lastCounts := time.Now()
	for {
		select {
		case <-l.stop:
			return
		case now := <-t.C:
			counts := now.Sub(lastCounts) >= l.opt.CountInterval
			if counts {
				lastCounts = now
			}
			if err := l.flush(false, counts); err != nil {
				l.flushErr.Store(&err)
			} else {
				l.flushErr.Store(nil)
			}
		}
	}
}

// Flush writes everything recorded so far and syncs the write-ahead log.
func (l *Log) Flush() error { return l.flush(true, true) }

type dirtyStat struct {
	ref Ref
	st  Stats
}

func (l *Log) flush(sync, counts bool) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()

	l.rawMu.Lock()
	raw := l.raw
	l.raw, l.spare = l.spare[:0], nil
	l.rawMu.Unlock()

	stats := l.statBuf[:0]
	defer func() { l.statBuf = stats[:0] }()
	var tally map[Tally]TallyCount
	var mergePos uint64
	if counts {
		// The merges in the counts taken below, and no other, are the
		// position written with them.
		l.remoteMu.Lock()
		mergePos = l.remote.pos
		tally = l.remote.tally
		l.remote.tally = nil
	}
	for i := range l.shards {
		sh := &l.shards[i]
		if l.count != nil {
			sh.mu.Lock()
			for k, c := range sh.tally {
				if tally == nil {
					tally = map[Tally]TallyCount{}
				}
				t := tally[k]
				t.Scans += c.Scans
				t.Suspicious += c.Suspicious
				tally[k] = t
			}
			clear(sh.tally)
			sh.mu.Unlock()
		}
		if !counts {
			continue
		}
		sh.mu.Lock()
		for _, r := range sh.dirty {
			e := sh.m[r]
			e.dirty = false
			sh.m[r] = e
			stats = append(stats, dirtyStat{r, e.st})
		}
		sh.dirty = sh.dirty[:0]
		sh.mu.Unlock()
	}
	if counts {
		l.remoteMu.Unlock()
	}
	writePos := mergePos > l.mergeWritten
	if len(raw) == 0 && len(stats) == 0 && len(tally) == 0 && !writePos {
		l.giveBack(raw)
		return nil
	}
	b := l.db.NewBatch()
	var kb, vb []byte
	if writePos {
		b.Set(store.ScanMergeKey(), store.Uint(mergePos).AppendBinary(vb[:0]))
	}
	for i := range stats {
		l.seen.add(stats[i].ref) // before the commit: see seenFilter
		kb = scanStatsKey(kb[:0], stats[i].ref)
		vb = stats[i].st.appendBinary(vb[:0])
		b.Set(kb, vb)
	}
	if len(raw) > 0 {
		kb = store.AppendScanRawKey(kb[:0], raw[0].Time, l.seq.Add(1))
		l.segBuf = appendScanSegment(l.segBuf[:0], raw[0].Time, raw)
		b.Set(kb, l.segBuf)
	}
	commit := func() error { return b.Commit(sync) }
	var err error
	if len(tally) > 0 {
		err = l.count(b, tally, commit)
	} else {
		err = commit()
	}
	if err != nil {
		// Put the counts and tallies back so the next flush retries them;
		// the raw records of this batch are lost (counted as dropped).
		if len(tally) > 0 {
			sh := &l.shards[0]
			sh.mu.Lock()
			for k, c := range tally {
				t := sh.tally[k]
				t.Scans += c.Scans
				t.Suspicious += c.Suspicious
				sh.tally[k] = t
			}
			sh.mu.Unlock()
		}
		for _, d := range stats {
			sh := &l.shards[d.ref.shard()]
			sh.mu.Lock()
			if e, ok := sh.m[d.ref]; ok && !e.dirty {
				e.dirty = true
				sh.m[d.ref] = e
				sh.dirty = append(sh.dirty, d.ref)
			}
			sh.mu.Unlock()
		}
		l.dropped.Add(uint64(len(raw)))
		l.giveBack(raw)
		return fmt.Errorf("engine: scan log flush: %w", err)
	}
	l.written.Add(uint64(len(raw)))
	l.giveBack(raw)
	if writePos {
		l.mergeWritten = mergePos
	}
	if counts {
		l.evict()
	}
	return nil
}

// giveBack returns a drained raw buffer for reuse.
func (l *Log) giveBack(raw []Scan) {
	l.rawMu.Lock()
	if l.spare == nil && cap(raw) <= l.opt.MaxPending {
		l.spare = raw[:0]
	}
	l.rawMu.Unlock()
}

// evict drops written counts from shards over their share of
// CacheEntries. It runs only after a successful flush, so an evicted count
// is always the stored one and a later load reads it back exactly.
//
// A shard over its share drops a quarter of it, evictChunk counts per
// hold of its lock: every Record of the shard waits behind the hold.
// Dropping the quarter in one hold took 0.26–1.16 ms per shard at 2^18
// entries (1,024 counts a shard; BenchmarkScanLogEvict, 17–74 ms for the
// 64 shards, busy machine), four times as many counts at the default
// 2^20: a millisecond tail for the scans of that shard once more items
// are scanned than the cache holds.
func (l *Log) evict() {
	target := l.perShard * 3 / 4
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for over := len(sh.m) > l.perShard; over; {
			n := 0
			for r, e := range sh.m {
				if len(sh.m) <= target || n == evictChunk {
					break
				}
				if !e.dirty {
					delete(sh.m, r)
					n++
				}
			}
			// Done at the target, or when every count left is dirty.
			if over = n == evictChunk && len(sh.m) > target; over {
				// Let the Records queued on the shard in.
				sh.mu.Unlock()
				runtime.Gosched()
				sh.mu.Lock()
			}
		}
		sh.mu.Unlock()
	}
}

// evictChunk is how many counts evict drops per hold of a shard's lock.
const evictChunk = 256

// Close stops the background writer and flushes with fsync. Record must
// not be called after Close.
func (l *Log) Close() error {
	var err error
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		<-l.seenDone
		err = l.flush(true, true)
	})
	return err
}

// ScanRange calls fn for every raw scan stored in a segment that starts in
// [from, to) unix milliseconds, in segment order (call Flush first to
// include the latest).
func (l *Log) ScanRange(from, to int64, fn func(Scan) error) error {
	lo, hi := store.ScanRawBetween(from, to)
	return l.db.Scan(lo, hi, func(k, v []byte) error { return DecodeSegment(k, v, fn) })
}

// EachStats writes the counts changed since the last flush, then calls fn
// for every item's stored stats in key order (product, counter), with
// Suspicious set. fn returning an error stops the walk with it.
func (l *Log) EachStats(fn func(Ref, Stats) error) error {
	if err := l.flush(false, true); err != nil {
		return err
	}
	return l.db.ScanPrefix(store.ScanStatsKeys.Prefix(), func(k, v []byte) error {
		product, counter, err := store.DecodeScanStatsKey(k)
		if err != nil {
			return err
		}
		st, err := decodeScanStats(v)
		if err != nil {
			return err
		}
		st.Suspicious = l.suspicious(&st)
		return fn(Ref{Product: product, Counter: counter}, st)
	})
}
