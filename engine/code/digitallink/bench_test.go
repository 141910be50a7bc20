package digitallink

import (
	"testing"

	"tracecode/engine/code/gs1"
)

const benchURI = "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426"

var benchGTIN = func() gs1.GTIN {
	g, err := gs1.ParseGTIN("09520123456788")
	if err != nil {
		panic("BUG: " + err.Error())
	}
	return g
}()

// TestAllocs pins the allocation counts the package documents: Parse makes
// one element slice for a URI without percent-encoding or non-AI
// parameters; the encoders allocate nothing when dst has room.
func TestAllocs(t *testing.T) {
	d, err := Parse(benchURI)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	for _, c := range []struct {
		name string
		want float64
		f    func()
	}{
		{"Parse", 1, func() { _, _ = Parse(benchURI) }},
		{"AppendCanonical", 0, func() { buf = d.AppendCanonical(buf[:0], "") }},
		{"AppendGTINSerial", 0, func() { buf = AppendGTINSerial(buf[:0], "https://brand.example/", benchGTIN, "LOT/1", "SER 42") }},
	} {
		if got := testing.AllocsPerRun(100, c.f); got != c.want {
			t.Errorf("%s: %v allocations per run, want %v", c.name, got, c.want)
		}
	}
}

func TestAppendGTINSerial(t *testing.T) {
	for _, c := range []struct {
		base, lot, serial, want string
	}{
		{"", "", "", "https://id.gs1.org/01/09520123456788"},
		{"", "ABC1", "12345", "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345"},
		{"https://brand.example/", "", "S/1+2", "https://brand.example/01/09520123456788/21/S%2F1%2B2"},
		{"https://brand.example//x/", "L%1", "", "https://brand.example//x/01/09520123456788/10/L%251"},
	} {
		got := string(AppendGTINSerial(nil, c.base, benchGTIN, c.lot, c.serial))
		if got != c.want {
			t.Errorf("AppendGTINSerial(%q, %q, %q) = %q, want %q", c.base, c.lot, c.serial, got, c.want)
		}
		// What the printer emits is what the parser and Build agree on.
		d, err := Parse(got)
		if err != nil {
			t.Fatalf("Parse(%q): %v", got, err)
		}
		var qs []gs1.Element
		if c.lot != "" {
			qs = append(qs, gs1.Element{AI: "10", Value: c.lot})
		}
		if c.serial != "" {
			qs = append(qs, gs1.Element{AI: "21", Value: c.serial})
		}
		want, err := Build(c.base, gs1.Element{AI: "01", Value: benchGTIN.String()}, qs, nil)
		if err != nil || want != got || d.Key.Value != benchGTIN.String() {
			t.Errorf("Build = %q, %v; AppendGTINSerial = %q; parsed key %v", want, err, got, d.Key)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, uri string }{
		{"uri=gtin-lot-serial-expiry", benchURI},
		{"uri=escaped-linktype", "https://brand.example/p/01/09520123456788/10/AB%2FC/21/X%2B1?17=180426&linkType=gs1%3Apip"},
		{"uri=sscc", "https://id.gs1.org/00/006141411234567890"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.uri)))
			for b.Loop() {
				if _, err := Parse(c.uri); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendCanonical(b *testing.B) {
	d, err := Parse(benchURI)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = d.AppendCanonical(buf[:0], "")
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendGTINSerial(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendGTINSerial(buf[:0], "", benchGTIN, "ABC1", "12345")
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkBuild(b *testing.B) {
	key := gs1.Element{AI: "01", Value: "09520123456788"}
	qs := []gs1.Element{{AI: "10", Value: "ABC1"}, {AI: "21", Value: "12345"}}
	attrs := []gs1.Element{{AI: "17", Value: "180426"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build("", key, qs, attrs); err != nil {
			b.Fatal(err)
		}
	}
}

const benchCompressed = "https://id.gs1.org/CxFRJydaKI1XgkZCCjA5"

// BenchmarkDecompress: the resolver's path for a compressed scan.
func BenchmarkDecompress(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchCompressed)))
	for b.Loop() {
		var err error
		if buf, err = AppendDecompressed(buf[:0], benchCompressed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompress: from a parsed Digital Link (AppendCompressed) and
// from a URI (Compress, which parses).
func BenchmarkCompress(b *testing.B) {
	d, err := Parse(benchURI)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("from=DL", func(b *testing.B) {
		buf := make([]byte, 0, 256)
		b.ReportAllocs()
		for b.Loop() {
			if buf, err = d.AppendCompressed(buf[:0], CompressOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("from=URI", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Compress(benchURI, CompressOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestCompressAllocs pins the documented allocation counts: none for
// AppendDecompressed and AppendCompressed when dst has room.
func TestCompressAllocs(t *testing.T) {
	d, err := Parse(benchURI)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	if got := testing.AllocsPerRun(100, func() { buf, _ = AppendDecompressed(buf[:0], benchCompressed) }); got != 0 {
		t.Errorf("AppendDecompressed: %v allocations per run, want 0", got)
	}
	if got := testing.AllocsPerRun(100, func() { buf, _ = d.AppendCompressed(buf[:0], CompressOptions{}) }); got != 0 {
		t.Errorf("AppendCompressed: %v allocations per run, want 0", got)
	}
}

func BenchmarkBadURIChar(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchURI)))
	for i := 0; i < b.N; i++ {
		if BadURIChar(benchURI) >= 0 {
			b.Fatal("clean URI rejected")
		}
	}
}

func BenchmarkAppendUnescape(b *testing.B) {
	const v = "AB%2FC%20D-12345"
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	for i := 0; i < b.N; i++ {
		buf, _ = AppendUnescape(buf[:0], v, false)
	}
}
