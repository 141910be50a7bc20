package agg

import (
	"slices"

	"tracecode/engine/store"
)

// ParentWindowBits is log2 of the counters a ParentWindow covers.
const ParentWindowBits = 10

// ParentWindow is the child→parent runs covering the ParentWindowSize
// counters of one product window, held in memory in stride form: a line
// packs consecutive children into consecutive parents (items 0–9 into case
// 0, 10–19 into case 1, …), so the hundred runs of a window of items
// usually collapse into one or two strides and a lookup is a binary search
// instead of a Pebble seek. A window whose runs do not collapse into at
// most MaxWindowStrides strides is Irregular and holds none: its lookups
// go to the index.
//
// A ParentWindow is immutable once loaded; the engine drops it when a
// report changes a run of its window.
type ParentWindow struct {
	strides   []stride
	Irregular bool
}

// ParentWindowSize is the number of counters a ParentWindow covers.
const ParentWindowSize = 1 << ParentWindowBits

// MaxWindowStrides bounds the strides a ParentWindow holds (about 56 bytes
// each), so that no window costs more than about 3.6 KB.
const MaxWindowStrides = 64

// stride is n runs of width counters each, back to back from first: run i
// covers first+i·width … first+(i+1)·width−1 and is in parent counter
// parent.Counter+i·step, packed at since by report seq.
type stride struct {
	first  uint64
	width  uint64
	n      uint64
	parent Node
	step   uint64 // 0 or 1
	since  int64
	seq    uint64
}

func (s *stride) last() uint64 { return s.first + s.width*s.n - 1 }

// run returns run i of the stride.
func (s *stride) run(product uint32, i uint64) Run {
	first := s.first + i*s.width
	return Run{Product: product, First: first, Last: first + s.width - 1,
		Parent: Node{Product: s.parent.Product, Counter: s.parent.Counter + i*s.step}, Since: s.since, Seq: s.seq}
}

// extend adds r to the stride if r continues it.
func (s *stride) extend(r *Run) bool {
	if r.First != s.last()+1 || r.Len() != s.width || r.Parent.Product != s.parent.Product ||
		r.Since != s.since || r.Seq != s.seq {
		return false
	}
	want := s.parent.Counter + s.n*s.step
	if s.n == 1 && (r.Parent.Counter == s.parent.Counter || r.Parent.Counter == s.parent.Counter+1) {
		s.step = r.Parent.Counter - s.parent.Counter
		want = r.Parent.Counter
	}
	if r.Parent.Counter != want {
		return false
	}
	s.n++
	return true
}

// Find returns the run holding counter c of product (which must lie in
// the window the ParentWindow was loaded for). ok is false when no run of
// the window holds c.
//
// REQUIRES: !w.Irregular.
func (w *ParentWindow) Find(product uint32, c uint64) (run Run, ok bool) {
	i, _ := slices.BinarySearchFunc(w.strides, c, func(s stride, c uint64) int {
		switch {
		case s.last() < c:
			return -1
		case s.first > c:
			return 1
		}
		return 0
	})
	if i == len(w.strides) || w.strides[i].first > c {
		return Run{}, false
	}
	s := &w.strides[i]
	return s.run(product, (c-s.first)/s.width), true
}

// Strides returns the number of strides held.
func (w *ParentWindow) Strides() int { return len(w.strides) }

// LoadParentWindow reads the runs covering window number win (counters
// win·ParentWindowSize …) of product through it, an iterator whose bounds
// include [IterLower, IterUpper). Units (product 0) have no windows.
func LoadParentWindow(it *store.Iter, product uint32, win uint64) (*ParentWindow, error) {
	lo := win << ParentWindowBits
	hi := lo + ParentWindowSize - 1
	w := &ParentWindow{}
	add := func(r *Run) {
		if n := len(w.strides); n > 0 && w.strides[n-1].extend(r) {
			return
		}
		if len(w.strides) == MaxWindowStrides {
			w.Irregular, w.strides = true, nil
			return
		}
		w.strides = append(w.strides, stride{first: r.First, width: r.Len(), n: 1, parent: r.Parent, since: r.Since, seq: r.Seq})
	}
	// A run starting before the window may reach into it.
	r, ok, kb, err := findRun(it, nil, Node{Product: product, Counter: lo})
	if err != nil {
		return nil, err
	}
	if ok && r.First < lo {
		add(&r)
	}
	kb = AppendRunKey(kb[:0], product, lo)
	for ok := it.SeekGE(kb); ok && !w.Irregular; ok = it.Next() {
		k := it.Key()
		if kp, kf, err := store.DecodeChildParentKey(k); err != nil || kp != product || kf > hi {
			break
		}
		v, err := it.Value()
		if err != nil {
			return nil, err
		}
		r, err := DecodeRun(k, v)
		if err != nil {
			return nil, err
		}
		add(&r)
	}
	return w, nil
}

// ParentWindowOf returns the window number of counter c.
func ParentWindowOf(c uint64) uint64 { return c >> ParentWindowBits }
