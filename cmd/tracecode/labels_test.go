package main

import (
	"archive/zip"
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/engine/label"
)

// TestLabelsCLI renders a 1,000-code block as a PDF sheet and a ZPL file,
// and checks camera images of labels with "labels verify": issued,
// duplicate in the batch, never issued, unreadable.
func TestLabelsCLI(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "婴幼儿配方奶粉", "--category", "food")
	codes := strings.Fields(mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "1000", "--format", "gs"))
	if len(codes) != 1000 {
		t.Fatalf("minted %d", len(codes))
	}
	dir := t.TempDir()
	zpl := filepath.Join(dir, "block.zpl")
	mustCLI(t, "labels", d, "--block", "1", "--template", "gs1-datamatrix", "--format", "zpl", "--out", zpl)
	z, err := os.ReadFile(zpl)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(z, []byte("^XA")); n != 1000 || !bytes.Contains(z, []byte(strings.ReplaceAll(codes[999], "\x1d", "`1"))) {
		t.Errorf("zpl: %d labels, last code present %v", n, bytes.Contains(z, []byte(codes[999])))
	}
	if _, err := label.LoadFont(""); err == nil {
		pdf := filepath.Join(dir, "block.pdf")
		mustCLI(t, "labels", d, "--block", "1", "--template", "gs1-datamatrix", "--format", "pdf", "--out", pdf)
		b, _ := os.ReadFile(pdf)
		if !bytes.HasPrefix(b, []byte("%PDF-")) || bytes.Count(b, []byte("/Type /Page\n")) != 38 { // 27 labels a page
			t.Errorf("pdf: %d bytes, %d pages", len(b), bytes.Count(b, []byte("/Type /Page\n")))
		}
	}
	// A bad template or format is named; nothing is written.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"width":50,"height":30,"items":[{"type":"barcode","kind":"qr","x":1,"y":1}]}`), 0o644)
	if _, errOut, code := runCLI(t, "", "labels", d, "--block", "1", "--template", bad, "--format", "zpl", "--out", filepath.Join(dir, "x.zpl")); code == 0 || !strings.Contains(errOut, "item 1 (barcode): a qr needs module or size") {
		t.Errorf("bad template: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.zpl")); err == nil {
		t.Error("a refused run left its output file")
	}
	if _, errOut, code := runCLI(t, "", "labels", d, "--block", "1", "--template", "nmpa", "--format", "zpl"); code == 0 || !strings.Contains(errOut, "needs the nmpa") {
		t.Errorf("nmpa template on a GS1 block: exit %d, %s", code, errOut)
	}

	// Camera images: two labels of the block as SVG-free PNGs drawn by the
	// label package (no text, so no font needed), the first twice; a label
	// of a never-issued serial; a blank image.
	tp, _ := label.Builtin("gs1-datamatrix")
	shot := func(name, gs string) string {
		c := label.Code{GS: gs, Serial: "x"}
		dr, err := tp.Draw(&c)
		if err != nil {
			t.Fatal(err)
		}
		img, err := label.Raster(dr, label.PNGOptions{DPI: 300})
		if err != nil {
			t.Fatal(err)
		}
		return writeImage(t, filepath.Join(dir, name), label.Quiet(img, 30))
	}
	a := shot("a.png", codes[3])
	b := shot("b.png", codes[500])
	a2 := shot("a2.png", codes[3])
	never := shot("never.png", "010952012345678810L1\x1d21ZZZZZZZZZZZZZ")
	blank := writeImage(t, filepath.Join(dir, "blank.png"), image.NewGray(image.Rect(0, 0, 50, 50)))
	out, _, code := runCLI(t, "", "labels", "verify", d, a, b, a2, never, blank)
	if code != 1 {
		t.Errorf("verify exit %d, want 1", code)
	}
	for _, want := range []string{"a.png   issued", "b.png   issued", "a2.png  duplicate", "never.png  not-issued", "blank.png  unreadable"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("verify: no %q in\n%s", want, out)
		}
	}
	if !strings.Contains(out, "block 1 offset 500") {
		t.Errorf("verify does not place the code in its block:\n%s", out)
	}
	// SSCC logistic labels: GS1-128 of (00) and the SSCC; a bad check
	// digit is named.
	ssccOut := mustCLI(t, "labels", "sscc", "--format", "zpl", "395201230000000012", "(00)395201230000000029")
	if !strings.Contains(ssccOut, ",D^FH\\^FD00395201230000000012^FS") || !strings.Contains(ssccOut, "^FD(00) 395201230000000029^FS") {
		t.Errorf("sscc labels:\n%s", ssccOut)
	}
	if _, errOut, code := runCLI(t, "", "labels", "sscc", "--format", "zpl", "395201230000000013"); code == 0 || !strings.Contains(errOut, "SSCC 1") {
		t.Errorf("bad SSCC: exit %d, %s", code, errOut)
	}
	// png-zip of a few labels.
	zf := filepath.Join(dir, "few.zip")
	if _, err := label.LoadFont(""); err == nil {
		mustCLI(t, "labels", d, "--block", "1", "--template", "qr", "--format", "png-zip", "--limit", "3", "--offset", "10", "--out", zf)
		zr, err := zip.OpenReader(zf)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		if len(zr.File) != 3 || zr.File[0].Name != "block1-10.png" {
			t.Errorf("png-zip: %d files, first %s", len(zr.File), zr.File[0].Name)
		}
	}
}

func writeImage(t *testing.T, path string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
