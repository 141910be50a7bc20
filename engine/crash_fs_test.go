package engine

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"tracecode/engine/agg"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/scanlog"
	"tracecode/engine/serial"
)

// The power-loss test runs a seeded random sequence of acknowledged writes
// — mints, line reports, packing, EPCIS capture, recalls, API keys, scan
// log flushes, imports (an SSTable ingestion) and KEK rotations — on Pebble's crashable in-memory
// filesystem, and at random points takes a crash clone of it: a copy
// holding what was synced and a random share of what was not, as a power
// loss would leave the disk (a SIGKILL keeps the page cache, so only this
// sees a missing fsync). Each clone is reopened, checked (Check, Verify)
// and must hold every write acknowledged before the clone began; it must
// then take new writes. -crash-seed replays a failing run.

var crashSeed = flag.Uint64("crash-seed", 0, "seed of TestPowerLoss (0: a new one, printed)")

const crashDir = "/data"

// crashOptions opens a store on fs with the test clock and kek.
func crashOptions(fs vfs.FS, kek *issue.KEK) *Options {
	o := &Options{Store: smallStore(), KEK: kek, Now: func() time.Time { return testClock }}
	o.Store.FS = fs
	return o
}

// crashAck is one acknowledged write and how to see it in a reopened store.
type crashAck struct {
	what  string
	check func(e *Engine, sl *scanlog.Log) error
}

// crashRun is the state of one power-loss run.
type crashRun struct {
	t    *testing.T
	seed uint64
	rng  *rand.Rand
	fs   *vfs.MemFS
	e    *Engine
	sl   *scanlog.Log
	keys *apikey.Keys
	acks []crashAck
	// keks are the KEKs the store's keys were sealed under, in order;
	// kekAt[i] is how many writes were acknowledged when keks[i] took over.
	keks  []*issue.KEK
	kekAt []int

	items, cases    model.Block
	org, product    uint32
	commissioned    uint64 // items [0, commissioned) are commissioned, in tens
	packed          uint64 // items [0, packed) are packed into cases [0, packed/10)
	scans           uint64
	captured, recal uint64 // next item offsets to capture an event on, to recall
}

func (r *crashRun) fatalf(format string, args ...any) {
	r.t.Helper()
	r.t.Fatalf("seed %d (replay: go test ./engine -run TestPowerLoss -crash-seed %d): %s", r.seed, r.seed, fmt.Sprintf(format, args...))
}

func (r *crashRun) ack(what string, check func(e *Engine, sl *scanlog.Log) error) {
	r.acks = append(r.acks, crashAck{what, check})
}

func (r *crashRun) meta() chain.ReportMeta {
	return chain.ReportMeta{Org: r.org, Credential: "crash", Time: testClock.Add(-time.Hour)}
}

// TestPowerLoss runs four seeds (or the one -crash-seed names).
func TestPowerLoss(t *testing.T) {
	seeds := []uint64{*crashSeed}
	if *crashSeed == 0 {
		seeds = []uint64{rand.Uint64(), rand.Uint64(), rand.Uint64(), rand.Uint64()}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { powerLoss(t, seed) })
	}
}

func powerLoss(t *testing.T, seed uint64) {
	t.Logf("seed %d", seed)
	r := &crashRun{t: t, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x7472616365)), fs: vfs.NewCrashableMem()}
	r.keks, r.kekAt = []*issue.KEK{newTestKEK(t)}, []int{0}
	e, err := Open(crashDir, crashOptions(r.fs, r.keks[0]))
	if err != nil {
		r.fatalf("Open: %v", err)
	}
	r.e = e
	p, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "测试", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), LevelGTINs: caseOf(testGTIN)})
	if err != nil {
		r.fatalf("AddProduct: %v", err)
	}
	r.org, r.product = p.Org, p.ID
	r.items = mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 2000}).Block
	r.cases = mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", Level: model.LevelCase, Count: 200}).Block
	if _, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: r.meta(), Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: r.cases.ID, First: 0, Last: 199}}}}); err != nil {
		r.fatalf("commission cases: %v", err)
	}
	items, cases := r.items, r.cases
	r.ack("product, item and case blocks, commissioned cases", func(e *Engine, _ *scanlog.Log) error {
		for _, b := range []model.Block{items, cases} {
			if got, err := e.Issuance().Block(b.ID); err != nil || got.Start != b.Start || got.Count != b.Count {
				return fmt.Errorf("block %d: %+v, %v", b.ID, got, err)
			}
		}
		return itemHas(e, cases, 0, 199, itemstate.Commissioned)
	})
	r.sl = e.NewScanLog(&scanlog.Options{FlushInterval: time.Millisecond})
	r.keys = e.APIKeys()

	const ops, crashes = 150, 15
	crashAt := map[int]bool{}
	for len(crashAt) < crashes {
		crashAt[r.rng.IntN(ops)] = true
	}
	for i := range ops {
		if !crashAt[i] {
			r.step()
			continue
		}
		// Crash while the next write runs: the clone must hold every
		// write acknowledged before it began.
		acked := len(r.acks)
		pct := r.rng.IntN(101)
		cloneRNG := rand.New(rand.NewPCG(seed, uint64(i)))
		done := make(chan *vfs.MemFS)
		go func() { done <- r.fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: pct, RNG: cloneRNG}) }()
		r.step()
		r.checkClone(<-done, acked, fmt.Sprintf("crash before op %d (%d%% of unsynced data kept)", i, pct))
	}
	if err := r.sl.Close(); err != nil {
		r.fatalf("scan log Close: %v", err)
	}
	if err := e.Close(); err != nil {
		r.fatalf("Close: %v", err)
	}
	t.Logf("%d writes acknowledged, %d KEK rotations", len(r.acks), len(r.keks)-1)
	// A clone after a clean close holds everything.
	r.checkClone(r.fs.CrashClone(vfs.CrashCloneCfg{}), len(r.acks), "after Close")
}

// step performs one random acknowledged write.
func (r *crashRun) step() {
	e := r.e
	switch k := r.rng.IntN(9); {
	case k == 0:
		s := []serial.Scheme{serial.GS1, serial.Short, serial.SGTIN96, serial.SSCC}[r.rng.IntN(4)]
		res, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: r.product, Lot: "L2", CreateLot: true,
			Count: 1 + r.rng.Uint64N(5000), Scheme: s, Level: crashLevel(s), RequestID: fmt.Sprintf("crash-%d", len(r.acks))})
		if err != nil {
			r.fatalf("Mint: %v", err)
		}
		b := res.Block
		fm := issue.FormatDL
		switch s {
		case serial.Short:
			fm = issue.FormatShort
		case serial.SSCC:
			fm = issue.FormatSerial
		}
		last, err := e.iss.AppendCode(nil, &b, b.Count-1, fm)
		if err != nil {
			r.fatalf("code of block %d: %v", b.ID, err)
		}
		if s == serial.SSCC {
			// The SSCC finds its block again, and the next mint after
			// recovery starts past it (Check: no SSCC in two blocks).
			r.ack(fmt.Sprintf("mint of sscc block %d", b.ID), func(e *Engine, _ *scanlog.Log) error {
				sscc, err := gs1.ParseSSCC(string(last))
				if err != nil {
					return err
				}
				if got, off := e.Issuance().SSCCBlock(sscc); got == nil || got.ID != b.ID || off != b.Count-1 {
					return fmt.Errorf("last SSCC %s finds %v offset %d", last, got, off)
				}
				return nil
			})
			break
		}
		r.ack(fmt.Sprintf("mint of block %d", b.ID), func(e *Engine, _ *scanlog.Log) error {
			got, err := e.Issuance().Lookup(string(last))
			if err != nil || got.Block.ID != b.ID || got.Offset != b.Count-1 {
				return fmt.Errorf("last code %s resolves to %+v, %v", last, got.Block, err)
			}
			return nil
		})
	case k == 1 && r.commissioned < r.items.Count:
		lo := r.commissioned
		if _, err := e.Reports().ReportLine(context.Background(), &chain.LineReport{ReportMeta: r.meta(), Action: chain.LineCommission,
			Items: chain.Items{Ranges: []chain.BlockRange{{Block: r.items.ID, First: lo, Last: lo + 9}}}}); err != nil {
			r.fatalf("commission: %v", err)
		}
		r.commissioned += 10
		items := r.items
		r.ack(fmt.Sprintf("commission of items %d–%d", lo, lo+9), func(e *Engine, _ *scanlog.Log) error {
			return itemHas(e, items, lo, lo+9, itemstate.Commissioned)
		})
	case k == 2 && r.packed < r.commissioned:
		lo, c := r.packed, r.packed/10
		if _, err := e.Reports().Pack(context.Background(), &chain.PackReport{ReportMeta: r.meta(), Packs: []chain.Pack{{Parent: chain.Ref{Block: r.cases.ID, Offset: c},
			Children: chain.Items{Ranges: []chain.BlockRange{{Block: r.items.ID, First: lo, Last: lo + 9}}}}}}); err != nil {
			r.fatalf("pack: %v", err)
		}
		r.packed += 10
		items, cases, product := r.items, r.cases, r.product
		r.ack(fmt.Sprintf("packing of items %d–%d into case %d", lo, lo+9, c), func(e *Engine, _ *scanlog.Log) error {
			ar, err := agg.NewReader(e.db)
			if err != nil {
				return err
			}
			defer ar.Close()
			run, ok, err := ar.Parent(agg.Node{Product: product, Counter: items.Start + lo})
			if err != nil || !ok || run.Parent.Counter != cases.Start+c || run.Len() != 10 {
				return fmt.Errorf("packing run %+v, found %v, %v", run, ok, err)
			}
			return nil
		})
	case k == 3 && r.captured < r.commissioned:
		off := r.captured
		r.captured++
		code := r.code(r.items, off)
		ev := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T06:00:00Z","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"inspecting","disposition":"active"}`, code)
		rec, err := e.Reports().CaptureJSON(context.Background(), strings.NewReader(doc(ev)), &chain.CaptureOptions{Org: r.org, Credential: "key:crash"})
		if err != nil || rec.Records != 1 {
			r.fatalf("capture: %+v, %v", rec, err)
		}
		r.ack(fmt.Sprintf("capture of an event on item %d", off), func(e *Engine, _ *scanlog.Log) error {
			c, err := e.Resolve(code)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(c.Timeline, func(en resolve.Entry) bool { return en.Event.BizStep == "inspecting" }) {
				return fmt.Errorf("the captured inspection is not on %s's timeline", code)
			}
			return nil
		})
	case k == 4 && r.recal < r.commissioned:
		off := r.recal
		r.recal += 7
		code := r.code(r.items, off)
		if _, err := e.Reports().Recall(context.Background(), &chain.RecallRequest{ReportMeta: r.meta(), Items: chain.Items{Codes: []string{code}}, Reason: "power-loss test"}); err != nil {
			r.fatalf("recall: %v", err)
		}
		r.ack(fmt.Sprintf("recall of item %d", off), func(e *Engine, _ *scanlog.Log) error {
			if c, err := e.Resolve(code); err != nil || c.Status != resolve.StatusRecalled {
				return fmt.Errorf("%s resolves as %v, %v", code, c.Status, err)
			}
			return nil
		})
	case k == 5:
		token, key, err := r.keys.Create(apikey.Options{Org: r.org, Scopes: apikey.ScopeReport, Name: "crash"})
		if err != nil {
			r.fatalf("API key: %v", err)
		}
		r.ack(fmt.Sprintf("API key %d", key.ID), func(e *Engine, _ *scanlog.Log) error {
			got, err := e.APIKeys().Authenticate(token)
			if err != nil || got.ID != key.ID {
				return fmt.Errorf("authenticate: %+v, %v", got, err)
			}
			return nil
		})
	case k == 6:
		ref := scanlog.Ref{Product: r.product, Counter: r.items.Start}
		n := 1 + r.rng.IntN(20)
		for range n {
			r.scans++
			if _, err := r.sl.Record(scanlog.Scan{Ref: ref, Time: testClock.UnixMilli() + int64(r.scans), Class: scanlog.ClientBrowser}); err != nil {
				r.fatalf("scan: %v", err)
			}
		}
		if err := r.sl.Flush(); err != nil {
			r.fatalf("scan log Flush: %v", err)
		}
		want := r.scans
		r.ack(fmt.Sprintf("%d scans", want), func(_ *Engine, sl *scanlog.Log) error {
			st, err := sl.Stats(ref)
			if err != nil || st.Count < want {
				return fmt.Errorf("scan count %d, %v; want at least %d", st.Count, err, want)
			}
			return nil
		})
	case k == 7:
		n := 1 + r.rng.IntN(300)
		serials := make([]string, n)
		for j := range serials {
			serials[j] = fmt.Sprintf("IMP%d-%d", len(r.acks), j)
		}
		res, err := e.Issuance().Import(context.Background(), issue.ImportRequest{Product: r.product, Lot: "L3", CreateLot: true,
			Serials: serials, RequestID: fmt.Sprintf("crash-import-%d", len(r.acks))})
		if err != nil {
			r.fatalf("Import: %v", err)
		}
		b, last := res.Block, "(01)"+testGTIN+"(21)"+serials[n-1]
		r.ack(fmt.Sprintf("import of block %d", b.ID), func(e *Engine, _ *scanlog.Log) error {
			got, err := e.Issuance().Lookup(last)
			if err != nil || got.Block.ID != b.ID {
				return fmt.Errorf("imported serial %s resolves to %+v, %v", last, got.Block, err)
			}
			return nil
		})
	case k == 8 && len(r.keks) < 4:
		next := newTestKEK(r.t)
		if _, err := e.Issuance().RotateKEK(context.Background(), *next); err != nil {
			r.fatalf("RotateKEK: %v", err)
		}
		r.ack("KEK rotation to "+next.ID(), func(e *Engine, _ *scanlog.Log) error {
			if sealed, id := e.Issuance().KeysSealed(); !sealed || id != next.ID() && !slices.ContainsFunc(r.keks, func(k *issue.KEK) bool { return k.ID() == id }) {
				return fmt.Errorf("keys sealed %v under %s", sealed, id)
			}
			return nil
		})
		r.keks, r.kekAt = append(r.keks, next), append(r.kekAt, len(r.acks))
	default:
		// The chosen write has nothing left to do: a scan instead.
		r.scans++
		if _, err := r.sl.Record(scanlog.Scan{Ref: scanlog.Ref{Product: r.product, Counter: r.items.Start}, Time: testClock.UnixMilli() + int64(r.scans)}); err != nil {
			r.fatalf("scan: %v", err)
		}
	}
}

func (r *crashRun) code(b model.Block, off uint64) string {
	s, err := r.e.iss.AppendCode(nil, &b, off, issue.FormatDL)
	if err != nil {
		r.fatalf("code: %v", err)
	}
	return string(s)
}

// itemHas reports an error unless items [lo, hi] of b all have st.
func itemHas(e *Engine, b model.Block, lo, hi uint64, st itemstate.Kind) error {
	ts, err := e.tr()
	if err != nil {
		return err
	}
	for off := lo; off <= hi; off++ {
		got, err := ts.Items().State(b.ID, off)
		if err != nil || !got.Has(st) {
			return fmt.Errorf("item %d: state %v, %v", off, got, err)
		}
	}
	return nil
}

// checkClone opens the store on a crash clone, checks it, checks the first
// n acknowledged writes and makes one more write.
func (r *crashRun) checkClone(fs *vfs.MemFS, n int, when string) {
	r.t.Helper()
	// The KEK in force when the n-th write was acknowledged opens the
	// store, or — if a rotation was in flight — the next one: the keys are
	// all under one or all under the other, never a mix.
	i := 0
	for i+1 < len(r.kekAt) && r.kekAt[i+1] <= n {
		i++
	}
	e, err := Open(crashDir, crashOptions(fs, r.keks[i]))
	if errors.Is(err, issue.ErrKEK) && i+1 < len(r.keks) {
		e, err = Open(crashDir, crashOptions(fs, r.keks[i+1]))
	}
	if err != nil {
		r.fatalf("%s: Open: %v", when, err)
	}
	defer e.Close()
	if err := e.Issuance().Check(); err != nil {
		r.fatalf("%s: Check: %v", when, err)
	}
	rep, err := e.Verify()
	if err != nil || !rep.OK() {
		r.fatalf("%s: Verify: %v %v", when, err, rep.Err())
	}
	sl := e.NewScanLog(nil)
	defer sl.Close()
	for _, a := range r.acks[:n] {
		if err := a.check(e, sl); err != nil {
			r.fatalf("%s: acknowledged %s is lost: %v", when, a.what, err)
		}
	}
	if _, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: r.product, Lot: "L1", Count: 10}); err != nil {
		r.fatalf("%s: Mint after the crash: %v", when, err)
	}
	if err := e.Issuance().Check(); err != nil {
		r.fatalf("%s: Check after a mint: %v", when, err)
	}
}
