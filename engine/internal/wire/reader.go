// Package wire is the engine's one value codec: the versioned binary
// values it stores are a leading version byte, then varints, fixed-width
// big-endian integers and length-prefixed strings. Every stored-value
// encoder writes with Writer and every decoder reads with Reader — the
// store's records, the aggregation index, the ledger, item-state chunks,
// API keys, the scan log and the other parts' records — and ErrCorrupt and
// ErrVersion are their sentinels.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The engine's one pair of sentinels for stored bytes that cannot be
// decoded (package store re-exports them as store.ErrCorrupt and
// store.ErrVersion; every decoder wraps them). Neither is caused by user
// input: the store is damaged or was written by a newer build.
var (
	ErrCorrupt = errors.New("store: corrupt record")
	ErrVersion = errors.New("store: unknown record version")
)

// MaxStr bounds every length-prefixed field, so a damaged length never
// makes a reader allocate gigabytes.
const MaxStr = 256 << 20

// Reader reads one value. The first error sticks: later reads return zero
// values, and Done reports it, naming the record type (What) and the byte
// offset.
type Reader struct {
	What string // record type, for errors: "run", "log entry", …
	B    []byte // the value; strings read with Raw alias it
	Off  int    // bytes consumed
	Err  error  // the first error, wrapping ErrCorrupt or ErrVersion
	// Field names the field being read, for errors ("count", "gtin");
	// empty: errors name the offset only.
	Field string
}

// NewReader returns a Reader of value b of record type what, whose errors
// wrap ErrCorrupt (damaged bytes) or ErrVersion (a version this build
// cannot read).
func NewReader(what string, b []byte) *Reader {
	return &Reader{What: what, B: b}
}

// Fail records a corruption at the current offset (if none is recorded).
func (d *Reader) Fail(why string) {
	if d.Err == nil {
		if d.Field != "" {
			d.Err = fmt.Errorf("%w: %s value: %s: %s at byte %d", ErrCorrupt, d.What, d.Field, why, d.Off)
			return
		}
		d.Err = fmt.Errorf("%w: %s value: %s at byte %d", ErrCorrupt, d.What, why, d.Off)
	}
}

// Version reads the version byte and fails unless it is in 1..max.
func (d *Reader) Version(max uint8) {
	v := d.U8()
	if d.Err == nil && (v == 0 || v > max) {
		d.Err = fmt.Errorf("%w: %s value has version %d, this build reads 1..%d", ErrVersion, d.What, v, max)
	}
}

// U8 reads one byte.
func (d *Reader) U8() uint8 {
	if d.Err != nil {
		return 0
	}
	if d.Off >= len(d.B) {
		d.Fail("truncated")
		return 0
	}
	c := d.B[d.Off]
	d.Off++
	return c
}

// Uvarint reads an unsigned varint.
func (d *Reader) Uvarint() uint64 {
	if d.Err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.B[d.Off:])
	if n <= 0 {
		d.Fail("truncated or overlong varint")
		return 0
	}
	d.Off += n
	return v
}

// U32 reads an unsigned varint that must fit 32 bits.
func (d *Reader) U32() uint32 {
	v := d.Uvarint()
	if v > 1<<32-1 {
		d.Fail("value overflows 32 bits")
		return 0
	}
	return uint32(v)
}

// BE32 reads a fixed-width big-endian uint32.
func (d *Reader) BE32() uint32 {
	b := d.Raw(4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

// BE64 reads a fixed-width big-endian uint64.
func (d *Reader) BE64() uint64 {
	b := d.Raw(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// Varint reads a signed (zig-zag) varint.
func (d *Reader) Varint() int64 {
	if d.Err != nil {
		return 0
	}
	v, n := binary.Varint(d.B[d.Off:])
	if n <= 0 {
		d.Fail("truncated or overlong varint")
		return 0
	}
	d.Off += n
	return v
}

// Raw reads n bytes, aliasing the value.
func (d *Reader) Raw(n int) []byte {
	if d.Err != nil {
		return nil
	}
	if n > len(d.B)-d.Off {
		d.Fail(fmt.Sprintf("%d bytes overrun the value", n))
		return nil
	}
	s := d.B[d.Off : d.Off+n]
	d.Off += n
	return s
}

// Str reads a length-prefixed string (a copy).
func (d *Reader) Str() string {
	n := d.Uvarint()
	if d.Err == nil && (n > MaxStr || n > uint64(len(d.B)-d.Off)) {
		d.Fail(fmt.Sprintf("string length %d overruns the value", n))
		return ""
	}
	return string(d.Raw(int(n)))
}

// Bytes reads a length-prefixed byte field (what Writer.Bytes wrote),
// aliasing the value; nil if the field is empty.
func (d *Reader) Bytes() []byte {
	n := d.Uvarint()
	if d.Err == nil && (n > MaxStr || n > uint64(len(d.B)-d.Off)) {
		d.Fail(fmt.Sprintf("length %d overruns the value", n))
		return nil
	}
	if n == 0 {
		return nil
	}
	return d.Raw(int(n))
}

// Strs reads a count and that many strings.
func (d *Reader) Strs() []string {
	n := d.Count()
	if n == 0 {
		return nil
	}
	ss := make([]string, 0, n)
	for i := 0; i < n && d.Err == nil; i++ {
		ss = append(ss, d.Str())
	}
	return ss
}

// Count reads an element count; a count larger than the bytes left (every
// element takes at least one) is corruption.
func (d *Reader) Count() int {
	n := d.Uvarint()
	if d.Err == nil && n > uint64(len(d.B)-d.Off) {
		d.Fail(fmt.Sprintf("count %d overruns the value", n))
		return 0
	}
	return int(n)
}

// Done fails on trailing bytes and returns the first error.
func (d *Reader) Done() error {
	if d.Err == nil && d.Off != len(d.B) {
		d.Fail(fmt.Sprintf("%d trailing bytes", len(d.B)-d.Off))
	}
	return d.Err
}
