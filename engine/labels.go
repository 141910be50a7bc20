package engine

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"tracecode/engine/code/gs1"
	"tracecode/engine/label"
)

// LabelOptions select what WriteLabels renders.
type LabelOptions struct {
	Template *label.Template // required
	Format   label.Format    // required
	Font     *label.Font     // text of PDF and PNG labels
	// Offset and Limit choose the codes as for WriteCodes (Limit 0: up to
	// the block's released tail).
	Offset, Limit uint64
	// DLBase and ShortBase override the engine's Options, as for
	// WriteCodes.
	DLBase, ShortBase string
	Workers           int                 // rendering goroutines; 0 = GOMAXPROCS
	Progress          func(labels uint64) // called with the labels written so far
}

// WriteLabels renders codes [Offset, Offset+Limit) of block id as labels
// of o.Template in o.Format. The codes are the ones WriteCodes prints
// (same checks: the block must be active, released codes are never
// rendered), read from its CSV form, so every label carries the engine's
// canonical forms, never re-typed text.
func (e *Engine) WriteLabels(ctx context.Context, w io.Writer, id uint64, o LabelOptions) (uint64, error) {
	if o.Template == nil {
		return 0, fieldErr("template", "", "is required")
	}
	b, err := e.Block(id)
	if err != nil {
		return 0, err
	}
	p, err := e.Product(b.Product)
	if err != nil {
		return 0, err
	}
	if err := e.CheckLabels(id, o.Template); err != nil {
		return 0, err
	}
	base := label.Code{NameZH: p.NameZH, NameEN: p.NameEN}
	if !p.GTIN.IsZero() {
		base.GTIN = p.GTIN.String()
	}
	if b.Lot != 0 {
		l, err := e.Lot(b.Lot)
		if err != nil {
			return 0, err
		}
		base.Lot = l.Number
		if l.Expiry != 0 {
			base.Expiry = yymmdd(l.Expiry)
		}
	}
	n := o.Limit
	if n == 0 && o.Offset <= b.ReleasedFrom() {
		n = b.ReleasedFrom() - o.Offset
	}
	if o.Format == label.PDF && n > label.MaxPDFLabels {
		return 0, fieldErr("limit", fmt.Sprint(n), "is above the %d labels of one PDF document: split it with offset and limit", label.MaxPDFLabels)
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.WriteCodes(ctx, pw, id, StreamOptions{Format: FormatCSV, Offset: o.Offset, Limit: o.Limit,
			DLBase: o.DLBase, ShortBase: o.ShortBase})
		pw.CloseWithError(err)
		done <- err
	}()
	r := csv.NewReader(pr)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		pr.CloseWithError(err)
		if werr := <-done; werr != nil {
			return 0, werr
		}
		return 0, fmt.Errorf("engine: labels of block %d: %w", id, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok {
			return rec[i]
		}
		return ""
	}
	var offset uint64
	next := func() (label.Code, bool, error) {
		rec, err := r.Read()
		if err == io.EOF {
			return label.Code{}, false, nil
		}
		if err != nil {
			return label.Code{}, false, err
		}
		c := base
		c.Offset = o.Offset + offset
		offset++
		c.Serial, c.DL, c.HRI = field(rec, "serial"), field(rec, "dl"), field(rec, "element")
		c.NMPA, c.Short = field(rec, "nmpa"), field(rec, "short")
		if c.HRI != "" {
			els, err := gs1.ParseHRI(c.HRI)
			if err != nil {
				return label.Code{}, false, fmt.Errorf("engine: label at offset %d: %w", c.Offset, err)
			}
			c.GS = string(gs1.AppendBarcodeData(nil, els, ""))
		}
		return c, true, nil
	}
	written, err := label.Render(ctx, w, next, label.Options{Template: o.Template, Format: o.Format, Font: o.Font,
		Workers: o.Workers, Progress: o.Progress, Name: fmt.Sprintf("block%d", id)})
	pr.CloseWithError(errors.New("engine: labels stopped"))
	if werr := <-done; werr != nil && err == nil && !errors.Is(werr, io.ErrClosedPipe) {
		err = werr
	}
	return written, err
}

// CheckLabels refuses a template that needs a form block id lacks (an
// NMPA code on a GS1 block, a Digital Link on a short-code block, a GTIN
// on a product without one) — what WriteLabels checks before it writes.
func (e *Engine) CheckLabels(id uint64, t *label.Template) error {
	b, err := e.Block(id)
	if err != nil {
		return err
	}
	p, err := e.Product(b.Product)
	if err != nil {
		return err
	}
	forms, err := e.Formats(id)
	if err != nil {
		return err
	}
	has := map[Format]bool{}
	for _, f := range forms {
		has[f] = true
	}
	for _, f := range t.Fields() {
		ok := true
		switch f {
		case label.FieldDL:
			ok = has[FormatDL]
		case label.FieldHRI, label.FieldGS:
			ok = has[FormatElement]
		case label.FieldNMPA:
			ok = has[FormatNMPA]
		case label.FieldShort:
			ok = has[FormatShort]
		case label.FieldGTIN, label.FieldGTIN13, label.FieldGTIN12:
			g := label.Code{}
			if !p.GTIN.IsZero() {
				g.GTIN = p.GTIN.String()
			}
			ok = g.Value(f, false) != ""
		case label.FieldSSCC:
			ok = false // blocks hold no SSCCs
		}
		if !ok {
			return fieldErr("template", t.Name, "needs the %v of each code, which block %d does not have", f, id)
		}
	}
	return nil
}
