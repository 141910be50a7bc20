package epcisq

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// The region driver walks the ledger's region index (EvRegion: division
// | bizStep | eventTime | seq) for WD_bizLocation values that are all
// divisions: one range per division holding entries in the subtree of a
// value (the index holds an event under its location's own division
// alone: a county's events are under the county and its townships) and
// bizStep term, bounded by the event-time range, merged by event time.
// With one EQ_bizStep and sites registered at one level that is one
// range scan per division in time order; without EQ_bizStep it merges
// the divisions' terms (the few CBV steps each holds). The index
// places each event as captured (its site's region then); every event
// walked is still checked against today's sites (matchesPlaces), so an
// event of a site moved out of the division is dropped, and one moved in
// is found through the site's earlier divisions (Env's Moves).
//
// A region page token's last key is the last event's eventTime u64 |
// seq u64 (the merge's order), the same for every range.

// regionRange is one division and term of a region walk.
type regionRange struct {
	prefix []byte // division | term | 0x00
	lo, hi []byte
}

// Moves is what an Env may answer for the region driver: the divisions a
// site lay in before it moved into division (the region index holds its
// earlier events there), as the site book records its moves. An Env
// without it has no moves.
type Moves interface {
	MovedInto(division uint32) []uint32
}

// planRegion returns the region plan of q, or nil when q has no WD_
// bizLocation it answers (a value that is a location, not a division),
// the store has no region index, or the divisions hold more than
// maxRegionRanges divisions and steps to merge.
func (r *Runner) planRegion(q *Query, env Env) (*plan, error) {
	ws := q.ev.WDBizLocations
	if len(ws) == 0 || !r.Led.RegionIndexed() || q.OrderBy == "recordTime" {
		return nil, nil
	}
	var divs []uint32
	for _, w := range ws {
		if w.division == 0 {
			return nil, nil
		}
		divs = append(divs, w.division)
	}
	if m, ok := env.(Moves); ok {
		for _, d := range divs[:len(divs):len(divs)] {
			divs = append(divs, m.MovedInto(d)...)
		}
	}
	var terms []string
	for _, s := range q.BizSteps {
		if !ledger.QueryIndexable(s) {
			s = ""
		}
		if !slices.Contains(terms, s) {
			terms = append(terms, s)
		}
	}
	// The index holds each event under its location's own division: a
	// division's events are under it and the divisions below it that
	// hold any (a county's townships), found by a skip-scan of its
	// subtree's ranges of division numbers.
	type divTerm struct {
		d uint32
		t string
	}
	var pairs []divTerm
	for _, d := range divs {
		for _, sub := range ledger.RegionSubtree(d) {
			err := r.regionEntries(sub[0], sub[1], len(terms) == 0, func(d uint32, t string) {
				if len(terms) == 0 {
					pairs = append(pairs, divTerm{d, t})
					return
				}
				for _, t := range terms {
					pairs = append(pairs, divTerm{d, t})
				}
			})
			if err != nil {
				return nil, err
			}
			if len(pairs) > maxRegionRanges {
				// Too many ranges to merge (a province's townships
				// without EQ_bizStep): another index drives, and
				// WD_ filters the summaries.
				return nil, nil
			}
		}
	}
	slices.SortFunc(pairs, func(a, b divTerm) int {
		if a.d != b.d {
			return cmp.Compare(a.d, b.d)
		}
		return strings.Compare(a.t, b.t)
	})
	pairs = slices.Compact(pairs) // a moved-from division inside another's subtree
	p := &plan{driver: driverRegion}
	for _, pt := range pairs {
		lo, hi := ledger.QueryRegionBounds(pt.d, pt.t, q.GEEventTime, q.LTEventTime)
		p.ranges = append(p.ranges, regionRange{prefix: ledger.QueryRegionKey(nil, pt.d, pt.t), lo: lo, hi: hi})
	}
	return p, nil
}

// maxRegionRanges bounds the ranges a region walk merges.
const maxRegionRanges = 1024

// regionEntries calls fn with each division in [lo, hi) the region index
// holds entries of, in order, one seek each; with terms, once per bizStep
// term the division holds (one seek per term), else with "".
func (r *Runner) regionEntries(lo, hi uint32, terms bool, fn func(d uint32, term string)) error {
	it, err := r.DB.NewIter(ledger.QueryRegionDivisionRange(lo, hi))
	if err != nil {
		return err
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok && n <= maxRegionRanges; n++ {
		d, term, _, _, err := ledger.DecodeRegionKey(it.Key())
		if err != nil {
			return fmt.Errorf("%w: %w", store.ErrCorrupt, err)
		}
		if terms {
			fn(d, string(term))
			ok = it.SeekGE(store.PrefixEnd(ledger.QueryRegionKey(nil, d, string(term))))
			continue
		}
		fn(d, "")
		if d == math.MaxUint32 {
			break
		}
		ok = it.SeekGE(store.EvRegionDivisionPrefix(d + 1))
	}
	return it.Error()
}

// walkRegion is walk for the region driver: the plan's ranges merged by
// event time and seq, each event once (a division and one inside it
// both hold it), after last when resuming.
func (r *Runner) walkRegion(q *Query, p *plan, last []byte, resume bool, fn func(key []byte, seq uint64) (bool, error)) (more bool, err error) {
	if resume && len(last) != 16 {
		return false, &ParamError{Name: "nextPageToken", Msg: "does not belong to this query"}
	}
	type cursor struct {
		it *store.Iter
		ok bool
	}
	curs := make([]cursor, 0, len(p.ranges))
	defer func() {
		for _, c := range curs {
			if cerr := c.it.Close(); err == nil {
				err = cerr
			}
		}
	}()
	var kb []byte
	for _, rg := range p.ranges {
		it, err := r.DB.NewIter(rg.lo, rg.hi)
		if err != nil {
			return false, err
		}
		c := cursor{it: it}
		switch {
		case resume && q.Descending:
			c.ok = it.SeekLT(append(append(kb[:0], rg.prefix...), last...))
		case resume:
			c.ok = it.SeekGE(append(append(append(kb[:0], rg.prefix...), last...), 0))
		case q.Descending:
			c.ok = it.Last()
		default:
			c.ok = it.First()
		}
		curs = append(curs, c)
	}
	tail := func(k []byte) []byte { return k[len(k)-16:] }
	var prev []byte
	for {
		best := -1
		for i := range curs {
			if !curs[i].ok {
				continue
			}
			if len(curs[i].it.Key()) < 22 {
				return false, fmt.Errorf("%w: region index key %x", store.ErrCorrupt, curs[i].it.Key())
			}
			if best < 0 {
				best = i
				continue
			}
			c := bytes.Compare(tail(curs[i].it.Key()), tail(curs[best].it.Key()))
			if c < 0 && !q.Descending || c > 0 && q.Descending {
				best = i
			}
		}
		if best < 0 {
			for _, c := range curs {
				if err := c.it.Error(); err != nil {
					return false, err
				}
			}
			return false, nil
		}
		t := tail(curs[best].it.Key())
		if prev == nil || !bytes.Equal(prev, t) {
			prev = append(prev[:0], t...)
			goOn, err := fn(prev, binary.BigEndian.Uint64(t[8:]))
			if err != nil {
				return false, err
			}
			if !goOn {
				// More: any range holding an event other than this one.
				for i := range curs {
					for curs[i].ok && bytes.Equal(tail(curs[i].it.Key()), prev) {
						curs[i].ok = step(curs[i].it, q.Descending)
					}
					if curs[i].ok {
						more = true
					}
				}
				return more, nil
			}
		}
		curs[best].ok = step(curs[best].it, q.Descending)
	}
}
