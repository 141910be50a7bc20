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
	counts map[cell]uint64
	active map[activity]struct{}
}

type activity struct {
	org, region, day uint32
}

// Add counts n of metric m in region (a GB/T 2260 six-digit or a
// nine-digit township code; 0 when unknown) and category cat (0 when the
// thing has none) on day (yyyymmdd). Organisation metrics ignore cat.
func (d *Delta) Add(region uint32, cat model.Category, day uint32, m Metric, n uint64) {
	if n == 0 {
		return
	}
	if orgMetric(m) {
		cat = 0
	}
	if d.counts == nil {
		d.counts = make(map[cell]uint64, 8)
	}
	d.counts[cell{region: region, cat: cat, day: day, metric: m}] += n
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

// Keeper folds deltas into write batches. It holds the current value of
// the counts it has read or written (so a report's fold reads nothing from
// the store once the day's rows are warm) and the organisations known
// active per day and month. Every count is written only through a Keeper,
// one per store.
type Keeper struct {
	db *store.DB

	mu    sync.Mutex
	cache map[cell]uint64     // GUARDED_BY(mu); committed values
	marks map[mark]struct{}   // GUARDED_BY(mu); committed activity marks
	paths map[uint32][]uint32 // GUARDED_BY(mu); region → the regions a count is kept at
	sum   map[cell]uint64     // GUARDED_BY(mu); scratch: the fold's expanded increments
	newM  map[mark]struct{}   // GUARDED_BY(mu); scratch: marks the fold writes
	kb    []byte              // GUARDED_BY(mu)
	vb    []byte              // GUARDED_BY(mu)
	_     [0]func()           // not comparable
}

// maxCache bounds the cached counts and marks; past it the cache starts
// over (the next folds read their rows back from the store).
const maxCache = 1 << 17

// NewKeeper returns the Keeper of db's statistics.
func NewKeeper(db *store.DB) *Keeper {
	return &Keeper{db: db, cache: map[cell]uint64{}, marks: map[mark]struct{}{},
		paths: map[uint32][]uint32{}, sum: map[cell]uint64{}, newM: map[mark]struct{}{}}
}

// Commit folds d into b and calls commit, which must commit b (with fsync
// where the write needs it) and return its error; the counts are durable
// exactly when the rest of the write is. Writes that carry a Delta are
// serialised here from the fold through the commit, so no two batches
// write the same count from the same old value. If the fold cannot read a
// count, b is closed, commit is not called and the error is returned:
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
	clear(k.sum)
	clear(k.newM)
	if err := k.fold(b, d); err != nil {
		b.Close()
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	for c, v := range k.sum {
		k.cache[c] = v
	}
	for m := range k.newM {
		k.marks[m] = struct{}{}
	}
	return nil
}

// fold writes d's counts, expanded, into b; k.sum ends holding the new
// values and k.newM the marks written. REQUIRES k.mu.
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
			k.expand(cell{region: a.region, day: day, metric: metric}, 1)
		}
	}
	for c, n := range d.counts {
		k.expand(c, n)
	}
	for c, n := range k.sum {
		old, err := k.value(c)
		if err != nil {
			return err
		}
		k.sum[c] = old + n
		k.kb = c.appendKey(k.kb[:0])
		k.vb = appendCount(k.vb[:0], old+n)
		b.Set(k.kb, k.vb)
	}
	return nil
}

// expand adds n to every stored count c contributes to: each region of
// its path, under its category and category 0. REQUIRES k.mu.
func (k *Keeper) expand(c cell, n uint64) {
	for _, r := range k.path(c.region) {
		x := c
		x.region = r
		k.sum[x] += n
		if c.cat != 0 {
			x.cat = 0
			k.sum[x] += n
		}
	}
}

// path returns the regions a count of region r is kept at: 0 (the
// country), then r's known ancestors from the province down, then r. An
// invalid code counts in the country only. REQUIRES k.mu.
func (k *Keeper) path(r uint32) []uint32 {
	if p, ok := k.paths[r]; ok {
		return p
	}
	p := []uint32{0}
	if reg, err := cn.NewRegion(int(r)); err == nil && r != 0 {
		for _, a := range reg.AppendPath(nil) {
			p = append(p, a.Uint32())
		}
	}
	k.paths[r] = p
	return p
}

// value returns the committed value of c. REQUIRES k.mu.
func (k *Keeper) value(c cell) (uint64, error) {
	if v, ok := k.cache[c]; ok {
		return v, nil
	}
	var v uint64
	k.kb = c.appendKey(k.kb[:0])
	_, err := k.db.Get(k.kb, func(b []byte) error {
		var err error
		v, err = decodeCount(b)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("stats: reading %v of region %d on %d: %w", c.metric, c.region, c.day, err)
	}
	k.cache[c] = v
	return v, nil
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
