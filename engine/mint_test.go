package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"tracecode/engine/code/gs1"
	"tracecode/engine/config"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// TestMintLookupEveryScheme mints a block under every scheme, streams it
// in every form the block has, and looks every line up again: each must
// resolve to its own block, counter and lot.
func TestMintLookupEveryScheme(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	ctx := context.Background()
	for _, s := range []serial.Scheme{serial.GS1, serial.SGTIN96, serial.NMPA, serial.Short} {
		t.Run(s.String(), func(t *testing.T) {
			lotNo := "LOT-" + s.String()
			r, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Lot: lotNo, CreateLot: true, Count: 50, Scheme: s, RequestID: "req-" + s.String()})
			if err != nil {
				t.Fatal(err)
			}
			if !r.LotCreated || r.Replayed || r.Partial || r.Block.Count != 50 || r.Block.Scheme != s {
				t.Fatalf("result %+v", r)
			}
			fms, err := e.Issuance().Formats(r.Block.ID)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("formats: %v", fms)
			seen := map[string]bool{}
			for _, fm := range fms {
				if fm == issue.FormatCSV {
					continue
				}
				lines := codes(t, e, r.Block.ID, fm, 0, 50)
				for i, line := range lines {
					if fm == issue.FormatSerial {
						if seen[line] {
							t.Fatalf("serial %q twice", line)
						}
						seen[line] = true
						if s == serial.NMPA || s == serial.Short {
							continue // a bare 13-digit or short serial needs its context below
						}
						line = "(01)" + testGTIN + "(21)" + line
					}
					got, err := e.Issuance().Lookup(line)
					if err != nil {
						t.Fatalf("%v line %d %q: %v", fm, i, line, err)
					}
					if got.Block.ID != r.Block.ID || got.Counter != r.Block.Start+uint64(i) || got.Offset != uint64(i) ||
						got.State != model.StateIssued || got.Lot.Number != lotNo || got.Product.ID != p.ID || got.Org.ID != p.Org {
						t.Fatalf("%v line %d %q resolved to %+v, want block %+v", fm, i, line, got, r.Block)
					}
				}
			}
			// CSV: a header and one row per code, all forms of a code on it.
			lines := codes(t, e, r.Block.ID, issue.FormatCSV, 10, 5)
			if len(lines) != 6 || !strings.HasPrefix(lines[0], "offset,counter,serial") {
				t.Fatalf("csv: %q", lines)
			}
			if !strings.HasPrefix(lines[1], fmt.Sprintf("10,%d,", r.Block.Start+10)) {
				t.Fatalf("csv row: %q", lines[1])
			}
		})
	}
	// Counters are shared by the product's schemes: blocks are consecutive.
	st, _ := e.Issuance().ProductState(p.ID)
	want := model.ProductState{HighWater: 200}
	for _, s := range []serial.Scheme{serial.GS1, serial.SGTIN96, serial.NMPA, serial.Short} {
		want.Issued[s] = 50
	}
	if st != want {
		t.Fatalf("state %+v, want %+v", st, want)
	}
}

func TestLookupReasons(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	r := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10, RequestID: "a"})
	ok := codes(t, e, r.Block.ID, issue.FormatDL, 3, 1)[0]
	if _, err := e.Issuance().Lookup(ok); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   string
		kind error
		has  string
	}{
		{"check digit", "https://id.gs1.org/01/09520123456789/21/A000000000000", model.ErrBadCode, "expected 8"},
		{"garbage", "hello world", model.ErrBadCode, ""},
		{"unknown product", "(01)" + testGTIN2 + "(21)A000000000000", model.ErrUnknownProduct, testGTIN2},
		{"no serial", "(01)" + testGTIN + "(10)L1", model.ErrNoSerial, ""},
		{"sscc", "(00)106141412345678908", model.ErrUnsupportedCode, ""},
		{"lower case serial", "(01)" + testGTIN + "(21)a000000000000", model.ErrNeverIssued, "shape"},
		{"wrong key generation", "(01)" + testGTIN + "(21)B000000000000", model.ErrNeverIssued, "generation"},
		{"lot mismatch", strings.Replace(ok, "/10/L1/", "/10/L2/", 1), model.ErrLotMismatch, "L2"},
		{"nmpa unknown drug", "86123450000000000000"[:0] + "86999990000000000001", model.ErrUnknownProduct, "8699999"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.Issuance().Lookup(c.in)
			var le *model.LookupError
			if !errors.As(err, &le) || !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.has) {
				t.Fatalf("Lookup(%q) = %v; want %v containing %q", c.in, err, c.kind, c.has)
			}
		})
	}
	// A guessed serial of the right shape is almost surely never issued,
	// and the reason says why (above high-water, or a gap).
	_, err := e.Issuance().Lookup("(01)" + testGTIN + "(21)A0000000000AB")
	if !errors.Is(err, model.ErrNeverIssued) || !strings.Contains(err.Error(), "high-water") {
		t.Fatalf("guess: %v", err)
	}
	var cde *gs1.CheckDigitError
	_, err = e.Issuance().Lookup("https://id.gs1.org/01/09520123456789/21/X")
	if !errors.As(err, &cde) || cde.Expected != '8' {
		t.Fatalf("check digit error not reachable: %v", err)
	}
}

// TestGuessRate: random serials of the GS1 shape resolve at rate issued/N,
// i.e. essentially never.
func TestGuessRate(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "")
	mint(t, e, issue.MintRequest{Product: p.ID, Count: 1_000_000_000})
	hits := 0
	for i := 0; i < 2000; i++ {
		s := serial.AppendGS1([]byte("(01)"+testGTIN+"(21)"), 0, uint64(i)*2_369_211_669_160_808_448%serial.DomainGS1+uint64(i))
		if _, err := e.Issuance().Lookup(string(s)); err == nil {
			hits++
		} else if !errors.Is(err, model.ErrNeverIssued) {
			t.Fatal(err)
		}
	}
	// P(hit) = 1e9/4.7e18 ≈ 2e-10 per guess.
	if hits > 0 {
		t.Fatalf("%d of 2000 guesses hit", hits)
	}
}

func TestIdempotency(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	req := issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 1000, RequestID: "line-1/0001"}
	first := mint(t, e, req)
	before := dump(t, e)
	again := mint(t, e, req)
	if !again.Replayed || again.Block != first.Block || again.LotCreated {
		t.Fatalf("retry: %+v, first %+v", again, first)
	}
	if dump(t, e) != before {
		t.Fatal("a replay wrote to the store")
	}
	for _, c := range []struct {
		field string
		mod   func(*issue.MintRequest)
	}{
		{"count", func(r *issue.MintRequest) { r.Count = 999 }},
		{"lot", func(r *issue.MintRequest) { r.Lot = "L2" }},
		{"scheme", func(r *issue.MintRequest) { r.Scheme = serial.NMPA }},
		{"level", func(r *issue.MintRequest) { r.Level = model.LevelCase }},
		{"allow-partial", func(r *issue.MintRequest) { r.AllowPartial = true }},
	} {
		r := req
		c.mod(&r)
		_, err := e.Issuance().Mint(context.Background(), r)
		var ce *model.ConflictError
		if !errors.As(err, &ce) || ce.Field != c.field || ce.Block != first.Block.ID {
			t.Errorf("changed %s: err %v", c.field, err)
		}
	}
	if dump(t, e) != before {
		t.Fatal("a conflicting retry wrote to the store")
	}
	// The same id in another organisation is another request.
	p2 := addDrug(t, e, testGTIN2, "")
	r2 := mint(t, e, issue.MintRequest{Product: p2.ID, Count: 5, RequestID: req.RequestID})
	if r2.Replayed {
		t.Fatal("request ids are per organisation")
	}
	// Replays survive a reopen.
	e = reopen(t, e)
	again = mint(t, e, req)
	if !again.Replayed || again.Block != first.Block {
		t.Fatalf("retry after reopen: %+v", again)
	}
}

func TestConcurrentMintsGroupCommit(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "")
	const n = 64
	var wg sync.WaitGroup
	res := make([]issue.MintResult, 2*n)
	errs := make([]error, 2*n)
	for i := range 2 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every request is sent twice concurrently: one mints, the
			// other replays the same block.
			res[i], errs[i] = e.Issuance().Mint(context.Background(), issue.MintRequest{Product: p.ID, Count: uint64(100 + i%n),
				Lot: fmt.Sprintf("L%d", i%n%5), CreateLot: true, RequestID: fmt.Sprintf("r%d", i%n)})
		}()
	}
	wg.Wait()
	var total uint64
	for i := range n {
		if errs[i] != nil || errs[i+n] != nil {
			t.Fatal(errs[i], errs[i+n])
		}
		a, b := res[i], res[i+n]
		if a.Block != b.Block || a.Replayed == b.Replayed {
			t.Fatalf("request r%d: %+v and %+v", i, a, b)
		}
		total += a.Block.Count
	}
	st, _ := e.Issuance().ProductState(p.ID)
	if st.HighWater != total {
		t.Fatalf("high-water %d, blocks total %d", st.HighWater, total)
	}
	if got := len(e.Issuance().Lots(p.ID)); got != 5 {
		t.Fatalf("%d lots, want 5", got)
	}
}

func TestCapsAndPartial(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	ctx := context.Background()
	mint(t, e, issue.MintRequest{Product: p.ID, Scheme: serial.SGTIN96, Count: serial.CapSGTIN96 - 10})
	before := dump(t, e)
	_, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Scheme: serial.SGTIN96, Count: 11, Lot: "NEW", CreateLot: true})
	var ce *model.CapError
	if !errors.As(err, &ce) || ce.Cap != serial.CapSGTIN96 || ce.Issued != serial.CapSGTIN96-10 {
		t.Fatalf("over cap: %v", err)
	}
	if dump(t, e) != before {
		t.Fatal("a refused mint wrote to the store (or created its lot)")
	}
	r := mint(t, e, issue.MintRequest{Product: p.ID, Scheme: serial.SGTIN96, Count: 11, AllowPartial: true, RequestID: "p"})
	if !r.Partial || r.Block.Count != 10 || r.Block.Requested != 11 {
		t.Fatalf("partial: %+v", r)
	}
	if _, err := e.Issuance().Mint(ctx, issue.MintRequest{Product: p.ID, Scheme: serial.SGTIN96, Count: 1, AllowPartial: true}); !errors.Is(err, model.ErrCap) {
		t.Fatalf("at cap: %v", err)
	}
	// Other schemes keep their own caps; the last sgtin code still resolves.
	mint(t, e, issue.MintRequest{Product: p.ID, Scheme: serial.GS1, Count: 5})
	last := codes(t, e, r.Block.ID, issue.FormatEPCHex, 9, 1)[0]
	if got, err := e.Issuance().Lookup(last); err != nil || got.Offset != 9 {
		t.Fatalf("%s: %+v %v", last, got, err)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "")
	other := addDrug(t, e, testGTIN2, "")
	mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 1})
	ctx := context.Background()
	before := dump(t, e)
	cases := []struct {
		name string
		req  issue.MintRequest
		want error
		has  string
	}{
		{"unknown product", issue.MintRequest{Product: 99, Count: 1}, model.ErrUnknownProduct, "99"},
		{"unknown lot", issue.MintRequest{Product: p.ID, Lot: "NOPE", Count: 1}, model.ErrUnknownLot, "NOPE"},
		{"count 0", issue.MintRequest{Product: p.ID, Count: 0}, model.ErrInvalid, "count"},
		{"count above limit", issue.MintRequest{Product: p.ID, Count: config.DefaultMaxMintCount + 1}, model.ErrInvalid, "limit"},
		{"lot outside CSET 82", issue.MintRequest{Product: p.ID, Lot: "L 1", CreateLot: true, Count: 1}, model.ErrInvalid, "position 2"},
		{"lot too long", issue.MintRequest{Product: p.ID, Lot: strings.Repeat("A", 21), CreateLot: true, Count: 1}, model.ErrInvalid, "21 characters"},
		{"lot in Chinese", issue.MintRequest{Product: p.ID, Lot: "批号1", CreateLot: true, Count: 1}, model.ErrInvalid, "批"},
		{"product of another organisation", issue.MintRequest{Org: other.Org, Product: p.ID, Count: 1}, model.ErrWrongOrg, "belongs to organisation"},
		{"unknown organisation", issue.MintRequest{Org: 77, Product: p.ID, Count: 1}, model.ErrUnknownOrg, "77"},
		{"nmpa without drug id", issue.MintRequest{Product: p.ID, Scheme: serial.NMPA, Count: 1}, model.ErrScheme, "drug identification"},
		{"imported via mint", issue.MintRequest{Product: p.ID, Scheme: serial.Imported, Count: 1}, model.ErrScheme, "Import"},
		{"level not of product", issue.MintRequest{Product: p.ID, Level: model.LevelPallet, Count: 1}, model.ErrInvalid, "pallet"},
		{"bad request id", issue.MintRequest{Product: p.ID, Count: 1, RequestID: "a b"}, model.ErrInvalid, "request id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.Issuance().Mint(ctx, c.req)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.has) {
				t.Fatalf("err = %v; want %v mentioning %q", err, c.want, c.has)
			}
			if dump(t, e) != before {
				t.Fatal("the refused request wrote to the store")
			}
		})
	}
	// Master data errors write nothing either.
	for _, spec := range []issue.ProductSpec{
		{GTIN: "09520123456789", GCPLength: 7, NameZH: "x", Category: 1},  // check digit
		{GTIN: testGTIN, GCPLength: 7, NameZH: "x", Category: 1},          // exists
		{GTIN: "04012345000009", GCPLength: 5, NameZH: "x", Category: 1},  // gcp length
		{GTIN: "04012345000009", GCPLength: 7, NameZH: "", Category: 1},   // name
		{GTIN: "04012345000009", GCPLength: 7, NameZH: "x", Category: 99}, // category
		{GTIN: "04012345000009", GCPLength: 7, NameZH: "x", Category: 1, Org: other.Org, DrugID: "12"},
	} {
		if _, err := e.Issuance().AddProduct(ctx, spec); err == nil {
			t.Errorf("AddProduct(%+v) succeeded", spec)
		}
	}
	for _, spec := range []issue.LotSpec{{Product: 99, Number: "X"}, {Product: p.ID, Number: "L1"}, {Product: p.ID, Number: "X", Produced: 20260230}} {
		if _, err := e.Issuance().AddLot(ctx, spec); err == nil {
			t.Errorf("AddLot(%+v) succeeded", spec)
		}
	}
	if dump(t, e) != before {
		t.Fatal("refused master data wrote to the store")
	}
}

// FuzzLookup: no input makes Lookup panic, and whatever resolves is a code
// of a minted block whose stream form resolves to the same place.
func FuzzLookup(f *testing.F) {
	e := openTest(f, "")
	p := addDrug(f, e, testGTIN, "8612345")
	var seeds []string
	for _, s := range []serial.Scheme{serial.GS1, serial.SGTIN96, serial.NMPA, serial.Short} {
		r := mint(f, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 3, Scheme: s})
		fms, _ := e.Issuance().Formats(r.Block.ID)
		for _, fm := range fms {
			if fm != issue.FormatCSV {
				seeds = append(seeds, codes(f, e, r.Block.ID, fm, 1, 1)[0])
			}
		}
	}
	seeds = append(seeds, "(01)09520123456789(21)X", "]d2010952012345678821ABC", "urn:epc:id:sgtin:9520123.045678.1", "", "\x00")
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := e.Issuance().Lookup(in)
		if err != nil {
			return
		}
		if r.Block.ID == 0 || r.Counter != r.Block.Start+r.Offset || r.State != model.StateIssued {
			t.Fatalf("Lookup(%q) = %+v without error", in, r)
		}
	})
}
