package scanlog

import (
	"fmt"
	"sync"
	"sync/atomic"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Scans on several nodes (docs/replication.md). A replica's store takes
// only the writer's batches, so a replica counts its scans in a Forwarder:
// per item, what its scans added since it last sent them (a Delta). It
// sends the deltas to the writer on the scans stream; the writer's Log
// merges each message once (Merge), in stream order, and writes the
// stream position it merged up to in the same batch as the counts, so a
// writer that restarts (or a replica that takes over, whose store holds
// the old writer's batches) goes on after the last message its counts
// include: nothing is counted twice, nothing merged is lost. The writer's
// counts, evidence and statistics therefore include every replica's
// scans, and the suspicious-copy rule sees them together.

// Delta is what one node's scans added to an item since it last sent
// them: Stats.Count scans, the earliest and latest, the prefectures
// (already rounded) and the distinct clients. Stats.Review is not sent.
type Delta struct {
	Ref   Ref
	Stats Stats
}

// merge adds delta d to st: counts add up, times widen, clients and
// prefectures join (up to the bounds Stats keeps).
func (st *Stats) merge(d *Stats) {
	st.Count += d.Count
	if d.First != 0 && (st.First == 0 || d.First < st.First) {
		st.First = d.First
	}
	if d.Last > st.Last {
		st.Last = d.Last
	}
	for _, c := range d.Clients[:d.NClient] {
		st.addClient(c)
	}
	for _, r := range d.Regions[:d.NRegion] {
		st.addRegion(r)
	}
}

// deltasVersion is the version of a scans-stream message body.
const deltasVersion = 1

// AppendDeltas appends the body of one scans-stream message:
//
//	ver=1 | n uvarint | n × (product uvarint | counter uvarint | count uvarint
//	      | first varint | last varint | r u8 | r × region uvarint
//	      | c u8 | c × client u32)
func AppendDeltas(dst []byte, ds []Delta) []byte {
	w := wire.Writer{B: dst}
	w.Version(deltasVersion)
	w.Count(len(ds))
	for i := range ds {
		d := &ds[i]
		w.U32(d.Ref.Product)
		w.Uvarint(d.Ref.Counter)
		w.Uvarint(d.Stats.Count)
		w.Varint(d.Stats.First)
		w.Varint(d.Stats.Last)
		w.U8(d.Stats.NRegion)
		for _, r := range d.Stats.Regions[:d.Stats.NRegion] {
			w.U32(r)
		}
		w.U8(d.Stats.NClient)
		for _, c := range d.Stats.Clients[:d.Stats.NClient] {
			w.BE32(c)
		}
	}
	return w.B
}

// DecodeDeltas reads a scans-stream message body. A damaged body wraps
// store.ErrCorrupt naming the field and byte offset; a newer version,
// store.ErrVersion.
func DecodeDeltas(b []byte) ([]Delta, error) {
	d := wire.Reader{What: "scan deltas", B: b}
	d.Version(deltasVersion)
	d.Field = "count"
	n := d.Count()
	var ds []Delta
	for i := 0; i < n && d.Err == nil; i++ {
		var x Delta
		d.Field = "product"
		x.Ref.Product = d.U32()
		d.Field = "counter"
		x.Ref.Counter = d.Uvarint()
		d.Field = "scans"
		x.Stats.Count = d.Uvarint()
		d.Field = "first"
		x.Stats.First = d.Varint()
		d.Field = "last"
		x.Stats.Last = d.Varint()
		d.Field = "region count"
		if x.Stats.NRegion = d.U8(); x.Stats.NRegion > MaxRegions {
			d.Fail(fmt.Sprintf("%d regions, at most %d", x.Stats.NRegion, MaxRegions))
			break
		}
		d.Field = "region"
		for j := range x.Stats.Regions[:x.Stats.NRegion] {
			if r := d.Uvarint(); r <= 999999 {
				x.Stats.Regions[j] = uint32(r)
			} else {
				d.Fail(fmt.Sprintf("%d is not a six-digit division code", r))
			}
		}
		d.Field = "client count"
		if x.Stats.NClient = d.U8(); x.Stats.NClient > MaxClients {
			d.Fail(fmt.Sprintf("%d clients, at most %d", x.Stats.NClient, MaxClients))
			break
		}
		d.Field = "client"
		for j := range x.Stats.Clients[:x.Stats.NClient] {
			x.Stats.Clients[j] = d.BE32()
		}
		if d.Err == nil && x.Stats.Count == 0 {
			d.Field = "scans"
			d.Fail("an item with no scans")
		}
		ds = append(ds, x)
	}
	d.Field = ""
	if err := d.Done(); err != nil {
		return nil, err
	}
	return ds, nil
}

// mergeState is what a Log merged of other nodes' scans.
type mergeState struct {
	loaded bool
	// pos is the scans-stream sequence of the last message merged.
	pos uint64
	// tally is the merged scans not yet written, by product and quarter
	// hour (written only with the counts and pos).
	tally map[Tally]TallyCount
}

// loadMerged reads the stored merge position once. REQUIRES: remoteMu.
func (l *Log) loadMerged() error {
	if l.remote.loaded {
		return nil
	}
	var u store.Uint
	var derr error
	_, err := l.db.Get(store.ScanMergeKey(), func(v []byte) error {
		u, derr = store.DecodeUint("scan merge position", v)
		return derr
	})
	if err != nil {
		return fmt.Errorf("scanlog: merge position: %w", err)
	}
	l.remote.loaded, l.remote.pos = true, uint64(u)
	return nil
}

// Merged returns the scans-stream sequence of the last message whose
// deltas this log merged (0: none); the next to merge is the one after.
func (l *Log) Merged() (uint64, error) {
	l.remoteMu.Lock()
	defer l.remoteMu.Unlock()
	if err := l.loadMerged(); err != nil {
		return 0, err
	}
	return l.remote.pos, nil
}

// Merge adds the deltas of the scans-stream message at seq to the counts
// (written at the next counts flush, with seq). A message at or before
// the position merged already is skipped, so a redelivery counts nothing
// twice. It returns the deltas whose item is suspicious after the merge,
// for the clone-scan rule. On error nothing is merged.
func (l *Log) Merge(seq uint64, ds []Delta) ([]Delta, error) {
	l.remoteMu.Lock()
	defer l.remoteMu.Unlock()
	if err := l.loadMerged(); err != nil {
		return nil, err
	}
	if seq <= l.remote.pos {
		return nil, nil
	}
	// Read every stored count first, so that the merge itself cannot
	// fail half-way.
	loaded := make([]Stats, len(ds))
	for i := range ds {
		sh := &l.shards[ds[i].Ref.shard()]
		sh.mu.Lock()
		_, ok := sh.m[ds[i].Ref]
		sh.mu.Unlock()
		if !ok {
			st, err := l.load(ds[i].Ref)
			if err != nil {
				return nil, err
			}
			loaded[i] = st
		}
	}
	var sus []Delta
	for i := range ds {
		d := &ds[i]
		sh := &l.shards[d.Ref.shard()]
		sh.mu.Lock()
		e, ok := sh.m[d.Ref]
		if !ok {
			e = scanEntry{st: loaded[i]}
		}
		was := l.suspicious(&e.st)
		e.st.merge(&d.Stats)
		now := l.suspicious(&e.st)
		if !e.dirty {
			e.dirty = true
			sh.dirty = append(sh.dirty, d.Ref)
		}
		sh.m[d.Ref] = e
		sh.mu.Unlock()
		if l.count != nil {
			if l.remote.tally == nil {
				l.remote.tally = map[Tally]TallyCount{}
			}
			k := Tally{d.Ref.Product, d.Stats.Last / 900_000}
			c := l.remote.tally[k]
			c.Scans += d.Stats.Count
			if !was && now {
				c.Suspicious++
			}
			l.remote.tally[k] = c
		}
		if now {
			sus = append(sus, *d)
		}
	}
	l.remote.pos = seq
	return sus, nil
}

// Forwarder counts a replica's scans for the writer: Record adds a scan
// to its item's pending delta and answers the item's stats as the
// replica's store holds them (the writer's, through the log) plus what is
// pending; Take hands the pending deltas over to be sent. The stored
// stats read are kept in memory (up to fwdStoredPerShard items a shard)
// until StoredChanged says the replica applied new counts. It is safe for
// concurrent use.
type Forwarder struct {
	db     *store.DB
	opt    Options
	shards [scanShards]fwdShard
	// gen rises with every StoredChanged: a stored read begun under an
	// older gen is not kept.
	gen atomic.Uint64
	// recorded counts the scans recorded since start.
	recorded atomic.Uint64
}

type fwdShard struct {
	mu     sync.Mutex
	m      map[Ref]Stats // GUARDED_BY(mu); scans not yet taken
	stored map[Ref]Stats // GUARDED_BY(mu); the store's stats read since the last StoredChanged
}

// fwdStoredPerShard bounds the stored stats a Forwarder keeps per shard;
// items beyond it are read from the store at every scan.
const fwdStoredPerShard = 1024

// NewForwarder returns a forwarder over a replica's store db, judging
// items with o's thresholds (nil: defaults).
func NewForwarder(db *store.DB, o *Options) *Forwarder {
	var opt Options
	if o != nil {
		opt = *o
	}
	opt.EnsureDefaults()
	f := &Forwarder{db: db, opt: opt}
	for i := range f.shards {
		f.shards[i].m = make(map[Ref]Stats)
		f.shards[i].stored = make(map[Ref]Stats)
	}
	return f
}

// StoredChanged tells the forwarder that the store's scan counts changed
// (the replica applied a batch of the writer's holding some): the stored
// stats it kept are read again. Call it after the batch is applied.
func (f *Forwarder) StoredChanged() {
	f.gen.Add(1)
	for i := range f.shards {
		sh := &f.shards[i]
		sh.mu.Lock()
		clear(sh.stored)
		sh.mu.Unlock()
	}
}

// stored returns r's stats as the store holds them, from memory if read
// since the last StoredChanged. REQUIRES sh (r's shard) locked; it is
// unlocked while the store is read, and locked again on return.
func (f *Forwarder) stored(sh *fwdShard, r Ref) (Stats, error) {
	if st, ok := sh.stored[r]; ok {
		return st, nil
	}
	gen := f.gen.Load()
	sh.mu.Unlock()
	st, err := loadStats(f.db, r)
	sh.mu.Lock()
	if err == nil && f.gen.Load() == gen && len(sh.stored) < fwdStoredPerShard {
		sh.stored[r] = st
	}
	return st, err
}

// Record counts scan s and returns its item's stats including it (the
// stored counts plus the pending delta), with Suspicious set. If the
// stored counts cannot be read, nothing is counted.
func (f *Forwarder) Record(s Scan) (Stats, error) {
	sh := &f.shards[s.Ref.shard()]
	sh.mu.Lock()
	st, err := f.stored(sh, s.Ref)
	if err != nil {
		sh.mu.Unlock()
		return Stats{}, err
	}
	d := sh.m[s.Ref]
	d.add(&s)
	sh.m[s.Ref] = d
	sh.mu.Unlock()
	f.recorded.Add(1)
	st.merge(&d)
	st.Suspicious = f.opt.suspicious(&st)
	return st, nil
}

// Stats returns an item's stats (stored plus pending) without counting a
// scan.
func (f *Forwarder) Stats(r Ref) (Stats, error) {
	sh := &f.shards[r.shard()]
	sh.mu.Lock()
	st, err := f.stored(sh, r)
	if err != nil {
		sh.mu.Unlock()
		return Stats{}, err
	}
	d, ok := sh.m[r]
	sh.mu.Unlock()
	if ok {
		st.merge(&d)
	}
	st.Suspicious = f.opt.suspicious(&st)
	return st, nil
}

// Take returns the pending deltas, at most max of them (0: all), and
// forgets them: the caller sends them.
func (f *Forwarder) Take(max int) []Delta {
	var ds []Delta
	for i := range f.shards {
		sh := &f.shards[i]
		sh.mu.Lock()
		for r, d := range sh.m {
			if max > 0 && len(ds) >= max {
				break
			}
			ds = append(ds, Delta{Ref: r, Stats: d})
			delete(sh.m, r)
		}
		sh.mu.Unlock()
	}
	return ds
}

// Pending returns the number of items with scans not yet taken.
func (f *Forwarder) Pending() int {
	n := 0
	for i := range f.shards {
		sh := &f.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// Recorded returns the number of scans recorded since start.
func (f *Forwarder) Recorded() uint64 { return f.recorded.Load() }
