package label

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var writeExamples = flag.Bool("labels.examples", false, "write docs/labels/*.png from the built-in templates and the sample code")

// testFont is the CJK font of the machine, or nil (text is then left out
// of rasters; the barcodes are what the decoders read).
func testFont(t *testing.T) *Font {
	f, err := LoadFont("")
	if err != nil {
		if os.Getenv("TRACECODE_CI") == "1" {
			t.Fatalf("%v", err)
		}
		t.Logf("labels drawn without text: %v", err)
		return nil
	}
	return f
}

// Every built-in template, drawn for the sample code and rasterised,
// decodes with zbar or libdmtx to exactly the data of the issued code.
func TestBuiltinTemplatesDecode(t *testing.T) {
	dir := t.TempDir()
	font := testFont(t)
	names := BuiltinNames()
	if len(names) < 5 {
		t.Fatalf("built-in templates %v", names)
	}
	for _, name := range names {
		tp, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		d, err := tp.Draw(&sample)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := Raster(d, PNGOptions{DPI: 400, Font: font})
		if err != nil {
			t.Fatal(err)
		}
		file := savePNG(t, dir, name, Quiet(img, 40))
		if *writeExamples && font != nil {
			ex, err := Raster(d, PNGOptions{DPI: 200, Font: font})
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join("..", "..", "docs", "labels", name+".png")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, pngBytes(t, Quiet(ex, 8)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for i := range tp.Items {
			it := &tp.Items[i]
			if it.Type != "barcode" {
				continue
			}
			want := barcodeData(it.kind, it.data, &sample)
			if it.kind == GS1DataMatrix {
				texts, _ := dmtx(t, file, 1)
				if len(texts) != 1 || texts[0] != "\x1d"+want {
					t.Errorf("%s: libdmtx read %q, want ]d2 %q", name, texts, want)
				}
				continue
			}
			found := false
			for _, s := range zbar(t, file, "-Supca.enable") {
				found = found || (s.Data.Text == want && (s.Modifiers == "GS1") == (it.kind == GS1128))
			}
			if !found {
				t.Errorf("%s: zbar did not read the %v %q", name, it.kind, want)
			}
		}
	}
}

func TestParseTemplateErrors(t *testing.T) {
	base := `{"name":"t","width":50,"height":30,"items":[%s]}`
	for _, tc := range []struct {
		items string
		want  string
	}{
		{``, "1 to 64 items"},
		{`{"type":"barcode","kind":"pdf417","x":1,"y":1,"module":0.5}`, `kind "pdf417"`},
		{`{"type":"barcode","kind":"qr","x":1,"y":1}`, "needs module or size"},
		{`{"type":"barcode","kind":"gs1-128","x":1,"y":1}`, "needs module"},
		{`{"type":"barcode","kind":"qr","x":60,"y":1,"size":10}`, "item 1 (barcode): position (60, 1) is outside"},
		{`{"type":"barcode","kind":"ean13","data":"serial","x":1,"y":1,"module":0.33}`, `encodes [gtin13], not "serial"`},
		{`{"type":"barcode","kind":"qr","x":1,"y":1,"size":10,"shape":"rectangle"}`, "shape"},
		{`{"type":"barcode","kind":"qr","x":1,"y":1,"size":10,"ec":"X"}`, "ec"},
		{`{"type":"text","x":1,"y":1}`, "needs a field or a prefix"},
		{`{"type":"text","field":"colour","x":1,"y":1}`, `field "colour"`},
		{`{"type":"text","field":"lot","x":1,"y":1,"module":1}`, "barcode settings on a text item"},
		{`{"type":"circle","x":1,"y":1}`, "type must be barcode or text"},
		{`{"type":"text","field":"lot","x":1,"y":1,"colour":"red"}`, "unknown field"},
	} {
		_, err := ParseTemplate(strings.NewReader(strings.Replace(base, "%s", tc.items, 1)))
		if !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.items, err, tc.want)
		}
	}
	for _, bad := range []string{`{"name":"t","width":0,"height":30,"items":[]}`, `{"name":"t","width":50,"height":30,"dpi":5,"items":[]}`,
		`{"name":"t","width":50,"height":30,"sheet":{"page":"B9"},"items":[]}`, `{"width":50} {}`, `[`} {
		if _, err := ParseTemplate(strings.NewReader(bad)); !errors.Is(err, ErrTemplate) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := Builtin("nope"); err == nil || !strings.Contains(err.Error(), "gs1-datamatrix") {
		t.Errorf("Builtin(nope): %v", err)
	}
}

// A barcode that does not fit its label is refused when drawn, naming
// its size.
func TestDrawRefusesOverflow(t *testing.T) {
	tp, err := ParseTemplate(strings.NewReader(`{"name":"t","width":30,"height":20,"items":[{"type":"barcode","kind":"gs1-128","x":1,"y":1,"module":0.5}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tp.Draw(&sample); !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "leaves the 30 × 20 mm label") {
		t.Errorf("Draw: %v", err)
	}
	// A field the code lacks.
	tp, _ = ParseTemplate(strings.NewReader(`{"name":"t","width":60,"height":30,"items":[{"type":"barcode","kind":"code128","x":1,"y":1,"module":0.3}]}`))
	c := sample
	c.NMPA = ""
	if _, err := tp.Draw(&c); !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "no nmpa") {
		t.Errorf("Draw without NMPA: %v", err)
	}
}

// FuzzParseTemplate: any input is refused with ErrTemplate or gives a
// template that draws the sample code without panicking.
func FuzzParseTemplate(f *testing.F) {
	for _, n := range BuiltinNames() {
		b, _ := builtinFS.ReadFile("templates/" + n + ".json")
		f.Add(string(b))
	}
	f.Add(`{"name":"t","width":50,"height":30,"items":[{"type":"text","prefix":"x","x":1,"y":1}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := ParseTemplate(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrTemplate) {
				t.Fatalf("error %v is not ErrTemplate", err)
			}
			return
		}
		if _, err := tp.Draw(&sample); err != nil && !errors.Is(err, ErrData) {
			t.Fatalf("Draw: %v", err)
		}
		if _, err := tp.AppendZPL(nil, &sample); err != nil && !errors.Is(err, ErrData) {
			t.Fatalf("AppendZPL: %v", err)
		}
	})
}
