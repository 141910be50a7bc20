package bench

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tracecode/engine"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcisq"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/site"
)

// The tracecode half of the capture family: the workload of
// capture_workload.go captured with Engine.CaptureJSON (parse, event hash
// IDs, duplicate check, ownership and state checks, ledger records and
// indexes, one report and one fsync per document), then the two queries
// through the EPCIS query interface (engine/epcisq), every page read.

func tcCapture(ctx context.Context, e *env) error {
	n := e.sizes.CaptureEvents / capturePerDoc * capturePerDoc
	if n == 0 {
		return nil
	}
	dir := filepath.Join(e.work, "capture")
	eng, err := engine.Open(dir, nil)
	if err != nil {
		return err
	}
	defer eng.Close()
	food, _ := model.ParseCategory("food")
	p, err := eng.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: benchGTIN, GCPLength: 7, NameZH: "基准婴幼儿配方乳粉", NameEN: "bench infant formula",
		Category: food, Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		return err
	}
	op := apikey.Key{ID: 1, Scopes: apikey.ScopeAdmin}
	sites, err := eng.Sites()
	if err != nil {
		return err
	}
	for k := 0; k < 8; k++ {
		_, gln := captureSite(k)
		if _, err := sites.Add(op, p.Org, &site.Input{Kind: "warehouse", Name: "bench site " + strconv.Itoa(k+1),
			Region: strconv.Itoa(captureCounties[k/4]), GLN: gln}); err != nil {
			return fmt.Errorf("bench site %d: %w", k+1, err)
		}
	}
	mr, err := eng.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: uint64(n)})
	if err != nil {
		return err
	}
	items := mr.Block
	if _, err := eng.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org, Credential: "bench", Time: captureT0.Add(-time.Hour)},
		Action: chain.LineCommission, Items: chain.Items{Ranges: []chain.BlockRange{{Block: items.ID, First: 0, Last: items.Count - 1}}}}); err != nil {
		return err
	}
	dl, _ := issue.ParseFormat("dl")
	codesAt := func(off, limit int) ([]string, error) {
		var buf bytes.Buffer
		if _, err := eng.Issuance().WriteCodes(ctx, &buf, items.ID, issue.StreamOptions{Format: dl, Offset: uint64(off), Limit: uint64(limit), Workers: 1}); err != nil {
			return nil, err
		}
		return strings.Split(strings.TrimSpace(buf.String()), "\n"), nil
	}
	if err := eng.Flush(); err != nil {
		return err
	}
	ledgerBefore, err := eng.EstimateDiskUsage(engine.AreaLedger)
	if err != nil {
		return err
	}

	s := Scenario{Name: "capture", System: "tracecode", Unit: "event",
		Params: map[string]string{"events": strconv.Itoa(n), "events_per_document": strconv.Itoa(capturePerDoc),
			"method": "EPCIS 2.0 JSON documents of ObjectEvents (one item each) through Engine.CaptureJSON: parse, hash IDs, duplicate check, ownership and state checks, ledger and indexes; one report and one fsync per document; the documents are built outside the timed part"}}
	if err := e.timeCapture(&s, n, "tracecode: capture EPCIS", func(first int) (codes []string, err error) {
		return codesAt(first, capturePerDoc)
	}, func(first int, doc []byte) error {
		rec, err := eng.Reports().CaptureJSON(ctx, bytes.NewReader(doc), &chain.CaptureOptions{Org: p.Org, Credential: "bench"})
		if err == nil && rec.Duplicates != 0 {
			err = fmt.Errorf("%d duplicates", rec.Duplicates)
		}
		return err
	}); err != nil {
		return err
	}
	if err := eng.Flush(); err != nil {
		return err
	}
	if err := eng.Compact(ctx); err != nil {
		return err
	}
	if after, err := eng.EstimateDiskUsage(engine.AreaLedger); err == nil && after > ledgerBefore {
		s.DiskBytes = int64(after - ledgerBefore)
		s.DiskBytesPerUnit = float64(s.DiskBytes) / float64(n)
	}
	e.res.Scenarios = append(e.res.Scenarios, s)

	// The queries, over every event captured.
	q := eng.Queries()
	run := func(base []epcisq.Param) (int, error) {
		total := 0
		params := base
		for {
			// RawJSON: the events as the server's JSON answer takes
			// them (the stored JSON, as PostgreSQL's rows).
			res, err := q.Events(op, params, epcisq.RawJSON)
			if err != nil {
				return 0, err
			}
			total += len(res.Events)
			if res.Next == "" {
				return total, nil
			}
			// The next page: the query's own parameters and this page's
			// token (one token: the previous page's is replaced).
			params = append(base[:len(base):len(base)], epcisq.Param{Name: "nextPageToken", Value: res.Next})
		}
	}
	byEPC := Scenario{Name: "query/epc", System: "tracecode", Unit: "query",
		Params: map[string]string{"events": strconv.Itoa(n), "query": "MATCH_anyEPC of one code (Digital Link)"}}
	if err := e.timeQueries(byEPC, 200, func(r int) error {
		codes, err := codesAt((r*7919)%n, 1)
		if err != nil {
			return err
		}
		got, err := run([]epcisq.Param{{Name: "MATCH_anyEPC", Value: codes[0]}, {Name: "perPage", Value: strconv.Itoa(capturePerPage)}})
		if err == nil && got != 1 {
			err = fmt.Errorf("MATCH_anyEPC %s: %d events, want 1", codes[0], got)
		}
		return err
	}); err != nil {
		return err
	}

	from, to := captureWindow(n)
	step, county := captureSteps[1], captureCounties[0]
	want := captureWant(n, step, county)
	byRegion := Scenario{Name: "query/step-region-time", System: "tracecode", Unit: "query",
		Params: map[string]string{"events": strconv.Itoa(n), "matching": strconv.Itoa(want),
			"query": fmt.Sprintf("EQ_bizStep=%s, WD_bizLocation=%d, GE_eventTime/LT_eventTime over a tenth of the span; every page (%d a page) read", step, county, capturePerPage)}}
	return e.timeQueries(byRegion, 20, func(int) error {
		got, err := run([]epcisq.Param{{Name: "EQ_bizStep", Value: step}, {Name: "WD_bizLocation", Value: strconv.Itoa(county)},
			{Name: "GE_eventTime", Value: from.Format(time.RFC3339)}, {Name: "LT_eventTime", Value: to.Format(time.RFC3339)}, {Name: "perPage", Value: strconv.Itoa(capturePerPage)}})
		if err == nil && got != want {
			err = fmt.Errorf("step and region query: %d events, want %d", got, want)
		}
		return err
	})
}

// capturePerPage is the page size of both queries, which read every
// page: 1,000 events a page, as a client would ask; the smoke test asks
// for pages of 4 so that its matching events take several.
var capturePerPage = 1000

// docRates keeps at most 100 per-document samples (the mean of equal
// runs of documents), so results.json stays small at 10^7 events.
func docRates(per []float64) []float64 {
	if len(per) <= 100 {
		return per
	}
	out := make([]float64, 0, 100)
	step := (len(per) + 99) / 100
	for i := 0; i < len(per); i += step {
		sum, k := 0.0, 0
		for _, v := range per[i:min(i+step, len(per))] {
			sum += v
			k++
		}
		out = append(out, sum/float64(k))
	}
	return out
}
