package label

import (
	"fmt"
)

// Drawing is one label laid out: dark rectangles (the barcodes' modules,
// runs merged) and text lines, in millimetres from the label's top left.
// SVG, PNG and PDF output draw it; ZPL uses the printer's own symbols
// instead (see ZPL).
type Drawing struct {
	Width, Height float64
	Rects         []Rect
	Texts         []Text
	Symbols       []*Symbol // the encoded barcodes, in item order
}

// Rect is a dark rectangle, mm.
type Rect struct{ X, Y, W, H float64 }

// Text is one line of text: its top left corner and height, mm.
type Text struct {
	X, Y, Size float64
	S          string
	Center     bool // X is the line's centre (HRI under a bar code)
}

// placed is a barcode item with its symbol and size, mm.
type placed struct {
	it     *Item
	sym    *Symbol
	module float64 // mm per module (narrow bar for 1D)
	w, h   float64 // the symbol's bars or modules, quiet zone excluded
}

// place encodes item it for code c and sizes it.
func (t *Template) place(it *Item, c *Code) (placed, error) {
	data := barcodeData(it.kind, it.data, c)
	if data == "" {
		return placed{}, fmt.Errorf("%w: the code has no %v for the %v", ErrData, it.data, it.kind)
	}
	o := SymbolOptions{Shape: it.shape, EC: it.ec}
	if it.kind == QR && o.EC == ECAuto {
		side := it.Size
		if side == 0 {
			side = it.Module * 25 // a version 2 symbol, the smallest a URI takes
		}
		o.EC = ECForSize(side)
	}
	s, err := Encode(it.kind, data, o)
	if err != nil {
		return placed{}, err
	}
	p := placed{it: it, sym: s, module: it.Module}
	if p.module == 0 {
		p.module = it.Size / float64(max(s.Cols, s.Rows))
	}
	p.w = float64(s.Cols) * p.module
	if it.kind.TwoD() {
		p.h = float64(s.Rows) * p.module
	} else {
		p.h = it.Bar
		if p.h == 0 {
			p.h = defaultBar
		}
	}
	if it.X+p.w > t.Width+1e-9 || it.Y+p.h > t.Height+1e-9 {
		return placed{}, fmt.Errorf("%w: the %v of %d×%d modules is %.1f × %.1f mm at (%g, %g): it leaves the %g × %g mm label",
			ErrData, it.kind, s.Cols, s.Rows, p.w, p.h, it.X, it.Y, t.Width, t.Height)
	}
	return p, nil
}

// Draw lays out one label for code c.
func (t *Template) Draw(c *Code) (*Drawing, error) {
	d := &Drawing{Width: t.Width, Height: t.Height}
	return d, t.drawInto(d, c)
}

func (t *Template) drawInto(d *Drawing, c *Code) error {
	d.Width, d.Height = t.Width, t.Height
	d.Rects, d.Texts, d.Symbols = d.Rects[:0], d.Texts[:0], d.Symbols[:0]
	for i := range t.Items {
		it := &t.Items[i]
		if it.Type == "text" {
			s := it.Prefix + c.Value(it.field, true)
			if it.field != FieldNone && c.Value(it.field, true) == "" {
				continue // a field the code lacks (no lot, no English name) prints nothing
			}
			d.Texts = append(d.Texts, Text{X: it.X, Y: it.Y, Size: it.Font, S: s})
			continue
		}
		p, err := t.place(it, c)
		if err != nil {
			return fmt.Errorf("item %d: %w", i+1, err)
		}
		d.Symbols = append(d.Symbols, p.sym)
		s := p.sym
		if !it.kind.TwoD() {
			for x := 0; x < s.Cols; {
				if !s.Dark(0, x) {
					x++
					continue
				}
				x0 := x
				for x < s.Cols && s.Dark(0, x) {
					x++
				}
				d.Rects = append(d.Rects, Rect{X: it.X + float64(x0)*p.module, Y: it.Y, W: float64(x-x0) * p.module, H: p.h})
			}
			if it.HRI {
				d.Texts = append(d.Texts, Text{X: it.X + p.w/2, Y: it.Y + p.h + 0.6, Size: hriSize(it), S: hriOf(it, c, s), Center: true})
			}
			continue
		}
		// Runs of dark modules, each merged with the run of the same
		// columns in the row above: fewer rectangles for PDF and SVG to
		// write (a QR code's finder patterns and solid stretches).
		open := map[[2]int]int{} // [x0, x1) of the previous row's runs → index in d.Rects
		next := map[[2]int]int{}
		for r := 0; r < s.Rows; r++ {
			clear(next)
			for x := 0; x < s.Cols; {
				if !s.Dark(r, x) {
					x++
					continue
				}
				x0 := x
				for x < s.Cols && s.Dark(r, x) {
					x++
				}
				k := [2]int{x0, x}
				if i, ok := open[k]; ok {
					d.Rects[i].H += p.module
					next[k] = i
					continue
				}
				next[k] = len(d.Rects)
				d.Rects = append(d.Rects, Rect{X: it.X + float64(x0)*p.module, Y: it.Y + float64(r)*p.module, W: float64(x-x0) * p.module, H: p.module})
			}
			open, next = next, open
		}
	}
	return nil
}

// hriSize is the height of the human-readable text under a linear
// symbol: ten modules, between 2.2 and 4 mm (GS1 logistic labels, X =
// 0.495 mm, ask for at least 3 mm).
func hriSize(it *Item) float64 { return min(max(10*it.Module, hriFont), 4) }

// hriOf is the human-readable interpretation printed under a linear
// symbol: the element string with its AIs in parentheses for GS1-128
// (GS1 General Specifications §4.15), the digits or text otherwise.
func hriOf(it *Item, c *Code, s *Symbol) string {
	if it.kind == GS1128 {
		if it.data == FieldSSCC {
			return "(00) " + c.SSCC
		}
		return c.HRI
	}
	return s.Data
}
