package label

import (
	"errors"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"
)

// ReadImage (gozxing) reads every symbology back, GS1 ones with their
// symbology identifier, from a plain symbol and from a whole label.
func TestReadImage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		kind     Kind
		data     string
		want     string
		wantKind Kind
	}{
		{GS1DataMatrix, sample.GS, "]d2" + sample.GS, GS1DataMatrix},
		{QR, sample.DL, sample.DL, QR},
		{GS1128, sample.GS, "]C1" + sample.GS, GS1128},
		{Code128, sample.NMPA, sample.NMPA, Code128},
		{EAN13, "9520123456788", "9520123456788", EAN13},
	} {
		s, err := Encode(tc.kind, tc.data, SymbolOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f := symbolPNG(t, dir, s, 4, 100)
		fh, _ := os.Open(f)
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadImage(img)
		if err != nil || got.Text != tc.want || got.Kind != tc.wantKind {
			t.Errorf("%v: read %v %q (%v), want %v %q", tc.kind, got.Kind, got.Text, err, tc.wantKind, tc.want)
		}
	}
	for _, name := range BuiltinNames() {
		tp, _ := Builtin(name)
		d, err := tp.Draw(&sample)
		if err != nil {
			t.Fatal(err)
		}
		img, err := Raster(d, PNGOptions{DPI: 300})
		if err != nil {
			t.Fatal(err)
		}
		var want string
		for i := range tp.Items {
			if it := &tp.Items[i]; it.Type == "barcode" {
				want = barcodeData(it.kind, it.data, &sample)
				break
			}
		}
		if got, err := ReadImage(Quiet(img, 30)); err != nil || !strings.HasSuffix(got.Text, want) {
			t.Errorf("label %s: read %q (%v), want %q", name, got.Text, err, want)
		}
	}
	if _, err := ReadImage(image.NewGray(image.Rect(0, 0, 40, 40))); !errors.Is(err, ErrUnreadable) {
		t.Errorf("blank image: %v", err)
	}
}
