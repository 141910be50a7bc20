package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/store"
)

// BenchmarkTrace measures aggregation and resolution, and in the same run
// the plain design — one key per child→parent link and one key per
// parent→child link — for comparison:
//
//	go test -run '^$' -bench Trace -benchtime 2s ./engine
//	go test -run '^$' -bench Trace -benchtime 2s -chain.items 10000000 ./engine
//
// The world is built once per process: a billion codes minted, -chain.items
// items commissioned and packed 10 per case and 50 cases per pallet, two
// events per pallet (shipping, receiving, captured as EPCIS documents) and
// one per lot of 100,000 items. Building shows progress on stderr.
// docs/performance.md ("Aggregation and resolution") records the figures.
func BenchmarkTrace(b *testing.B) {
	w := traceWorld(b)
	// pass=first resolves codes never resolved before in this process:
	// their blocks are read from the files (the OS page cache at best) and
	// decompressed — a cold store. pass=warm resolves a sample after one
	// untimed pass over it: the steady state of a server whose block cache
	// holds the indexes (docs/capacity.md sizes it).
	b.Run(fmt.Sprintf("Resolve/design=ranges/pass=first/items=%d", w.n), func(b *testing.B) {
		w.benchResolve(b, w.firstTouch(b, &w.firstRanges), &w.firstRanges)
	})
	b.Run(fmt.Sprintf("Resolve/design=plain/pass=first/items=%d", w.n), func(b *testing.B) {
		w.benchResolvePlain(b, w.firstTouch(b, &w.firstPlain), &w.firstPlain)
	})
	w.warm()
	b.Run(fmt.Sprintf("Resolve/design=ranges/pass=warm/items=%d", w.n), func(b *testing.B) {
		w.benchResolve(b, w.sample, nil)
	})
	b.Run(fmt.Sprintf("Resolve/design=ranges/pass=warm/containercache=off/items=%d", w.n), func(b *testing.B) {
		ts, _ := w.e.tr()
		ts.Resolver().Bypass(true, false)
		defer ts.Resolver().Bypass(false, false)
		w.benchResolve(b, w.sample, nil)
	})
	b.Run(fmt.Sprintf("Resolve/design=ranges/pass=warm/parentwindows=off/items=%d", w.n), func(b *testing.B) {
		ts, _ := w.e.tr()
		ts.Resolver().Bypass(false, true)
		defer ts.Resolver().Bypass(false, false)
		w.benchResolve(b, w.sample, nil)
	})
	b.Run(fmt.Sprintf("Resolve/design=plain/pass=warm/items=%d", w.n), func(b *testing.B) {
		w.benchResolvePlain(b, w.sample, nil)
	})
	b.Run("PackIngest/design=ranges/children=100000", benchPackIngest)
	b.Run("PackIngest/design=plain/children=100000", benchPackIngestPlain)
	b.Run(fmt.Sprintf("Disk/items=%d", w.n), w.benchDisk)
}

var ctxBG = context.Background()

var benchItems = flag.Int("chain.items", 1_000_000, "items commissioned and packed for BenchmarkTrace (a multiple of 500)")

var benchCache = flag.Int64("chain.cache", 0, "Pebble block cache in bytes for BenchmarkTrace (0: the store's default, 256 MiB)")

var benchDir = flag.String("chain.dir", "", "keep BenchmarkTrace's world in this directory and reuse it when a run with the same -chain.items built it (the 10^8 world takes minutes to build)")

type tworld struct {
	n           int
	e           *Engine
	items       model.Block
	cases       model.Block
	pallets     model.Block
	sample      []string // random packed item codes (200,000), resolved once untimed before pass=warm
	first       []string // other random item codes (firstTouchCodes), each resolved at most once per design
	firstRanges int      // codes of first used by design=ranges
	firstPlain  int      // codes of first used by design=plain
	warmed      bool
	plain       *store.DB
	worldStats
}

// worldStats are the build's figures, kept in world.json beside a world
// built under -chain.dir.
type worldStats struct {
	Items       int
	ItemBlock   uint64
	CaseBlock   uint64
	PalletBlock uint64
	Build       time.Duration
	PackRate    float64 // children/s while building (items into cases)
	DesignDisk  uint64  // bytes of tables under the per-item prefixes (0x70–0xBF, store.AreaTrace)
	PlainRate   float64
	PlainDisk   uint64
	Events      int
	CaptureRate float64 // EPCIS events/s while building (documents of 500)
}

var world struct {
	once sync.Once
	w    *tworld
	err  error
}

func traceWorld(b *testing.B) *tworld {
	world.once.Do(func() { world.w, world.err = buildWorld() })
	if world.err != nil {
		b.Fatal(world.err)
	}
	return world.w
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "\rtrace bench: "+format+"\x1b[K", args...)
}

func buildWorld() (*tworld, error) {
	n := *benchItems / 500 * 500
	if *benchDir != "" {
		if w, err := reopenWorld(n); w != nil || err != nil {
			return w, err
		}
		if err := os.RemoveAll(*benchDir); err != nil {
			return nil, err
		}
		if err := os.RemoveAll(*benchDir + ".plain"); err != nil {
			return nil, err
		}
	}
	dir := *benchDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "tracebench"); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	clock := time.Now()
	e, err := Open(dir, &Options{Now: func() time.Time { return clock }, Store: store.Options{CacheSize: *benchCache}})
	if err != nil {
		return nil, err
	}
	w := &tworld{n: n, e: e}
	p, err := e.Issuance().AddProduct(context.Background(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方奶粉", OrgName: "甲乳业有限公司",
		Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase).With(model.LevelPallet), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		return nil, err
	}
	mintB := func(lot string, lvl model.Level, count uint64) (model.Block, error) {
		r, err := e.Issuance().Mint(ctxBG, issue.MintRequest{Product: p.ID, Lot: lot, CreateLot: true, Level: lvl, Count: count})
		return r.Block, err
	}
	if w.items, err = mintB("L0", model.LevelItem, uint64(n)); err != nil {
		return nil, err
	}
	if w.cases, err = mintB("L0", model.LevelCase, uint64(n/10)); err != nil {
		return nil, err
	}
	if w.pallets, err = mintB("L0", model.LevelPallet, uint64(n/500)); err != nil {
		return nil, err
	}
	if _, err = mintB("UNUSED", model.LevelItem, 1_000_000_000-uint64(n)-uint64(n/10)-uint64(n/500)); err != nil {
		return nil, err
	}
	at := clock.Add(-48 * time.Hour)
	meta := func(t time.Time) chain.ReportMeta { return chain.ReportMeta{Org: p.Org, Credential: "bench", Time: t} }
	for _, blk := range []model.Block{w.items, w.cases, w.pallets} {
		if _, err := e.Reports().ReportLine(context.Background(), &chain.LineReport{ReportMeta: meta(at), Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: blk.ID, First: 0, Last: blk.Count - 1}}}}); err != nil {
			return nil, err
		}
	}
	// Items into cases, 10,000 cases (100,000 children) a report.
	t0 := time.Now()
	cases := n / 10
	for c := 0; c < cases; c += 10_000 {
		r := &chain.PackReport{ReportMeta: meta(at.Add(time.Hour))}
		for k := c; k < min(c+10_000, cases); k++ {
			r.Packs = append(r.Packs, chain.Pack{Parent: chain.Ref{Block: w.cases.ID, Offset: uint64(k)},
				Children: chain.Items{Ranges: []chain.BlockRange{{Block: w.items.ID, First: uint64(k * 10), Last: uint64(k*10 + 9)}}}})
		}
		if _, err := e.Reports().Pack(context.Background(), r); err != nil {
			return nil, err
		}
		progress("packed %d/%d items into cases (%.2f M children/s)", (c+len(r.Packs))*10, n,
			float64((c+len(r.Packs))*10)/time.Since(t0).Seconds()/1e6)
	}
	w.PackRate = float64(n) / time.Since(t0).Seconds()
	// Cases onto pallets, 1,000 pallets a report.
	pallets := n / 500
	for pl := 0; pl < pallets; pl += 1000 {
		r := &chain.PackReport{ReportMeta: meta(at.Add(2 * time.Hour))}
		for k := pl; k < min(pl+1000, pallets); k++ {
			r.Packs = append(r.Packs, chain.Pack{Parent: chain.Ref{Block: w.pallets.ID, Offset: uint64(k)},
				Children: chain.Items{Ranges: []chain.BlockRange{{Block: w.cases.ID, First: uint64(k * 50), Last: uint64(k*50 + 49)}}}})
		}
		if _, err := e.Reports().Pack(context.Background(), r); err != nil {
			return nil, err
		}
		progress("packed %d/%d cases onto pallets", min(pl+1000, pallets)*50, cases)
	}
	// Two events per pallet, EPCIS documents of 500 events.
	tc := time.Now()
	for pl := 0; pl < pallets; pl += 250 {
		var evs []string
		for k := pl; k < min(pl+250, pallets); k++ {
			code, _ := e.iss.AppendCode(nil, &w.pallets, uint64(k), issue.FormatDL)
			for i, step := range []string{"shipping", "receiving"} {
				evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":%q,"readPoint":{"id":"urn:epc:id:sgln:9520123.00001.0"}}`,
					at.Add(time.Duration(3+i)*time.Hour).Format(time.RFC3339), code, step))
			}
		}
		if _, err := e.Reports().CaptureJSON(context.Background(), strings.NewReader(doc(evs...)), &chain.CaptureOptions{Org: p.Org}); err != nil {
			return nil, err
		}
		w.Events += len(evs)
		progress("captured %d pallet events", w.Events)
	}
	w.CaptureRate = float64(w.Events) / time.Since(tc).Seconds()
	// One event on lot L0 (an inspection of the lot as a class).
	lotEv := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","quantityList":[{"epcClass":"https://id.gs1.org/01/%s/10/L0"}],"action":"OBSERVE","bizStep":"inspecting"}`,
		at.Add(30*time.Minute).Format(time.RFC3339), testGTIN)
	if _, err := e.Reports().CaptureJSON(context.Background(), strings.NewReader(doc(lotEv)), &chain.CaptureOptions{Org: p.Org}); err != nil {
		return nil, err
	}
	w.Events++
	// Disk: compact, then measure the tables under the per-item prefixes (0x70–0xBF, store.AreaTrace).
	progress("compacting")
	if err := e.db.Flush(); err != nil {
		return nil, err
	}
	if err := e.db.CompactAll(ctxBG); err != nil {
		return nil, err
	}
	if w.DesignDisk, err = e.db.EstimateDiskUsage([]byte{0x70}, []byte{0xC0}); err != nil {
		return nil, err
	}
	w.drawSample()
	// The plain design in a store of its own, same durability (one synced
	// batch per 100,000 children).
	progress("building the plain design")
	if err := w.buildPlain(dir + ".plain"); err != nil {
		return nil, err
	}
	w.Build = time.Since(start)
	progress("built in %v\n", w.Build.Round(time.Second))
	if *benchDir != "" {
		w.Items, w.ItemBlock, w.CaseBlock, w.PalletBlock = n, w.items.ID, w.cases.ID, w.pallets.ID
		js, err := json.Marshal(&w.worldStats)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(*benchDir, "world.json"), js, 0o644); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// drawSample draws the random item codes every run resolves (the same
// ones for the same world): 200,000 for pass=warm and firstTouchCodes
// others for pass=first.
func (w *tworld) drawSample() {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200_000 {
		code, _ := w.e.iss.AppendCode(nil, &w.items, uint64(rng.IntN(w.n)), issue.FormatDL)
		w.sample = append(w.sample, string(code))
	}
	rng = rand.New(rand.NewPCG(8, 8))
	for range firstTouchCodes {
		code, _ := w.e.iss.AppendCode(nil, &w.items, uint64(rng.IntN(w.n)), issue.FormatDL)
		w.first = append(w.first, string(code))
	}
}

// firstTouchCodes bounds the iterations of all pass=first runs of a
// process (with -count) of one design.
const firstTouchCodes = 1_000_000

// firstTouch returns the first-touch codes the design has not used yet.
func (w *tworld) firstTouch(b *testing.B, used *int) []string {
	if w.warmed {
		b.Fatal("pass=first after pass=warm: the warm pass touched the blocks")
	}
	return w.first[*used:]
}

// warm resolves the warm sample once, untimed.
func (w *tworld) warm() {
	if w.warmed {
		return
	}
	var c resolve.Chain
	for i, code := range w.sample {
		w.e.ResolveInto(&c, code)
		if i%10_000 == 0 {
			progress("warming: %d/%d", i, len(w.sample))
		}
	}
	progress("warmed\n")
	w.warmed = true
}

// reopenWorld opens the world a previous run built under -chain.dir with
// n items, or returns nil when there is none.
func reopenWorld(n int) (*tworld, error) {
	js, err := os.ReadFile(filepath.Join(*benchDir, "world.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	w := &tworld{n: n}
	if err := json.Unmarshal(js, &w.worldStats); err != nil {
		return nil, err
	}
	if w.Items != n {
		return nil, nil
	}
	progress("reusing the world in %s (built in %v)\n", *benchDir, w.Build.Round(time.Second))
	if w.e, err = Open(*benchDir, &Options{Store: store.Options{CacheSize: *benchCache}}); err != nil {
		return nil, err
	}
	for _, b := range []struct {
		id  uint64
		dst *model.Block
	}{{w.ItemBlock, &w.items}, {w.CaseBlock, &w.cases}, {w.PalletBlock, &w.pallets}} {
		if *b.dst, err = w.e.Issuance().Block(b.id); err != nil {
			return nil, err
		}
	}
	if w.plain, err = store.Open(*benchDir+".plain", nil); err != nil {
		return nil, err
	}
	w.drawSample()
	return w, nil
}

// Plain-design keys (prefixes of the tools range, in their own store):
//
//	0xF1 | child product u32 | child counter u64             → parent product u32 | parent counter u64
//	0xF2 | parent product u32 | parent counter u64 | child … → empty
func plainLinks(b *store.Batch, child, parent [12]byte, kb []byte) []byte {
	kb = append(append(kb[:0], 0xF1), child[:]...)
	b.Set(kb, parent[:])
	kb = append(append(append(kb[:0], 0xF2), parent[:]...), child[:]...)
	b.Set(kb, nil)
	return kb
}

func nodeBytes(product uint32, counter uint64) (k [12]byte) {
	binary.BigEndian.PutUint32(k[:], product)
	binary.BigEndian.PutUint64(k[4:], counter)
	return k
}

func (w *tworld) buildPlain(dir string) error {
	db, err := store.Open(dir, nil)
	if err != nil {
		return err
	}
	w.plain = db
	p := w.items.Product
	var kb []byte
	t0 := time.Now()
	bt := db.NewBatch()
	for i := 0; i < w.n; i++ {
		kb = plainLinks(bt, nodeBytes(p, w.items.Start+uint64(i)), nodeBytes(p, w.cases.Start+uint64(i/10)), kb)
		if (i+1)%100_000 == 0 {
			if err := bt.Commit(true); err != nil {
				return err
			}
			bt = db.NewBatch()
			progress("plain design: %d/%d links", i+1, w.n)
		}
	}
	w.PlainRate = float64(w.n) / time.Since(t0).Seconds()
	for i := 0; i < w.n/10; i++ {
		kb = plainLinks(bt, nodeBytes(p, w.cases.Start+uint64(i)), nodeBytes(p, w.pallets.Start+uint64(i/50)), kb)
	}
	if err := bt.Commit(true); err != nil {
		return err
	}
	if err := db.Flush(); err != nil {
		return err
	}
	if err := db.CompactAll(ctxBG); err != nil {
		return err
	}
	w.PlainDisk, err = db.EstimateDiskUsage([]byte{0xF1}, []byte{0xF3})
	return err
}

// latency runs op b.N times over the sample and reports p50 and p99 from
// an HDR histogram (this VM stalls briefly hundreds of times a second, so
// both matter).
// With used nil, codes wrap around; otherwise they are first-touch codes,
// used counts them, and running out fails the benchmark (wrapping would
// make them warm).
func (w *tworld) latency(b *testing.B, codes []string, used *int, op func(code string) error) {
	h := hdr.New(100, int64(time.Second), 3)
	b.ReportAllocs()
	first := used != nil
	i := 0
	cpu0 := cpuTime()
	for b.Loop() {
		if i == len(codes) && first {
			b.Fatalf("the %d first-touch codes ran out: run pass=first with -benchtime Nx, N ≤ %d in all", firstTouchCodes, firstTouchCodes)
		}
		code := codes[i%len(codes)]
		i++
		t := time.Now()
		if err := op(code); err != nil {
			b.Fatal(err)
		}
		h.RecordValue(int64(time.Since(t)))
	}
	// CPU time per op (all threads): what neighbours on a shared VM do not
	// inflate as much as wall-clock time.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(i)/1e3, "cpu-µs/op")
	b.ReportMetric(float64(h.ValueAtQuantile(50))/1e3, "p50-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99))/1e3, "p99-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99.9))/1e3, "p99.9-µs")
	if first {
		*used += i
	}
}

func (w *tworld) benchResolve(b *testing.B, codes []string, used *int) {
	var c resolve.Chain
	w.latency(b, codes, used, func(code string) error {
		if err := w.e.ResolveInto(&c, code); err != nil {
			return err
		}
		if len(c.Parents) != 2 || len(c.Timeline) < 6 {
			return fmt.Errorf("%s: %d parents, %d events", code, len(c.Parents), len(c.Timeline))
		}
		return nil
	})
}

// benchResolvePlain is the plain design's floor for the same question:
// parse and look the code up, then item → case → pallet as three dependent
// Gets (no timeline, no state: those would cost more keys still).
func (w *tworld) benchResolvePlain(b *testing.B, codes []string, used *int) {
	var kb [13]byte
	w.latency(b, codes, used, func(code string) error {
		r, err := w.e.Issuance().Lookup(code)
		if err != nil {
			return err
		}
		n := nodeBytes(r.Product.ID, r.Counter)
		for depth := 0; ; depth++ {
			kb[0] = 0xF1
			copy(kb[1:], n[:])
			found, err := w.plain.Get(kb[:], func(v []byte) error { copy(n[:], v); return nil })
			if err != nil {
				return err
			}
			if !found {
				if depth != 2 {
					return fmt.Errorf("plain chain of %s has %d levels", code, depth)
				}
				return nil
			}
		}
	})
}

func (w *tworld) benchDisk(b *testing.B) {
	for b.Loop() {
	}
	packed := float64(w.n + w.n/10)
	b.ReportMetric(float64(w.DesignDisk)/packed, "bytes/packed-code")
	b.ReportMetric(float64(w.PlainDisk)/packed, "plain-bytes/packed-code")
	b.ReportMetric(w.PackRate, "build-children/s")
	b.ReportMetric(w.PlainRate, "plain-children/s")
	b.ReportMetric(float64(w.Events), "events")
	b.ReportMetric(w.CaptureRate, "capture-events/s")
	b.ReportMetric(w.Build.Seconds(), "build-s")
}

// benchPackIngest packs 10,000 cases of 10 consecutive items per op (one
// report, fsync included) into a store of its own.
func benchPackIngest(b *testing.B) {
	dir := b.TempDir()
	e, err := Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	p, err := e.Issuance().AddProduct(b.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "x", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		b.Fatal(err)
	}
	const perOp = 10_000
	// Enough for any run (minting and commissioning cost almost nothing
	// per code): 10^9 items, 10^8 cases.
	items, _ := e.Issuance().Mint(ctxBG, issue.MintRequest{Product: p.ID, Count: 1_000_000_000})
	cases, _ := e.Issuance().Mint(ctxBG, issue.MintRequest{Product: p.ID, Level: model.LevelCase, Count: 100_000_000})
	meta := chain.ReportMeta{Org: p.Org, Time: time.Now().Add(-time.Hour)}
	for _, blk := range []model.Block{items.Block, cases.Block} {
		if _, err := e.Reports().ReportLine(b.Context(), &chain.LineReport{ReportMeta: meta, Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: blk.ID, First: 0, Last: blk.Count - 1}}}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		r := &chain.PackReport{ReportMeta: meta, Packs: make([]chain.Pack, 0, perOp)}
		for range perOp {
			r.Packs = append(r.Packs, chain.Pack{Parent: chain.Ref{Block: cases.Block.ID, Offset: uint64(k)},
				Children: chain.Items{Ranges: []chain.BlockRange{{Block: items.Block.ID, First: uint64(k * 10), Last: uint64(k*10 + 9)}}}})
			k++
		}
		if _, err := e.Reports().Pack(b.Context(), r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(k*10)/b.Elapsed().Seconds(), "children/s")
}

// benchPackIngestPlain writes the same links the plain way: two keys per
// child, one synced batch per 100,000 children.
func benchPackIngestPlain(b *testing.B) {
	db, err := store.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ReportAllocs()
	var kb []byte
	k := 0
	for b.Loop() {
		bt := db.NewBatch()
		for range 10_000 {
			for j := range 10 {
				kb = plainLinks(bt, nodeBytes(1, uint64(k*10+j)), nodeBytes(1, 1<<40+uint64(k)), kb)
			}
			k++
		}
		if err := bt.Commit(true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(k*10)/b.Elapsed().Seconds(), "children/s")
}
