package stats

import (
	"fmt"

	"tracecode/engine/model"
	"tracecode/engine/store"
)

// MonthCategory names one month and one category of an organisation's
// counts.
type MonthCategory struct {
	Month    uint32 // the month's first day, yyyymm01
	Category model.Category
}

// ReadOrgMonths returns organisation org's own counts from day from to day
// to (yyyymmdd, inclusive) summed by month and category, every category
// apart (0 holds what has no category). One range scan of the
// organisation's rows; the organisation metrics are left out (they are
// distinct counts, not sums).
func ReadOrgMonths(db *store.DB, org uint32, from, to uint32) (map[MonthCategory]*Counts, error) {
	q := Query{Org: org, From: from, To: to}
	if org == 0 {
		return nil, fmt.Errorf("%w: organisation 0", ErrQuery)
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	out := map[MonthCategory]*Counts{}
	var c rowCounts
	lo := row{region: OrgRow(org), day: from}.appendKey(nil)
	hi := row{region: OrgRow(org), day: to + 1}.appendKey(nil)
	err := db.Scan(lo, hi, func(k, v []byte) error {
		r, err := decodeRowKey(k)
		if err != nil {
			return err
		}
		if err := decodeRow(v, &c); err != nil {
			return fmt.Errorf("stats: organisation %d on %d: %w", org, r.day, err)
		}
		for i := range c {
			key := MonthCategory{Month: monthOf(r.day), Category: c[i].cat}
			dst := out[key]
			if dst == nil {
				dst = &Counts{}
				out[key] = dst
			}
			for m, n := range c[i].c {
				if !orgMetric(Metric(m)) {
					dst[m] += n
				}
			}
		}
		return nil
	})
	return out, err
}
