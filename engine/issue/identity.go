package issue

import (
	"fmt"

	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// formatterOf returns the (cached) formatter of block b. The cache
// (Book.formatters) holds one formatter per block for the identity forms
// of resolved codes. Blocks are immutable except for release and void,
// which do not change how a code is written, so entries never go stale.
func (e *Book) formatterOf(b *Block) (*formatter, error) {
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

// AppendCode appends form fm of the code at offset off of block b. It
// fails for imported blocks (their serials are not derived from offsets)
// and for forms the block does not have.
func (e *Book) AppendCode(dst []byte, b *Block, off uint64, fm Format) ([]byte, error) {
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
	v := f.value(off)
	var sb [24]byte
	s := f.appendSerial(sb[:0], v)
	return f.appendForm(dst, fm, v, s), nil
}

// AppendForms appends the printed forms of the code at offset of block b,
// each of forms the block has, recording where each went in spans (same
// index; the others are left as they were). scanned is the serial as
// scanned, for imported blocks (their serials are not derived).
func (e *Book) AppendForms(dst []byte, b *model.Block, offset uint64, scanned string, forms []Format, spans [][2]int) []byte {
	f, err := e.formatterOf(b)
	if err != nil {
		return dst
	}
	var v uint64
	var sb [32]byte
	ser := sb[:0]
	if f.scheme != serial.Imported {
		v = f.value(offset)
		ser = f.appendSerial(ser, v)
	} else {
		ser = append(ser, scanned...)
	}
	for i, fm := range forms {
		if !f.has(fm) {
			continue
		}
		n := len(dst)
		dst = f.appendForm(dst, fm, v, ser)
		spans[i] = [2]int{n, len(dst)}
	}
	return dst
}
