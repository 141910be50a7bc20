package label

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tool returns the path of an external decoder, skipping the test when it
// is absent — except under TRACECODE_CI=1, where `make test` has
// installed it (make deps-labels) and its absence is a failure.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("TRACECODE_CI") == "1" {
			t.Fatalf("%s is not installed (Debian package %s; make deps-labels installs it)", name, pkg)
		}
		t.Skipf("%s is not installed (Debian package %s; make deps-labels installs it)", name, pkg)
	}
	return p
}

// symbolPNG draws s at px pixels a module with its quiet zone (and
// height pixels for a linear symbol) and writes it into dir.
func symbolPNG(t *testing.T, dir string, s *Symbol, px, height int) string {
	t.Helper()
	q := s.Quiet
	rows := s.Rows
	rowPx := px
	if !s.Kind.TwoD() {
		rows, rowPx = 1, height
	}
	img := image.NewGray(image.Rect(0, 0, (s.Cols+2*q)*px, rows*rowPx+2*q*px))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for r := 0; r < rows; r++ {
		for c := 0; c < s.Cols; c++ {
			if !s.Dark(r, c) {
				continue
			}
			for y := q*px + r*rowPx; y < q*px+(r+1)*rowPx; y++ {
				for x := (q + c) * px; x < (q+c+1)*px; x++ {
					img.Pix[y*img.Stride+x] = 0
				}
			}
		}
	}
	return savePNG(t, dir, s.Kind.String(), img)
}

func savePNG(t *testing.T, dir, stem string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(dir, stem+"-*.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(f.Name())
}

// zbarSymbol is one symbol zbarimg found.
type zbarSymbol struct {
	Type      string `xml:"type,attr"`
	Modifiers string `xml:"modifiers,attr"` // "GS1" for a symbol with FNC1 first (]C1, ]Q3, ]e0)
	Data      struct {
		Format string `xml:"format,attr"`
		Text   string `xml:",chardata"`
	} `xml:"data"`
}

// zbar decodes file with zbarimg (its XML output: type, GS1 modifier and
// data, base64 when binary).
func zbar(t *testing.T, file string, config ...string) []zbarSymbol {
	t.Helper()
	bin := tool(t, "zbarimg", "zbar-tools")
	args := append([]string{"--xml", "--nodbus", "-q"}, config...)
	out, err := exec.Command(bin, append(args, file)...).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v (nothing decoded)", file, err)
	}
	var doc struct {
		Symbols []zbarSymbol `xml:"source>index>symbol"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("zbarimg output %q: %v", out, err)
	}
	for i := range doc.Symbols {
		d := &doc.Symbols[i].Data
		if d.Format == "base64" {
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(d.Text))
			if err != nil {
				t.Fatal(err)
			}
			d.Text = string(b)
		}
	}
	return doc.Symbols
}

// dmtx decodes the Data Matrix symbols in file with libdmtx's dmtxread in
// GS1 mode (-G 29): an FNC1 in the first position comes out as a leading
// GS, so a GS1 DataMatrix (]d2) reads as "\x1d" + its element string.
// codewords are the first symbol's data codewords (dmtxread -c).
func dmtx(t *testing.T, file string, n int) (texts []string, codewords []int) {
	t.Helper()
	bin := tool(t, "dmtxread", "dmtx-utils")
	run := func(args ...string) string {
		cmd := exec.Command(bin, append(args, "-m", "20000", file)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("dmtxread %v %s: %v (nothing decoded)", args, file, err)
		}
		return string(out)
	}
	texts = strings.Split(strings.TrimSuffix(run("-G", "29", "-n", "-N", strconv.Itoa(n)), "\n"), "\n")
	for _, l := range strings.Split(run("-c", "-N", "1"), "\n") {
		if v, ok := strings.CutPrefix(l, "d:"); ok {
			c, _ := strconv.Atoi(v)
			codewords = append(codewords, c)
		}
	}
	return texts, codewords
}

func pngBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
