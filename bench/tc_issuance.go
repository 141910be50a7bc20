package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"time"

	"tracecode/engine"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// The tracecode half of the issuance scenarios: minting blocks (one record
// each, fsync per request), the one-key-per-serial design on the same
// Pebble for the ratio, streaming every printer format, and looking up
// scanned codes.

// benchGTIN is the product the issuance scenarios mint for.
const benchGTIN = "09520123456788"

// benchCaseGTIN is the case's GTIN (GS1: a GTIN per packaging level): the
// item GTIN with indicator digit 1.
const benchCaseGTIN = "19520123456785"

type tcFixture struct {
	eng     *engine.Engine
	dir     string
	product model.Product
	drug    model.Product
}

func openFixture(e *env, name string) (*tcFixture, error) {
	dir := filepath.Join(e.work, name)
	eng, err := engine.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	food, _ := model.ParseCategory("food")
	drugCat, _ := model.ParseCategory("drug")
	p, err := eng.Issuance().AddProduct(context.Background(), issue.ProductSpec{GTIN: benchGTIN, GCPLength: 7, NameZH: "基准婴幼儿配方乳粉", NameEN: "bench infant formula", Category: food})
	if err != nil {
		eng.Close()
		return nil, err
	}
	d, err := eng.Issuance().AddProduct(context.Background(), issue.ProductSpec{Org: p.Org, DrugID: "8301234", OwnCode: "BENCH-DRUG", NameZH: "基准药品", NameEN: "bench drug", Category: drugCat})
	if err != nil {
		eng.Close()
		return nil, err
	}
	return &tcFixture{eng: eng, dir: dir, product: p, drug: d}, nil
}

func tcMint(ctx context.Context, e *env) error {
	fx, err := openFixture(e, "mint")
	if err != nil {
		return err
	}
	defer fx.eng.Close()
	sz := e.sizes
	s := Scenario{Name: "mint", System: "tracecode", Unit: "code",
		Params: map[string]string{"codes_per_request": strconv.FormatInt(sz.MintBlockCodes, 10),
			"requests": strconv.Itoa(sz.MintBlocks * sz.Repeat), "method": "one block record per request, fsync before acknowledging"}}
	h := newHist()
	bar := e.newBar(int64(sz.MintBlocks*sz.Repeat), "tracecode: mint blocks")
	m := startMeter()
	total := int64(0)
	for rep := 0; rep < sz.Repeat; rep++ {
		t0 := time.Now()
		for i := 0; i < sz.MintBlocks; i++ {
			r0 := time.Now()
			_, err := fx.eng.Issuance().Mint(ctx, issue.MintRequest{Product: fx.product.ID, Lot: "L" + strconv.Itoa(rep),
				CreateLot: true, Count: uint64(sz.MintBlockCodes), RequestID: fmt.Sprintf("bench-%d-%d", rep, i)})
			if err != nil {
				return err
			}
			h.RecordValue(time.Since(r0).Nanoseconds())
			bar.Add(1)
		}
		s.Samples = append(s.Samples, float64(int64(sz.MintBlocks)*sz.MintBlockCodes)/time.Since(t0).Seconds())
		total += int64(sz.MintBlocks) * sz.MintBlockCodes
	}
	bar.Finish()
	m.stop(&s, total)
	s.Latency = latencyOf(h) // per request (a whole block)
	s.Params["latency_unit"] = "request"
	if err := fx.eng.Flush(); err != nil {
		return err
	}
	s.DiskBytes = dirSize(fx.dir)
	s.DiskBytesPerUnit = float64(s.DiskBytes) / float64(total)
	s.Extra = storeExtra(fx.eng.Stats())
	e.res.Scenarios = append(e.res.Scenarios, s)
	return nil
}

// tcPlainMint is the design tracecode avoids: one Pebble key per issued
// serial (keyed by the random-looking serial, as a lookup by serial needs),
// written in batches of 10,000 with the last batch fsynced.
func tcPlainMint(ctx context.Context, e *env) error {
	dir := filepath.Join(e.work, "plain")
	db, err := store.Open(dir, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	n := e.sizes.PGMintCodes * 4
	s := Scenario{Name: "mint", System: "tracecode-plain", Unit: "code",
		Params: map[string]string{"codes_per_request": strconv.Itoa(n), "method": "one Pebble key per serial, 10k-key batches, final fsync"}}
	rng := rand.New(rand.NewPCG(9, 10))
	keys := make([][]byte, 0, 1024)
	bar := e.newBar(int64(n*e.sizes.Repeat), "tracecode-plain: one key per code")
	m := startMeter()
	var val [16]byte
	for rep := 0; rep < e.sizes.Repeat; rep++ {
		t0 := time.Now()
		b := db.NewBatch()
		for i := 0; i < n; i++ {
			k := make([]byte, 0, 18)
			k = append(k, 0xF1) // test/tool range of the prefix registry
			k = binary.BigEndian.AppendUint32(k, 1)
			k = append(k, pgSerial(rng)...)
			binary.BigEndian.PutUint64(val[:8], uint64(rep))
			binary.BigEndian.PutUint64(val[8:], uint64(i))
			b.Set(k, val[:])
			if len(keys) < cap(keys) && rng.IntN(64) == 0 {
				keys = append(keys, k)
			}
			if b.Len() >= 10_000*40 {
				if err := b.Commit(false); err != nil {
					return err
				}
				b.Close()
				b = db.NewBatch()
				bar.Add(10_000)
			}
		}
		if err := b.Commit(true); err != nil {
			return err
		}
		b.Close()
		s.Samples = append(s.Samples, float64(n)/time.Since(t0).Seconds())
	}
	bar.Finish()
	total := int64(n * e.sizes.Repeat)
	m.stop(&s, total)
	if err := db.Flush(); err != nil {
		return err
	}
	s.DiskBytes = dirSize(dir)
	s.DiskBytesPerUnit = float64(s.DiskBytes) / float64(total)
	s.Extra = storeExtra(db.Stats())
	e.res.Scenarios = append(e.res.Scenarios, s)

	// Lookup in the plain design: one Get of the serial's key.
	lk := Scenario{Name: "lookup", System: "tracecode-plain", Unit: "lookup",
		Params: map[string]string{"keys": strconv.FormatInt(total, 10), "method": "Pebble Get by serial"}}
	h := newHist()
	ops := e.sizes.Resolves
	m = startMeter()
	for i := 0; i < ops; i++ {
		k := keys[rng.IntN(len(keys))]
		t0 := time.Now()
		found, err := db.Get(k, func([]byte) error { return nil })
		if err != nil || !found {
			return fmt.Errorf("plain lookup: found=%v err=%v", found, err)
		}
		h.RecordValue(time.Since(t0).Nanoseconds())
	}
	m.stop(&lk, int64(ops))
	lk.Latency = latencyOf(h)
	lk.Samples = []float64{lk.OpsPerSec}
	e.res.Scenarios = append(e.res.Scenarios, lk)
	return nil
}

// streamCase is one printer format to stream.
type streamCase struct {
	name     string
	format   string
	compress string
	scheme   serial.Scheme
	drug     bool
}

var streamCases = []streamCase{
	{"stream/serial", "serial", "", serial.GS1, false},
	{"stream/dl", "dl", "", serial.GS1, false},
	{"stream/dl+zstd", "dl", "zstd", serial.GS1, false},
	{"stream/dl+gzip", "dl", "gzip", serial.GS1, false},
	{"stream/element", "element", "", serial.GS1, false},
	{"stream/gs", "gs", "", serial.GS1, false},
	{"stream/epc-urn", "epc-urn", "", serial.GS1, false},
	{"stream/epc-hex", "epc-hex", "", serial.SGTIN96, false},
	{"stream/nmpa", "nmpa", "", serial.NMPA, true},
	{"stream/short", "short", "", serial.Short, false},
	{"stream/csv+zstd", "csv", "zstd", serial.GS1, false},
}

func tcStream(ctx context.Context, e *env) error {
	fx, err := openFixture(e, "stream")
	if err != nil {
		return err
	}
	defer fx.eng.Close()
	n := e.sizes.StreamCodes
	for _, sc := range streamCases {
		p := fx.product
		if sc.drug {
			p = fx.drug
		}
		res, err := fx.eng.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: "S1", CreateLot: true, Count: uint64(n), Scheme: sc.scheme})
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		f, err := issue.ParseFormat(sc.format)
		if err != nil {
			return err
		}
		s := Scenario{Name: sc.name, System: "tracecode", Unit: "code",
			Params: map[string]string{"codes": strconv.FormatInt(n, 10), "format": sc.format, "compress": sc.compress, "scheme": sc.scheme.String()}}
		bar := e.newBar(n*int64(e.sizes.Repeat), "tracecode: "+sc.name)
		m := startMeter()
		var outBytes uint64
		for rep := 0; rep < e.sizes.Repeat; rep++ {
			t0 := time.Now()
			st, err := fx.eng.Issuance().WriteCodes(ctx, io.Discard, res.Block.ID, issue.StreamOptions{Format: f, Compress: sc.compress})
			if err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
			s.Samples = append(s.Samples, float64(st.Codes)/time.Since(t0).Seconds())
			outBytes += st.Bytes
			bar.Add(int(st.Codes))
		}
		bar.Finish()
		m.stop(&s, n*int64(e.sizes.Repeat))
		// CPU time per million codes survives a busy machine better than
		// the rate does.
		s.Extra = map[string]float64{"output_bytes_per_code": float64(outBytes) / float64(s.Ops),
			"cpu_seconds_per_million_codes": s.CPUSeconds / float64(s.Ops) * 1e6}
		e.res.Scenarios = append(e.res.Scenarios, s)
	}
	return nil
}

// tcLookup looks up scanned Digital Link URIs: Zipf popularity over a
// sample of minted codes, with a share of forged serials.
func tcLookup(ctx context.Context, e *env) error {
	fx, err := openFixture(e, "lookup")
	if err != nil {
		return err
	}
	defer fx.eng.Close()
	// Many blocks so the block index is realistic.
	var blocks []uint64
	for i := 0; i < e.sizes.MintBlocks; i++ {
		r, err := fx.eng.Issuance().Mint(ctx, issue.MintRequest{Product: fx.product.ID, Lot: "L1", CreateLot: true, Count: uint64(e.sizes.MintBlockCodes)})
		if err != nil {
			return err
		}
		blocks = append(blocks, r.Block.ID)
	}
	sample := 10_000
	if sample > e.sizes.Resolves {
		sample = e.sizes.Resolves
	}
	codes := make([]string, 0, sample)
	rng := rand.New(rand.NewPCG(11, 12))
	f, _ := issue.ParseFormat("dl")
	for len(codes) < sample {
		id := blocks[rng.IntN(len(blocks))]
		off := uint64(rng.Int64N(e.sizes.MintBlockCodes - 100))
		var buf bytes.Buffer
		if _, err := fx.eng.Issuance().WriteCodes(ctx, &buf, id, issue.StreamOptions{Format: f, Offset: off, Limit: 100, Workers: 1}); err != nil {
			return err
		}
		sc := bufio.NewScanner(&buf)
		for sc.Scan() && len(codes) < sample {
			codes = append(codes, sc.Text())
		}
	}
	forge := func(c string) string {
		b := []byte(c)
		i := len(b) - 1 - rng.IntN(6) // a serial character
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(13, 14)), 1.1, 1, uint64(len(codes)-1))
	s := Scenario{Name: "lookup", System: "tracecode", Unit: "lookup",
		Params: map[string]string{"minted_codes": strconv.FormatInt(int64(len(blocks))*e.sizes.MintBlockCodes, 10),
			"blocks": strconv.Itoa(len(blocks)), "zipf_s": "1.1", "forged_share": fmt.Sprint(e.sizes.ForgedShare), "input": "Digital Link URI"}}
	h := newHist()
	forged, valid := 0, 0
	ops := e.sizes.Resolves
	m := startMeter()
	for rep := 0; rep < e.sizes.Repeat; rep++ {
		t0 := time.Now()
		for i := 0; i < ops; i++ {
			in := codes[zipf.Uint64()]
			isForged := rng.Float64() < e.sizes.ForgedShare
			if isForged {
				in = forge(in)
			}
			r0 := time.Now()
			_, err := fx.eng.Issuance().Lookup(in)
			h.RecordValue(time.Since(r0).Nanoseconds())
			switch {
			case err == nil:
				valid++
			case isForged && errors.Is(err, model.ErrNeverIssued):
				forged++
			default:
				if !isForged {
					return fmt.Errorf("lookup of minted code %s: %w", in, err)
				}
				forged++
			}
		}
		s.Samples = append(s.Samples, float64(ops)/time.Since(t0).Seconds())
	}
	m.stop(&s, int64(ops*e.sizes.Repeat))
	s.Latency = latencyOf(h)
	s.Extra = map[string]float64{"valid": float64(valid), "forged_rejected": float64(forged)}
	e.res.Scenarios = append(e.res.Scenarios, s)
	return nil
}

func storeExtra(st store.Stats) map[string]float64 {
	x := map[string]float64{
		"read_amp":    float64(st.ReadAmp),
		"compactions": float64(st.CompactionCount),
		"flushes":     float64(st.FlushCount),
	}
	if st.BlockCacheHits+st.BlockCacheMisses > 0 {
		x["block_cache_hit_rate"] = float64(st.BlockCacheHits) / float64(st.BlockCacheHits+st.BlockCacheMisses)
	}
	var tables int64
	for _, b := range st.LevelBytes {
		tables += b
	}
	if tables > 0 && st.WALBytesWritten > 0 {
		// Bytes written to tables by flushes and compactions are not
		// exposed; WAL bytes against live table bytes is the part we can
		// show.
		x["wal_bytes"] = float64(st.WALBytesWritten)
		x["table_bytes"] = float64(tables)
	}
	return x
}
