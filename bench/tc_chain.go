package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tracecode/engine"
	"tracecode/engine/store"
)

// The tracecode half of the chain scenarios: commissioning and packing
// items → cases → pallets in pallet-sized reports (the same granularity the
// baseline commits), two events per pallet and one per lot, then resolving
// items to their full chain with Zipf popularity and forged codes.

type chainWorld struct {
	fx                     *tcFixture
	items, cases, pallets  engine.Block
	nItems, nCase, nPallet int
}

func buildChain(ctx context.Context, e *env, name string) (*chainWorld, error) {
	dir := filepath.Join(e.work, name)
	eng, err := engine.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	food, _ := engine.ParseCategory("food")
	p, err := eng.AddProduct(ctx, engine.ProductSpec{GTIN: benchGTIN, GCPLength: 7, NameZH: "基准婴幼儿配方乳粉", NameEN: "bench infant formula",
		Category: food, Levels: engine.LevelSet(0).With(engine.LevelItem).With(engine.LevelCase).With(engine.LevelPallet)})
	if err != nil {
		eng.Close()
		return nil, err
	}
	w := &chainWorld{fx: &tcFixture{eng: eng, dir: dir, product: p}}
	w.nItems = e.sizes.PackItems / 500 * 500
	w.nCase, w.nPallet = w.nItems/10, w.nItems/500
	mint := func(lvl engine.Level, n int) (engine.Block, error) {
		r, err := eng.Mint(ctx, engine.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Level: lvl, Count: uint64(n)})
		return r.Block, err
	}
	if w.items, err = mint(engine.LevelItem, w.nItems); err != nil {
		return nil, err
	}
	if w.cases, err = mint(engine.LevelCase, w.nCase); err != nil {
		return nil, err
	}
	if w.pallets, err = mint(engine.LevelPallet, w.nPallet); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *chainWorld) meta(t time.Time) engine.ReportMeta {
	return engine.ReportMeta{Org: w.fx.product.Org, Credential: "bench", Time: t}
}

func tcPackAndResolve(ctx context.Context, e *env) error {
	w, err := buildChain(ctx, e, "chain")
	if err != nil {
		return err
	}
	eng := w.fx.eng
	defer eng.Close()
	t0 := time.Now().Add(-72 * time.Hour)

	// Commissioning: one report per block, by range (the native compact
	// form a line sends).
	com := Scenario{Name: "commission", System: "tracecode", Unit: "item",
		Params: map[string]string{"items": strconv.Itoa(w.nItems + w.nCase + w.nPallet), "method": "one range report per block"}}
	m := startMeter()
	for _, b := range []engine.Block{w.items, w.cases, w.pallets} {
		if _, err := eng.ReportLine(ctx, &engine.LineReport{ReportMeta: w.meta(t0), Action: engine.LineCommission,
			Items: engine.Items{Ranges: []engine.BlockRange{{Block: b.ID, First: 0, Last: b.Count - 1}}}}); err != nil {
			return err
		}
	}
	m.stop(&com, int64(w.nItems+w.nCase+w.nPallet))
	com.Samples = []float64{com.OpsPerSec}
	e.res.Scenarios = append(e.res.Scenarios, com)

	// Packing: one report per pallet (its 50 cases of 10 items, then the
	// cases onto the pallet), each committed with fsync.
	pack := Scenario{Name: "pack", System: "tracecode", Unit: "item",
		Params: map[string]string{"items": strconv.Itoa(w.nItems), "per_case": "10", "cases_per_pallet": "50",
			"method": "one report per pallet: child→parent ranges, parent→children bitmaps, fsync"}}
	bar := e.newBar(int64(w.nItems), "tracecode: pack")
	m = startMeter()
	start := time.Now()
	for pl := 0; pl < w.nPallet; pl++ {
		r := &engine.PackReport{ReportMeta: w.meta(t0.Add(time.Hour))}
		for c := pl * 50; c < (pl+1)*50; c++ {
			r.Packs = append(r.Packs, engine.Pack{Parent: engine.Ref{Block: w.cases.ID, Offset: uint64(c)},
				Children: engine.Items{Ranges: []engine.BlockRange{{Block: w.items.ID, First: uint64(c * 10), Last: uint64(c*10 + 9)}}}})
		}
		if _, err := eng.Pack(ctx, r); err != nil {
			return fmt.Errorf("pack items of pallet %d: %w", pl, err)
		}
		r = &engine.PackReport{ReportMeta: w.meta(t0.Add(2 * time.Hour)), Packs: []engine.Pack{{
			Parent:   engine.Ref{Block: w.pallets.ID, Offset: uint64(pl)},
			Children: engine.Items{Ranges: []engine.BlockRange{{Block: w.cases.ID, First: uint64(pl * 50), Last: uint64(pl*50 + 49)}}}}}}
		if _, err := eng.Pack(ctx, r); err != nil {
			return fmt.Errorf("pack cases of pallet %d: %w", pl, err)
		}
		bar.Add(500)
	}
	bar.Finish()
	pack.Samples = []float64{float64(w.nItems) / time.Since(start).Seconds()}
	m.stop(&pack, int64(w.nItems))

	// Events: shipping and receiving per pallet, EPCIS documents of 500
	// events; an inspection of the lot.
	dlOf := func(b engine.Block, off int) (string, error) {
		var buf bytes.Buffer
		f, _ := engine.ParseFormat("dl")
		if _, err := eng.WriteCodes(ctx, &buf, b.ID, engine.StreamOptions{Format: f, Offset: uint64(off), Limit: 1, Workers: 1}); err != nil {
			return "", err
		}
		return strings.TrimSpace(buf.String()), nil
	}
	if err := eng.Flush(); err != nil {
		return err
	}
	if err := eng.Compact(ctx); err != nil {
		return err
	}
	ledgerBefore, err := eng.EstimateDiskUsage(engine.AreaLedger)
	if err != nil {
		return err
	}
	// Disk per packed item: item state, aggregation indices and the
	// reports' ledger records (engine.AreaTrace), before any event.
	aggDisk, err := eng.EstimateDiskUsage(engine.AreaTrace)
	if err != nil {
		return err
	}
	palletCodes := make([]string, w.nPallet)
	for k := range palletCodes {
		if palletCodes[k], err = dlOf(w.pallets, k); err != nil {
			return err
		}
	}
	evsc := Scenario{Name: "events", System: "tracecode", Unit: "event",
		Params: map[string]string{"events": strconv.Itoa(2*w.nPallet + 1), "method": "EPCIS 2.0 JSON capture, 500 events a document"}}
	m = startMeter()
	nev := 0
	for pl := 0; pl < w.nPallet; pl += 250 {
		var evs []string
		for k := pl; k < min(pl+250, w.nPallet); k++ {
			code := palletCodes[k]
			for i, step := range []string{"shipping", "receiving"} {
				evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":%q,"readPoint":{"id":"urn:epc:id:sgln:9520123.00001.0"}}`,
					t0.Add(time.Duration(3+i)*time.Hour).Format(time.RFC3339), code, step))
			}
		}
		if _, err := eng.CaptureJSON(ctx, strings.NewReader(epcisDoc(evs)), &engine.CaptureOptions{Org: w.fx.product.Org}); err != nil {
			return err
		}
		nev += len(evs)
	}
	lotEv := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","quantityList":[{"epcClass":"https://id.gs1.org/01/%s/10/L1"}],"action":"OBSERVE","bizStep":"inspecting"}`,
		t0.Add(30*time.Minute).Format(time.RFC3339), benchGTIN)
	if _, err := eng.CaptureJSON(ctx, strings.NewReader(epcisDoc([]string{lotEv})), &engine.CaptureOptions{Org: w.fx.product.Org}); err != nil {
		return err
	}
	nev++
	m.stop(&evsc, int64(nev))
	evsc.Samples = []float64{evsc.OpsPerSec}
	// Disk per event: the ledger's records, payloads and event indexes
	// (engine.AreaLedger) after compaction, less what the commissioning
	// and packing reports put there (measured before capture).
	if err := eng.Flush(); err != nil {
		return err
	}
	if err := eng.Compact(ctx); err != nil {
		return err
	}
	ledgerAfter, err := eng.EstimateDiskUsage(engine.AreaLedger)
	if err != nil {
		return err
	}
	if ledgerAfter > ledgerBefore {
		evsc.DiskBytes = int64(ledgerAfter - ledgerBefore)
		evsc.DiskBytesPerUnit = float64(evsc.DiskBytes) / float64(nev)
	}
	e.res.Scenarios = append(e.res.Scenarios, evsc)

	pack.DiskBytes = int64(aggDisk)
	pack.DiskBytesPerUnit = float64(aggDisk) / float64(w.nItems)
	pack.Extra = storeExtra(eng.Stats())
	e.res.Scenarios = append(e.res.Scenarios, pack)

	if err := tcPlainPack(e, w); err != nil {
		return err
	}

	// Resolution: the full chain (identity, product, lot, producer,
	// item → case → pallet, the inherited timeline, status) of Zipf-chosen
	// items, with a share of forged serials.
	sample := min(20_000, w.nItems)
	rng := rand.New(rand.NewPCG(21, 22))
	codes := make([]string, 0, sample)
	f, _ := engine.ParseFormat("dl")
	for len(codes) < sample {
		off := rng.IntN(w.nItems - 50)
		var buf bytes.Buffer
		if _, err := eng.WriteCodes(ctx, &buf, w.items.ID, engine.StreamOptions{Format: f, Offset: uint64(off), Limit: 50, Workers: 1}); err != nil {
			return err
		}
		sc := bufio.NewScanner(&buf)
		for sc.Scan() && len(codes) < sample {
			codes = append(codes, sc.Text())
		}
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(23, 24)), 1.1, 1, uint64(len(codes)-1))
	res := Scenario{Name: "resolve", System: "tracecode", Unit: "resolve",
		Params: map[string]string{"items": strconv.Itoa(w.nItems), "zipf_s": "1.1", "forged_share": fmt.Sprint(e.sizes.ForgedShare),
			"query": "ResolveInto: identity, product, lot, producer, containment, inherited timeline, status"}}
	h := newHist()
	var ch engine.Chain
	ops := e.sizes.Resolves
	timeline, forgedOK := 0, 0
	m = startMeter()
	for rep := 0; rep < e.sizes.Repeat; rep++ {
		start := time.Now()
		for i := 0; i < ops; i++ {
			in := codes[zipf.Uint64()]
			forged := rng.Float64() < e.sizes.ForgedShare
			if forged {
				b := []byte(in)
				j := len(b) - 1 - rng.IntN(6)
				if b[j] == 'A' {
					b[j] = 'B'
				} else {
					b[j] = 'A'
				}
				in = string(b)
			}
			r0 := time.Now()
			err := eng.ResolveInto(&ch, in)
			h.RecordValue(time.Since(r0).Nanoseconds())
			if err != nil && !forged {
				return fmt.Errorf("resolve %s: %w", in, err)
			}
			switch {
			case forged && (err != nil || ch.Status == engine.StatusNeverIssued):
				forgedOK++
			case !forged && len(ch.Parents) != 2:
				return fmt.Errorf("resolve %s: %d parents, want case and pallet", in, len(ch.Parents))
			case !forged:
				timeline += len(ch.Timeline)
			}
		}
		res.Samples = append(res.Samples, float64(ops)/time.Since(start).Seconds())
	}
	m.stop(&res, int64(ops*e.sizes.Repeat))
	res.Latency = latencyOf(h)
	res.Extra = map[string]float64{"forged_rejected": float64(forgedOK), "timeline_entries_per_valid_item": float64(timeline) / float64(ops*e.sizes.Repeat-forgedOK)}
	e.res.Scenarios = append(e.res.Scenarios, res)
	return tcHTTPResolve(ctx, e, w)
}

// tcPlainPack is the plain design for the ratio: one key per child→parent
// link and one per parent→child link, a synced batch per pallet.
func tcPlainPack(e *env, w *chainWorld) error {
	dir := filepath.Join(e.work, "plain-pack")
	db, err := store.Open(dir, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	node := func(counter uint64) (k [12]byte) {
		binary.BigEndian.PutUint32(k[:], w.items.Product)
		binary.BigEndian.PutUint64(k[4:], counter)
		return k
	}
	link := func(b *store.Batch, child, parent [12]byte) {
		b.Set(append([]byte{0xF1}, child[:]...), parent[:])
		b.Set(append(append([]byte{0xF2}, parent[:]...), child[:]...), nil)
	}
	s := Scenario{Name: "pack", System: "tracecode-plain", Unit: "item",
		Params: map[string]string{"items": strconv.Itoa(w.nItems), "method": "a key per child→parent and per parent→child link, fsync per pallet"}}
	m := startMeter()
	start := time.Now()
	for pl := 0; pl < w.nPallet; pl++ {
		b := db.NewBatch()
		for i := pl * 500; i < (pl+1)*500; i++ {
			link(b, node(w.items.Start+uint64(i)), node(w.cases.Start+uint64(i/10)))
		}
		for c := pl * 50; c < (pl+1)*50; c++ {
			link(b, node(w.cases.Start+uint64(c)), node(w.pallets.Start+uint64(pl)))
		}
		if err := b.Commit(true); err != nil {
			return err
		}
		b.Close()
	}
	s.Samples = []float64{float64(w.nItems) / time.Since(start).Seconds()}
	m.stop(&s, int64(w.nItems))
	if err := db.Flush(); err != nil {
		return err
	}
	if err := db.CompactAll(context.Background()); err != nil {
		return err
	}
	disk, err := db.EstimateDiskUsage([]byte{0xF1}, []byte{0xF3})
	if err != nil {
		return err
	}
	s.DiskBytes = int64(disk)
	s.DiskBytesPerUnit = float64(disk) / float64(w.nItems)
	e.res.Scenarios = append(e.res.Scenarios, s)
	return nil
}

func epcisDoc(events []string) string {
	return `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-01T00:00:00Z","epcisBody":{"eventList":[` +
		strings.Join(events, ",") + `]}}`
}
