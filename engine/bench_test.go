package engine

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"tracecode/engine/code"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// BenchmarkIssuance measures the issuance design and, in the same run, the
// plain design — one Pebble key per serial — for comparison:
//
//	go test -run '^$' -bench Issuance -benchtime 2s ./engine
//
// Sub-benchmarks whose op is fixed-size (a 1e8-code mint, a 1e7-key plain
// load) report their rates as custom metrics. docs/performance.md
// ("Issuance (engine)") records the figures.
func BenchmarkIssuance(b *testing.B) {
	b.Run("Mint/count=100000000", benchMint)
	b.Run("MintParallel/count=1000", benchMintParallel)
	for _, c := range []struct {
		fm       issue.Format
		compress string
		workers  int
	}{
		{issue.FormatDL, "zstd", 0},
		{issue.FormatDL, "zstd", 1},
		{issue.FormatDL, "", 0},
		{issue.FormatDL, "gzip", 0},
		{issue.FormatSerial, "", 0},
		{issue.FormatElement, "zstd", 0},
		{issue.FormatCSV, "zstd", 0},
	} {
		name := fmt.Sprintf("Stream/format=%v/compress=%s/workers=%d", c.fm, orNone(c.compress), c.workers)
		b.Run(name, func(b *testing.B) { benchStream(b, c.fm, c.compress, c.workers) })
	}
	fx := newLookupFixture(b)
	b.Run("Lookup/blocks=10000/codes=1e9", fx.benchLookup)
	b.Run("LookupGuess/blocks=10000/codes=1e9", fx.benchGuess)
	b.Run("Disk/blocks=10000/codes=1e9", fx.benchDisk)
	b.Run("Plain/codes=10000000", benchPlain)
}

// cpuTime returns the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func benchEngine(b *testing.B) (*Engine, model.Product) {
	b.Helper()
	e, err := Open(b.TempDir(), nil) // default options: what production runs
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	p, err := e.Issuance().AddProduct(b.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, DrugID: "8612345", NameZH: "测试", Category: model.CatDrug})
	if err != nil {
		b.Fatal(err)
	}
	return e, p
}

// benchMint: one op mints a block of 1e8 codes and waits for its fsync.
func benchMint(b *testing.B) {
	e, p := benchEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		if i%5000 == 4999 { // stay below the gs1 cap of 1e12 per product
			gtin := fmt.Sprintf("1%012d", i)
			cd, _ := gs1.CheckDigit(gtin)
			np, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: gtin + string(cd), GCPLength: 7, NameZH: "x", Category: model.CatFood})
			if err != nil {
				b.Fatal(err)
			}
			p = np
		}
		if _, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Count: 100_000_000, RequestID: fmt.Sprintf("b%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start)
	b.ReportMetric(float64(el.Microseconds())/1000/float64(b.N), "ms/block")
	b.ReportMetric(1e8*float64(b.N)/el.Seconds(), "codes/s")
}

// benchMintParallel: concurrent 1000-code mints from GOMAXPROCS×8
// goroutines, group-committed.
func benchMintParallel(b *testing.B) {
	e, p := benchEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(8)
	var mu sync.Mutex
	n := 0
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			n++
			id := fmt.Sprintf("p%d", n)
			mu.Unlock()
			if _, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Count: 1000, RequestID: id}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "mints/s")
}

// benchStream: one op is one code written; the block is large enough for
// any b.N.
func benchStream(b *testing.B, fm issue.Format, compress string, workers int) {
	e, p := benchEngine(b)
	r, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: p.ID, Lot: "B2026031", CreateLot: true, Count: 1_000_000_000})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := uint64(max(b.N, 1))
	cpu0 := cpuTime()
	st, err := e.Issuance().WriteCodes(context.Background(), io.Discard, r.Block.ID,
		issue.StreamOptions{Format: fm, Compress: compress, Workers: workers, Limit: n})
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	b.SetBytes(int64(st.Bytes / n))
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "codes/s")
	b.ReportMetric(float64(st.Bytes)/float64(n), "bytes/code")
	// CPU time per code (user+system, all threads): on a shared machine
	// wall-clock rates depend on the neighbours; this does not.
	// 2e9/cpu-ns is the rate two idle cores would reach.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/code")
}

// lookupFixture is a store with 10,000 blocks of 100,000 codes (1e9 codes)
// of one product, and sample codes of random blocks.
type lookupFixture struct {
	e       *Engine
	p       model.Product
	samples []string // DL URIs of random minted codes
	guesses []string // DL URIs with random GS1-shaped serials
	build   time.Duration
}

func newLookupFixture(b *testing.B) *lookupFixture {
	e, p := benchEngine(b)
	fx := &lookupFixture{e: e, p: p}
	start := time.Now()
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < 10_000; i += 16 {
				if _, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: p.ID, Lot: fmt.Sprintf("L%d", i%50),
					CreateLot: true, Count: 100_000, RequestID: fmt.Sprintf("f%d", i)}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	fx.build = time.Since(start)
	rng := rand.New(rand.NewPCG(1, 2))
	blocks := e.Issuance().Blocks(issue.BlockFilter{Product: p.ID})
	var sb []byte
	for range 4096 {
		blk := blocks[rng.IntN(len(blocks))]
		var w stringsWriter
		if _, err := e.Issuance().WriteCodes(context.Background(), &w, blk.ID, issue.StreamOptions{Format: issue.FormatDL, Offset: rng.Uint64N(blk.Count), Limit: 1, Workers: 1}); err != nil {
			b.Fatal(err)
		}
		fx.samples = append(fx.samples, w.String()[:len(w.String())-1])
		sb = serial.AppendGS1(append(sb[:0], "https://id.gs1.org/01/"+testGTIN+"/21/"...), 0, rng.Uint64N(serial.DomainGS1))
		fx.guesses = append(fx.guesses, string(sb))
	}
	return fx
}

type stringsWriter struct{ b []byte }

func (w *stringsWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *stringsWriter) String() string              { return string(w.b) }

func (fx *lookupFixture) benchLookup(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r, err := fx.e.Issuance().Lookup(fx.samples[i%len(fx.samples)])
		if err != nil || r.State != model.StateIssued {
			b.Fatal(err)
		}
	}
}

func (fx *lookupFixture) benchGuess(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := fx.e.Issuance().Lookup(fx.guesses[i%len(fx.guesses)]); err == nil {
			b.Fatal("a random serial resolved")
		}
	}
}

// benchDisk reports the store's size with 1e9 minted, unused codes.
func (fx *lookupFixture) benchDisk(b *testing.B) {
	for b.Loop() {
		if err := fx.e.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := fx.e.db.CompactAll(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	tables, _ := fx.e.db.EstimateDiskUsage([]byte{0}, []byte{0xff})
	b.ReportMetric(float64(fx.e.Stats().DiskUsage), "disk-bytes")
	b.ReportMetric(float64(tables), "table-bytes")
	b.ReportMetric(float64(tables)/1e9, "bytes/code")
	b.ReportMetric(float64(tables)/10_000, "bytes/block")
	b.ReportMetric(fx.build.Seconds(), "s-to-mint-10000-blocks")
}

// benchPlain is the plain design: every serial is a Pebble key
// 0xF0|product|serial → (block, counter), written in 10,000-key batches and
// synced at the end of each 1e6-code block; serials arrive in FF1 order,
// i.e. random key order. One op loads 1e7 codes into a fresh store; then
// lookups (parse + Get) are timed.
func benchPlain(b *testing.B) {
	const codes = 10_000_000
	var perCode, diskPerCode, lookupNs float64
	for b.Loop() {
		e, p := benchEngine(b)
		ff := e.iss.Cipher(p.ID, 0, serial.GS1)
		db := e.db
		start := time.Now()
		vals := make([]uint64, 10_000)
		var key, val, ser []byte
		for c := uint64(0); c < codes; c += uint64(len(vals)) {
			for i := range vals {
				vals[i] = c + uint64(i)
			}
			ff.EncryptBatch(vals, vals)
			bt := db.NewBatch()
			for i, v := range vals {
				ser = serial.AppendGS1(ser[:0], 0, v)
				key = append(append(append(key[:0], 0xF0), 0, 0, 0, byte(p.ID)), ser...)
				val = store.Uint(c + uint64(i)).AppendBinary(val[:0])
				bt.Set(key, val)
			}
			if err := bt.Commit((c+uint64(len(vals)))%1_000_000 == 0); err != nil {
				b.Fatal(err)
			}
		}
		el := time.Since(start)
		perCode = el.Seconds() / codes
		if err := db.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := db.CompactAll(context.Background()); err != nil {
			b.Fatal(err)
		}
		tables, _ := db.EstimateDiskUsage([]byte{0xF0}, []byte{0xF1})
		diskPerCode = float64(tables) / codes

		// Lookups: parse the DL, Get the serial key.
		rng := rand.New(rand.NewPCG(3, 4))
		var inputs []string
		for range 4096 {
			v := ff.Encrypt(rng.Uint64N(codes))
			inputs = append(inputs, "https://id.gs1.org/01/"+testGTIN+"/21/"+string(serial.AppendGS1(nil, 0, v)))
		}
		const n = 200_000
		ls := time.Now()
		for i := range n {
			c, err := code.Parse(inputs[i%len(inputs)])
			if err != nil {
				b.Fatal(err)
			}
			key = append(append(key[:0], 0xF0, 0, 0, 0, byte(p.ID)), c.Serial()...)
			found, err := db.Get(key, func([]byte) error { return nil })
			if err != nil || !found {
				b.Fatal("plain lookup missed", err)
			}
		}
		lookupNs = float64(time.Since(ls).Nanoseconds()) / n
	}
	b.ReportMetric(1/perCode, "codes/s")
	b.ReportMetric(diskPerCode, "bytes/code")
	b.ReportMetric(lookupNs/1000, "µs/lookup")
	b.ReportMetric(perCode*1e8*1000, "ms-per-1e8-codes")
}
