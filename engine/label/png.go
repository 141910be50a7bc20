package label

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Font is a TrueType font for the Chinese of label text. Latin letters,
// digits and punctuation are drawn in Go Regular (golang.org/x/image's
// gofont, built in), since the CJK fonts Debian ships as plain TrueType
// have Han glyphs only: each line is split into runs by which font has
// the glyph.
type Font struct {
	Name string // where it came from, for errors
	TTF  []byte

	once sync.Once
	otf  *opentype.Font
	err  error
}

// FontPaths are where LoadFont looks when given no path: Debian's
// fonts-droid-fallback and fonts-wqy-microhei packages (make deps-labels
// installs the first).
var FontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
}

// LoadFont reads the TrueType font at path, or with path "" the first of
// FontPaths that exists.
func LoadFont(path string) (*Font, error) {
	paths := []string{path}
	if path == "" {
		paths = FontPaths
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil {
			f := &Font{Name: p, TTF: b}
			if _, err := f.parsed(); err != nil {
				return nil, err
			}
			return f, nil
		}
		if path != "" {
			return nil, fmt.Errorf("label: font: %w", err)
		}
	}
	return nil, fmt.Errorf("label: no CJK font found (looked for %v): install fonts-droid-fallback or name a TrueType font", FontPaths)
}

// latin is Go Regular, parsed once.
var latin = func() *opentype.Font {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic("BUG: gofont: " + err.Error())
	}
	return f
}()

// textRun is a piece of a line drawn in one font.
type textRun struct {
	latin bool
	s     string
}

// runs splits s into runs of Go Regular glyphs and the rest.
func runs(s string) []textRun {
	var out []textRun
	var buf sfnt.Buffer
	start, cur := 0, false
	for i, r := range s {
		g, _ := latin.GlyphIndex(&buf, r)
		isLatin := g != 0 || r == ' '
		if i > 0 && isLatin != cur {
			out = append(out, textRun{latin: cur, s: s[start:i]})
			start = i
		}
		cur = isLatin
	}
	if start < len(s) {
		out = append(out, textRun{latin: cur, s: s[start:]})
	}
	return out
}

func (f *Font) parsed() (*opentype.Font, error) {
	f.once.Do(func() {
		f.otf, f.err = opentype.Parse(f.TTF)
		if f.err != nil {
			f.err = fmt.Errorf("label: font %s: %w", f.Name, f.err)
		}
	})
	return f.otf, f.err
}

// PNGOptions choose the raster.
type PNGOptions struct {
	DPI  int   // dots per inch; 0 = 300
	Font *Font // for text; nil draws no text
}

// Raster draws d as a grey image at o.DPI: white ground, black modules
// snapped to whole pixels so that every module of a barcode has the same
// width.
func Raster(d *Drawing, o PNGOptions) (*image.Gray, error) {
	fc := faceCache{}
	defer fc.close()
	return raster(d, o, &fc)
}

// faceCache holds one goroutine's font faces by pixel size (a face is
// not safe for concurrent use, and building one costs more than drawing
// a label's text).
type faceCache struct {
	cjk, lat map[float64]font.Face
}

func (fc *faceCache) get(f *opentype.Font, latin bool, size float64) (font.Face, error) {
	m := &fc.cjk
	if latin {
		m = &fc.lat
	}
	if face, ok := (*m)[size]; ok {
		return face, nil
	}
	if *m == nil {
		*m = map[float64]font.Face{}
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	(*m)[size] = face
	return face, nil
}

func (fc *faceCache) close() {
	for _, m := range []map[float64]font.Face{fc.cjk, fc.lat} {
		for _, f := range m {
			f.Close()
		}
	}
}

func raster(d *Drawing, o PNGOptions, fc *faceCache) (*image.Gray, error) {
	dpi := o.DPI
	if dpi == 0 {
		dpi = 300
	}
	px := float64(dpi) / 25.4
	img := image.NewGray(image.Rect(0, 0, int(math.Round(d.Width*px)), int(math.Round(d.Height*px))))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	b := img.Bounds()
	for _, r := range d.Rects {
		x0, y0 := int(math.Round(r.X*px)), int(math.Round(r.Y*px))
		x1, y1 := int(math.Round((r.X+r.W)*px)), int(math.Round((r.Y+r.H)*px))
		rr := image.Rect(x0, y0, x1, y1).Intersect(b)
		for y := rr.Min.Y; y < rr.Max.Y; y++ {
			row := img.Pix[y*img.Stride:]
			for x := rr.Min.X; x < rr.Max.X; x++ {
				row[x] = 0
			}
		}
	}
	if o.Font != nil && len(d.Texts) > 0 {
		otf, err := o.Font.parsed()
		if err != nil {
			return nil, err
		}
		for _, t := range d.Texts {
			cjk, err := fc.get(otf, false, t.Size*px)
			if err != nil {
				return nil, fmt.Errorf("label: font %s: %w", o.Font.Name, err)
			}
			lat, err := fc.get(latin, true, t.Size*px)
			if err != nil {
				return nil, fmt.Errorf("label: gofont: %w", err)
			}
			rs := runs(t.S)
			dr := font.Drawer{Dst: img, Src: image.NewUniform(color.Black)}
			x := t.X * px
			if t.Center {
				w := fixed.Int26_6(0)
				for _, r := range rs {
					dr.Face = cjk
					if r.latin {
						dr.Face = lat
					}
					w += dr.MeasureString(r.s)
				}
				x -= float64(w) / 64 / 2
			}
			// The line's top is t.Y; the baseline sits at 0.88 of the
			// size below it, as in PDF output.
			dr.Dot = fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6((t.Y + t.Size*0.88) * px * 64)}
			for _, r := range rs {
				dr.Face = cjk
				if r.latin {
					dr.Face = lat
				}
				dr.DrawString(r.s)
			}
		}
	}
	return img, nil
}

// WritePNG writes d as a PNG image.
func WritePNG(w io.Writer, d *Drawing, o PNGOptions) error {
	fc := faceCache{}
	defer fc.close()
	return writePNG(w, d, o, &fc)
}

func writePNG(w io.Writer, d *Drawing, o PNGOptions, fc *faceCache) error {
	img, err := raster(d, o, fc)
	if err != nil {
		return err
	}
	return pngEncoder.Encode(w, img)
}

// pngEncoder reuses its compressor state: a profile of png-zip output
// showed a fresh zlib writer per label (about 1.6 MB) as most of the
// allocation.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngPool{}}

type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.p.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }

// Quiet pads img with a white border of n pixels (for decoders that need
// the quiet zone drawn).
func Quiet(img *image.Gray, n int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, img.Bounds().Dx()+2*n, img.Bounds().Dy()+2*n))
	for i := range out.Pix {
		out.Pix[i] = 0xff
	}
	draw.Draw(out, img.Bounds().Add(image.Pt(n, n)), img, img.Bounds().Min, draw.Src)
	return out
}

var systemFont struct {
	once sync.Once
	f    *Font
	err  error
}

// SystemFont is LoadFont(""), read once per process.
func SystemFont() (*Font, error) {
	systemFont.once.Do(func() { systemFont.f, systemFont.err = LoadFont("") })
	return systemFont.f, systemFont.err
}
