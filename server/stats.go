package server

import (
	"fmt"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/code/cn"
	"tracecode/engine/model"
	"tracecode/engine/stats"
)

// statsBucketJSON is one day or month of GET /v1/stats: its first day and
// its non-zero counts by metric name.
type statsBucketJSON struct {
	Start  string            `json:"start"`
	Counts map[string]uint64 `json:"counts"`
}

// statsJSON is the answer of GET /v1/stats.
type statsJSON struct {
	Region     string            `json:"region,omitempty"`
	RegionName string            `json:"regionName,omitempty"`
	Level      string            `json:"level,omitempty"`
	Org        uint32            `json:"org,omitempty"`
	Category   string            `json:"category,omitempty"`
	From       string            `json:"from"`
	To         string            `json:"to"`
	By         string            `json:"by"`
	Totals     map[string]uint64 `json:"totals"` // every metric, zeros included
	Lag        []statsLagJSON    `json:"lag"`    // the reporting-lag histogram over the span
	Buckets    []statsBucketJSON `json:"buckets"`
}

// statsLagJSON is one bucket of the reporting-lag histogram.
type statsLagJSON struct {
	Bucket string `json:"bucket"`        // le1m … gt7d
	Max    string `json:"max,omitempty"` // its upper bound ("1m0s"); none for the last
	Count  uint64 `json:"count"`
}

// apiStats answers GET /v1/stats?region=&org=&from=&to=&by=day|month&category=:
// the statistics kept as data arrives, for the region (or organisation)
// and span the key may see (engine.StatsFor holds the rule).
func (s *Server) apiStats(c *call) {
	args := c.ctx.QueryArgs()
	var q stats.Query
	if v := args.Peek("region"); len(v) > 0 {
		r, err := cn.ParseRegion(string(v))
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "bad-query", "query parameter region: "+err.Error())
			return
		}
		q.Region = r.Uint32()
	}
	org, ok := queryUint(c, "org")
	if !ok {
		return
	}
	if org >= 1<<31 {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-query", fmt.Sprintf("query parameter org=%d is not an organisation id", org))
		return
	}
	q.Org = uint32(org)
	switch by := string(args.Peek("by")); by {
	case "", "day":
	case "month":
		q.ByMonth = true
	default:
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-query", fmt.Sprintf("query parameter by=%q: want day or month", by))
		return
	}
	if v := args.Peek("category"); len(v) > 0 {
		cat, err := model.ParseCategory(string(v))
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "bad-query", "query parameter category: "+err.Error())
			return
		}
		q.Category = cat
	}
	// Defaults: up to today, the last 30 days by day or the last 12
	// months by month.
	q.To = s.eng.Today()
	if v := args.Peek("to"); len(v) > 0 {
		d, err := stats.ParseDay(string(v))
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "bad-query", "query parameter to: "+err.Error())
			return
		}
		q.To = d
	}
	to := time.Date(int(q.To/10000), time.Month(q.To/100%100), int(q.To%100), 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, 0, -29)
	if q.ByMonth {
		from = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
	}
	q.From = uint32(from.Year()*10000 + int(from.Month())*100 + from.Day())
	if v := args.Peek("from"); len(v) > 0 {
		d, err := stats.ParseDay(string(v))
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "bad-query", "query parameter from: "+err.Error())
			return
		}
		q.From = d
	}
	a, err := s.eng.Statistics().For(c.key, q)
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, statsOut(&a))
}

// statsOut renders an answer.
func statsOut(a *stats.Answer) statsJSON {
	q := a.Query
	out := statsJSON{From: stats.FormatDay(q.From), To: stats.FormatDay(q.To), By: "day", Org: q.Org,
		Totals: map[string]uint64{}, Buckets: make([]statsBucketJSON, 0, len(a.Buckets))}
	if q.ByMonth {
		out.By = "month"
	}
	if q.Org == 0 {
		out.Region = "0"
		if r, err := cn.NewRegion(int(q.Region)); err == nil && q.Region != 0 {
			out.Region, out.Level = r.String(), r.Level().String()
			out.RegionName = r.FullName(cn.Chinese)
		}
	}
	if q.Category != 0 {
		out.Category = q.Category.String()
	}
	for _, m := range stats.Metrics() {
		if m == stats.OrgsActiveMonth || (m >= stats.Lag0 && m < stats.Lag0+stats.NumLagBuckets) {
			continue
		}
		out.Totals[m.String()] = a.Totals.Get(m)
	}
	for i := range stats.NumLagBuckets {
		l := statsLagJSON{Bucket: stats.LagNames[i], Count: a.Totals.Get(stats.Lag0 + stats.Metric(i))}
		if i < len(stats.LagBounds) {
			l.Max = stats.LagBounds[i].String()
		}
		out.Lag = append(out.Lag, l)
	}
	for i := range a.Buckets {
		b := &a.Buckets[i]
		jb := statsBucketJSON{Start: stats.FormatDay(b.Start), Counts: map[string]uint64{}}
		for m, n := range b.Counts {
			if n != 0 && stats.Metric(m) != stats.OrgsActiveMonth {
				jb.Counts[stats.Metric(m).String()] = n
			}
		}
		out.Buckets = append(out.Buckets, jb)
	}
	return out
}
