package label

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// zplEscape is the ^BX escape character: GS1 CSET 82 (the characters of
// element values) does not hold it, so it never needs escaping itself.
const zplEscape = '`'

// AppendZPL appends one label for code c in ZPL II: the printer renders
// each barcode with its own command (^BX Data Matrix with FNC1 as `1,
// ^BQ QR, ^BC Code 128 — GS1-128 in its UCC/EAN mode D with >8 as the
// separator —, ^BE EAN-13, ^BU UPC-A), so the data goes as data, and text
// goes in UTF-8 (^CI28) in the template's printer font.
func (t *Template) AppendZPL(dst []byte, c *Code) ([]byte, error) {
	dpi := t.DPI
	if dpi == 0 {
		dpi = 203
	}
	dpmm := float64(dpi) / 25.4
	dots := func(mm float64) int { return int(math.Round(mm * dpmm)) }
	font := t.ZPLFont
	if font == "" {
		font = "E:ANMDS.TTF"
	}
	dst = append(dst, "^XA^CI28^PW"...)
	dst = strconv.AppendInt(dst, int64(dots(t.Width)), 10)
	dst = append(dst, "^LL"...)
	dst = strconv.AppendInt(dst, int64(dots(t.Height)), 10)
	dst = append(dst, "^LH0,0\n"...)
	fo := func(x, y float64) {
		dst = append(dst, "^FO"...)
		dst = strconv.AppendInt(dst, int64(dots(x)), 10)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(dots(y)), 10)
	}
	for i := range t.Items {
		it := &t.Items[i]
		if it.Type == "text" {
			v := c.Value(it.field, true)
			if it.field != FieldNone && v == "" {
				continue
			}
			fo(it.X, it.Y)
			h := strconv.Itoa(max(dots(it.Font), 10))
			dst = append(dst, "^A@N,"+h+","+h+","+font+"^FH\\^FD"...)
			dst = appendZPLText(dst, it.Prefix+v)
			dst = append(dst, "^FS\n"...)
			continue
		}
		data := barcodeData(it.kind, it.data, c)
		if data == "" {
			return dst, fmt.Errorf("item %d: %w: the code has no %v for the %v", i+1, ErrData, it.data, it.kind)
		}
		m := it.Module
		hri := "N"
		if it.HRI {
			hri = "Y"
		}
		bar := it.Bar
		if bar == 0 {
			bar = defaultBar
		}
		switch it.kind {
		case GS1DataMatrix:
			// The symbol's size decides the module count, so ^BX gets the
			// rows and columns our encoder chose (the printer then builds
			// the same size).
			p, err := t.place(it, c)
			if err != nil {
				return dst, fmt.Errorf("item %d: %w", i+1, err)
			}
			aspect := "1"
			if p.sym.Rows != p.sym.Cols {
				aspect = "2"
			}
			fo(it.X, it.Y)
			dst = append(dst, "^BXN,"...)
			dst = strconv.AppendInt(dst, int64(max(dots(p.module), 1)), 10)
			dst = append(dst, ",200,"...)
			dst = strconv.AppendInt(dst, int64(p.sym.Cols), 10)
			dst = append(dst, ',')
			dst = strconv.AppendInt(dst, int64(p.sym.Rows), 10)
			dst = append(dst, ",6,"+string(zplEscape)+","+aspect+"^FH\\^FD"+string(zplEscape)+"1"...)
			dst = appendZPLText(dst, strings.ReplaceAll(data, "\x1d", string(zplEscape)+"1"))
		case QR:
			// With a module size the printer needs nothing from us but the
			// data; with a side length we encode once to learn the module
			// count.
			mod, side := it.Module, it.Module*25
			if mod == 0 {
				p, err := t.place(it, c)
				if err != nil {
					return dst, fmt.Errorf("item %d: %w", i+1, err)
				}
				mod, side = p.module, p.w
			}
			ec := it.ec
			if ec == ECAuto {
				ec = ECForSize(side)
			}
			// ^FO places the symbol's top left; ^BQ adds no quiet zone.
			fo(it.X, it.Y)
			dst = append(dst, "^BQN,2,"...)
			dst = strconv.AppendInt(dst, int64(min(max(dots(mod), 1), 10)), 10)
			dst = append(dst, "^FH\\^FD"...)
			dst = append(dst, ec.String()...)
			dst = append(dst, "A,"...)
			dst = appendZPLText(dst, data)
		case GS1128, Code128:
			fo(it.X, it.Y)
			dst = appendBY(dst, max(dots(m), 1))
			dst = append(dst, "^BCN,"...)
			dst = strconv.AppendInt(dst, int64(dots(bar)), 10)
			if it.kind == GS1128 {
				// Mode D adds the leading FNC1 and the check character; we
				// print the HRI with its parentheses ourselves.
				dst = append(dst, ",N,N,N,D^FH\\^FD"...)
				dst = appendZPLText(dst, strings.ReplaceAll(strings.ReplaceAll(data, ">", ">0"), "\x1d", ">8"))
				if it.HRI {
					dst = append(dst, "^FS\n"...)
					hh := dots(hriSize(it))
					fo(it.X, it.Y+bar+0.6)
					dst = append(dst, "^A0N,"+strconv.Itoa(hh)+","+strconv.Itoa(hh)+"^FH\\^FD"...)
					dst = appendZPLText(dst, hriOf(it, c, nil))
				}
				break
			}
			dst = append(dst, ","+hri+",N,N,N^FH\\^FD"...)
			if len(data)%2 == 0 && strings.Trim(data, "0123456789") == "" {
				dst = append(dst, ">;"...) // subset C: two digits a character
			} else {
				dst = append(dst, ">:"...)
			}
			dst = appendZPLText(dst, strings.ReplaceAll(data, ">", ">0"))
		case EAN13, UPCA:
			fo(it.X, it.Y)
			dst = appendBY(dst, max(dots(m), 1))
			if it.kind == EAN13 {
				dst = append(dst, "^BEN,"...)
			} else {
				dst = append(dst, "^BUN,"...)
			}
			dst = strconv.AppendInt(dst, int64(dots(bar)), 10)
			dst = append(dst, ","+hri+",N"...)
			if it.kind == UPCA {
				dst = append(dst, ",Y"...)
			}
			dst = append(dst, "^FD"...)
			if len(data) < 2 || strings.Trim(data, "0123456789") != "" {
				return dst, fmt.Errorf("item %d: %w: %v data %q", i+1, ErrData, it.kind, data)
			}
			dst = append(dst, data[:len(data)-1]...) // the printer adds the check digit
		}
		dst = append(dst, "^FS\n"...)
	}
	return append(dst, "^XZ\n"...), nil
}

func appendBY(dst []byte, w int) []byte {
	dst = append(dst, "^BY"...)
	dst = strconv.AppendInt(dst, int64(w), 10)
	return append(dst, ",3"...)
}

// appendZPLText appends s for a field read with ^FH\: the characters ZPL
// treats as commands (^, ~) and the hex indicator itself go as \hh.
func appendZPLText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '^', '~', '\\':
			dst = append(dst, '\\', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		default:
			if c < 0x20 {
				dst = append(dst, '\\', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
				continue
			}
			dst = append(dst, c)
		}
	}
	return dst
}
