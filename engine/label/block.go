package label

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// Codes is what WriteBlock and CheckBlock ask of the issuance state (an
// issue.Book): a block, its product and lot, its printed forms, and its
// codes as a stream.
type Codes interface {
	Block(id uint64) (model.Block, error)
	Product(id uint32) (model.Product, error)
	Lot(id uint32) (model.Lot, error)
	Formats(id uint64) ([]issue.Format, error)
	WriteCodes(ctx context.Context, w io.Writer, id uint64, o issue.StreamOptions) (issue.StreamStats, error)
}

// BlockOptions select what WriteBlock renders.
type BlockOptions struct {
	Template *Template // required
	Format   Format    // required
	Font     *Font     // text of PDF and PNG labels
	// Offset and Limit choose the codes as for WriteCodes (Limit 0: up to
	// the block's released tail).
	Offset, Limit uint64
	// DLBase and ShortBase override the engine's Options, as for
	// WriteCodes.
	DLBase, ShortBase string
	Workers           int                 // rendering goroutines; 0 = GOMAXPROCS
	Progress          func(labels uint64) // called with the labels written so far
}

// WriteBlock renders codes [Offset, Offset+Limit) of block id as labels
// of o.Template in o.Format. The codes are the ones WriteCodes prints
// (same checks: the block must be active, released codes are never
// rendered), read from its CSV form, so every label carries the engine's
// canonical forms, never re-typed text.
func WriteBlock(ctx context.Context, w io.Writer, e Codes, id uint64, o BlockOptions) (uint64, error) {
	if o.Template == nil {
		return 0, model.FieldErrorf("template", "", "is required")
	}
	b, err := e.Block(id)
	if err != nil {
		return 0, err
	}
	p, err := e.Product(b.Product)
	if err != nil {
		return 0, err
	}
	if err := CheckBlock(e, id, o.Template); err != nil {
		return 0, err
	}
	base := Code{NameZH: p.NameZH, NameEN: p.NameEN}
	sscc := b.Scheme == serial.SSCC
	if g := issue.BlockGTIN(&p, &b); !g.IsZero() && !sscc { // an SSCC label names no GTIN
		base.GTIN = g.String() // a case's label shows the case's GTIN
	}
	if b.Lot != 0 {
		l, err := e.Lot(b.Lot)
		if err != nil {
			return 0, err
		}
		base.Lot = l.Number
		if l.Expiry != 0 {
			base.Expiry = issue.YYMMDD(l.Expiry)
		}
	}
	n := o.Limit
	if n == 0 && o.Offset <= b.ReleasedFrom() {
		n = b.ReleasedFrom() - o.Offset
	}
	if o.Format == PDF && n > MaxPDFLabels {
		return 0, model.FieldErrorf("limit", fmt.Sprint(n), "is above the %d labels of one PDF document: split it with offset and limit", MaxPDFLabels)
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.WriteCodes(ctx, pw, id, issue.StreamOptions{Format: issue.FormatCSV, Offset: o.Offset, Limit: o.Limit,
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
	next := func() (Code, bool, error) {
		rec, err := r.Read()
		if err == io.EOF {
			return Code{}, false, nil
		}
		if err != nil {
			return Code{}, false, err
		}
		c := base
		c.Offset = o.Offset + offset
		offset++
		c.Serial, c.DL, c.HRI = field(rec, "serial"), field(rec, "dl"), field(rec, "element")
		c.NMPA, c.Short = field(rec, "nmpa"), field(rec, "short")
		if sscc {
			c.SSCC = c.Serial // an sscc block's serial is the 18-digit SSCC
		}
		if c.HRI != "" {
			els, err := gs1.ParseHRI(c.HRI)
			if err != nil {
				return Code{}, false, fmt.Errorf("engine: label at offset %d: %w", c.Offset, err)
			}
			c.GS = string(gs1.AppendBarcodeData(nil, els, ""))
		}
		return c, true, nil
	}
	written, err := Render(ctx, w, next, Options{Template: o.Template, Format: o.Format, Font: o.Font,
		Workers: o.Workers, Progress: o.Progress, Name: fmt.Sprintf("block%d", id)})
	pr.CloseWithError(errors.New("engine: labels stopped"))
	if werr := <-done; werr != nil && err == nil && !errors.Is(werr, io.ErrClosedPipe) {
		err = werr
	}
	return written, err
}

// CheckBlock refuses a template that needs a form block id lacks (an
// NMPA code on a GS1 block, a Digital Link on a short-code block, a GTIN
// on a product without one or on an SSCC, an SSCC on a block of items) — what WriteBlock checks before it writes.
func CheckBlock(e Codes, id uint64, t *Template) error {
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
	has := map[issue.Format]bool{}
	for _, f := range forms {
		has[f] = true
	}
	for _, f := range t.Fields() {
		ok := true
		switch f {
		case FieldDL:
			ok = has[issue.FormatDL]
		case FieldHRI, FieldGS:
			ok = has[issue.FormatElement]
		case FieldNMPA:
			ok = has[issue.FormatNMPA]
		case FieldShort:
			ok = has[issue.FormatShort]
		case FieldGTIN, FieldGTIN13, FieldGTIN12:
			g := Code{}
			if x := issue.BlockGTIN(&p, &b); !x.IsZero() && b.Scheme != serial.SSCC {
				g.GTIN = x.String()
			}
			ok = g.Value(f, false) != ""
		case FieldSSCC:
			ok = b.Scheme == serial.SSCC // only sscc blocks hold SSCCs
		}
		if !ok {
			return model.FieldErrorf("template", t.Name, "needs the %v of each code, which block %d does not have", f, id)
		}
	}
	return nil
}
