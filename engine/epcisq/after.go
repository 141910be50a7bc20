package epcisq

import (
	"math"
	"slices"
)

// After answers q for a standing query (a subscription): the events the
// caller of env sees among the records after record after, in record
// order, at most limit of them, reading at most maxScan records (zero:
// 20,000). hi is the last record considered: every record in (after, hi]
// was matched or not; hi == after when there was nothing new. A query's
// paging and ordering parameters (perPage, orderBy, eventCountLimit,
// maxEventCount) do not apply.
func (r *Runner) After(q *Query, after uint64, limit, maxScan int, env Env) (found []Found, hi uint64, err error) {
	if maxScan <= 0 {
		maxScan = 20000
	}
	last := r.Led.NextSeq() - 1
	hi = after
	if last <= after {
		return nil, after, nil
	}
	p := &plan{driver: driverSummary}
	var seqs []uint64
	if len(q.EventIDs) > 0 || q.hasMatch() {
		qq := *q
		qq.OrderBy = ""
		if p, err = r.planSet(&qq, env); err != nil {
			return nil, after, err
		}
		for _, e := range p.set {
			if e.seq > after && e.seq <= last {
				seqs = append(seqs, e.seq)
			}
		}
		slices.Sort(seqs)
	}
	next := func(i int) (uint64, bool) {
		if seqs != nil || p.driver == driverSet {
			if i < len(seqs) {
				return seqs[i], true
			}
			return 0, false
		}
		s := after + 1 + uint64(i)
		return s, s <= last
	}
	rd := r.Led.NewReader()
	defer rd.Close()
	for i := 0; ; i++ {
		seq, ok := next(i)
		if !ok {
			// Every record up to the last was considered.
			return found, last, nil
		}
		if i >= maxScan {
			return found, hi, nil
		}
		f, ok, err := r.match(q, p, seq, env, false, rd)
		if err != nil {
			return nil, after, err
		}
		hi = seq
		if ok {
			found = append(found, f)
			if len(found) >= limit {
				return found, hi, nil
			}
		}
	}
}

// FirstRecordAt returns the first record recorded at or after t (unix
// ms); the next record to come when there is none.
func (r *Runner) FirstRecordAt(t int64) (uint64, error) {
	lo, _, err := r.recordBounds(&Query{GERecordTime: t, LTRecordTime: math.MaxInt64})
	return lo, err
}
