package label

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// Format is an output of Render.
type Format uint8

// The formats.
const (
	PDF    Format = iota + 1 // label sheets, the template's page layout
	ZPL                      // one ^XA…^XZ label per code, for Zebra printers
	SVGZip                   // a ZIP of one SVG per label
	PNGZip                   // a ZIP of one PNG per label at the template's DPI
	numFormats
)

var formatNames = [numFormats]string{"", "pdf", "zpl", "svg-zip", "png-zip"}

// String returns the format's name.
func (f Format) String() string {
	if f > 0 && f < numFormats {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	switch f {
	case PDF:
		return "application/pdf"
	case ZPL:
		return "application/vnd.zebra-zpl; charset=utf-8"
	}
	return "application/zip"
}

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for f := PDF; f < numFormats; f++ {
		if formatNames[f] == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("label: format %q is not one of %s", s, strings.Join(formatNames[1:], ", "))
}

// Options configure Render.
type Options struct {
	Template *Template
	Format   Format
	// Font draws the text of PDF and PNG labels (required when the
	// template has text; SVG names the viewer's sans-serif, ZPL the
	// printer's font).
	Font *Font
	// Workers render labels in parallel; 0 = GOMAXPROCS.
	Workers int
	// Progress, if set, is called from Render's goroutine with the number
	// of labels written so far.
	Progress func(labels uint64)
	// Name is the stem of the file names inside ZIP output ("label").
	Name string
}

// batchSize is the number of labels a worker renders at a time.
const batchSize = 128

type batch struct {
	codes []Code
	out   []byte     // ZPL text, or ZIP entries' compressed bodies back to back
	ents  []zipEntry // ZIP entries of out
	draws []*Drawing // PDF
	err   error
	done  chan struct{} // closed when a worker has finished (or skipped) the batch
}

type zipEntry struct {
	name       string
	crc        uint32
	size, comp int
	method     uint16
}

// Render writes one label per code that next yields (next returns false
// at the end), in order, in o.Format. Labels are laid out and encoded on
// o.Workers goroutines a batch at a time; the PDF document itself is
// assembled in order on the calling goroutine. It returns the number of
// labels written. A code that cannot be rendered (a template field the
// block lacks, a symbol too large for its place) stops Render with an
// error naming the code's offset.
func Render(ctx context.Context, w io.Writer, next func() (Code, bool, error), o Options) (uint64, error) {
	if o.Template == nil {
		return 0, fmt.Errorf("%w: none given", ErrTemplate)
	}
	if o.Format == 0 || o.Format >= numFormats {
		return 0, fmt.Errorf("label: format %d", o.Format)
	}
	if (o.Format == PDF || o.Format == PNGZip) && o.Font == nil {
		for _, it := range o.Template.Items {
			if it.Type == "text" || it.HRI {
				return 0, fmt.Errorf("label: the template prints text and no font was found: %s", noFontHint)
			}
		}
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	name := o.Name
	if name == "" {
		name = "label"
	}
	var sheet *pdfSheet
	var zw *zip.Writer
	switch o.Format {
	case PDF:
		var err error
		if sheet, err = newPDFSheet(o.Template, o.Font); err != nil {
			return 0, err
		}
	case SVGZip, PNGZip:
		zw = zip.NewWriter(w)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *batch, workers)
	order := make(chan *batch, workers*2)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := renderer{t: o.Template, o: &o, name: name}
			defer r.faces.close()
			for b := range jobs {
				if ctx.Err() == nil {
					r.render(b)
				}
				close(b.done)
			}
		}()
	}
	// The producer reads codes on its own goroutine; every batch goes to
	// order (the writer's queue, in sequence) and then to a worker, which
	// always closes its done channel, so the writer never waits forever.
	var srcErr error
	go func() {
		defer close(order)
		defer close(jobs)
		for srcErr == nil && ctx.Err() == nil { // a failed or cancelled run reads no further
			b := &batch{codes: make([]Code, 0, batchSize), done: make(chan struct{})}
			for len(b.codes) < batchSize {
				c, ok, err := next()
				if err != nil {
					srcErr = err
					break
				}
				if !ok {
					break
				}
				b.codes = append(b.codes, c)
			}
			if len(b.codes) == 0 {
				return
			}
			select {
			case order <- b:
			case <-ctx.Done():
				return
			}
			jobs <- b
			if len(b.codes) < batchSize {
				return
			}
		}
	}()
	var n uint64
	var err error
	for b := range order {
		<-b.done
		if err != nil {
			continue // drain
		}
		if b.err != nil {
			err = b.err
			cancel()
			continue
		}
		err = write(w, zw, sheet, b)
		if err != nil {
			cancel()
			continue
		}
		n += uint64(len(b.codes))
		if o.Progress != nil {
			o.Progress(n)
		}
		if ctx.Err() != nil {
			err = ctx.Err()
		}
	}
	wg.Wait()
	if err == nil {
		err = srcErr
	}
	if err != nil {
		return n, err
	}
	switch {
	case sheet != nil:
		err = sheet.output(w)
	case zw != nil:
		err = zw.Close()
	}
	return n, err
}

func write(w io.Writer, zw *zip.Writer, sheet *pdfSheet, b *batch) error {
	switch {
	case sheet != nil:
		for _, d := range b.draws {
			if err := sheet.add(d); err != nil {
				return err
			}
		}
		return nil
	case zw != nil:
		off := 0
		for _, e := range b.ents {
			fw, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: e.method, CRC32: e.crc,
				CompressedSize64: uint64(e.comp), UncompressedSize64: uint64(e.size)})
			if err != nil {
				return err
			}
			if _, err := fw.Write(b.out[off : off+e.comp]); err != nil {
				return err
			}
			off += e.comp
		}
		return nil
	}
	_, err := w.Write(b.out)
	return err
}

// renderer is one worker's state: buffers reused across labels.
type renderer struct {
	t     *Template
	o     *Options
	name  string
	d     Drawing
	buf   bytes.Buffer
	fw    *flate.Writer
	faces faceCache
}

func (r *renderer) render(b *batch) {
	for i := range b.codes {
		c := &b.codes[i]
		if err := r.one(b, c); err != nil {
			b.err = fmt.Errorf("label at offset %d: %w", c.Offset, err)
			return
		}
	}
}

func (r *renderer) one(b *batch, c *Code) error {
	switch r.o.Format {
	case ZPL:
		var err error
		b.out, err = r.t.AppendZPL(b.out, c)
		return err
	case PDF:
		d, err := r.t.Draw(c)
		if err != nil {
			return err
		}
		b.draws = append(b.draws, d)
		return nil
	}
	if err := r.t.drawInto(&r.d, c); err != nil {
		return err
	}
	r.buf.Reset()
	e := zipEntry{name: r.name + "-" + strconv.FormatUint(c.Offset, 10)}
	if r.o.Format == PNGZip {
		e.name += ".png"
		if err := writePNG(&r.buf, &r.d, PNGOptions{DPI: r.t.DPI, Font: r.o.Font}, &r.faces); err != nil {
			return err
		}
		e.method = zip.Store // PNG is compressed already
		e.size, e.comp, e.crc = r.buf.Len(), r.buf.Len(), crc32.ChecksumIEEE(r.buf.Bytes())
		b.out = append(b.out, r.buf.Bytes()...)
	} else {
		e.name += ".svg"
		svg := AppendSVG(nil, &r.d)
		if r.fw == nil {
			r.fw, _ = flate.NewWriter(&r.buf, flate.BestSpeed)
		} else {
			r.fw.Reset(&r.buf)
		}
		r.fw.Write(svg)
		r.fw.Close()
		e.method = zip.Deflate
		e.size, e.comp, e.crc = len(svg), r.buf.Len(), crc32.ChecksumIEEE(svg)
		b.out = append(b.out, r.buf.Bytes()...)
	}
	b.ents = append(b.ents, e)
	return nil
}

const noFontHint = "install fonts-droid-fallback (make deps-labels) or name a TrueType font with CJK glyphs"
