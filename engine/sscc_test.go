package engine

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/serial"
)

// addPalletProduct adds a product of GS1 company prefix gcp (7 digits)
// with items, cases and pallets.
func addPalletProduct(t *testing.T, e *Engine, gcp string) model.Product {
	t.Helper()
	body := "0" + gcp + "00000"
	cd, err := gs1.CheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	gtin := body + string(cd)
	p, err := e.Issuance().AddProduct(context.Background(), issue.ProductSpec{GTIN: gtin, GCPLength: len(gcp), NameZH: "托盘测试", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase).With(model.LevelPallet), LevelGTINs: caseOf(gtin)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// withFilter returns 96-bit tag hex h with its filter value replaced.
func withFilter(t *testing.T, h string, filter byte) string {
	t.Helper()
	raw, err := hex.DecodeString(h)
	if err != nil || len(raw) != 12 {
		t.Fatalf("hex %q: %v", h, err)
	}
	raw[1] = raw[1]&0x1F | filter<<5
	return strings.ToUpper(hex.EncodeToString(raw))
}

// TestSSCCForms mints pallets (an sscc block by default) and mixed cases
// and checks every form against the vectors of testdata/sscc-vectors.txt.
func TestSSCCForms(t *testing.T) {
	data, err := os.ReadFile("testdata/sscc-vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "|")
		gcp, sr, element, urn, vecHex := f[0], f[1], f[2], f[3], f[4]
		ref, _ := strconv.ParseUint(sr, 10, 64)
		e := openTest(t, "")
		p := addPalletProduct(t, e, gcp)
		res := mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelPallet, Count: ref + 2})
		b := res.Block
		if b.Scheme != serial.SSCC || b.Level != model.LevelPallet || b.ShortStart != 0 {
			t.Fatalf("mint at level pallet: block %+v, want an sscc block from serial reference 0", b)
		}
		digits := element[4:]
		want := map[issue.Format]string{
			issue.FormatSerial:  digits,
			issue.FormatElement: element,
			issue.FormatEPCURN:  urn,
			issue.FormatEPCHex:  withFilter(t, vecHex, 6), // Unit Load
			issue.FormatGS:      "00" + digits,
		}
		for fm, w := range want {
			if got := codes(t, e, b.ID, fm, ref, 1)[0]; got != w {
				t.Errorf("%v of serial reference %d = %q, want %q", fm, ref, got, w)
			}
			if fm == issue.FormatGS {
				continue
			}
			if got, err := e.iss.AppendCode(nil, &b, ref, fm); err != nil || string(got) != w {
				t.Errorf("AppendCode %v = %q, %v; want %q", fm, got, err, w)
			}
		}
		if dl := codes(t, e, b.ID, issue.FormatDL, ref, 1)[0]; !strings.HasSuffix(dl, "/00/"+digits) || !strings.HasPrefix(dl, "https://") {
			t.Errorf("Digital Link %q, want RESOLVER/00/%s", dl, digits)
		}
		// The SSCC-96 hex agrees with the EPC package's encoder.
		s, _ := gs1.ParseSSCC(digits)
		x, _ := epc.SSCCFromGS1(s, len(gcp))
		if h, _ := x.AppendHex96(nil, 6); string(h) != want[issue.FormatEPCHex] {
			t.Errorf("epc encodes %s, the block %s", h, want[issue.FormatEPCHex])
		}
		// CSV has every form; short codes make no sense for an SSCC.
		csv := codes(t, e, b.ID, issue.FormatCSV, ref, 1)
		if csv[0] != "offset,counter,serial,dl,element,epc_urn,epc_hex" || !strings.Contains(csv[1], ","+urn+","+want[issue.FormatEPCHex]) {
			t.Errorf("CSV %q", csv)
		}
		_, err := e.Issuance().WriteCodes(context.Background(), &bytes.Buffer{}, b.ID, issue.StreamOptions{Format: issue.FormatShort})
		if !errors.Is(err, model.ErrScheme) || !strings.Contains(err.Error(), "sscc scheme") || !strings.Contains(err.Error(), "epc-hex") {
			t.Errorf("short codes of an sscc block: %v", err)
		}
		// The same serial reference minted as a mixed case: filter 2.
		cases := mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelCase, Scheme: serial.SSCC, Count: 1}).Block
		if cases.ShortStart != ref+2 {
			t.Errorf("mixed cases start at serial reference %d, want %d (after the pallets)", cases.ShortStart, ref+2)
		}
		h := codes(t, e, cases.ID, issue.FormatEPCHex, 0, 1)[0]
		if h[2] != withFilter(t, vecHex, 2)[2] {
			t.Errorf("mixed case SSCC-96 %s: want filter 2 (Full Case for Transport)", h)
		}
		// Items and inner packs are not logistic units.
		if _, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: p.ID, Scheme: serial.SSCC, Count: 1}); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("SSCCs at level item: %v", err)
		}
		// Naming another scheme keeps SGTIN pallets (filter 6).
		sg := mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelPallet, Scheme: serial.SGTIN96, Count: 1}).Block
		if h := codes(t, e, sg.ID, issue.FormatEPCHex, 0, 1)[0]; h[:2] != "30" || h[2] != 'C' && h[2] != 'D' {
			t.Errorf("SGTIN-96 pallet %s: want header 30, filter 6", h)
		}
	}
}

// TestSSCCSequence: serial references follow each other across products
// of one company prefix and across a reopen, never issued twice; a range
// skips an SSCC a pack report registered; the prefix's capacity is
// refused with a clear message.
func TestSSCCSequence(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	p := addPalletProduct(t, e, "9520123")
	b1 := mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelPallet, Count: 5}).Block
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openTest(t, dir)
	b2 := mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelPallet, Count: 3}).Block
	if b1.ShortStart != 0 || b2.ShortStart != 5 {
		t.Fatalf("serial references after reopen: %d then %d, want 0 then 5", b1.ShortStart, b2.ShortStart)
	}
	seen := map[string]uint64{}
	for _, b := range []model.Block{b1, b2} {
		for i, c := range codes(t, e, b.ID, issue.FormatSerial, 0, b.Count) {
			if prev, dup := seen[c]; dup {
				t.Fatalf("SSCC %s in blocks %d and %d", c, prev, b.ID)
			}
			seen[c] = b.ID
			s, err := gs1.ParseSSCC(c)
			if err != nil {
				t.Fatal(err)
			}
			if got, off := e.Issuance().SSCCBlock(s); got == nil || got.ID != b.ID || off != uint64(i) {
				t.Fatalf("SSCC %s finds block %v offset %d", c, got, off)
			}
		}
	}
	// A pallet labelled elsewhere (serial reference 9) registered by a
	// pack report: the next range skips past it.
	items := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10}).Block
	m := chain.ReportMeta{Org: p.Org, Credential: "test", Time: testClock.Add(-time.Hour)}
	if _, err := e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: m, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: items.ID, First: 0, Last: 9}}}}); err != nil {
		t.Fatal(err)
	}
	var sb []byte
	sb = append(sb, "0952012300000000"...) // extension 0, prefix, serial reference 000000009 (without its last digit)
	sb = append(sb, '9')
	cd, _ := gs1.CheckDigit(string(sb))
	registered := "(00)" + string(sb) + string(cd)
	if _, err := e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{{Parent: chain.Ref{Code: registered},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: items.ID, First: 0, Last: 0}}}}}}); err != nil {
		t.Fatal(err)
	}
	b3 := mint(t, e, issue.MintRequest{Product: p.ID, Level: model.LevelPallet, Count: 4}).Block
	if b3.ShortStart != 10 {
		t.Fatalf("a range over the registered SSCC %s starts at %d, want 10", registered, b3.ShortStart)
	}

	// Capacity: a 12-digit prefix leaves 4-digit serial references.
	body := "0123456789012"
	cd, _ = gs1.CheckDigit(body)
	p12, err := e.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: body + string(cd), GCPLength: 12, NameZH: "小", Category: ParseCategoryMust("food"),
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelPallet)})
	if err != nil {
		t.Fatal(err)
	}
	mint(t, e, issue.MintRequest{Product: p12.ID, Level: model.LevelPallet, Count: 9999})
	_, err = e.Issuance().Mint(t.Context(), issue.MintRequest{Product: p12.ID, Level: model.LevelPallet, Count: 2})
	var ce *model.CapError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "company prefix 123456789012") || ce.Cap != 10_000 {
		t.Fatalf("past the prefix's 10,000 SSCCs: %v", err)
	}
	r := mint(t, e, issue.MintRequest{Product: p12.ID, Level: model.LevelPallet, Count: 2, AllowPartial: true})
	if !r.Partial || r.Block.Count != 1 || r.Block.ShortStart != 9999 {
		t.Fatalf("partial mint at the end of the prefix: %+v", r)
	}
}

// TestSSCCPackAndResolve: a pack naming an sscc block's code by block and
// offset packs into the SSCC's unit, as the (00) code does; a minted,
// empty SSCC resolves as its organisation's empty pallet; another
// organisation can neither mint under the prefix nor pack into it.
func TestSSCCPackAndResolve(t *testing.T) {
	f := newFixture(t)
	if f.pallets.Scheme != serial.SSCC {
		t.Fatalf("the fixture's pallets are %v, want sscc", f.pallets.Scheme)
	}
	// Empty: minted, nothing packed.
	c, err := f.e.Resolve(f.code(f.pallets, 5))
	if err != nil || !c.IsUnit || c.Status != resolve.StatusIssued || c.Level != model.LevelPallet || c.Org == nil || c.Org.ID != f.orgA ||
		!strings.Contains(c.Reason, "empty until") {
		t.Fatalf("minted empty pallet: %+v %v", c, err)
	}
	f.commission(f.items, 0, 99)
	f.commission(f.cases, 0, 9)
	t0 := testClock.Add(-10 * time.Hour)
	f.packRange(f.cases, 0, f.items, 0, 9, t0)
	f.packRange(f.pallets, 4, f.cases, 0, 0, t0.Add(time.Minute)) // "the 5th pallet label of block X"
	// By its (00) code too.
	m := f.meta(f.orgA)
	if _, err := f.e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: m, Packs: []chain.Pack{{Parent: chain.Ref{Code: f.code(f.pallets, 4)},
		Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.cases.ID, First: 1, Last: 1}}}}}}); err != nil {
		t.Fatal(err)
	}
	c, err = f.e.Resolve(f.code(f.items, 3))
	if err != nil || len(c.Parents) != 2 || c.Parents[1].Parent != f.palletNode(4) || c.Parents[1].Level != model.LevelPallet {
		t.Fatalf("item 3's parents %+v, want case 0 then the SSCC of pallet 4 (%v): %v", c.Parents, f.palletNode(4), err)
	}
	c, err = f.e.Resolve(f.code(f.pallets, 4))
	if err != nil || !c.IsUnit || c.Status != resolve.StatusActive || len(c.Children) != 1 || c.Children[0].Count != 2 {
		t.Fatalf("packed pallet: %+v %v", c, err)
	}
	// Ranges of an sscc block are not items.
	_, err = f.e.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: m, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: f.pallets.ID, First: 0, Last: 1}}}})
	if err == nil || !strings.Contains(err.Error(), "(00)") {
		t.Fatalf("commissioning an sscc block's range: %v", err)
	}

	// Hostile tenant: B mints A's product, packs into A's minted SSCC by
	// block reference or by code.
	if _, err := f.e.Issuance().Mint(t.Context(), issue.MintRequest{Org: f.orgB, Product: f.prod.ID, Level: model.LevelPallet, Count: 1}); !errors.Is(err, model.ErrWrongOrg) {
		t.Errorf("B minting A's pallets: %v", err)
	}
	mb := f.meta(f.orgB)
	f.commission(f.itemsB, 0, 9)
	for _, parent := range []chain.Ref{{Block: f.pallets.ID, Offset: 6}, {Code: f.code(f.pallets, 7)}, {Block: f.pallets.ID, Offset: 4}} {
		_, err := f.e.Reports().Pack(t.Context(), &chain.PackReport{ReportMeta: mb, Packs: []chain.Pack{{Parent: parent,
			Children: chain.Items{Ranges: []chain.BlockRange{{Block: f.itemsB.ID, First: 0, Last: 0}}}}}})
		if err == nil {
			t.Errorf("B packed into A's SSCC %+v", parent)
		}
	}
	if c, _ := f.e.Resolve(f.code(f.pallets, 6)); c.Status != resolve.StatusIssued {
		t.Errorf("A's pallet 6 after B's refused pack: %v", c.Status)
	}
}
