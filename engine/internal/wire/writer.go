package wire

import "encoding/binary"

// Writer appends one value to B: the version byte, then the fields in the
// order the value's Reader reads them. Each method mirrors the Reader
// method of the same name (Uvarint ↔ Uvarint, Str ↔ Str, BE64 ↔ BE64 …),
// so an encoder and its decoder read alike.
//
// A Writer is used by value on the encoder's stack:
//
//	w := wire.Writer{B: dst}
//	w.Version(1)
//	w.Uvarint(n)
//	w.Str(name)
//	return w.B
//
// It allocates nothing when dst has room for the value (the methods only
// append to B), which keeps the hot encoders — blocks, item states,
// aggregation runs, ledger records — allocation-free with a reused buffer.
// Writing cannot fail; bounds are the Reader's to check.
type Writer struct {
	B []byte // the bytes written so far, after the caller's dst
}

// Version appends the version byte v (1..255; 0 is never a valid version).
func (w *Writer) Version(v uint8) { w.B = append(w.B, v) }

// U8 appends one byte.
func (w *Writer) U8(v uint8) { w.B = append(w.B, v) }

// Bool appends 1 for true and 0 for false (read back with U8).
func (w *Writer) Bool(v bool) {
	if v {
		w.B = append(w.B, 1)
		return
	}
	w.B = append(w.B, 0)
}

// Uvarint appends an unsigned varint.
func (w *Writer) Uvarint(v uint64) { w.B = binary.AppendUvarint(w.B, v) }

// U32 appends an unsigned 32-bit value as a varint (read back with U32).
func (w *Writer) U32(v uint32) { w.B = binary.AppendUvarint(w.B, uint64(v)) }

// Varint appends a signed (zig-zag) varint.
func (w *Writer) Varint(v int64) { w.B = binary.AppendVarint(w.B, v) }

// BE32 appends a fixed-width big-endian uint32.
func (w *Writer) BE32(v uint32) { w.B = binary.BigEndian.AppendUint32(w.B, v) }

// BE64 appends a fixed-width big-endian uint64.
func (w *Writer) BE64(v uint64) { w.B = binary.BigEndian.AppendUint64(w.B, v) }

// Raw appends b as is, without a length: a fixed-width field (a hash, a
// GTIN) or the value's last field, read back with Raw(len(b)).
func (w *Writer) Raw(b []byte) { w.B = append(w.B, b...) }

// Count appends an element count (read back with Count).
func (w *Writer) Count(n int) { w.B = binary.AppendUvarint(w.B, uint64(n)) }

// Str appends s with a uvarint length prefix (read back with Str).
func (w *Writer) Str(s string) {
	w.B = binary.AppendUvarint(w.B, uint64(len(s)))
	w.B = append(w.B, s...)
}

// Bytes appends b with a uvarint length prefix (read back with Bytes, or
// Str: the encoding is the same).
func (w *Writer) Bytes(b []byte) {
	w.B = binary.AppendUvarint(w.B, uint64(len(b)))
	w.B = append(w.B, b...)
}

// Strs appends a count and that many length-prefixed strings (read back
// with Strs).
func (w *Writer) Strs(ss []string) {
	w.Count(len(ss))
	for _, s := range ss {
		w.Str(s)
	}
}
