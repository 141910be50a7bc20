package engine

import (
	"fmt"
	"strconv"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/serial"
)

// formatterOf returns the (cached) formatter of block b. The cache
// (Engine.formatters) holds one formatter per block for the identity forms
// of resolved codes. Blocks are immutable except for release and void,
// which do not change how a code is written, so entries never go stale.
func (e *Engine) formatterOf(b *Block) (*formatter, error) {
	if f, ok := e.formatters.Load(b.ID); ok {
		return f.(*formatter), nil
	}
	e.mu.RLock()
	f, err := e.newFormatter(b, formatOptions{DLBase: e.opts.DLBase, ShortBase: e.opts.ShortBase, NoDLLot: true})
	e.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	e.formatters.Store(b.ID, f)
	return f, nil
}

// appendCode appends form fm of the code at offset off of block b. It
// fails for imported blocks (their serials are not derived from offsets)
// and for forms the block does not have.
func (e *Engine) appendCode(dst []byte, b *Block, off uint64, fm Format) ([]byte, error) {
	if b.Scheme == serial.Imported {
		return dst, fmt.Errorf("%w: block %d holds imported serials", ErrScheme, b.ID)
	}
	f, err := e.formatterOf(b)
	if err != nil {
		return dst, err
	}
	if !f.has(fm) || fm == FormatCSV || fm == FormatGS {
		return dst, fmt.Errorf("%w: block %d has no %v form", ErrScheme, b.ID, fm)
	}
	v := f.ff.Encrypt(f.base + off)
	var sb [24]byte
	s := f.appendSerial(sb[:0], v)
	return f.appendForm(dst, fm, v, s), nil
}

// describeNode names a node for people: the code's Digital Link (or its
// serial, NMPA code or short code), or "SSCC …".
func (e *Engine) describeNode(n agg.Node) string {
	return string(e.appendNode(nil, n))
}

// appendNode appends describeNode's text.
func (e *Engine) appendNode(dst []byte, n agg.Node) []byte {
	if n.IsUnit() {
		return formatSSCC(append(dst, "SSCC "...), n.Counter)
	}
	b := e.blockAt(n.Product, n.Counter)
	if b == nil {
		return append(dst, n.String()...)
	}
	for _, fm := range []Format{FormatDL, FormatNMPA, FormatShort} {
		if out, err := e.appendCode(dst, b, n.Counter-b.Start, fm); err == nil {
			return out
		}
	}
	if out, err := e.appendCode(dst, b, n.Counter-b.Start, FormatSerial); err == nil {
		return out
	}
	dst = append(dst, "block "...)
	dst = strconv.AppendUint(dst, b.ID, 10)
	dst = append(dst, " offset "...)
	return strconv.AppendUint(dst, n.Counter-b.Start, 10)
}

// fmtMillis formats unix milliseconds as RFC 3339 UTC.
func fmtMillis(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano) }
