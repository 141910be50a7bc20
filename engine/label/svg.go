package label

import (
	"html"
	"strconv"
)

// AppendSVG appends d as a standalone SVG document, sized in millimetres:
// one path for every dark module (runs merged), text in the viewer's
// sans-serif font.
func AppendSVG(dst []byte, d *Drawing) []byte {
	dst = append(dst, `<svg xmlns="http://www.w3.org/2000/svg" width="`...)
	dst = appendMM(dst, d.Width)
	dst = append(dst, `mm" height="`...)
	dst = appendMM(dst, d.Height)
	dst = append(dst, `mm" viewBox="0 0 `...)
	dst = appendNum(dst, d.Width)
	dst = append(dst, ' ')
	dst = appendNum(dst, d.Height)
	dst = append(dst, `"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="`...)
	for _, r := range d.Rects {
		dst = append(dst, 'M')
		dst = appendNum(dst, r.X)
		dst = append(dst, ' ')
		dst = appendNum(dst, r.Y)
		dst = append(dst, 'h')
		dst = appendNum(dst, r.W)
		dst = append(dst, 'v')
		dst = appendNum(dst, r.H)
		dst = append(dst, 'h')
		dst = appendNum(dst, -r.W)
		dst = append(dst, 'z')
	}
	dst = append(dst, `"/>`...)
	for _, t := range d.Texts {
		dst = append(dst, `<text font-family="sans-serif" font-size="`...)
		dst = appendNum(dst, t.Size)
		dst = append(dst, `" x="`...)
		dst = appendNum(dst, t.X)
		dst = append(dst, `" y="`...)
		dst = appendNum(dst, t.Y+t.Size*0.85)
		if t.Center {
			dst = append(dst, `" text-anchor="middle`...)
		}
		dst = append(dst, `">`...)
		dst = append(dst, html.EscapeString(t.S)...)
		dst = append(dst, "</text>"...)
	}
	return append(dst, "</svg>\n"...)
}

func appendMM(dst []byte, v float64) []byte { return appendNum(dst, v) }

// appendNum appends v rounded to a thousandth of a millimetre.
func appendNum(dst []byte, v float64) []byte {
	return strconv.AppendFloat(dst, float64(int64(v*1000+copysignHalf(v)))/1000, 'f', -1, 64)
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}
