// Package opendata decides what of the statistics may be published as
// open data: the counts by region (province → city → county), product
// category and month, with cells that would let someone read off one
// enterprise's volumes suppressed (统计数据的保密: small cells and
// dominated cells, and the cells an outsider could recover from the
// others by subtraction). The server only renders what Build returns;
// docs/public.md ("Open data") states the rules.
package opendata

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// ErrInvalid is what every invalid configuration or input wraps.
var ErrInvalid = errors.New("opendata: invalid")

// Defaults of Config.
const (
	// DefaultMinEnterprises: a cell with fewer distinct contributing
	// enterprises is suppressed.
	DefaultMinEnterprises = 3
	// DefaultDominancePercent: a cell one enterprise contributes more
	// than this share of is suppressed.
	DefaultDominancePercent = 85
)

// Config holds the suppression thresholds.
type Config struct {
	// MinEnterprises is the least number of distinct enterprises that
	// must contribute to a published non-zero cell. Zero means
	// DefaultMinEnterprises; at least 2 (1 would publish single
	// enterprises' figures).
	MinEnterprises int
	// DominancePercent suppresses a cell one enterprise contributes more
	// than this percentage of. Zero means DefaultDominancePercent; 50–99.
	DominancePercent int
}

// EnsureDefaults fills zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	if c.MinEnterprises == 0 {
		c.MinEnterprises = DefaultMinEnterprises
	}
	if c.DominancePercent == 0 {
		c.DominancePercent = DefaultDominancePercent
	}
}

// Validate reports the first field out of range.
func (c *Config) Validate() error {
	switch {
	case c.MinEnterprises < 2 || c.MinEnterprises > 100:
		return fmt.Errorf("%w: MinEnterprises %d: want 2–100", ErrInvalid, c.MinEnterprises)
	case c.DominancePercent < 50 || c.DominancePercent > 99:
		return fmt.Errorf("%w: DominancePercent %d: want 50–99", ErrInvalid, c.DominancePercent)
	}
	return nil
}

// Reason says why a cell is suppressed.
type Reason uint8

// The reasons.
const (
	Shown          Reason = iota // published
	FewEnterprises               // fewer than MinEnterprises enterprises contribute
	Dominance                    // one enterprise contributes more than DominancePercent
	Complementary                // safe itself, suppressed so that a suppressed cell cannot be recovered by subtraction
)

var reasonNames = [...]string{"", "few-enterprises", "dominance", "complementary"}

// String returns the reason's name in the downloads ("" when shown).
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Contrib is the contributions of enterprises (by organisation id) to a
// sum; enterprises contributing 0 may be absent.
type Contrib map[uint32]uint64

// Sum returns the total of c.
func (c Contrib) Sum() uint64 {
	var s uint64
	for _, v := range c {
		s += v
	}
	return s
}

// add adds o's contributions to c.
func (c Contrib) add(o Contrib) {
	for k, v := range o {
		if v != 0 {
			c[k] += v
		}
	}
}

// Sensitive reports why a sum with contributions c must not be published:
// Shown when its total is 0 (nothing to read off) or when at least
// MinEnterprises enterprises contribute and none more than
// DominancePercent of the total.
func (cfg *Config) Sensitive(c Contrib) Reason {
	var n int
	var total, top uint64
	for _, v := range c {
		if v == 0 {
			continue
		}
		n++
		total += v
		top = max(top, v)
	}
	switch {
	case total == 0:
		return Shown
	case n < cfg.MinEnterprises:
		return FewEnterprises
	case over(top, total, cfg.DominancePercent):
		return Dominance
	}
	return Shown
}

// over reports whether top/total > pct/100, in 128-bit integers (no
// rounding at the bound).
func over(top, total uint64, pct int) bool {
	h1, l1 := bits.Mul64(top, 100)
	h2, l2 := bits.Mul64(uint64(pct), total)
	return h1 > h2 || (h1 == h2 && l1 > l2)
}

// Node is one region of a hierarchy: a province, a city or a county.
type Node struct {
	// Parent is the index of the node directly above, or -1 for a root.
	// A parent's index is smaller than its children's.
	Parent int
	// Own is what the enterprises registered directly in this region
	// (not in a division below it that is a node) contribute. A node's
	// value is its Own plus its children's values.
	Own Contrib
}

// Cell is a node's published form.
type Cell struct {
	Value       uint64 // the node's value (also when suppressed: for the caller's checks, never published)
	Enterprises int    // distinct enterprises contributing
	Reason      Reason // Shown, or why it is suppressed
}

// Suppress decides which nodes of a hierarchy may be published.
//
//  1. Primary suppression: a node whose contributions are Sensitive
//     (fewer than MinEnterprises enterprises, or one above
//     DominancePercent) is suppressed.
//  2. Complementary suppression. What an outsider can compute from the
//     published cells of a tree is exactly, for every published node P,
//     the sum of the part of P not covered by a published node below it:
//     the own contributions of P and of every node reachable from P
//     through suppressed nodes only (the residual R(P); the family of
//     regions is nested, so nothing else follows by subtraction). Every
//     residual must itself pass the primary rule. Nodes are taken
//     children first; where R(P) fails, more cells below P are
//     suppressed — each step the published descendant (with the
//     published nodes between it and P) whose suppression makes R(P)
//     pass at the least cost (fewest cells, then the smallest published
//     total), else the one adding most to R(P) — until it passes. It
//     always does: when everything below P is suppressed R(P) is P
//     itself, which passed step 1. Suppressing cells below P changes no
//     residual already checked but P's.
//
// nodes must list parents before children; Suppress returns a cell per
// node, in the same order.
func (cfg *Config) Suppress(nodes []Node) ([]Cell, error) {
	kids := make([][]int, len(nodes))
	for i, n := range nodes {
		if n.Parent >= i || n.Parent < -1 {
			return nil, fmt.Errorf("%w: node %d: parent %d is not an earlier node", ErrInvalid, i, n.Parent)
		}
		if n.Parent >= 0 {
			kids[n.Parent] = append(kids[n.Parent], i)
		}
	}
	total := make([]Contrib, len(nodes))
	cells := make([]Cell, len(nodes))
	for i := len(nodes) - 1; i >= 0; i-- {
		t := Contrib{}
		t.add(nodes[i].Own)
		for _, k := range kids[i] {
			t.add(total[k])
		}
		total[i] = t
		cells[i] = Cell{Value: t.Sum(), Reason: cfg.Sensitive(t)}
		for _, v := range t {
			if v != 0 {
				cells[i].Enterprises++
			}
		}
	}
	s := suppressor{cfg: cfg, nodes: nodes, kids: kids, cells: cells}
	for p := len(nodes) - 1; p >= 0; p-- {
		if cells[p].Reason == Shown {
			s.protect(p)
		}
	}
	return cells, nil
}

type suppressor struct {
	cfg   *Config
	nodes []Node
	kids  [][]int
	cells []Cell
}

// residual returns R(p): the own contributions of p and of the nodes
// reachable below it through suppressed nodes.
func (s *suppressor) residual(p int) Contrib {
	r := Contrib{}
	r.add(s.nodes[p].Own)
	var walk func(int)
	walk = func(i int) {
		for _, k := range s.kids[i] {
			if s.cells[k].Reason != Shown {
				r.add(s.nodes[k].Own)
				walk(k)
			}
		}
	}
	walk(p)
	return r
}

// move is a set of published nodes below p to suppress together: a
// descendant and the published nodes between it and p.
type move struct {
	nodes []int
	cost  uint64 // the published total given up
}

// protect suppresses published nodes below p until R(p) passes.
func (s *suppressor) protect(p int) {
	for s.cfg.Sensitive(s.residual(p)) != Shown {
		var moves []move
		var walk func(i int, path []int)
		walk = func(i int, path []int) {
			for _, k := range s.kids[i] {
				next := path
				if s.cells[k].Reason == Shown {
					next = append(slices.Clone(path), k)
					var cost uint64
					for _, n := range next {
						cost += s.cells[n].Value
					}
					moves = append(moves, move{nodes: next, cost: cost})
				}
				walk(k, next)
			}
		}
		walk(p, nil)
		now := s.residual(p).Sum()
		best, bestGain, bestPasses := -1, uint64(0), false
		for i, m := range moves {
			for _, n := range m.nodes {
				s.cells[n].Reason = Complementary
			}
			r := s.residual(p)
			passes, gain := s.cfg.Sensitive(r) == Shown, r.Sum()
			for _, n := range m.nodes {
				s.cells[n].Reason = Shown
			}
			if gain == now && !passes {
				continue // adds nothing an outsider does not know
			}
			if best >= 0 {
				b := &moves[best]
				switch {
				case passes != bestPasses:
					if !passes {
						continue
					}
				case passes:
					if len(m.nodes) > len(b.nodes) || (len(m.nodes) == len(b.nodes) && m.cost >= b.cost) {
						continue
					}
				default:
					if gain < bestGain || (gain == bestGain && len(m.nodes) >= len(b.nodes)) {
						continue
					}
				}
			}
			best, bestGain, bestPasses = i, gain, passes
		}
		if best < 0 {
			// Cannot happen (R(p) is p's total once everything below is
			// suppressed, and p passed); suppress p rather than loop.
			s.cells[p].Reason = Complementary
			return
		}
		for _, n := range moves[best].nodes {
			s.cells[n].Reason = Complementary
		}
	}
}
