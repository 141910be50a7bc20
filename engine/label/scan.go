package label

import (
	"errors"
	"image"
	"sort"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrUnreadable is returned by ReadImage when no barcode decodes.
var ErrUnreadable = errors.New("label: no barcode could be read")

// Scan is one barcode read from an image.
type Scan struct {
	Kind Kind
	// Text is what a scanner transmits: for GS1 symbols the symbology
	// identifier (]d2, ]C1, ]Q3) and the element string with GS
	// separators, which code.Parse reads.
	Text string
}

// ReadImage decodes the barcode in a camera image with gozxing (a Go port
// of ZXing, independent of the encoders used here): Data Matrix, QR,
// Code 128 and EAN-13 are tried in turn, each with the harder search.
// ZXing's Data Matrix detector grows a white rectangle from the image's
// centre, so a symbol off centre (in a corner of a whole label) is
// missed; when the whole image reads nothing, each cluster of dark
// pixels is cut out with a margin and tried alone.
func ReadImage(img image.Image) (Scan, error) {
	s, err := readImage(img)
	if err == nil {
		return s, nil
	}
	si, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return s, err
	}
	for _, r := range blobs(img) {
		if s, err := readImage(si.SubImage(r)); err == nil {
			return s, nil
		}
	}
	return s, err
}

// blobCell is the side, in pixels, of the cells blobs groups.
const blobCell = 6

// blobs returns the bounding boxes (with a margin) of the clusters of
// cells holding dark pixels, largest first.
func blobs(img image.Image) []image.Rectangle {
	b := img.Bounds()
	cw, ch := (b.Dx()+blobCell-1)/blobCell, (b.Dy()+blobCell-1)/blobCell
	dark := make([]bool, cw*ch)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c, _, _, _ := img.At(x, y).RGBA(); c < 0x8000 {
				dark[(y-b.Min.Y)/blobCell*cw+(x-b.Min.X)/blobCell] = true
			}
		}
	}
	seen := make([]bool, cw*ch)
	var out []image.Rectangle
	var stack []int
	for i := range dark {
		if !dark[i] || seen[i] {
			continue
		}
		x0, y0, x1, y1 := cw, ch, 0, 0
		stack = append(stack[:0], i)
		seen[i] = true
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := j%cw, j/cw
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx >= 0 && ny >= 0 && nx < cw && ny < ch && dark[ny*cw+nx] && !seen[ny*cw+nx] {
					seen[ny*cw+nx] = true
					stack = append(stack, ny*cw+nx)
				}
			}
		}
		if x1-x0 < 2 || y1-y0 < 2 {
			continue // specks and thin lines
		}
		const margin = 3
		r := image.Rect((x0-margin)*blobCell, (y0-margin)*blobCell, (x1+1+margin)*blobCell, (y1+1+margin)*blobCell)
		out = append(out, r.Add(b.Min).Intersect(b))
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Dx()*out[i].Dy() > out[j].Dx()*out[j].Dy()
	})
	if len(out) > 16 {
		out = out[:16]
	}
	return out
}

func readImage(img image.Image) (Scan, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return Scan{}, errors.Join(ErrUnreadable, err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true, gozxing.DecodeHintType_ASSUME_GS1: true}
	for _, r := range []struct {
		kind Kind
		r    gozxing.Reader
	}{
		{GS1DataMatrix, datamatrix.NewDataMatrixReader()},
		{QR, qrcode.NewQRCodeReader()},
		{Code128, oned.NewCode128Reader()},
		{EAN13, oned.NewEAN13Reader()},
	} {
		res, err := r.r.Decode(bmp, hints)
		if err != nil {
			continue
		}
		text := res.GetText()
		sid, _ := res.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER].(string)
		kind := r.kind
		switch {
		case kind == GS1DataMatrix && sid == "]d2":
			text = "]d2" + strings.TrimPrefix(text, "\x1d")
		case kind == GS1DataMatrix:
			kind = 0 // a plain Data Matrix: its text as it is
		case kind == Code128 && strings.HasPrefix(text, "]C1"):
			kind = GS1128
		case kind == QR && sid == "]Q3":
			text = "]Q3" + strings.TrimPrefix(text, "\x1d")
		}
		return Scan{Kind: kind, Text: text}, nil
	}
	return Scan{}, ErrUnreadable
}
