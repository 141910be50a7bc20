package engine

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcisq"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/site"
)

// BenchmarkCaptureRegion captures documents of 500 ObjectEvents at a
// registered township site (region=on: one EvRegion key per event) and
// at a location of no division (region=off: none), alternating in one
// run so that both see the same machine; sync=off (the CPU and the
// keys, not the fsync).
//
//	go test -run '^$' -bench CaptureRegion -benchtime 40x -count 5 ./engine
func BenchmarkCaptureRegion(b *testing.B) {
	e, err := Open(b.TempDir(), &Options{Now: func() time.Time { return testClock }})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	org, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "兰州乳业", Region: "620102", GCPs: []string{"9520123"}})
	if err != nil {
		b.Fatal(err)
	}
	prod, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: org.ID, GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方乳粉",
		Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := mustSites(b, e).Add(apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}, org.ID, &site.Input{Kind: "warehouse", Name: "城关仓",
		Region: "620102001", GLN: "9520123000011"}); err != nil {
		b.Fatal(err)
	}
	const count, perDoc = 5000, 500
	ib := mint(b, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: count}).Block
	if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: org.ID, Credential: "bench", Time: testClock.Add(-30 * 24 * time.Hour)},
		Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: ib.ID, First: 0, Last: count - 1}}}}); err != nil {
		b.Fatal(err)
	}
	all := codes(b, e, ib.ID, issue.FormatDL, 0, count)
	e.iss.SetNoSync(true)
	defer e.iss.SetNoSync(false)
	round := 0
	for _, on := range []bool{false, true} {
		// Registered site (620102001) or a company prefix of no
		// organisation and no site.
		loc := "urn:epc:id:sgln:9520123.00001.0"
		if !on {
			loc = "urn:epc:id:sgln:4012345.00001.0"
		}
		b.Run("region="+onOff(on), func(b *testing.B) {
			docs := make([]string, b.N)
			for i := range docs {
				t0 := testClock.Add(-20 * 24 * time.Hour).Add(time.Duration(round) * time.Second)
				cs := all[(round*perDoc)%count:]
				evs := make([]string, perDoc)
				for j := range evs {
					at := t0.Add(time.Duration(j) * time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
					evs[j] = fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":"storing","disposition":"in_progress","readPoint":{"id":%q},"bizLocation":{"id":%q}}`,
						at, cs[j%len(cs)], loc, loc)
				}
				docs[i] = doc(evs...)
				round++
			}
			b.ReportAllocs()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			b.ResetTimer()
			for i := range b.N {
				if _, err := e.Reports().CaptureJSON(ctx, strings.NewReader(docs[i]), &chain.CaptureOptions{Org: org.ID, Credential: "bench"}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&m1)
			b.ReportMetric(float64(b.N*perDoc)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N*perDoc), "allocs/event")
		})
	}
}

var (
	queryWorld  = flag.String("query.world", "", "BenchmarkQueryWorld's store: built there once (10^7 events take tens of minutes) and reused by later runs with the same -query.events; without it the benchmark is skipped")
	queryEvents = flag.Int("query.events", 10_000_000, "events of BenchmarkQueryWorld's store (a multiple of 500)")
)

// queryWorldMeta is what a built world records beside its store.
type queryWorldMeta struct {
	Events int    `json:"events"`
	Org    uint32 `json:"org"`
	Block  uint64 `json:"block"`
}

// The world's workload (as the bench capture family's): event i is an
// OBSERVE of item i at site (i/7)%8, the sites 0–3 in Chengguan
// (620102), 4–7 in Qilihe (620103), bizStep i%4 of receiving, storing,
// inspecting, shipping, at worldT0 + i seconds.
var (
	worldT0    = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	worldClock = func() time.Time { return time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC) } // after 10^7 s of events
	worldSteps = [...]string{"receiving", "storing", "inspecting", "shipping"}
)

func worldSite(k int) (sgln, gln string) {
	ref := fmt.Sprintf("%05d", k+1)
	body := "9520123" + ref
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return "urn:epc:id:sgln:9520123." + ref + ".0", body + string(rune('0'+(10-sum%10)%10))
}

// openQueryWorld opens the world in dir, building it when dir holds none
// of n events.
func openQueryWorld(b *testing.B, dir string, n int) (*Engine, queryWorldMeta) {
	metaPath := filepath.Join(dir, "query-world.json")
	var m queryWorldMeta
	js, err := os.ReadFile(metaPath)
	switch {
	case err == nil:
		if err := json.Unmarshal(js, &m); err != nil {
			b.Fatal(err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		b.Fatal(err)
	}
	if m.Events == n {
		e, err := Open(filepath.Join(dir, "store"), &Options{Now: worldClock})
		if err != nil {
			b.Fatal(err)
		}
		return e, m
	}
	if err := os.RemoveAll(filepath.Join(dir, "store")); err != nil {
		b.Fatal(err)
	}
	e, err := Open(filepath.Join(dir, "store"), &Options{Now: worldClock})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	org, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "兰州乳业", Region: "620102", GCPs: []string{"9520123"}})
	if err != nil {
		b.Fatal(err)
	}
	prod, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: org.ID, GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方乳粉",
		Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		b.Fatal(err)
	}
	for k := range 8 {
		_, gln := worldSite(k)
		if _, err := mustSites(b, e).Add(apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}, org.ID, &site.Input{Kind: "warehouse",
			Name: fmt.Sprintf("仓%d", k+1), Region: fmt.Sprint([2]int{620102, 620103}[k/4]), GLN: gln}); err != nil {
			b.Fatal(err)
		}
	}
	blk := mint(b, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: uint64(n)}).Block
	if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: org.ID, Credential: "bench", Time: worldT0.Add(-24 * time.Hour)},
		Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: blk.ID, First: 0, Last: uint64(n) - 1}}}}); err != nil {
		b.Fatal(err)
	}
	b.Logf("building a world of %d events in %s", n, dir)
	t0 := time.Now()
	var sb strings.Builder
	for first := 0; first < n; first += 500 {
		cs := codes(b, e, blk.ID, issue.FormatDL, uint64(first), uint64(min(500, n-first)))
		sb.Reset()
		sb.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-01T00:00:00Z","epcisBody":{"eventList":[`)
		for j, c := range cs {
			i := first + j
			sgln, _ := worldSite((i / 7) % 8)
			if j > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"type":"ObjectEvent","eventTime":"%s","eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":%q,"disposition":"in_progress","readPoint":{"id":%q},"bizLocation":{"id":%q}}`,
				worldT0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), c, worldSteps[i%4], sgln, sgln)
		}
		sb.WriteString(`]}}`)
		if _, err := e.Reports().CaptureJSON(ctx, strings.NewReader(sb.String()), &chain.CaptureOptions{Org: org.ID, Credential: "bench"}); err != nil {
			b.Fatalf("events %d…: %v", first, err)
		}
		if first%1_000_000 == 0 && first > 0 {
			b.Logf("%d events, %.0f/s", first, float64(first)/time.Since(t0).Seconds())
		}
	}
	m = queryWorldMeta{Events: n, Org: org.ID, Block: blk.ID}
	js, _ = json.Marshal(m)
	if err := os.WriteFile(metaPath, js, 0o644); err != nil {
		b.Fatal(err)
	}
	return e, m
}

// BenchmarkQueryWorld answers the two queries of the EPCIS issue over a
// store of -query.events captured events (default 10^7), built once in
// -query.world DIR (skipped without it): MATCH_anyEPC of one random code,
// and EQ_bizStep=storing + WD_bizLocation=620102 + the middle tenth of
// the time span (its first page of 100 events), as the operator. Reports
// the p50 and p99 latency and allocations per query.
//
//	go test -run '^$' -bench QueryWorld -benchtime 200x -query.world /var/tmp/qworld ./engine
func BenchmarkQueryWorld(b *testing.B) {
	if *queryWorld == "" {
		b.Skip("no -query.world DIR: the world of -query.events events is built there once (minutes)")
	}
	n := *queryEvents
	e, m := openQueryWorld(b, *queryWorld, n)
	defer e.Close()
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	span := time.Duration(n) * time.Second
	from, to := worldT0.Add(span*45/100), worldT0.Add(span*55/100)
	blk, err := e.Issuance().Block(m.Block)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name   string
		params func() []epcisq.Param
	}{
		{"epc", func() []epcisq.Param {
			c, err := e.iss.AppendCode(nil, &blk, rng.Uint64N(uint64(n)), issue.FormatDL)
			if err != nil {
				b.Fatal(err)
			}
			return []epcisq.Param{{Name: "MATCH_anyEPC", Value: string(c)}}
		}},
		{"step-region-time", func() []epcisq.Param {
			return []epcisq.Param{{Name: "EQ_bizStep", Value: "storing"}, {Name: "WD_bizLocation", Value: "620102"},
				{Name: "GE_eventTime", Value: from.Format(time.RFC3339)}, {Name: "LT_eventTime", Value: to.Format(time.RFC3339)},
				{Name: "perPage", Value: "100"}}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var lat []time.Duration
			for b.Loop() {
				ps := c.params()
				t0 := time.Now()
				res, err := e.Queries().Events(op, ps, epcisq.RawJSON) // as the server answers
				lat = append(lat, time.Since(t0))
				if err != nil || len(res.Events) == 0 {
					b.Fatalf("%v: %d events, %v", ps, len(res.Events), err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
