package engine

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/label"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// zplData returns the data of every field after command cmd (e.g. "^BX")
// in a ZPL stream, its ^FH\ escapes undone.
func zplData(z, cmd string) []string {
	re := regexp.MustCompile(regexp.QuoteMeta(cmd) + `[^^]*(?:\^[^F][^^]*)*\^FH\\\^FD([^^]*)\^FS`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(z, -1) {
		s := regexp.MustCompile(`\\([0-9A-F]{2})`).ReplaceAllStringFunc(m[1], func(h string) string {
			var b byte
			for _, c := range h[1:] {
				b = b<<4 | byte(strings.IndexRune("0123456789ABCDEF", c))
			}
			return string(b)
		})
		out = append(out, s)
	}
	return out
}

// Labels carry exactly the codes WriteCodes prints, in order: a GS1
// DataMatrix label's ^BX data is the block's gs form (lot with CSV and
// HRI specials included), an NMPA label's ^BC data its nmpa form.
func TestWriteLabelsCarriesIssuedCodes(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	if _, err := e.Issuance().AddLot(t.Context(), issue.LotSpec{Product: p.ID, Number: "A(1),\"x\"", Produced: 20260105, Expiry: 20280131}); err != nil {
		t.Fatal(err)
	}
	gb := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "A(1),\"x\"", Count: 700}).Block
	nb := mint(t, e, issue.MintRequest{Product: p.ID, Count: 300, Scheme: serial.NMPA}).Block
	dm, _ := label.Builtin("gs1-datamatrix")
	var buf bytes.Buffer
	var progress uint64
	n, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), gb.ID, label.BlockOptions{Template: dm, Format: label.ZPL, Offset: 100, Limit: 500,
		Progress: func(l uint64) { progress = l }})
	if err != nil || n != 500 || progress != 500 {
		t.Fatalf("WriteLabels: %d labels, progress %d, %v", n, progress, err)
	}
	want := codes(t, e, gb.ID, issue.FormatGS, 100, 500)
	got := zplData(buf.String(), "^BX")
	if len(got) != len(want) {
		t.Fatalf("%d ^BX fields, want %d", len(got), len(want))
	}
	for i := range want {
		if d := strings.ReplaceAll(strings.TrimPrefix(got[i], "`1"), "`1", "\x1d"); d != want[i] {
			t.Fatalf("label %d: ^BX data %q, the block's code is %q", i, d, want[i])
		}
	}
	buf.Reset()
	nm, _ := label.Builtin("nmpa")
	if _, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), nb.ID, label.BlockOptions{Template: nm, Format: label.ZPL}); err != nil {
		t.Fatal(err)
	}
	wantN := codes(t, e, nb.ID, issue.FormatNMPA, 0, 300)
	gotN := zplData(buf.String(), "^BC")
	if len(gotN) != 300 || ">;"+wantN[299] != gotN[299] || ">;"+wantN[0] != gotN[0] {
		t.Fatalf("nmpa labels: %d, first %q last %q, want >;%s … >;%s", len(gotN), gotN[0], gotN[len(gotN)-1], wantN[0], wantN[299])
	}
}

func TestWriteLabelsRefusals(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	gb := mint(t, e, issue.MintRequest{Product: p.ID, Count: 50}).Block
	nm, _ := label.Builtin("nmpa")
	var buf bytes.Buffer
	// The block has no NMPA codes: refused before a byte is written.
	if _, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), gb.ID, label.BlockOptions{Template: nm, Format: label.ZPL}); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "nmpa") || buf.Len() != 0 {
		t.Errorf("nmpa template on a GS1 block: %v, %d bytes", err, buf.Len())
	}
	dm, _ := label.Builtin("gs1-datamatrix")
	if _, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), 999, label.BlockOptions{Template: dm, Format: label.ZPL}); !errors.Is(err, model.ErrUnknownBlock) {
		t.Errorf("unknown block: %v", err)
	}
	if _, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), gb.ID, label.BlockOptions{Template: dm, Format: label.ZPL, Offset: 60}); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("offset past the block: %v", err)
	}
	if _, err := e.Reports().VoidBlock(context.Background(), &chain.VoidReport{ReportMeta: chain.ReportMeta{Org: p.Org, Credential: "test"}, Block: gb.ID, Note: "test"}); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if _, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), gb.ID, label.BlockOptions{Template: dm, Format: label.ZPL}); !errors.Is(err, model.ErrState) || buf.Len() != 0 {
		t.Errorf("voided block: %v, %d bytes", err, buf.Len())
	}
}

// An sscc block's labels carry its SSCCs: the sscc template's GS1-128
// encodes (00) and each SSCC, a QR label its Digital Link /00/; a template
// needing a GTIN is refused for SSCCs, the sscc template for items.
func TestWriteLabelsSSCC(t *testing.T) {
	f := newFixture(t)
	e := f.e
	tpl, _ := label.Builtin("sscc")
	var buf bytes.Buffer
	if n, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), f.pallets.ID, label.BlockOptions{Template: tpl, Format: label.ZPL, Offset: 2, Limit: 3}); err != nil || n != 3 {
		t.Fatalf("sscc labels: %d, %v", n, err)
	}
	want := codes(t, e, f.pallets.ID, issue.FormatSerial, 2, 3)
	got := zplData(buf.String(), "^BC")
	if len(got) != 3 {
		t.Fatalf("%d ^BC fields, want 3:\n%s", len(got), buf.String())
	}
	for i := range want {
		if !strings.HasSuffix(got[i], "00"+want[i]) || !strings.Contains(buf.String(), want[i]) {
			t.Errorf("label %d: ^BC %q, want (00)%s", i, got[i], want[i])
		}
	}
	buf.Reset()
	qr, _ := label.Builtin("qr")
	if _, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), f.pallets.ID, label.BlockOptions{Template: qr, Format: label.ZPL, Limit: 1}); err != nil ||
		!strings.Contains(buf.String(), codes(t, e, f.pallets.ID, issue.FormatDL, 0, 1)[0]) {
		t.Errorf("QR label of an SSCC: %v\n%s", err, buf.String())
	}
	g128, _ := label.Builtin("gs1-128")
	if _, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), f.pallets.ID, label.BlockOptions{Template: g128, Format: label.ZPL}); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "gtin") {
		t.Errorf("gs1-128 (GTIN) template on SSCCs: %v", err)
	}
	if _, err := label.WriteBlock(t.Context(), &buf, e.Issuance(), f.items.ID, label.BlockOptions{Template: tpl, Format: label.ZPL}); !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "sscc") {
		t.Errorf("sscc template on items: %v", err)
	}
}
