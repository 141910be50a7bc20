package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tracecode/bench/worldfile"
	"tracecode/engine"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// The world the chain scenarios run against: Sizes.WorldItems items
// commissioned and packed 10 a case, 50 cases a pallet, lot by lot
// (Sizes.LotItems a lot, each lot its own item, case and pallet blocks),
// two captured EPCIS events a pallet and one a lot, and spare blocks up to
// Sizes.MintedCodes minted codes. With Config.World it is kept in that
// directory (bench/worldfile) and reused by the next run of the same
// scale: a 10^8-item world takes minutes to build. Each run then packs
// and captures fresh lots into it (the timed scenarios) and resolves a
// sample of its items.

// packReporters is how many reporters (lines, warehouses) pack at once:
// their reports share fsyncs (group commit).
const packReporters = 8

// chainWorld is an open world.
type chainWorld struct {
	eng     *engine.Engine
	dir     string
	m       *worldfile.Manifest
	product model.Product
	// sample are the sampled codes of packed items (Digital Link URIs),
	// lots in the manifest's order.
	sample []string
	// reused says the world was built by an earlier run.
	reused bool
}

func (w *chainWorld) meta(t time.Time) chain.ReportMeta {
	return chain.ReportMeta{Org: w.product.Org, Credential: "bench", Time: t}
}

// worldEpoch is the event time of the world's reports: packing an hour
// after it, events later.
func worldEpoch() time.Time { return time.Now().Add(-72 * time.Hour) }

// openWorld opens the world of Config.World when it was built for this
// scale, else builds it (in Config.World, or in the run's work directory).
func openWorld(ctx context.Context, e *env) (*chainWorld, error) {
	dir := e.cfg.World
	if dir == "" {
		dir = filepath.Join(e.work, "world")
	} else if m, err := worldfile.Read(dir); err == nil {
		if m.Items == e.sizes.WorldItems && m.Minted == e.sizes.MintedCodes {
			return loadWorld(dir, m)
		}
		fmt.Fprintf(e.log, "note: the world in %s holds %d packed items and %d minted codes; scale %s wants %d and %d: rebuilding it\n",
			dir, m.Items, m.Minted, e.cfg.Scale, e.sizes.WorldItems, e.sizes.MintedCodes)
	} else if !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.log, "note: %v: rebuilding it\n", err)
	}
	// Only what a world consists of is removed, never the directory.
	for _, f := range []string{worldfile.ManifestFile, worldfile.SampleFile, worldfile.StoreDir} {
		if err := os.RemoveAll(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("world %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("world %s: %w", dir, err)
	}
	return buildWorld(ctx, e, dir)
}

func loadWorld(dir string, m *worldfile.Manifest) (*chainWorld, error) {
	eng, err := engine.Open(filepath.Join(dir, worldfile.StoreDir), nil)
	if err != nil {
		return nil, err
	}
	p, err := eng.Issuance().Product(m.Product)
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("world %s: %w", dir, err)
	}
	w := &chainWorld{eng: eng, dir: dir, m: m, product: p, reused: true}
	if err := worldfile.ReadSample(dir, func(_, code string) { w.sample = append(w.sample, code) }); err != nil {
		eng.Close()
		return nil, err
	}
	return w, nil
}

func buildWorld(ctx context.Context, e *env, dir string) (*chainWorld, error) {
	start := time.Now()
	eng, err := engine.Open(filepath.Join(dir, worldfile.StoreDir), nil)
	if err != nil {
		return nil, err
	}
	w, err := buildWorldIn(ctx, e, dir, eng)
	if err != nil {
		eng.Close()
		return nil, err
	}
	w.m.BuiltAt, w.m.BuildSeconds = start.UTC(), time.Since(start).Seconds()
	return w, w.m.Write(dir)
}

func buildWorldIn(ctx context.Context, e *env, dir string, eng *engine.Engine) (*chainWorld, error) {
	sz := e.sizes
	food, _ := model.ParseCategory("food")
	p, err := eng.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: benchGTIN, GCPLength: 7, NameZH: "基准婴幼儿配方乳粉", NameEN: "bench infant formula",
		Category: food, Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase).With(model.LevelPallet),
		LevelGTINs: map[model.Level]string{model.LevelCase: benchCaseGTIN}})
	if err != nil {
		return nil, err
	}
	w := &chainWorld{eng: eng, dir: dir, product: p,
		m: &worldfile.Manifest{Version: worldfile.Version, Items: sz.WorldItems, Minted: sz.MintedCodes, GTIN: benchGTIN, Product: p.ID, Org: p.Org}}
	lots, err := mintLots(ctx, eng, p, "W", sz.WorldItems, sz.LotItems)
	if err != nil {
		return nil, err
	}
	// Spare blocks: the world's minted codes that were never printed.
	minted := int64(0)
	for _, l := range lots {
		minted += int64(l.Count) + int64(l.Count/10) + int64(l.Count/500)
	}
	for minted < sz.MintedCodes {
		n := min(sz.MintedCodes-minted, 100_000_000)
		if _, err := eng.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: "SPARE", CreateLot: true, Count: uint64(n)}); err != nil {
			return nil, err
		}
		minted += n
	}
	t0 := worldEpoch()
	if err := commissionLots(ctx, eng, w.meta(t0), lots); err != nil {
		return nil, err
	}
	bar := e.newBar(int64(sz.WorldItems), "world: pack")
	ps := time.Now()
	if err := packLots(ctx, eng, w.meta(t0.Add(time.Hour)), lots, packReporters, bar); err != nil {
		return nil, err
	}
	bar.Finish()
	packRate := float64(sz.WorldItems) / time.Since(ps).Seconds()
	if err := compact(eng); err != nil {
		return nil, err
	}
	ledgerBefore, err := eng.EstimateDiskUsage(engine.AreaLedger)
	if err != nil {
		return nil, err
	}
	traceDisk, err := eng.EstimateDiskUsage(engine.AreaTrace)
	if err != nil {
		return nil, err
	}
	cs := time.Now()
	nev, err := captureLots(ctx, eng, p.Org, t0, lots)
	if err != nil {
		return nil, err
	}
	capRate := float64(nev) / time.Since(cs).Seconds()
	if err := compact(eng); err != nil {
		return nil, err
	}
	ledgerAfter, err := eng.EstimateDiskUsage(engine.AreaLedger)
	if err != nil {
		return nil, err
	}
	w.m.Build = map[string]float64{"pack_items_per_sec": packRate, "capture_events_per_sec": capRate, "events": float64(nev),
		"disk_bytes_per_packed_item": float64(traceDisk) / float64(sz.WorldItems)}
	if ledgerAfter > ledgerBefore {
		w.m.Build["disk_bytes_per_event"] = float64(ledgerAfter-ledgerBefore) / float64(nev)
	}
	if w.sample, err = writeSample(ctx, eng, dir, lots, 100_000); err != nil {
		return nil, err
	}
	w.m.Lots = lots
	return w, nil
}

func compact(eng *engine.Engine) error {
	if err := eng.Flush(); err != nil {
		return err
	}
	return eng.Compact(context.Background())
}

// mintLots mints the blocks of lots of lotItems items (the last lot takes
// the rest) named prefix0001, prefix0002, …: items, cases (one per ten
// items) and pallets (one per 50 cases, an sscc block). items is a multiple of 500.
func mintLots(ctx context.Context, eng *engine.Engine, p model.Product, prefix string, items, lotItems int) ([]worldfile.Lot, error) {
	lotItems = max(lotItems/500*500, 500)
	var lots []worldfile.Lot
	for done := 0; done < items; done += lotItems {
		n := min(lotItems, items-done)
		l := worldfile.Lot{Name: fmt.Sprintf("%s%04d", prefix, len(lots)+1), Count: n}
		for _, b := range []struct {
			lvl model.Level
			n   int
			id  *uint64
		}{{model.LevelItem, n, &l.Items}, {model.LevelCase, n / 10, &l.Cases}, {model.LevelPallet, n / 500, &l.Pallets}} {
			r, err := eng.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: l.Name, CreateLot: true, Level: b.lvl, Count: uint64(b.n)})
			if err != nil {
				return nil, fmt.Errorf("mint lot %s: %w", l.Name, err)
			}
			*b.id = r.Block.ID
		}
		lots = append(lots, l)
	}
	return lots, nil
}

// commissionLots commissions the item and case blocks of lots: one range
// report a block (the native compact form a line sends). Pallets are SSCCs:
// their units are registered by the pack that fills them.
func commissionLots(ctx context.Context, eng *engine.Engine, meta chain.ReportMeta, lots []worldfile.Lot) error {
	for _, l := range lots {
		for _, b := range []struct {
			id uint64
			n  int
		}{{l.Items, l.Count}, {l.Cases, l.Count / 10}} {
			if _, err := eng.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: meta, Action: chain.LineCommission,
				Items: chain.Items{Ranges: []chain.BlockRange{{Block: b.id, First: 0, Last: uint64(b.n - 1)}}}}); err != nil {
				return fmt.Errorf("commission lot %s: %w", l.Name, err)
			}
		}
	}
	return nil
}

// packLots packs every pallet of lots in line order — a report of its 50
// cases of 10 items, then a report of the cases onto the pallet, each
// acknowledged once durable — from reporters goroutines at once.
func packLots(ctx context.Context, eng *engine.Engine, meta chain.ReportMeta, lots []worldfile.Lot, reporters int, bar Progress) error {
	type job struct {
		lot    *worldfile.Lot
		pallet int
	}
	var jobs []job
	for i := range lots {
		for pl := range lots[i].Count / 500 {
			jobs = append(jobs, job{&lots[i], pl})
		}
	}
	var (
		next  atomic.Int64
		mu    sync.Mutex // bar and first
		first error
		wg    sync.WaitGroup
	)
	caseMeta := meta
	caseMeta.Time = meta.Time.Add(time.Hour)
	for range reporters {
		wg.Go(func() {
			for {
				k := next.Add(1) - 1
				if k >= int64(len(jobs)) || ctx.Err() != nil {
					return
				}
				j := jobs[k]
				r := &chain.PackReport{ReportMeta: meta, Packs: make([]chain.Pack, 0, 50)}
				for c := j.pallet * 50; c < (j.pallet+1)*50; c++ {
					r.Packs = append(r.Packs, chain.Pack{Parent: chain.Ref{Block: j.lot.Cases, Offset: uint64(c)},
						Children: chain.Items{Ranges: []chain.BlockRange{{Block: j.lot.Items, First: uint64(c * 10), Last: uint64(c*10 + 9)}}}})
				}
				_, err := eng.Reports().Pack(ctx, r)
				if err == nil {
					_, err = eng.Reports().Pack(ctx, &chain.PackReport{ReportMeta: caseMeta, Packs: []chain.Pack{{
						Parent:   chain.Ref{Block: j.lot.Pallets, Offset: uint64(j.pallet)},
						Children: chain.Items{Ranges: []chain.BlockRange{{Block: j.lot.Cases, First: uint64(j.pallet * 50), Last: uint64(j.pallet*50 + 49)}}}}}})
				}
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("pack pallet %d of lot %s: %w", j.pallet, j.lot.Name, err)
				}
				bar.Add(500)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// captureLots captures shipping and receiving of every pallet of lots as
// EPCIS 2.0 JSON documents of 500 events, and an inspection of each lot.
func captureLots(ctx context.Context, eng *engine.Engine, org uint32, t0 time.Time, lots []worldfile.Lot) (int, error) {
	f, _ := issue.ParseFormat("dl")
	opts := &chain.CaptureOptions{Org: org}
	n := 0
	var evs []string
	flush := func() error {
		if len(evs) == 0 {
			return nil
		}
		if _, err := eng.Reports().CaptureJSON(ctx, strings.NewReader(epcisDoc(evs)), opts); err != nil {
			return err
		}
		n += len(evs)
		evs = evs[:0]
		return nil
	}
	for _, l := range lots {
		var buf bytes.Buffer
		if _, err := eng.Issuance().WriteCodes(ctx, &buf, l.Pallets, issue.StreamOptions{Format: f, Workers: 1}); err != nil {
			return n, err
		}
		sc := bufio.NewScanner(&buf)
		for sc.Scan() {
			for i, step := range []string{"shipping", "receiving"} {
				evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":%q,"readPoint":{"id":"urn:epc:id:sgln:9520123.00001.0"}}`,
					t0.Add(time.Duration(3+i)*time.Hour).Format(time.RFC3339), sc.Text(), step))
			}
			if len(evs) >= 500 {
				if err := flush(); err != nil {
					return n, err
				}
			}
		}
		evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","quantityList":[{"epcClass":"https://id.gs1.org/01/%s/10/%s"}],"action":"OBSERVE","bizStep":"inspecting"}`,
			t0.Add(30*time.Minute).Format(time.RFC3339), benchGTIN, l.Name))
	}
	return n, flush()
}

// writeSample writes DIR/codes.tsv: about maxCodes codes of the lots' packed
// items, each lot's share proportional to its items, in runs of ten
// consecutive items (a case) at random places, and returns them. It fills
// each lot's SampleFirst and SampleCount.
func writeSample(ctx context.Context, eng *engine.Engine, dir string, lots []worldfile.Lot, maxCodes int) ([]string, error) {
	total := 0
	for _, l := range lots {
		total += l.Count
	}
	rng := rand.New(rand.NewPCG(41, 42))
	f, _ := issue.ParseFormat("dl")
	var out bytes.Buffer
	var codes []string
	for i := range lots {
		l := &lots[i]
		want := max(10, int(int64(maxCodes)*int64(l.Count)/int64(total)))
		cases := min(want/10, l.Count/10)
		// Distinct cases, in order.
		picked := rng.Perm(l.Count / 10)[:cases]
		slices.Sort(picked)
		l.SampleFirst = len(codes)
		for _, c := range picked {
			var buf bytes.Buffer
			if _, err := eng.Issuance().WriteCodes(ctx, &buf, l.Items, issue.StreamOptions{Format: f, Offset: uint64(c * 10), Limit: 10, Workers: 1}); err != nil {
				return nil, err
			}
			sc := bufio.NewScanner(&buf)
			for sc.Scan() {
				codes = append(codes, sc.Text())
				out.WriteString(l.Name)
				out.WriteByte('\t')
				out.WriteString(sc.Text())
				out.WriteByte('\n')
			}
		}
		l.SampleCount = len(codes) - l.SampleFirst
	}
	if len(codes) == 0 {
		return nil, errors.New("world: no codes sampled")
	}
	return codes, os.WriteFile(filepath.Join(dir, worldfile.SampleFile), out.Bytes(), 0o644)
}

// freshLotName names the lot a run packs into the world: unique per run.
func freshLotName() string {
	return "R" + strings.ToUpper(strconv.FormatInt(time.Now().UnixMilli(), 36))
}
