package opendata

import (
	"cmp"
	"fmt"
	"slices"

	"tracecode/engine/code/cn"
	"tracecode/engine/model"
	"tracecode/engine/stats"
)

// Metrics are the counts the statistics data set publishes, in column
// order: things that happen to coded items, not organisation counts or
// the reporting-lag histogram.
var Metrics = []stats.Metric{stats.Commissioned, stats.Shipped, stats.Received, stats.Sold, stats.Dispensed,
	stats.Inspected, stats.Decommissioned, stats.Scans, stats.RecallsOpened}

// Key names one count of an enterprise: a month, a category, a metric.
type Key struct {
	Month    uint32 // the month's first day, yyyymm01
	Category model.Category
	Metric   stats.Metric
}

// Series is one enterprise's counts over a span.
type Series struct {
	Org    uint32 // the organisation id
	Region uint32 // its registered region (6 or 9 digits); 0: not counted
	Counts map[Key]uint64
}

// Row is one cell of the statistics: a region, a category, a month and a
// metric.
type Row struct {
	Month    uint32    // yyyymm01
	Region   cn.Region // a province, city or county
	Parent   cn.Region // the region above it in the table; zero for a province
	Category model.Category
	Metric   stats.Metric
	// Value is the count; it must not be published when Reason is not
	// Shown (it is kept for checks).
	Value uint64
	// Enterprises is how many enterprises contribute (never published:
	// it is what the rule looks at).
	Enterprises int
	Reason      Reason
}

// Table is the statistics data set over a span of months.
type Table struct {
	From, To uint32 // the first and last month, yyyymm01
	Config   Config
	Rows     []Row // by month, region code, category, metric
}

// Months returns the months from from to to (yyyymm01 each), inclusive.
func Months(from, to uint32) []uint32 {
	var out []uint32
	for m := from; m <= to; {
		out = append(out, m)
		y, mo := m/10000, m/100%100+1
		if mo > 12 {
			y, mo = y+1, 1
		}
		m = y*10000 + mo*100 + 1
	}
	return out
}

// MaxMonths bounds a table's span (the statistics read at most about three years of days).
const MaxMonths = 36

// CheckMonths reports whether from and to are first days of months
// (yyyymm01, years 1970–9999), from not after to, at most MaxMonths apart.
func CheckMonths(from, to uint32) error {
	for _, m := range []uint32{from, to} {
		if m%100 != 1 || m/100%100 < 1 || m/100%100 > 12 || m/10000 < 1970 || m/10000 > 9999 {
			return fmt.Errorf("%w: month %d: want the first day of a month, yyyymm01", ErrInvalid, m)
		}
	}
	if to < from {
		return fmt.Errorf("%w: months %d to %d: the last is before the first", ErrInvalid, from, to)
	}
	if n := (to/10000-from/10000)*12 + to/100%100 - from/100%100 + 1; n > MaxMonths {
		return fmt.Errorf("%w: %d months, at most %d", ErrInvalid, n, MaxMonths)
	}
	return nil
}

// regionPath returns the table's regions of a registered region, from the
// province down to the county (townships count in their county).
func regionPath(code uint32) []cn.Region {
	r, err := cn.NewRegion(int(code))
	if err != nil || r.IsZero() {
		return nil
	}
	out := []cn.Region{r.Province()}
	if c := r.City(); !c.IsZero() && c != out[0] {
		out = append(out, c)
	}
	if k := r.County(); !k.IsZero() && k != out[len(out)-1] {
		out = append(out, k)
	}
	return out
}

// Build builds the statistics table of the months from to to (yyyymm01)
// from every enterprise's series: for each category, every region on the
// path of an enterprise with a count of that category in the span, every
// month and every metric of Metrics, with Suppress's decision.
func Build(cfg Config, from, to uint32, series []Series) (Table, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return Table{}, err
	}
	if err := CheckMonths(from, to); err != nil {
		return Table{}, err
	}
	months := Months(from, to)
	t := Table{From: from, To: to, Config: cfg}
	// Per category: the enterprises with a count, and their atoms.
	type member struct {
		s    *Series
		atom cn.Region
	}
	cats := map[model.Category][]member{}
	for i := range series {
		s := &series[i]
		path := regionPath(s.Region)
		if len(path) == 0 {
			continue
		}
		seen := map[model.Category]bool{}
		for k, v := range s.Counts {
			if v == 0 || k.Month < from || k.Month > to || !slices.Contains(Metrics, k.Metric) || seen[k.Category] || k.Category == 0 {
				continue
			}
			seen[k.Category] = true
			cats[k.Category] = append(cats[k.Category], member{s: s, atom: path[len(path)-1]})
		}
	}
	for cat, members := range cats {
		index := map[cn.Region]int{}
		var regions []cn.Region
		for _, m := range members {
			for _, r := range regionPath(m.atom.Uint32()) {
				if _, ok := index[r]; !ok {
					index[r] = 0
					regions = append(regions, r)
				}
			}
		}
		// Parents' codes are their children's with trailing zeros:
		// numeric order lists every parent before its children.
		slices.SortFunc(regions, func(a, b cn.Region) int { return cmp.Compare(a.Uint32(), b.Uint32()) })
		parents := make([]cn.Region, len(regions))
		for i, r := range regions {
			index[r] = i
			if p := regionPath(r.Uint32()); len(p) > 1 {
				parents[i] = p[len(p)-2]
			}
		}
		for _, month := range months {
			for _, metric := range Metrics {
				nodes := make([]Node, len(regions))
				for i := range nodes {
					nodes[i] = Node{Parent: -1, Own: Contrib{}}
					if !parents[i].IsZero() {
						nodes[i].Parent = index[parents[i]]
					}
				}
				for _, m := range members {
					if v := m.s.Counts[Key{Month: month, Category: cat, Metric: metric}]; v != 0 {
						nodes[index[m.atom]].Own[m.s.Org] += v
					}
				}
				cells, err := cfg.Suppress(nodes)
				if err != nil {
					return Table{}, err
				}
				for i, c := range cells {
					t.Rows = append(t.Rows, Row{Month: month, Region: regions[i], Parent: parents[i], Category: cat, Metric: metric,
						Value: c.Value, Enterprises: c.Enterprises, Reason: c.Reason})
				}
			}
		}
	}
	rank := map[stats.Metric]int{}
	for i, m := range Metrics {
		rank[m] = i
	}
	slices.SortFunc(t.Rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Region.Uint32(), b.Region.Uint32()),
			cmp.Compare(a.Category, b.Category), cmp.Compare(rank[a.Metric], rank[b.Metric]))
	})
	return t, nil
}
