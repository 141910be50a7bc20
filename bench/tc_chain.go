package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tracecode/engine/resolve"
	"tracecode/engine/store"
)

// The tracecode half of the chain scenarios, against the world
// (world.go): a fresh lot of Sizes.PackItems items commissioned by range,
// packed items → cases → pallets in pallet-sized reports from
// packReporters reporters at once (group-committed), two events per
// pallet captured; then items of the world resolved to their full chain
// with Zipf popularity and forged codes.

func tcPackAndResolve(ctx context.Context, e *env) error {
	w, err := openWorld(ctx, e)
	if err != nil {
		return err
	}
	eng := w.eng
	defer eng.Close()
	t0 := worldEpoch()
	worldParams := func(p map[string]string) map[string]string {
		p["world_items"] = strconv.Itoa(w.m.Items)
		p["world_minted"] = strconv.FormatInt(w.m.Minted, 10)
		p["world_lots"] = strconv.Itoa(len(w.m.Lots))
		if w.reused {
			p["world"] = "reused, built " + w.m.BuiltAt.Format(time.RFC3339)
		} else {
			p["world"] = fmt.Sprintf("built this run in %.0f s", w.m.BuildSeconds)
		}
		return p
	}
	if e.want("commission") || e.want("pack") || e.want("events") {
		if err := tcFreshLot(ctx, e, w, t0, worldParams); err != nil {
			return err
		}
	}
	if !e.want("resolve") { // the in-process resolution
		if e.want("resolve/http") {
			return tcHTTPResolve(ctx, e, w)
		}
		return nil
	}
	// Resolution: the full chain (identity, product, lot, producer,
	// item → case → pallet, the inherited timeline, status) of Zipf-chosen
	// items of the world, with a share of forged serials.
	rng := rand.New(rand.NewPCG(21, 22))
	codes := slices.Clone(w.sample)
	rng.Shuffle(len(codes), func(i, j int) { codes[i], codes[j] = codes[j], codes[i] })
	codes = codes[:min(20_000, len(codes))]
	zipf := rand.NewZipf(rand.New(rand.NewPCG(23, 24)), 1.1, 1, uint64(len(codes)-1))
	res := Scenario{Name: "resolve", System: "tracecode", Unit: "resolve",
		Params: worldParams(map[string]string{"items": strconv.Itoa(w.m.Items), "codes": strconv.Itoa(len(codes)), "zipf_s": "1.1", "forged_share": fmt.Sprint(e.sizes.ForgedShare),
			"query": "ResolveInto: identity, product, lot, producer, containment, inherited timeline, status"})}
	h := newHist()
	var ch resolve.Chain
	ops := e.sizes.Resolves
	timeline, forgedOK := 0, 0
	m := startMeter()
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
			case forged && (err != nil || ch.Status == resolve.StatusNeverIssued):
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

// tcFreshLot mints a fresh lot into the world and times its commissioning,
// packing and events (and the plain design's packing).
func tcFreshLot(ctx context.Context, e *env, w *chainWorld, t0 time.Time, worldParams func(map[string]string) map[string]string) error {
	eng := w.eng
	fresh, err := mintLots(ctx, eng, w.product, freshLotName(), e.sizes.PackItems, e.sizes.PackItems)
	if err != nil {
		return err
	}
	nItems := 0
	for _, l := range fresh {
		nItems += l.Count
	}
	nCase, nPallet := nItems/10, nItems/500

	// Commissioning: one report per block, by range (the native compact
	// form a line sends).
	com := Scenario{Name: "commission", System: "tracecode", Unit: "item",
		Params: worldParams(map[string]string{"items": strconv.Itoa(nItems + nCase + nPallet), "method": "one range report per block"})}
	m := startMeter()
	if err := commissionLots(ctx, eng, w.meta(t0), fresh); err != nil {
		return err
	}
	m.stop(&com, int64(nItems+nCase+nPallet))
	com.Samples = []float64{com.OpsPerSec}
	e.res.Scenarios = append(e.res.Scenarios, com)

	// Packing: per pallet, a report of its 50 cases of 10 items, then one
	// of the cases onto the pallet, each acknowledged once durable; from
	// packReporters reporters at once, into the world.
	pack := Scenario{Name: "pack", System: "tracecode", Unit: "item",
		Params: worldParams(map[string]string{"items": strconv.Itoa(nItems), "per_case": "10", "cases_per_pallet": "50",
			"reporters": strconv.Itoa(packReporters),
			"method":    "two reports per pallet, acknowledged when durable (group commit): child→parent ranges, parent→children bitmaps",
			"disk":      "the world's per-item areas after compaction (engine.AreaTrace) per packed item"})}
	bar := e.newBar(int64(nItems), "tracecode: pack")
	m = startMeter()
	if err := packLots(ctx, eng, w.meta(t0.Add(time.Hour)), fresh, packReporters, bar); err != nil {
		return err
	}
	bar.Finish()
	m.stop(&pack, int64(nItems))
	pack.Samples = []float64{pack.OpsPerSec}
	if d := w.m.Build["disk_bytes_per_packed_item"]; d > 0 {
		pack.DiskBytesPerUnit = d
		pack.DiskBytes = int64(d * float64(w.m.Items))
	}
	pack.Extra = storeExtra(eng.Stats())
	pack.Extra["world_build_pack_items_per_sec"] = w.m.Build["pack_items_per_sec"]
	e.res.Scenarios = append(e.res.Scenarios, pack)

	// Events: shipping and receiving per pallet of the fresh lot, EPCIS
	// documents of 500 events; an inspection of the lot.
	evsc := Scenario{Name: "events", System: "tracecode", Unit: "event",
		Params: worldParams(map[string]string{"events": strconv.Itoa(2*nPallet + len(fresh)), "method": "EPCIS 2.0 JSON capture, 500 events a document",
			"disk": "the ledger's growth per event when the world's events were captured, after compaction"})}
	m = startMeter()
	nev, err := captureLots(ctx, eng, w.product.Org, t0, fresh)
	if err != nil {
		return err
	}
	m.stop(&evsc, int64(nev))
	evsc.Samples = []float64{evsc.OpsPerSec}
	if d := w.m.Build["disk_bytes_per_event"]; d > 0 {
		evsc.DiskBytesPerUnit = d
		evsc.DiskBytes = int64(d * w.m.Build["events"])
	}
	evsc.Extra = map[string]float64{"world_build_capture_events_per_sec": w.m.Build["capture_events_per_sec"]}
	e.res.Scenarios = append(e.res.Scenarios, evsc)

	if err := tcPlainPack(e, nItems); err != nil {
		return err
	}
	return nil
}

// tcPlainPack is the plain design for the ratio: one key per child→parent
// link and one per parent→child link, a synced batch per pallet, from as
// many goroutines as the engine's reporters (Pebble group-commits their
// fsyncs), into a store of its own.
func tcPlainPack(e *env, nItems int) error {
	dir := filepath.Join(e.work, "plain-pack")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	db, err := store.Open(dir, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	const itemBase, caseBase, palletBase = 0, 1 << 40, 1 << 41
	node := func(counter uint64) (k [12]byte) {
		binary.BigEndian.PutUint32(k[:], 1)
		binary.BigEndian.PutUint64(k[4:], counter)
		return k
	}
	link := func(b *store.Batch, child, parent [12]byte) {
		b.Set(append([]byte{0xF1}, child[:]...), parent[:])
		b.Set(append(append([]byte{0xF2}, parent[:]...), child[:]...), nil)
	}
	s := Scenario{Name: "pack", System: "tracecode-plain", Unit: "item",
		Params: map[string]string{"items": strconv.Itoa(nItems), "reporters": strconv.Itoa(packReporters),
			"method": "a key per child→parent and per parent→child link, a synced batch per pallet"}}
	nPallet := nItems / 500
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, packReporters)
	m := startMeter()
	for range packReporters {
		wg.Go(func() {
			for {
				pl := int(next.Add(1) - 1)
				if pl >= nPallet {
					return
				}
				b := db.NewBatch()
				for i := pl * 500; i < (pl+1)*500; i++ {
					link(b, node(itemBase+uint64(i)), node(caseBase+uint64(i/10)))
				}
				for c := pl * 50; c < (pl+1)*50; c++ {
					link(b, node(caseBase+uint64(c)), node(palletBase+uint64(pl)))
				}
				if err := b.Commit(true); err != nil {
					errs <- err
					return
				}
				b.Close()
			}
		})
	}
	wg.Wait()
	m.stop(&s, int64(nItems))
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	s.Samples = []float64{s.OpsPerSec}
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
	s.DiskBytesPerUnit = float64(disk) / float64(nItems)
	e.res.Scenarios = append(e.res.Scenarios, s)
	return nil
}

func epcisDoc(events []string) string {
	return `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-01T00:00:00Z","epcisBody":{"eventList":[` +
		strings.Join(events, ",") + `]}}`
}
