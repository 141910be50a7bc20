package engine

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/digitallink"
	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
	"tracecode/engine/config"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// TestFormsMatchCodePackages checks the template-built forms against the
// code packages' own encoders and parsers, code by code.
func TestFormsMatchCodePackages(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	if _, err := e.Issuance().AddLot(t.Context(), issue.LotSpec{Product: p.ID, Number: "A(1),\"x\"", Produced: 20260105, Expiry: 20280131}); err != nil {
		t.Fatal(err)
	}
	gs1Block := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "A(1),\"x\"", Count: 40, Level: model.LevelCase}).Block
	sgBlock := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "A(1),\"x\"", Count: 40, Scheme: serial.SGTIN96}).Block
	nmBlock := mint(t, e, issue.MintRequest{Product: p.ID, Count: 40, Scheme: serial.NMPA}).Block

	for _, b := range []model.Block{gs1Block, sgBlock, nmBlock} {
		ser := codes(t, e, b.ID, issue.FormatSerial, 0, 40)
		dls := codes(t, e, b.ID, issue.FormatDL, 0, 40)
		hri := codes(t, e, b.ID, issue.FormatElement, 0, 40)
		gs := codes(t, e, b.ID, issue.FormatGS, 0, 40)
		urn := codes(t, e, b.ID, issue.FormatEPCURN, 0, 40)
		gtin := p.GTIN // a case's codes carry the case's GTIN
		if b.Level == model.LevelCase {
			gtin = p.LevelGTINs.Of(model.LevelCase)
		}
		for i, s := range ser {
			if _, ok := serial.Classify(s); !ok {
				t.Fatalf("serial %q has no own shape", s)
			}
			lot := ""
			if b.Lot != 0 {
				lot = "A(1),\"x\""
			}
			if want := string(digitallink.AppendGTINSerial(nil, config.DefaultDLBase, gtin, lot, s)); dls[i] != want {
				t.Fatalf("dl %q, want %q", dls[i], want)
			}
			d, err := digitallink.Parse(dls[i])
			if err != nil || d.Key.Value != gtin.String() || d.Qualifiers[len(d.Qualifiers)-1].Value != s {
				t.Fatalf("dl %q does not parse back: %+v %v", dls[i], d, err)
			}
			els, err := gs1.ParseHRI(hri[i])
			if err != nil {
				t.Fatalf("element %q: %v", hri[i], err)
			}
			want := []gs1.Element{{AI: "01", Value: gtin.String()}}
			if lot != "" {
				want = append(want, gs1.Element{AI: "17", Value: "280131"}, gs1.Element{AI: "10", Value: lot})
			}
			want = append(want, gs1.Element{AI: "21", Value: s})
			if !reflect.DeepEqual(els, want) {
				t.Fatalf("element %q = %v, want %v", hri[i], els, want)
			}
			els, err = gs1.ParseBarcodeData(gs[i])
			if err != nil || !reflect.DeepEqual(els, want) {
				t.Fatalf("gs %q = %v, %v", gs[i], els, err)
			}
			sg, _ := epc.SGTINFromGTIN(gtin, s, 7)
			if u := string(sg.AppendURN(nil)); urn[i] != u {
				t.Fatalf("urn %q, want %q", urn[i], u)
			}
		}
		switch b.Scheme {
		case serial.SGTIN96:
			hex := codes(t, e, b.ID, issue.FormatEPCHex, 0, 40)
			for i, h := range hex {
				sg, _ := epc.SGTINFromGTIN(p.GTIN, ser[i], 7)
				want, err := sg.AppendHex96(nil, 1)
				if err != nil || h != string(want) {
					t.Fatalf("hex %q, want %q (%v)", h, want, err)
				}
			}
		case serial.NMPA:
			for i, c := range codes(t, e, b.ID, issue.FormatNMPA, 0, 40) {
				d, err := cn.ParseDrugCode(c)
				if err != nil || d.ProductID() != "8612345" || d.Serial() != ser[i] {
					t.Fatalf("nmpa %q: %v", c, err)
				}
			}
		}
	}
	// CSV quotes fields holding the lot's comma and quotes.
	rows := codes(t, e, gs1Block.ID, issue.FormatCSV, 0, 2)
	if rows[0] != "offset,counter,serial,dl,element,epc_urn" || !strings.Contains(rows[1], `,"(01)19520123456785(17)280131(10)A\(1),""x""(21)`) {
		t.Fatalf("csv %q", rows)
	}
}

// TestStreamChunkingAndCompression: the output is the same whatever the
// worker count and chunk size, and compressed output decompresses to it.
func TestStreamChunkingAndCompression(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "")
	b := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 100_000}).Block
	ctx := context.Background()
	var ref bytes.Buffer
	if _, err := e.Issuance().WriteCodes(ctx, &ref, b.ID, issue.StreamOptions{Format: issue.FormatDL, Offset: 123, Limit: 50_000, Workers: 1, ChunkCodes: 50_000}); err != nil {
		t.Fatal(err)
	}
	var calls int
	var last uint64
	for _, o := range []issue.StreamOptions{
		{Workers: 2, ChunkCodes: 1000},
		{Workers: 3, ChunkCodes: 777},
		{Workers: 2, ChunkCodes: 4096, Compress: "zstd"},
		{Workers: 2, ChunkCodes: 4096, Compress: "gzip"},
		{Workers: 1, Compress: "zstd"},
	} {
		o.Format, o.Offset, o.Limit = issue.FormatDL, 123, 50_000
		o.Progress = func(n uint64) { calls++; last = n }
		var out bytes.Buffer
		st, err := e.Issuance().WriteCodes(ctx, &out, b.ID, o)
		if err != nil {
			t.Fatal(err)
		}
		if st.Codes != 50_000 || st.Bytes != uint64(out.Len()) || last != 50_000 {
			t.Fatalf("%+v: stats %+v, last progress %d", o, st, last)
		}
		got := out.Bytes()
		switch o.Compress {
		case "zstd":
			d, _ := zstd.NewReader(nil)
			got, err = d.DecodeAll(got, nil)
		case "gzip":
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(&out); err == nil {
				got, err = io.ReadAll(zr) // multistream: one member per chunk
			}
		}
		if err != nil || !bytes.Equal(got, ref.Bytes()) {
			t.Fatalf("%+v: output differs (%v)", o, err)
		}
		if o.Compress != "" && st.Bytes*4 > uint64(ref.Len()) {
			t.Errorf("%s: %d bytes for %d uncompressed", o.Compress, st.Bytes, ref.Len())
		}
	}
	if calls == 0 {
		t.Fatal("no progress")
	}
	// Option errors.
	for _, o := range []issue.StreamOptions{
		{Format: issue.FormatEPCHex}, // gs1 scheme has no SGTIN-96
		{Format: issue.FormatNMPA},   // nor NMPA
		{Format: issue.FormatDL, Compress: "xz"},
		{Format: issue.FormatDL, Offset: 100_001},
		{Format: issue.FormatDL, DLBase: "ftp://x"},
		{Format: issue.FormatGS, Symbology: "]X9"},
		{},
	} {
		if _, err := e.Issuance().WriteCodes(ctx, io.Discard, b.ID, o); err == nil {
			t.Errorf("WriteCodes(%+v) succeeded", o)
		}
	}
	// A writer error stops the stream.
	if _, err := e.Issuance().WriteCodes(ctx, failWriter{}, b.ID, issue.StreamOptions{Format: issue.FormatDL, ChunkCodes: 100}); err == nil {
		t.Fatal("write error not reported")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// BenchmarkStreamImported streams the Digital Links of an imported block
// of 200,000 serials (read from the store in offset order) per op:
//
//	go test -run '^$' -bench StreamImported -benchmem ./engine
func BenchmarkStreamImported(b *testing.B) {
	e := openTest(b, "")
	p := addDrug(b, e, testGTIN, "")
	const n = 200_000
	serials := make([]string, n)
	for i := range serials {
		serials[i] = fmt.Sprintf("EXT%07d", i)
	}
	r, err := e.Issuance().Import(context.Background(), issue.ImportRequest{Product: p.ID, Serials: serials})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Issuance().WriteCodes(context.Background(), io.Discard, r.Block.ID, issue.StreamOptions{Format: issue.FormatDL}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "codes/s")
}
