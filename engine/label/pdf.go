package label

import (
	"fmt"
	"io"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"
)

// MaxPDFLabels bounds one PDF document: fpdf builds the document in
// memory, so larger runs are split with offset and limit.
const MaxPDFLabels = 50_000

// pdfSheet writes label drawings onto the template's sheet layout.
type pdfSheet struct {
	pdf                *fpdf.Fpdf
	t                  *Template
	cols, rows         int
	left, top          float64
	pageW, pageH       float64
	font               bool
	labelsOnPage, page int
	curLatin           bool
	curPt              float64
}

func newPDFSheet(t *Template, f *Font) (*pdfSheet, error) {
	pw, ph, _ := pageSize(t.Sheet.Page, t)
	s := &pdfSheet{t: t, pageW: pw, pageH: ph}
	s.pdf = fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: pw, Ht: ph}})
	s.pdf.SetMargins(0, 0, 0)
	s.pdf.SetAutoPageBreak(false, 0)
	s.pdf.SetCreator("tracecode", true)
	if f != nil {
		s.pdf.AddUTF8FontFromBytes("cjk", "", f.TTF)
		s.pdf.AddUTF8FontFromBytes("latin", "", goregular.TTF)
		if err := s.pdf.Error(); err != nil {
			return nil, fmt.Errorf("label: font %s: %w", f.Name, err)
		}
		s.font = true
	}
	s.cols, s.rows = t.Sheet.Cols, t.Sheet.Rows
	fit := func(page, size, margin, gap float64) int {
		return max(int((page-2*margin+gap)/(size+gap)), 0)
	}
	if s.cols == 0 {
		s.cols = fit(pw, t.Width, t.Sheet.Left, t.Sheet.GapX)
	}
	if s.rows == 0 {
		s.rows = fit(ph, t.Height, t.Sheet.Top, t.Sheet.GapY)
	}
	gw := float64(s.cols)*t.Width + float64(s.cols-1)*t.Sheet.GapX
	gh := float64(s.rows)*t.Height + float64(s.rows-1)*t.Sheet.GapY
	if s.cols == 0 || s.rows == 0 || gw > pw+1e-6 || gh > ph+1e-6 {
		return nil, fmt.Errorf("%w: sheet: %d × %d labels of %g × %g mm do not fit a %g × %g mm page", ErrTemplate, s.cols, s.rows, t.Width, t.Height, pw, ph)
	}
	s.left, s.top = t.Sheet.Left, t.Sheet.Top
	if s.left == 0 {
		s.left = (pw - gw) / 2
	}
	if s.top == 0 {
		s.top = (ph - gh) / 2
	}
	return s, nil
}

// add draws d in the next free place, starting a page when one is full.
func (s *pdfSheet) add(d *Drawing) error {
	if s.labelsOnPage == 0 || s.labelsOnPage == s.cols*s.rows {
		s.pdf.AddPage()
		s.labelsOnPage = 0
		s.page++
	}
	i := s.labelsOnPage
	s.labelsOnPage++
	x0 := s.left + float64(i%s.cols)*(s.t.Width+s.t.Sheet.GapX)
	y0 := s.top + float64(i/s.cols)*(s.t.Height+s.t.Sheet.GapY)
	for _, r := range d.Rects {
		s.pdf.Rect(x0+r.X, y0+r.Y, r.W, r.H, "F")
	}
	if len(d.Texts) > 0 && !s.font {
		return fmt.Errorf("label: the template prints text but no font was given (Chinese needs a CJK TrueType font)")
	}
	for _, t := range d.Texts {
		pt := t.Size * 72 / 25.4
		rs := runs(t.S)
		x := x0 + t.X
		if t.Center {
			w := 0.0
			for _, r := range rs {
				s.setFont(r.latin, pt)
				w += s.pdf.GetStringWidth(r.s)
			}
			x -= w / 2
		}
		// Text takes the baseline: the top plus 0.88 of the size (the
		// ascent of both fonts, near enough).
		for _, r := range rs {
			s.setFont(r.latin, pt)
			s.pdf.Text(x, y0+t.Y+t.Size*0.88, r.s)
			x += s.pdf.GetStringWidth(r.s)
		}
	}
	return s.pdf.Error()
}

func (s *pdfSheet) setFont(latin bool, pt float64) {
	if latin == s.curLatin && pt == s.curPt {
		return
	}
	s.curLatin, s.curPt = latin, pt
	if latin {
		s.pdf.SetFont("latin", "", pt)
	} else {
		s.pdf.SetFont("cjk", "", pt)
	}
}

func (s *pdfSheet) output(w io.Writer) error {
	if s.page == 0 {
		s.pdf.AddPage() // an empty range still makes a valid document
	}
	return s.pdf.Output(w)
}
