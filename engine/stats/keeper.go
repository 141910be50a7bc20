package stats

import (
	"fmt"
	"sync"

	"tracecode/engine/code/cn"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Delta is what one write adds to the statistics: counts at the region a
// thing happened in (its organisation's registered region) and the
// organisations that were active. Adding costs a map increment; the
// expansion to every level and to category 0 happens once, in
// Keeper.Commit. The zero Delta is empty and ready to use; a Delta is not
// safe for concurrent use.
type Delta struct {
	counts map[dcell]uint64
	active map[activity]struct{}
}

// dcell is a count as a write adds it: at the organisation that recorded
// it (0 for none) and its region.
type dcell struct {
	org    uint32
	region uint32
	day    uint32
	cat    model.Category
	metric Metric
}

type activity struct {
	org, region, day uint32
}

// Add counts n of metric m for organisation org (0 for none) in region (a
// GB/T 2260 six-digit or a nine-digit township code; 0 when unknown) and
// category cat (0 when the thing has none) on day (yyyymmdd). Organisation
// metrics ignore cat.
func (d *Delta) Add(org, region uint32, cat model.Category, day uint32, m Metric, n uint64) {
	if n == 0 {
		return
	}
	if orgMetric(m) {
		cat = 0
	}
	if d.counts == nil {
		d.counts = make(map[dcell]uint64, 8)
	}
	d.counts[dcell{org, region, day, cat, m}] += n
}

// Active notes that organisation org (registered in region) recorded
// something on day: it counts once in OrgsActive for the day and once in
// OrgsActiveMonth for the month, however often it records.
func (d *Delta) Active(org, region, day uint32) {
	if d.active == nil {
		d.active = make(map[activity]struct{}, 1)
	}
	d.active[activity{org, region, day}] = struct{}{}
}

// Empty reports whether d adds nothing.
func (d *Delta) Empty() bool { return len(d.counts) == 0 && len(d.active) == 0 }

// Reset empties d, keeping its maps for reuse.
func (d *Delta) Reset() {
	clear(d.counts)
	clear(d.active)
}

// Keeper folds deltas into write batches. It holds the current counts of
// the rows it has read or written (so a report's fold reads nothing from
// the store once the day's rows are warm) and the organisations known
// active per day and month. Every count is written only through a Keeper,
// one per store.
type Keeper struct {
	db *store.DB

	mu    sync.Mutex
	cache map[row]*rowCounts  // GUARDED_BY(mu); committed rows
	marks map[mark]struct{}   // GUARDED_BY(mu); committed activity marks
	paths map[uint32][]uint32 // GUARDED_BY(mu); region → the regions a count is kept at
	sum   map[row]*rowCounts  // GUARDED_BY(mu); scratch: the fold's rows, increments then new values
	free  []*rowCounts        // GUARDED_BY(mu); scratch rows to reuse
	newM  map[mark]struct{}   // GUARDED_BY(mu); scratch: marks the fold writes
	kb    []byte              // GUARDED_BY(mu)
	vb    []byte              // GUARDED_BY(mu)
	_     [0]func()           // not comparable
}

// maxCache bounds the cached rows and marks; past it the cache starts
// over (the next folds read their rows back from the store).
const maxCache = 1 << 16

// NewKeeper returns the Keeper of db's statistics.
func NewKeeper(db *store.DB) *Keeper {
	return &Keeper{db: db, cache: map[row]*rowCounts{}, marks: map[mark]struct{}{},
		paths: map[uint32][]uint32{}, sum: map[row]*rowCounts{}, newM: map[mark]struct{}{}}
}

// Commit folds d into b and calls commit, which must commit b (with fsync
// where the write needs it) and return its error; the counts are durable
// exactly when the rest of the write is. Writes that carry a Delta are
// serialised here from the fold through the commit, so no two batches
// write the same row from the same old counts. If the fold cannot read a
// row, b is closed, commit is not called and the error is returned:
// nothing is applied. A nil or empty d only calls commit.
func (k *Keeper) Commit(b *store.Batch, d *Delta, commit func() error) error {
	if d == nil || d.Empty() {
		return commit()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.cache) > maxCache {
		clear(k.cache)
	}
	if len(k.marks) > maxCache {
		clear(k.marks)
	}
	clear(k.newM)
	defer k.recycle()
	if err := k.fold(b, d); err != nil {
		b.Close()
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	for r, c := range k.sum {
		if old := k.cache[r]; old != nil {
			*old = append((*old)[:0], *c...)
			continue
		}
		k.cache[r] = c
		k.sum[r] = nil // now the cache's
	}
	for m := range k.newM {
		k.marks[m] = struct{}{}
	}
	return nil
}

// fold writes d's counts, expanded, into b; k.sum ends holding the rows'
// new counts and k.newM the marks written. REQUIRES k.mu.
func (k *Keeper) fold(b *store.Batch, d *Delta) error {
	for a := range d.active {
		for period, day := range [2]uint32{a.day, monthOf(a.day)} {
			m := mark{org: a.org, period: uint8(period), day: day}
			fresh, err := k.freshMark(m)
			if err != nil {
				return err
			}
			if !fresh {
				continue
			}
			k.newM[m] = struct{}{}
			k.kb = m.appendKey(k.kb[:0])
			b.Set(k.kb, []byte{markVersion})
			metric := OrgsActive
			if period == 1 {
				metric = OrgsActiveMonth
			}
			k.expand(dcell{a.org, a.region, day, 0, metric}, 1)
		}
	}
	for c, n := range d.counts {
		k.expand(c, n)
	}
	for r, c := range k.sum {
		old, err := k.value(r)
		if err != nil {
			return err
		}
		c.add(*old)
		k.kb = r.appendKey(k.kb[:0])
		k.vb = appendRow(k.vb[:0], *c)
		b.Set(k.kb, k.vb)
	}
	return nil
}

// recycle empties the fold's scratch rows. REQUIRES k.mu.
func (k *Keeper) recycle() {
	for _, c := range k.sum {
		if c != nil {
			k.free = append(k.free, c)
		}
	}
	clear(k.sum)
}

// scratch returns the fold's row r, empty when new. REQUIRES k.mu.
func (k *Keeper) scratch(r row) *rowCounts {
	if c := k.sum[r]; c != nil {
		return c
	}
	var c *rowCounts
	if n := len(k.free); n > 0 {
		c, k.free = k.free[n-1], k.free[:n-1]
		*c = (*c)[:0]
	} else {
		c = new(rowCounts)
	}
	k.sum[r] = c
	return c
}

// expand adds n to every row c contributes to: each region of its path
// and its organisation's row, under its category. REQUIRES k.mu.
func (k *Keeper) expand(c dcell, n uint64) {
	for _, r := range k.path(c.region) {
		k.scratch(row{region: r, day: c.day}).of(c.cat)[c.metric] += n
	}
	if c.org != 0 {
		k.scratch(row{region: OrgRow(c.org), day: c.day}).of(c.cat)[c.metric] += n
	}
}

// OrgRow returns the region field under which organisation org's own
// counts are kept: its id with the top bit set, a value no region code
// takes (the largest, a township's, is below 10^9 < 2^31).
func OrgRow(org uint32) uint32 { return 1<<31 | org }

// path returns the regions a count of region r is kept at: r's known
// ancestors from the province down, then r (the country is the sum of
// its provinces). A count of no region or an invalid one is kept at
// region 0. REQUIRES k.mu.
func (k *Keeper) path(r uint32) []uint32 {
	if p, ok := k.paths[r]; ok {
		return p
	}
	var p []uint32
	if reg, err := cn.NewRegion(int(r)); err != nil || r == 0 {
		p = []uint32{0}
	} else {
		for _, a := range reg.AppendPath(nil) {
			p = append(p, a.Uint32())
		}
	}
	k.paths[r] = p
	return p
}

// value returns the committed counts of row r. REQUIRES k.mu.
func (k *Keeper) value(r row) (*rowCounts, error) {
	if c := k.cache[r]; c != nil {
		return c, nil
	}
	c := new(rowCounts)
	k.kb = r.appendKey(k.kb[:0])
	_, err := k.db.Get(k.kb, func(b []byte) error { return decodeRow(b, c) })
	if err != nil {
		return nil, fmt.Errorf("stats: reading the counts of region %d on %d: %w", r.region, r.day, err)
	}
	k.cache[r] = c
	return c, nil
}

// freshMark reports whether m is not yet recorded. REQUIRES k.mu.
func (k *Keeper) freshMark(m mark) (bool, error) {
	if _, ok := k.marks[m]; ok {
		return false, nil
	}
	if _, ok := k.newM[m]; ok {
		return false, nil
	}
	k.kb = m.appendKey(k.kb[:0])
	found, err := k.db.Get(k.kb, func([]byte) error { return nil })
	if err != nil {
		return false, fmt.Errorf("stats: reading the activity of organisation %d: %w", m.org, err)
	}
	if found {
		k.marks[m] = struct{}{}
	}
	return !found, nil
}
