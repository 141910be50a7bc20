package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"tracecode/bench/pgbase"
)

// The baseline's half of each scenario family. Codes are GS1 element
// strings with a random 13-character serial, as a typical platform stores
// them.

const pgGTIN = "09520123456788"

func pgCode(serial string) string { return "(01)" + pgGTIN + "(21)" + serial }

// pgSerial returns a deterministic pseudo-random 13-character serial for i.
func pgSerial(rng *rand.Rand) string {
	const alpha = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b [13]byte
	for i := range b {
		b[i] = alpha[rng.IntN(len(alpha))]
	}
	return string(b[:])
}

// pgMint COPYs sizes.PGMintCodes rows per repetition into a fresh schema.
func pgMint(ctx context.Context, e *env) error {
	if e.pg == nil {
		return nil
	}
	if err := e.pg.Reset(ctx); err != nil {
		return err
	}
	n := e.sizes.PGMintCodes
	s := Scenario{Name: "mint", System: "postgres", Unit: "code",
		Params: map[string]string{"codes_per_request": strconv.Itoa(n), "repeat": strconv.Itoa(e.sizes.Repeat), "method": "COPY, one row per code"}}
	rng := rand.New(rand.NewPCG(1, 2))
	m := startMeter()
	total := int64(0)
	bar := e.newBar(int64(n*e.sizes.Repeat), "postgres: COPY codes")
	for rep := 0; rep < e.sizes.Repeat; rep++ {
		t0 := time.Now()
		err := e.pg.Mint(ctx, n, func(i int, r *pgbase.Row) {
			ser := pgSerial(rng)
			*r = pgbase.Row{Code: pgCode(ser), GTIN: pgGTIN, Serial: ser, Lot: "L" + strconv.Itoa(rep), BlockID: int64(rep)}
			if i%10000 == 0 {
				bar.Add(10000)
			}
		})
		if err != nil {
			return err
		}
		s.Samples = append(s.Samples, float64(n)/time.Since(t0).Seconds())
		total += int64(n)
	}
	bar.Finish()
	m.stop(&s, total)
	disk, err := e.pg.DiskBytes(ctx)
	if err != nil {
		return err
	}
	s.DiskBytes = disk
	s.DiskBytesPerUnit = float64(disk) / float64(total)
	e.res.Scenarios = append(e.res.Scenarios, s)
	return nil
}

// pgPackAndResolve builds item → case → pallet packing over the minted
// rows (10 items per case, 50 cases per pallet) with a few events per
// pallet and item, then resolves a Zipf-chosen mix of items and forged
// codes.
func pgPackAndResolve(ctx context.Context, e *env) error {
	if e.pg == nil {
		return nil
	}
	if err := e.pg.Reset(ctx); err != nil {
		return err
	}
	items := e.sizes.PackItems
	cases := (items + 9) / 10
	pallets := (cases + 49) / 50
	rng := rand.New(rand.NewPCG(3, 4))
	serials := make([]string, items)
	for i := range serials {
		serials[i] = pgSerial(rng)
	}
	bar := e.newBar(int64(items+cases+pallets), "postgres: mint items, cases, pallets")
	if err := e.pg.Mint(ctx, items, func(i int, r *pgbase.Row) {
		*r = pgbase.Row{Code: pgCode(serials[i]), GTIN: pgGTIN, Serial: serials[i], Lot: "L1", BlockID: 1}
		if i%10000 == 0 {
			bar.Add(10000)
		}
	}); err != nil {
		return err
	}
	caseCode := func(i int) string { return fmt.Sprintf("(00)0952012340%07d", i) }
	palletCode := func(i int) string { return fmt.Sprintf("(00)1952012340%07d", i) }
	if err := e.pg.Mint(ctx, cases+pallets, func(i int, r *pgbase.Row) {
		c := caseCode(i)
		if i >= cases {
			c = palletCode(i - cases)
		}
		*r = pgbase.Row{Code: c, GTIN: "-", Serial: c, Lot: "L1", BlockID: 2}
	}); err != nil {
		return err
	}
	bar.Finish()

	pack := Scenario{Name: "pack", System: "postgres", Unit: "item",
		Params: map[string]string{"items": strconv.Itoa(items), "per_case": "10", "cases_per_pallet": "50",
			"method": "one transaction per pallet report: UPDATE codes SET parent FROM unnest"}}
	bar = e.newBar(int64(items), "postgres: pack")
	m := startMeter()
	t0 := time.Now()
	for p := 0; p < pallets; p++ {
		// One report per pallet: its cases (with their items) and the
		// pallet itself.
		var aggs []pgbase.Aggregation
		var caseCodes []string
		for c := p * 50; c < (p+1)*50 && c < cases; c++ {
			var kids []string
			for i := c * 10; i < (c+1)*10 && i < items; i++ {
				kids = append(kids, pgCode(serials[i]))
			}
			aggs = append(aggs, pgbase.Aggregation{Parent: caseCode(c), Children: kids})
			caseCodes = append(caseCodes, caseCode(c))
			bar.Add(len(kids))
		}
		aggs = append(aggs, pgbase.Aggregation{Parent: palletCode(p), Children: caseCodes})
		if err := e.pg.PackBatch(ctx, aggs); err != nil {
			return err
		}
	}
	bar.Finish()
	pack.Samples = []float64{float64(items) / time.Since(t0).Seconds()}
	m.stop(&pack, int64(items))
	disk, err := e.pg.DiskBytes(ctx)
	if err != nil {
		return err
	}
	pack.DiskBytes = disk
	pack.DiskBytesPerUnit = float64(disk) / float64(items)
	e.res.Scenarios = append(e.res.Scenarios, pack)

	// Events: commissioning per item would be a row each; typical
	// platforms record shipping and receiving per pallet and selling per
	// item. Keep the same shape the tracecode scenario uses.
	t := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var evs []pgbase.Event
	for p := 0; p < pallets; p++ {
		evs = append(evs,
			pgbase.Event{Code: palletCode(p), BizStep: "shipping", Disposition: "in_transit", Time: t, Location: "GLN-A", Org: "A"},
			pgbase.Event{Code: palletCode(p), BizStep: "receiving", Disposition: "in_progress", Time: t.Add(24 * time.Hour), Location: "GLN-B", Org: "B"})
	}
	evsc := Scenario{Name: "events", System: "postgres", Unit: "event",
		Params: map[string]string{"events": strconv.Itoa(len(evs)), "method": "rows already parsed, inserted in one transaction (no EPCIS parsing)"}}
	m = startMeter()
	if err := e.pg.AddEvents(ctx, evs); err != nil {
		return err
	}
	m.stop(&evsc, int64(len(evs)))
	evsc.Samples = []float64{evsc.OpsPerSec}
	e.res.Scenarios = append(e.res.Scenarios, evsc)

	res := Scenario{Name: "resolve", System: "postgres", Unit: "resolve",
		Params: map[string]string{"items": strconv.Itoa(items), "zipf_s": "1.1", "forged_share": fmt.Sprint(e.sizes.ForgedShare), "query": "PK lookup + recursive CTE over parents with events"}}
	h := newHist()
	zipf := rand.NewZipf(rand.New(rand.NewPCG(5, 6)), 1.1, 1, uint64(items-1))
	frng := rand.New(rand.NewPCG(7, 8))
	n := e.sizes.Resolves / 4 // the baseline is slower; a quarter of the ops keeps the run short
	if n < 1000 {
		n = 1000
	}
	bar = e.newBar(int64(n), "postgres: resolve")
	m = startMeter()
	for i := 0; i < n; i++ {
		code := pgCode(serials[zipf.Uint64()])
		if frng.Float64() < e.sizes.ForgedShare {
			code = pgCode(pgSerial(frng))
		}
		t0 := time.Now()
		if _, err := e.pg.Resolve(ctx, code); err != nil {
			return err
		}
		h.RecordValue(time.Since(t0).Nanoseconds())
		if i%100 == 0 {
			bar.Add(100)
		}
	}
	bar.Finish()
	m.stop(&res, int64(n))
	res.Latency = latencyOf(h)
	res.Samples = []float64{res.OpsPerSec}
	e.res.Scenarios = append(e.res.Scenarios, res)
	return nil
}
