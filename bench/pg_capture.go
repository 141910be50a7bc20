package bench

import (
	"context"
	"fmt"
	"strconv"
)

// The baseline's half of the capture family: the same documents (items
// named by Digital Link like tracecode's, as a platform receives them),
// split into JSONB rows and COPYed in one transaction per document, then
// the same two queries in SQL.

func pgCapture(ctx context.Context, e *env) error {
	n := e.sizes.CaptureEvents / capturePerDoc * capturePerDoc
	if e.pg == nil || n == 0 {
		return nil
	}
	if err := e.pg.ResetEPCIS(ctx); err != nil {
		return err
	}
	for k := 0; k < 8; k++ {
		sgln, _ := captureSite(k)
		if err := e.pg.AddSite(ctx, sgln, captureCounties[k/4]); err != nil {
			return err
		}
	}
	code := func(i int) string { return fmt.Sprintf("https://id.gs1.org/01/%s/21/S%012d", benchGTIN, i) }
	s := Scenario{Name: "capture", System: "postgres", Unit: "event",
		Params: map[string]string{"events": strconv.Itoa(n), "events_per_document": strconv.Itoa(capturePerDoc),
			"method": "each document split into its events (encoding/json) and COPYed as JSONB rows in one transaction (synchronous commit: one WAL fsync per document); GIN (jsonb_path_ops) and B-tree (biz_step, event_time), (biz_location, event_time) indexes; no validation, no hash IDs, no duplicate or state checks"}}
	codes := make([]string, capturePerDoc)
	if err := e.timeCapture(&s, n, "postgres: capture EPCIS", func(first int) ([]string, error) {
		for j := range codes {
			codes[j] = code(first + j)
		}
		return codes, nil
	}, func(first int, doc []byte) error {
		got, err := e.pg.CaptureDocument(ctx, doc)
		if err == nil && got != capturePerDoc {
			err = fmt.Errorf("%d events of %d", got, capturePerDoc)
		}
		return err
	}); err != nil {
		return err
	}
	if disk, err := e.pg.EPCISDiskBytes(ctx); err == nil {
		s.DiskBytes = disk
		s.DiskBytesPerUnit = float64(disk) / float64(n)
	}
	e.res.Scenarios = append(e.res.Scenarios, s)
	if err := e.pg.Analyze(ctx); err != nil {
		return err
	}

	byEPC := Scenario{Name: "query/epc", System: "postgres", Unit: "query",
		Params: map[string]string{"events": strconv.Itoa(n), "query": "event @> '{\"epcList\":[code]}' through the GIN index"}}
	if err := e.timeQueries(byEPC, 200, func(r int) error {
		c := code((r * 7919) % n)
		got, err := e.pg.EventsByEPC(ctx, c)
		if err == nil && got != 1 {
			err = fmt.Errorf("postgres MATCH_anyEPC %s: %d events, want 1", c, got)
		}
		return err
	}); err != nil {
		return err
	}

	from, to := captureWindow(n)
	step, county := captureSteps[1], captureCounties[0]
	want := captureWant(n, step, county)
	byRegion := Scenario{Name: "query/step-region-time", System: "postgres", Unit: "query",
		Params: map[string]string{"events": strconv.Itoa(n), "matching": strconv.Itoa(want),
			"query": "biz_step = $1 AND county (joined through epcis_sites) = $2 AND event_time in [from, to) ORDER BY event_time, every row read"}}
	return e.timeQueries(byRegion, 20, func(int) error {
		got, err := e.pg.EventsByStepInCounty(ctx, step, county, from, to)
		if err == nil && got != want {
			err = fmt.Errorf("postgres step and region query: %d events, want %d", got, want)
		}
		return err
	})
}
