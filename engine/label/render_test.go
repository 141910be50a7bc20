package label

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// codes returns a source of n sample codes with distinct serials.
func codes(n int) func() (Code, bool, error) {
	i := 0
	return func() (Code, bool, error) {
		if i == n {
			return Code{}, false, nil
		}
		c := sample
		c.Offset = uint64(i)
		c.Serial = fmt.Sprintf("SER%06d", i)
		c.GS = "0109520123456788172612251" + "0LOT42\x1d21" + c.Serial
		c.HRI = "(01)09520123456788(17)261225(10)LOT42(21)" + c.Serial
		c.DL = "https://id.example.cn/01/09520123456788/10/LOT42/21/" + c.Serial
		c.NMPA = fmt.Sprintf("812345600000%08d", i)
		i++
		return c, true, nil
	}
}

// ZPL hands each symbol's data to the printer's own command: the ^BX data
// with its escapes undone is the element string after FNC1, the ^BQ data
// the Digital Link URI, ^BC mode D the element string with >8 separators.
func TestZPLCommands(t *testing.T) {
	tp, _ := Builtin("gs1-datamatrix")
	z, err := tp.AppendZPL(nil, &sample)
	if err != nil {
		t.Fatal(err)
	}
	s := string(z)
	if !strings.HasPrefix(s, "^XA^CI28^PW527^LL264") || !strings.HasSuffix(s, "^XZ\n") {
		t.Errorf("label frame: %s", s)
	}
	m := regexp.MustCompile("\\^BXN,(\\d+),200,(\\d+),(\\d+),6,`,1\\^FH\\\\\\^FD([^^]*)\\^FS").FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no ^BX command in %s", s)
	}
	data := strings.ReplaceAll(m[4], "`1", "\x1d")
	if data != "\x1d"+sample.GS || m[2] != "24" || m[3] != "24" || m[1] != "5" {
		t.Errorf("^BX module %s, %s×%s, data %q; want 5 dots, 24×24, FNC1 + %q", m[1], m[2], m[3], data, sample.GS)
	}
	if !strings.Contains(s, "^FDSN 7KQ2M9XB4TC1W^FS") || !strings.Contains(s, "^FD婴幼儿配方奶粉^FS") {
		t.Errorf("text fields missing: %s", s)
	}
	tp, _ = Builtin("qr")
	z, _ = tp.AppendZPL(nil, &sample)
	if !strings.Contains(string(z), "^BQN,2,6^FH\\^FDQA,"+sample.DL+"^FS") {
		t.Errorf("qr: %s", z)
	}
	tp, _ = Builtin("gs1-128")
	z, _ = tp.AppendZPL(nil, &sample)
	if !strings.Contains(string(z), "^BCN,256,N,N,N,D^FH\\^FD01095201234567881726122510LOT42>8217KQ2M9XB4TC1W^FS") {
		t.Errorf("gs1-128: %s", z)
	}
	tp, _ = Builtin("nmpa")
	z, _ = tp.AppendZPL(nil, &sample)
	if !strings.Contains(string(z), "^BCN,96,Y,N,N,N^FH\\^FD>;"+sample.NMPA+"^FS") {
		t.Errorf("nmpa: %s", z)
	}
	// Command characters in text are escaped, never passed through.
	c := sample
	c.NameEN = "A^XZ~JR\\"
	tp, _ = Builtin("gs1-datamatrix")
	z, _ = tp.AppendZPL(nil, &c)
	if !strings.Contains(string(z), `^FDA\5EXZ\7EJR\5C^FS`) {
		t.Errorf("escaping: %s", z)
	}
}

func TestRenderFormats(t *testing.T) {
	font := testFont(t)
	const n = 300
	for _, f := range []Format{ZPL, SVGZip, PNGZip, PDF} {
		if font == nil && (f == PDF || f == PNGZip) {
			continue
		}
		tp, _ := Builtin("gs1-datamatrix")
		var buf bytes.Buffer
		var progress uint64
		got, err := Render(context.Background(), &buf, codes(n), Options{Template: tp, Format: f, Font: font, Workers: 3,
			Progress: func(l uint64) { progress = l }})
		if err != nil || got != n || progress != n {
			t.Fatalf("%v: %d labels, progress %d, %v", f, got, progress, err)
		}
		switch f {
		case ZPL:
			if c := strings.Count(buf.String(), "^XA"); c != n {
				t.Errorf("zpl: %d labels", c)
			}
			// In order: label i holds serial i.
			for i, l := range strings.Split(buf.String(), "^XZ\n")[:n] {
				if !strings.Contains(l, fmt.Sprintf("SER%06d", i)) {
					t.Fatalf("zpl label %d is out of order", i)
				}
			}
		case SVGZip, PNGZip:
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			if len(zr.File) != n || zr.File[n-1].Name != fmt.Sprintf("label-%d.%s", n-1, strings.TrimSuffix(f.String(), "-zip")) {
				t.Fatalf("%v: %d files, last %s", f, len(zr.File), zr.File[len(zr.File)-1].Name)
			}
			rc, _ := zr.File[5].Open()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatalf("%v: entry 5: %v", f, err)
			}
			if f == SVGZip && !bytes.Contains(b, []byte("SN SER000005")) {
				t.Errorf("svg 5: %s", b)
			}
		case PDF:
			// 27 labels a page.
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || bytes.Count(buf.Bytes(), []byte("/Type /Page\n")) != (n+26)/27 {
				t.Errorf("pdf: %d pages", bytes.Count(buf.Bytes(), []byte("/Type /Page\n")))
			}
		}
	}
}

// A code the template cannot render stops the stream with its offset,
// whatever worker met it.
func TestRenderStopsAtBadCode(t *testing.T) {
	tp, _ := Builtin("nmpa")
	src := codes(1000)
	bad := func() (Code, bool, error) {
		c, ok, err := src()
		if c.Offset == 517 {
			c.NMPA = ""
		}
		return c, ok, err
	}
	_, err := Render(context.Background(), io.Discard, bad, Options{Template: tp, Format: ZPL, Workers: 4})
	if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "offset 517") {
		t.Errorf("Render: %v", err)
	}
	// A failing source ends it too.
	boom := errors.New("source broke")
	i := 0
	_, err = Render(context.Background(), io.Discard, func() (Code, bool, error) {
		i++
		if i == 300 {
			return Code{}, false, boom
		}
		return sample, true, nil
	}, Options{Template: tp, Format: ZPL})
	if !errors.Is(err, boom) {
		t.Errorf("Render with a failing source: %v", err)
	}
	if _, err := Render(context.Background(), io.Discard, codes(3), Options{Template: tp, Format: PDF}); err == nil || !strings.Contains(err.Error(), "font") {
		t.Errorf("PDF without a font: %v", err)
	}
}

// A PDF sheet, rasterised by Ghostscript, decodes with libdmtx to every
// code on its first page.
func TestPDFSheetDecodes(t *testing.T) {
	font := testFont(t)
	if font == nil {
		t.Skip("no CJK font")
	}
	gs := tool(t, "gs", "ghostscript")
	tp, _ := Builtin("gs1-datamatrix")
	var buf bytes.Buffer
	if _, err := Render(context.Background(), &buf, codes(27), Options{Template: tp, Format: PDF, Font: font}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pdf, png := filepath.Join(dir, "sheet.pdf"), filepath.Join(dir, "sheet.png")
	if err := os.WriteFile(pdf, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", "-r300", "-o", png, pdf).CombinedOutput(); err != nil {
		t.Fatalf("gs: %v: %s", err, out)
	}
	texts, _ := dmtx(t, png, 27)
	seen := map[string]bool{}
	for _, s := range texts {
		seen[s] = true
	}
	for i := range 27 {
		want := "\x1d0109520123456788172612251" + "0LOT42\x1d21" + fmt.Sprintf("SER%06d", i)
		if !seen[want] {
			t.Errorf("label %d not read from the PDF page (read %d symbols)", i, len(texts))
		}
	}
}

func BenchmarkRender(b *testing.B) {
	font, _ := LoadFont("")
	for _, tc := range []struct {
		tmpl string
		f    Format
	}{{"gs1-datamatrix", ZPL}, {"qr", ZPL}, {"gs1-datamatrix", PDF}, {"qr", PDF}, {"gs1-datamatrix", SVGZip}, {"gs1-datamatrix", PNGZip}} {
		b.Run(fmt.Sprintf("template=%s/format=%v", tc.tmpl, tc.f), func(b *testing.B) {
			if font == nil && (tc.f == PDF || tc.f == PNGZip) {
				b.Skip("no CJK font")
			}
			tp, _ := Builtin(tc.tmpl)
			n := 2000
			if tc.f == PNGZip {
				n = 200
			}
			b.ReportAllocs()
			var bytes int64
			cpu0 := cpuTime()
			for b.Loop() {
				cw := &countW{}
				if _, err := Render(context.Background(), cw, codes(n), Options{Template: tp, Format: tc.f, Font: font}); err != nil {
					b.Fatal(err)
				}
				bytes = cw.n
			}
			// labels/s is wall time: on a shared machine it falls with the
			// load; labels/cpu-s (the process's user and system time) does
			// not, and times the cores gives what an idle machine does.
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "labels/s")
			b.ReportMetric(float64(n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "labels/cpu-s")
			b.ReportMetric(float64(bytes)/float64(n), "bytes/label")
		})
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countW struct{ n int64 }

func (c *countW) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
