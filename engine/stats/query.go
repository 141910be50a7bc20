package stats

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"tracecode/engine/code/cn"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// ErrQuery is what every invalid Query's error wraps.
var ErrQuery = errors.New("stats: invalid query")

// MaxSpanDays bounds a query's span: about three years of days.
const MaxSpanDays = 1100

// Query asks for the counts of one region and category over a span of
// days.
type Query struct {
	// Region is a GB/T 2260 six-digit code or a nine-digit township code;
	// 0 asks for the whole country.
	Region uint32
	// Org, when not 0, asks for one organisation's own counts instead of
	// a region's (Region must then be 0).
	Org uint32
	// Category limits the counts to one category; 0 counts every
	// category.
	Category model.Category
	// From and To are the first and last day (yyyymmdd), inclusive.
	From, To uint32
	// ByMonth groups the days into calendar months (the first and last
	// month may be partial).
	ByMonth bool
}

// Validate returns an error (wrapping ErrQuery) naming the first field at
// fault.
func (q *Query) Validate() error {
	if q.Org != 0 && q.Region != 0 {
		return fmt.Errorf("%w: region %d and organisation %d: ask for one", ErrQuery, q.Region, q.Org)
	}
	if q.Org >= 1<<31 {
		return fmt.Errorf("%w: organisation %d is not an organisation id", ErrQuery, q.Org)
	}
	if q.Region != 0 {
		if _, err := cn.NewRegion(int(q.Region)); err != nil {
			return fmt.Errorf("%w: region %d: %v", ErrQuery, q.Region, err)
		}
	}
	if q.Category != 0 && !q.Category.Valid() {
		return fmt.Errorf("%w: category %d is not a category", ErrQuery, q.Category)
	}
	for _, f := range []struct {
		name string
		day  uint32
	}{{"from", q.From}, {"to", q.To}} {
		if dayOfTime(dayTime(f.day)) != f.day || f.day < 19700101 {
			return fmt.Errorf("%w: %s %d is not a date (yyyymmdd)", ErrQuery, f.name, f.day)
		}
	}
	if q.To < q.From {
		return fmt.Errorf("%w: to %s is before from %s", ErrQuery, FormatDay(q.To), FormatDay(q.From))
	}
	if span := dayTime(q.To).Sub(dayTime(q.From)) / (24 * time.Hour); span >= MaxSpanDays {
		return fmt.Errorf("%w: from %s to %s spans %d days, at most %d", ErrQuery, FormatDay(q.From), FormatDay(q.To), span+1, MaxSpanDays)
	}
	return nil
}

// Counts holds one count per metric, indexed by Metric.
type Counts [numMetrics]uint64

// Get returns the count of m.
func (c *Counts) Get(m Metric) uint64 {
	if m >= numMetrics {
		return 0
	}
	return c[m]
}

// Bucket is the counts of one day or month.
type Bucket struct {
	Start  uint32 // the bucket's first day (yyyymmdd)
	Counts Counts // by metric; OrgsActive is the distinct organisations of the bucket
}

// Answer is a query's answer: one bucket per day (or month) of the span,
// empty ones included, in date order, and the totals over the span.
type Answer struct {
	Query   Query
	Buckets []Bucket
	// Totals sums the buckets, except OrgsActive: the organisations
	// active in the span are not the sum of those of its days, so it is
	// the largest bucket's (a lower bound); OrgsActiveMonth is not kept
	// in answers.
	Totals Counts
	// Rows is the number of stored counts read.
	Rows int
}

// rowsOf returns the rows q reads: the organisation's, the region's, or
// for the whole country every province's and that of counts without a
// region.
func rowsOf(q *Query) []uint32 {
	switch {
	case q.Org != 0:
		return []uint32{OrgRow(q.Org)}
	case q.Region != 0:
		return []uint32{q.Region}
	}
	return provinces()
}

// provinces returns region 0 and every provincial-level division of the
// tree (built on first use: the tree is loaded lazily).
var provinces = sync.OnceValue(func() []uint32 {
	out := []uint32{0}
	for p := 11; p <= 82; p++ {
		if r, err := cn.NewRegion(p * 10000); err == nil && r.Known() {
			out = append(out, r.Uint32())
		}
	}
	return out
})

// Read answers q from db's committed counts with one range scan (one per
// province for the whole country).
func Read(db *store.DB, q Query) (Answer, error) {
	if err := q.Validate(); err != nil {
		return Answer{}, err
	}
	a := Answer{Query: q}
	index := map[uint32]int{} // bucket start → position
	for t := dayTime(q.From); !t.After(dayTime(q.To)); t = t.AddDate(0, 0, 1) {
		d := dayOfTime(t)
		if q.ByMonth {
			d = max(monthOf(d), q.From)
		}
		if _, ok := index[d]; !ok {
			index[d] = len(a.Buckets)
			a.Buckets = append(a.Buckets, Bucket{Start: d})
		}
	}
	first := q.From
	if q.ByMonth {
		first = monthOf(q.From) // the month's distinct organisations are kept on its first day
	}
	var c rowCounts
	var day Counts
	for _, region := range rowsOf(&q) {
		lo := row{region: region, day: first}.appendKey(nil)
		hi := row{region: region, day: q.To + 1}.appendKey(nil)
		err := db.Scan(lo, hi, func(k, v []byte) error {
			r, err := decodeRowKey(k)
			if err != nil {
				return err
			}
			if err := decodeRow(v, &c); err != nil {
				return fmt.Errorf("stats: region %d on %d: %w", r.region, r.day, err)
			}
			a.Rows++
			day = Counts{}
			c.sum(q.Category, &day)
			start := r.day
			if q.ByMonth {
				start = max(monthOf(r.day), q.From)
			}
			b := &a.Buckets[index[start]]
			if r.day < q.From {
				// the first month's first day, before From: only its
				// distinct organisations count
				b.Counts[OrgsActive] += day[OrgsActiveMonth]
				return nil
			}
			for m, n := range day {
				switch {
				case n == 0:
				case Metric(m) == OrgsActiveMonth:
					if q.ByMonth && r.day == monthOf(r.day) {
						b.Counts[OrgsActive] += n
					}
				case Metric(m) == OrgsActive && q.ByMonth:
					// months take their distinct count from OrgsActiveMonth
				default:
					b.Counts[m] += n
				}
			}
			return nil
		})
		if err != nil {
			return Answer{}, err
		}
	}
	for i := range a.Buckets {
		for m, n := range a.Buckets[i].Counts {
			if Metric(m) == OrgsActive {
				a.Totals[m] = max(a.Totals[m], n)
				continue
			}
			a.Totals[m] += n
		}
	}
	return a, nil
}
