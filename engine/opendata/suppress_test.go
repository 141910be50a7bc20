package opendata

import (
	"math"
	"math/rand/v2"
	"testing"
)

func defaults() *Config {
	c := &Config{}
	c.EnsureDefaults()
	return c
}

func TestSensitive(t *testing.T) {
	cfg := defaults()
	for _, c := range []struct {
		in   Contrib
		want Reason
	}{
		{Contrib{}, Shown},
		{Contrib{1: 0, 2: 0}, Shown},
		{Contrib{1: 5}, FewEnterprises},
		{Contrib{1: 5, 2: 5, 3: 0}, FewEnterprises},
		{Contrib{1: 5, 2: 5, 3: 5}, Shown},
		{Contrib{1: 85, 2: 10, 3: 5}, Shown},     // exactly 85 %: not over
		{Contrib{1: 86, 2: 10, 3: 4}, Dominance}, // 86 %
		{Contrib{1: math.MaxUint64 / 2, 2: 1, 3: 1}, Dominance},
	} {
		if got := cfg.Sensitive(c.in); got != c.want {
			t.Errorf("Sensitive(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if err := (&Config{MinEnterprises: 1, DominancePercent: 85}).Validate(); err == nil {
		t.Error("MinEnterprises 1 validates")
	}
	if err := (&Config{MinEnterprises: 3, DominancePercent: 100}).Validate(); err == nil {
		t.Error("DominancePercent 100 validates")
	}
}

// county is a leaf under parent with one contribution per enterprise.
func leaf(parent int, c Contrib) Node { return Node{Parent: parent, Own: c} }

// TestComplementCounty: a city of three counties, one with two
// enterprises. Publishing the city and the other two counties would give
// the small one by subtraction, so a second county is suppressed — the
// smaller of the two that makes the pair safe.
func TestComplementCounty(t *testing.T) {
	cfg := defaults()
	nodes := []Node{
		{Parent: -1, Own: Contrib{}},                // city
		leaf(0, Contrib{1: 10, 2: 12}),              // county A: two enterprises
		leaf(0, Contrib{3: 40, 4: 30, 5: 35}),       // county B
		leaf(0, Contrib{6: 20, 7: 25, 8: 22, 9: 9}), // county C
	}
	cells, err := cfg.Suppress(nodes)
	if err != nil {
		t.Fatal(err)
	}
	want := []Reason{Shown, FewEnterprises, Shown, Complementary}
	for i, c := range cells {
		if c.Reason != want[i] {
			t.Errorf("node %d: %v, want %v (cells %+v)", i, c.Reason, want[i], cells)
		}
	}
	if cells[0].Value != 10+12+40+30+35+20+25+22+9 || cells[0].Enterprises != 9 {
		t.Errorf("city %+v", cells[0])
	}
}

// TestComplementParent: a county suppressed, its city its only other
// content: the city must go too, and then the province needs a second
// city whose own residual is non-empty — a city and one of its counties.
func TestComplementParent(t *testing.T) {
	cfg := defaults()
	nodes := []Node{
		{Parent: -1, Own: Contrib{}},          // 0 province
		{Parent: 0, Own: Contrib{}},           // 1 city X
		leaf(1, Contrib{1: 10, 2: 12}),        // 2 X's only county: two enterprises
		{Parent: 0, Own: Contrib{}},           // 3 city Y
		leaf(3, Contrib{3: 40, 4: 30, 5: 35}), // 4 Y's county
		leaf(3, Contrib{6: 5, 7: 6, 8: 7}),    // 5 Y's county
	}
	cells, err := cfg.Suppress(nodes)
	if err != nil {
		t.Fatal(err)
	}
	if cells[1].Reason != FewEnterprises || cells[2].Reason != FewEnterprises {
		t.Fatalf("X and its county: %+v", cells)
	}
	// Suppressing Y alone adds nothing (its counties give it); Y and its
	// smaller county (5) make the residual safe.
	if cells[3].Reason != Complementary || cells[5].Reason != Complementary || cells[4].Reason != Shown || cells[0].Reason != Shown {
		t.Errorf("cells %+v", cells)
	}
	checkSafe(t, cfg, nodes, cells)
}

// TestOwnAtom: enterprises registered at the city itself are a residual
// of the city even when every county is published.
func TestOwnAtom(t *testing.T) {
	cfg := defaults()
	nodes := []Node{
		{Parent: -1, Own: Contrib{1: 1000}}, // a city with one enterprise of its own
		leaf(0, Contrib{2: 5, 3: 6, 4: 7}),
		leaf(0, Contrib{5: 5, 6: 6, 7: 7}),
	}
	cells, _ := cfg.Suppress(nodes)
	if cells[0].Reason != Dominance {
		t.Fatalf("city %+v", cells[0])
	}
	nodes[0].Own = Contrib{1: 3}
	cells, _ = cfg.Suppress(nodes)
	if cells[0].Reason != Shown || (cells[1].Reason != Complementary && cells[2].Reason != Complementary) {
		t.Errorf("city with a small own enterprise: %+v", cells)
	}
	checkSafe(t, cfg, nodes, cells)
}

func TestSuppressRefusesBadOrder(t *testing.T) {
	if _, err := defaults().Suppress([]Node{{Parent: 1}, {Parent: -1}}); err == nil {
		t.Error("a parent after its child is accepted")
	}
}

// checkSafe holds the rule's promises: every sensitive node suppressed,
// every published node's residual safe, and — independently, by linear
// algebra over the published equations — no suppressed node whose
// contributions are sensitive has a value an outsider can compute (one
// who knows which regions have enterprises of their own).
func checkSafe(t *testing.T, cfg *Config, nodes []Node, cells []Cell) {
	t.Helper()
	kids := make([][]int, len(nodes))
	for i, n := range nodes {
		if n.Parent >= 0 {
			kids[n.Parent] = append(kids[n.Parent], i)
		}
	}
	s := suppressor{cfg: cfg, nodes: nodes, kids: kids, cells: cells}
	// subtree[i]: the nodes whose own contributions are in i's value.
	subtree := make([][]int, len(nodes))
	for i := len(nodes) - 1; i >= 0; i-- {
		subtree[i] = append(subtree[i], i)
		for _, k := range kids[i] {
			subtree[i] = append(subtree[i], subtree[k]...)
		}
	}
	total := func(i int) Contrib {
		c := Contrib{}
		for _, j := range subtree[i] {
			c.add(nodes[j].Own)
		}
		return c
	}
	// Unknowns: the own sums of nodes with any own enterprise.
	var vars []int
	col := map[int]int{}
	for i, n := range nodes {
		if n.Own.Sum() != 0 {
			col[i] = len(vars)
			vars = append(vars, i)
		}
	}
	vec := func(i int) []float64 {
		v := make([]float64, len(vars))
		for _, j := range subtree[i] {
			if c, ok := col[j]; ok {
				v[c] = 1
			}
		}
		return v
	}
	var published [][]float64
	for i, c := range cells {
		if cfg.Sensitive(total(i)) != Shown && c.Reason == Shown {
			t.Errorf("node %d is sensitive (%v) but shown", i, cfg.Sensitive(total(i)))
		}
		if c.Reason == Shown {
			published = append(published, vec(i))
			if r := s.residual(i); cfg.Sensitive(r) != Shown {
				t.Errorf("node %d is shown but its residual %v is %v", i, r, cfg.Sensitive(r))
			}
		}
	}
	base := rank(published)
	for i, c := range cells {
		if c.Reason == Shown || cfg.Sensitive(total(i)) == Shown || len(vars) == 0 {
			continue
		}
		if rank(append(published, vec(i))) == base {
			t.Errorf("suppressed sensitive node %d (%v) is computable from the published cells %+v", i, c.Reason, cells)
		}
	}
}

// rank returns the rank of the rows (Gaussian elimination; the entries
// are 0 and 1 and the matrices small, so float64 is exact enough).
func rank(rows [][]float64) int {
	m := make([][]float64, len(rows))
	for i := range rows {
		m[i] = append([]float64(nil), rows[i]...)
	}
	r := 0
	if len(m) == 0 {
		return 0
	}
	for c := 0; c < len(m[0]) && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if math.Abs(m[i][c]) > 1e-9 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		for i := range m {
			if i != r && math.Abs(m[i][c]) > 1e-9 {
				f := m[i][c] / m[r][c]
				for j := c; j < len(m[i]); j++ {
					m[i][j] -= f * m[r][j]
				}
			}
		}
		r++
	}
	return r
}

// randomTree builds a hierarchy of up to three levels from r: provinces,
// cities, counties, with enterprises of a small id range contributing
// small or dominant amounts at any level.
func randomTree(r *rand.Rand) []Node {
	var nodes []Node
	add := func(parent int) int {
		own := Contrib{}
		for range r.IntN(4) {
			v := uint64(r.IntN(20))
			if r.IntN(6) == 0 {
				v *= 50
			}
			own[uint32(r.IntN(12))+1] += v
		}
		if r.IntN(3) == 0 && parent >= 0 {
			own = Contrib{} // many regions have nothing of their own
		}
		nodes = append(nodes, Node{Parent: parent, Own: own})
		return len(nodes) - 1
	}
	p := add(-1)
	for range 1 + r.IntN(3) {
		c := add(p)
		for range r.IntN(4) {
			add(c)
		}
	}
	return nodes
}

// TestSuppressProperties runs the rule on random hierarchies and holds
// checkSafe's promises on each (the seed is printed on failure).
func TestSuppressProperties(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	for seed := range uint64(n) {
		r := rand.New(rand.NewPCG(seed, 7))
		nodes := randomTree(r)
		cfg := &Config{MinEnterprises: 2 + r.IntN(3), DominancePercent: 60 + r.IntN(35)}
		cells, err := cfg.Suppress(nodes)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		before := t.Failed()
		checkSafe(t, cfg, nodes, cells)
		if !before && t.Failed() {
			t.Fatalf("seed %d: nodes %+v", seed, nodes)
		}
	}
}

// FuzzSuppress builds a hierarchy from the fuzzer's bytes: never a panic,
// and checkSafe's promises hold.
func FuzzSuppress(f *testing.F) {
	f.Add([]byte{0, 0, 1, 5, 2, 1, 3, 1, 10, 0, 1, 1, 2, 4})
	f.Add([]byte{3, 2, 9, 1, 1, 0, 200, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 || len(b) > 200 {
			return
		}
		cfg := &Config{MinEnterprises: 2 + int(b[0]%3), DominancePercent: 50 + int(b[1]%50)}
		var nodes []Node
		for i := 2; i+2 < len(b) && len(nodes) < 16; i += 3 {
			parent := -1
			if len(nodes) > 0 {
				parent = int(b[i]) % len(nodes)
				if b[i] == 255 {
					parent = -1
				}
			}
			own := Contrib{}
			if b[i+2] != 0 {
				own[uint32(b[i+1]%8)] = uint64(b[i+2])
			}
			if len(nodes) > 0 && b[i+1]&0x80 != 0 && len(nodes[len(nodes)-1].Own) < 4 {
				nodes[len(nodes)-1].Own[uint32(b[i+1]%8)+8] += uint64(b[i+2])
				continue
			}
			nodes = append(nodes, Node{Parent: parent, Own: own})
		}
		cells, err := cfg.Suppress(nodes)
		if err != nil {
			t.Fatal(err)
		}
		checkSafe(t, cfg, nodes, cells)
	})
}
