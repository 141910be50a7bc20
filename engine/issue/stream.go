package issue

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// StreamOptions select what WriteCodes writes.
type StreamOptions struct {
	// Format is the printed form (required); see Format.
	Format Format
	// Offset is the first code (0-based position in the block); Limit the
	// number of codes, 0 meaning up to the block's released tail. A line
	// resuming after a break asks for Offset = codes already printed.
	Offset, Limit uint64
	// Compress is "", "zstd" or "gzip". Compressed output is a sequence of
	// independent frames (zstd) or members (gzip), one per chunk, which
	// standard decompressors read as one stream; chunks compress in
	// parallel.
	Compress string
	// DLBase and ShortBase override the engine's Options for this stream.
	DLBase, ShortBase string
	// NoDLLot leaves the lot (/10/…) out of Digital Link URIs.
	NoDLLot bool
	// Symbology is written before each gs line: "" (default; printers add
	// FNC1 themselves in GS1 mode) or a symbology identifier such as "]d2".
	Symbology string
	// Workers is the number of formatting goroutines; 0 = GOMAXPROCS.
	Workers int
	// ChunkCodes is the number of codes per chunk; 0 = 16384.
	ChunkCodes int
	// Progress, if set, is called from WriteCodes's goroutine after each
	// chunk is written, with the number of codes written so far.
	Progress func(codes uint64)
}

// StreamStats reports what a stream wrote.
type StreamStats struct {
	Codes uint64 // codes written
	Bytes uint64 // bytes written to w (compressed if asked)
}

// countWriter counts bytes written.
type countWriter struct {
	w io.Writer
	n uint64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += uint64(n)
	return n, err
}

// Formats returns the formats block id can be written in.
func (e *Book) Formats(id uint64) ([]Format, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	b := e.st.blocks[id]
	if b == nil {
		return nil, fmt.Errorf("%w %d", ErrUnknownBlock, id)
	}
	f, err := e.newFormatter(b, e.formatOptions(&StreamOptions{}))
	if err != nil {
		return nil, err
	}
	var out []Format
	for fm := FormatSerial; fm < numFormats; fm++ {
		if f.has(fm) {
			out = append(out, fm)
		}
	}
	return out, nil
}

func (e *Book) formatOptions(o *StreamOptions) formatOptions {
	fo := formatOptions{DLBase: e.opts.DLBase, ShortBase: e.opts.ShortBase, NoDLLot: o.NoDLLot, Symbology: o.Symbology}
	if o.DLBase != "" {
		fo.DLBase = o.DLBase
	}
	if o.ShortBase != "" {
		fo.ShortBase = o.ShortBase
	}
	return fo
}

// WriteCodes writes codes [Offset, Offset+Limit) of block id to w in the
// chosen format, one per line (CSV: a header line first). Nothing per code
// is read from the store for minted blocks: counters are encrypted with
// FF1 in batches and formatted from precomputed templates, on Workers
// goroutines, chunk by chunk, and written in order through a
// bufio.Writer. Released and voided codes are never written.
func (e *Book) WriteCodes(ctx context.Context, w io.Writer, id uint64, o StreamOptions) (StreamStats, error) {
	var stats StreamStats
	if e.closed.Load() {
		return stats, ErrClosed
	}
	if o.DLBase != "" {
		if err := ValidBase("dl base", o.DLBase); err != nil {
			return stats, err
		}
	}
	if o.ShortBase != "" {
		if err := ValidBase("short base", o.ShortBase); err != nil {
			return stats, err
		}
	}
	switch o.Symbology {
	case "", "]d2", "]Q3", "]C1", "]e0", "]J1":
	default:
		return stats, fieldErr("symbology", o.Symbology, "is not ]d2, ]Q3, ]C1, ]e0 or ]J1")
	}
	e.mu.RLock()
	b := e.st.blocks[id]
	if b == nil {
		e.mu.RUnlock()
		return stats, fmt.Errorf("%w %d", ErrUnknownBlock, id)
	}
	f, err := e.newFormatter(b, e.formatOptions(&o))
	e.mu.RUnlock()
	if err != nil {
		return stats, err
	}
	if !f.has(o.Format) {
		if o.Format == 0 {
			return stats, fieldErr("format", "", "is required (one of %s)", f.formatNames())
		}
		return stats, fmt.Errorf("%w: block %d (%v scheme) has no %v form; it has %s", ErrScheme, id, b.Scheme, o.Format, f.formatNames())
	}
	if b.State != model.BlockActive {
		return stats, fmt.Errorf("%w: block %d is %v; its codes must not be printed", ErrState, id, b.State)
	}
	end := b.ReleasedFrom()
	if o.Offset > end {
		return stats, fieldErr("offset", fmt.Sprint(o.Offset), "is beyond the %d printable codes of block %d", end, id)
	}
	if o.Limit != 0 {
		if o.Offset+o.Limit > end || o.Offset+o.Limit < o.Offset {
			return stats, fmt.Errorf("%w: offsets %d to %d of block %d: codes from offset %d are %s",
				ErrState, o.Offset, o.Offset+o.Limit, id, end, map[bool]string{true: "released", false: "beyond the block"}[end < b.Count])
		}
		end = o.Offset + o.Limit
	}
	var comp compressor
	switch o.Compress {
	case "":
	case "zstd", "gzip":
		comp = newCompressor(o.Compress)
	default:
		return stats, fieldErr("compress", o.Compress, "is not zstd or gzip")
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunk := o.ChunkCodes
	if chunk <= 0 {
		chunk = 16384
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 256<<10)
	s := &streamer{f: f, fm: o.Format, comp: comp, off: o.Offset, end: end, chunk: chunk, workers: workers}
	if b.Scheme == serial.Imported {
		release, err := e.HoldDB()
		if err != nil {
			return stats, err
		}
		defer release()
		s.db, s.closed = e.db, &e.closed
	}
	stats.Codes, err = s.run(ctx, bw, o.Progress)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	stats.Bytes = cw.n
	return stats, err
}

// compressor makes per-worker compressors of one kind.
type compressor func() func(dst, src []byte) []byte

func newCompressor(kind string) compressor {
	if kind == "zstd" {
		return func() func(dst, src []byte) []byte {
			// Concurrency 1: each worker compresses its own chunks, so
			// the encoder's internal goroutines would only add handoffs.
			enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
				zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
			if err != nil {
				panic("BUG: zstd options: " + err.Error())
			}
			return func(dst, src []byte) []byte { return enc.EncodeAll(src, dst) }
		}
	}
	return func() func(dst, src []byte) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		return func(dst, src []byte) []byte {
			buf.Reset()
			zw.Reset(&buf)
			_, _ = zw.Write(src)
			_ = zw.Close()
			return append(dst, buf.Bytes()...)
		}
	}
}

// streamer runs one WriteCodes: a producer cuts [off, end) into chunks,
// workers format (and compress) them, and the caller's goroutine writes
// them in order.
type streamer struct {
	f       *formatter
	fm      Format
	comp    compressor
	off     uint64
	end     uint64
	chunk   int
	workers int
	db      *store.DB    // imported blocks: serials are read from the store
	closed  *atomic.Bool // imported blocks: the engine's closed flag
}

type streamJob struct {
	off     uint64 // offset of the chunk's first code
	n       int
	serials [][]byte // imported blocks: the chunk's serials, slices of arena
	arena   []byte   // imported blocks: the chunk's serials back to back (reused)
	ends    []int    // imported blocks: end of each serial in arena
	header  bool     // CSV: write the header first
	text    []byte
	out     []byte
	done    chan struct{}
}

func (s *streamer) run(ctx context.Context, w io.Writer, progress func(uint64)) (uint64, error) {
	if s.off == s.end && s.fm != FormatCSV {
		return 0, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	depth := 2 * s.workers
	free := make(chan *streamJob, depth+1)
	for range depth + 1 {
		free <- &streamJob{done: make(chan struct{}, 1)}
	}
	jobs := make(chan *streamJob, depth)
	order := make(chan *streamJob, depth)
	var prodErr error
	go func() { // producer
		defer close(jobs)
		defer close(order)
		prodErr = s.produce(ctx, free, jobs, order)
	}()
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.work(jobs)
		}()
	}
	var written uint64
	var err error
	for j := range order {
		<-j.done
		if err == nil {
			if _, err = w.Write(j.out); err != nil {
				cancel()
			} else {
				written += uint64(j.n)
				if progress != nil {
					progress(written)
				}
			}
		}
		free <- j
	}
	wg.Wait()
	if err == nil {
		err = prodErr
	}
	if err == nil {
		err = ctx.Err()
	}
	return written, err
}

func (s *streamer) produce(ctx context.Context, free <-chan *streamJob, jobs, order chan<- *streamJob) error {
	var it *store.Iter
	valid := false // it is positioned on the next serial to write
	corrupt := func() error {
		return fmt.Errorf("%w: imported block %d has fewer serials than its %d codes", store.ErrCorrupt, s.f.b.ID, s.f.b.Count)
	}
	if s.db != nil {
		var err error
		if it, err = s.db.NewIter(store.ImportedBounds(s.f.b.ID)); err != nil {
			return err
		}
		defer it.Close()
		// Serials are stored in offset order: skip to Offset.
		valid = it.First()
		for i := uint64(0); valid && i < s.off; i++ {
			valid = it.Next()
		}
	}
	first := true
	for off := s.off; off < s.end || first; {
		var j *streamJob
		select {
		case j = <-free:
		case <-ctx.Done():
			return ctx.Err()
		}
		j.off, j.n, j.header = off, int(min(uint64(s.chunk), s.end-off)), first && s.fm == FormatCSV
		first = false
		if it != nil {
			if s.closed.Load() {
				return ErrClosed
			}
			// The serials are copied into the job's reused arena (the
			// iterator's keys do not outlive Next), then sliced.
			j.arena = j.arena[:0]
			ends := j.ends[:0]
			for range j.n {
				if !valid {
					return corrupt()
				}
				_, ser, err := store.DecodeImportedKey(it.Key())
				if err != nil {
					return err
				}
				j.arena = append(j.arena, ser...)
				ends = append(ends, len(j.arena))
				valid = it.Next()
			}
			j.ends = ends
			j.serials = j.serials[:0]
			start := 0
			for _, end := range ends {
				j.serials = append(j.serials, j.arena[start:end:end])
				start = end
			}
		}
		off += uint64(j.n)
		order <- j
		jobs <- j
	}
	return nil
}

// work formats (and compresses) jobs until jobs is closed.
func (s *streamer) work(jobs <-chan *streamJob) {
	var comp func(dst, src []byte) []byte
	if s.comp != nil {
		comp = s.comp()
	}
	vals := make([]uint64, s.chunk)
	for j := range jobs {
		buf := j.text[:0]
		if j.header {
			buf = s.f.csvHeader(buf)
		}
		if j.serials != nil || s.f.scheme == serial.Imported {
			buf = s.formatImported(buf, j)
		} else {
			v := vals[:j.n]
			base := s.f.base + j.off
			for i := range v {
				v[i] = base + uint64(i)
			}
			if s.f.ff != nil { // nil for SSCCs: the value is the serial reference
				s.f.ff.EncryptBatch(v, v)
			}
			buf = s.formatChunk(buf, j.off, v)
		}
		j.text = buf
		if comp != nil {
			j.out = comp(j.out[:0], buf)
		} else {
			j.out = buf
		}
		j.done <- struct{}{}
	}
}

// formatChunk appends the lines of the codes with FF1 outputs v, the
// first at block offset off. The format switch is outside the loop.
func (s *streamer) formatChunk(dst []byte, off uint64, v []uint64) []byte {
	f := s.f
	var sb [32]byte
	switch s.fm {
	case FormatCSV:
		for i, x := range v {
			dst = f.appendCSV(dst, off+uint64(i), x, f.appendSerial(sb[:0], x))
		}
	case FormatEPCURN, FormatEPCHex:
		if f.scheme == serial.SSCC { // the URN and tag do not end with the 18 digits
			for _, x := range v {
				dst = append(f.appendSSCCForm(dst, s.fm, x, f.appendSerial(sb[:0], x)), '\n')
			}
			break
		}
		if s.fm == FormatEPCURN {
			p := f.prefix(s.fm)
			for _, x := range v {
				dst = append(dst, p...)
				dst = append(f.appendSerial(dst, x), '\n')
			}
			break
		}
		for _, x := range v {
			dst = append(appendHex96(dst, f.hexHi, f.hexLo|x), '\n')
		}
	case FormatSerial:
		for _, x := range v {
			dst = append(f.appendSerial(dst, x), '\n')
		}
	default:
		p := f.prefix(s.fm)
		for _, x := range v {
			dst = append(dst, p...)
			dst = append(f.appendSerial(dst, x), '\n')
		}
	}
	return dst
}

func (s *streamer) formatImported(dst []byte, j *streamJob) []byte {
	f := s.f
	for i, ser := range j.serials {
		if s.fm == FormatCSV {
			dst = f.appendCSV(dst, j.off+uint64(i), 0, ser)
		} else {
			dst = append(f.appendForm(dst, s.fm, 0, ser), '\n')
		}
	}
	return dst
}
