package label

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path"
	"sort"
	"strings"

	"tracecode/engine/label/datamatrix"
)

// Template is a label's declarative layout, read from JSON (docs/labels.md
// describes the format): the label's size in millimetres, how labels sit
// on a sheet, and the barcodes and text lines drawn on each, each with its
// position (top left, mm) and the code field it shows. A template never
// holds the data: every value comes from the issued code.
type Template struct {
	Name   string  `json:"name"`
	Width  float64 `json:"width"`  // label width, mm
	Height float64 `json:"height"` // label height, mm
	// DPI is the resolution of PNG output and of ZPL (dots per inch);
	// 0 means 300 for PNG and 203 for ZPL (8 dots/mm, the common thermal
	// head).
	DPI   int    `json:"dpi,omitempty"`
	Sheet Sheet  `json:"sheet"`
	Items []Item `json:"items"`
	// ZPLFont is the printer font ZPL text uses (a Unicode TrueType font
	// on the printer, for Chinese); "" is E:ANMDS.TTF, Zebra's simplified
	// Chinese Andale.
	ZPLFont string `json:"zplFont,omitempty"`
}

// Sheet places labels on a PDF page: Cols × Rows labels from the page's
// top left margin, GapX and GapY apart. Zero Cols and Rows fit as many
// as the page holds; zero margins centre the grid.
type Sheet struct {
	Page string  `json:"page,omitempty"` // "A4" (default), "A5", "Letter" or "label" (one label per page, the label's size)
	Cols int     `json:"cols,omitempty"`
	Rows int     `json:"rows,omitempty"`
	Left float64 `json:"left,omitempty"` // mm
	Top  float64 `json:"top,omitempty"`  // mm
	GapX float64 `json:"gapX,omitempty"` // mm
	GapY float64 `json:"gapY,omitempty"` // mm
}

// Item is one barcode or text line of a label.
type Item struct {
	Type string  `json:"type"` // "barcode" or "text"
	X    float64 `json:"x"`    // left edge, mm
	Y    float64 `json:"y"`    // top edge, mm
	// Barcodes.
	Kind   string  `json:"kind,omitempty"`   // qr, gs1-datamatrix, gs1-128, code128, ean13, upca
	Data   string  `json:"data,omitempty"`   // the field encoded; default per kind (dl, gs, gs, nmpa, gtin13, gtin12)
	Module float64 `json:"module,omitempty"` // module (narrow bar) width, mm
	Size   float64 `json:"size,omitempty"`   // 2D: the symbol's side, mm (instead of module)
	Bar    float64 `json:"bar,omitempty"`    // 1D: bar height, mm (default 10)
	Shape  string  `json:"shape,omitempty"`  // gs1-datamatrix: square (default), rectangle, any
	EC     string  `json:"ec,omitempty"`     // qr: L, M, Q, H; default chosen from the size
	HRI    bool    `json:"hri,omitempty"`    // 1D: print the human-readable interpretation under the bars
	// Text.
	Field  string  `json:"field,omitempty"`  // the field shown
	Prefix string  `json:"prefix,omitempty"` // fixed text before the value, e.g. "批号 LOT "
	Font   float64 `json:"font,omitempty"`   // text height, mm (default 2.5)

	kind  Kind
	data  Field
	field Field
	ec    ECLevel
	shape datamatrix.Shape
}

// Default sizes.
const (
	defaultBar  = 10.0
	defaultFont = 2.5
	hriFont     = 2.2
)

// ParseTemplate reads and checks a JSON template. Errors name the item
// (1-based) and the setting at fault.
func ParseTemplate(r io.Reader) (*Template, error) {
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	var t Template
	if err := d.Decode(&t); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: data after the template object", ErrTemplate)
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return &t, nil
}

func (t *Template) check() error {
	bad := func(f string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrTemplate, fmt.Sprintf(f, args...))
	}
	pos := func(v float64) bool { return v > 0 && v < 2000 && !math.IsNaN(v) }
	nonneg := func(v float64) bool { return v >= 0 && v < 2000 }
	if !pos(t.Width) || !pos(t.Height) {
		return bad("width and height must be positive millimetres below 2000 (got %g × %g)", t.Width, t.Height)
	}
	if t.DPI != 0 && (t.DPI < 72 || t.DPI > 1200) {
		return bad("dpi %d is outside 72–1200", t.DPI)
	}
	s := &t.Sheet
	if _, _, ok := pageSize(s.Page, t); !ok {
		return bad("sheet page %q is not A4, A5, Letter or label", s.Page)
	}
	if s.Cols < 0 || s.Rows < 0 || s.Cols > 100 || s.Rows > 100 || !nonneg(s.Left) || !nonneg(s.Top) || !nonneg(s.GapX) || !nonneg(s.GapY) {
		return bad("sheet: cols and rows must be 0–100, margins and gaps non-negative millimetres")
	}
	if len(t.Items) == 0 || len(t.Items) > 64 {
		return bad("a label needs 1 to 64 items, has %d", len(t.Items))
	}
	for i := range t.Items {
		it := &t.Items[i]
		at := fmt.Sprintf("item %d (%s)", i+1, it.Type)
		if !nonneg(it.X) || !nonneg(it.Y) || it.X >= t.Width || it.Y >= t.Height {
			return bad("%s: position (%g, %g) is outside the %g × %g mm label", at, it.X, it.Y, t.Width, t.Height)
		}
		var err error
		switch it.Type {
		case "barcode":
			if it.kind, err = ParseKind(it.Kind); err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			it.data = defaultData(it.kind)
			if it.Data != "" {
				if it.data, err = ParseField(it.Data); err != nil {
					return fmt.Errorf("%s: %w", at, err)
				}
				ok := false
				for _, f := range dataFields(it.kind) {
					ok = ok || f == it.data
				}
				if !ok {
					return bad("%s: a %v encodes %v, not %q", at, it.kind, dataFields(it.kind), it.Data)
				}
			}
			if !nonneg(it.Module) || !nonneg(it.Size) || !nonneg(it.Bar) || it.Module > 10 {
				return bad("%s: module, size and bar must be non-negative millimetres (module at most 10)", at)
			}
			if it.kind.TwoD() && it.Module == 0 && it.Size == 0 {
				return bad("%s: a %v needs module or size", at, it.kind)
			}
			if !it.kind.TwoD() && it.Module == 0 {
				return bad("%s: a %v needs module (the narrow bar width)", at, it.kind)
			}
			if it.Size != 0 && !it.kind.TwoD() {
				return bad("%s: size is for 2D symbols; a %v takes module and bar", at, it.kind)
			}
			if it.shape, err = datamatrix.ParseShape(it.Shape); err != nil || (it.Shape != "" && it.kind != GS1DataMatrix) {
				return bad("%s: shape %q (square, rectangle or any) is for gs1-datamatrix", at, it.Shape)
			}
			if it.ec, err = ParseECLevel(it.EC); err != nil || (it.EC != "" && it.kind != QR) {
				return bad("%s: ec %q (L, M, Q or H) is for qr", at, it.EC)
			}
			if it.Field != "" || it.Prefix != "" || it.Font != 0 {
				return bad("%s: field, prefix and font are for text items", at)
			}
		case "text":
			if it.field, err = ParseField(it.Field); err != nil && it.Field != "" {
				return fmt.Errorf("%s: %w", at, err)
			}
			if it.field == FieldNone && it.Prefix == "" {
				return bad("%s: a text item needs a field or a prefix", at)
			}
			if it.Font == 0 {
				it.Font = defaultFont
			}
			if !pos(it.Font) || it.Font > 50 {
				return bad("%s: font %g mm is outside 0–50", at, it.Font)
			}
			if it.Kind != "" || it.Data != "" || it.Module != 0 || it.Size != 0 || it.Bar != 0 || it.Shape != "" || it.EC != "" || it.HRI {
				return bad("%s: barcode settings on a text item", at)
			}
		default:
			return bad("%s: type must be barcode or text", at)
		}
	}
	return nil
}

// Fields lists the code fields t needs, for a caller that checks a block
// has them before rendering.
func (t *Template) Fields() []Field {
	seen := map[Field]bool{}
	var out []Field
	for i := range t.Items {
		for _, f := range []Field{t.Items[i].data, t.Items[i].field} {
			if f != FieldNone && !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// pageSize returns the sheet's page size in mm.
func pageSize(page string, t *Template) (w, h float64, ok bool) {
	switch strings.ToLower(page) {
	case "", "a4":
		return 210, 297, true
	case "a5":
		return 148, 210, true
	case "letter":
		return 215.9, 279.4, true
	case "label":
		return t.Width, t.Height, true
	}
	return 0, 0, false
}

//go:embed templates/*.json
var builtinFS embed.FS

// builtins are the templates tracecode ships, by name.
var builtins = func() map[string]*Template {
	m := map[string]*Template{}
	ents, err := builtinFS.ReadDir("templates")
	if err != nil {
		panic("BUG: " + err.Error())
	}
	for _, e := range ents {
		b, _ := builtinFS.ReadFile("templates/" + e.Name())
		t, err := ParseTemplate(bytes.NewReader(b))
		if err != nil {
			panic(fmt.Sprintf("BUG: built-in template %s: %v", e.Name(), err))
		}
		name := strings.TrimSuffix(path.Base(e.Name()), ".json")
		if t.Name != name {
			panic(fmt.Sprintf("BUG: built-in template %s is named %q", e.Name(), t.Name))
		}
		m[name] = t
	}
	return m
}()

// Builtin returns the built-in template called name.
func Builtin(name string) (*Template, error) {
	t, ok := builtins[name]
	if !ok {
		return nil, fmt.Errorf("%w: no built-in template %q (there are %s)", ErrTemplate, name, strings.Join(BuiltinNames(), ", "))
	}
	c := *t
	c.Items = append([]Item(nil), t.Items...)
	return &c, nil
}

// BuiltinNames lists the built-in templates.
func BuiltinNames() []string {
	var out []string
	for n := range builtins {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
