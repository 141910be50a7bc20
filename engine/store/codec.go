package store

import (
	"encoding/binary"
	"fmt"

	"tracecode/engine/internal/wire"
)

// Sentinel errors for stored bytes that cannot be decoded. Both mean the
// store was written by a newer build or is damaged; neither is caused by
// user input. They are the engine's only such sentinels: every decoder
// (store, itemstate, agg, ledger, scan log, API keys) wraps them.
var (
	ErrCorrupt = wire.ErrCorrupt
	ErrVersion = wire.ErrVersion
)

// maxStr bounds every length-prefixed string or byte field of a value, so a
// damaged length never makes a decoder allocate gigabytes.
const maxStr = 1 << 20

// appendStr appends s as a uvarint length followed by its bytes.
func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decoder reads the fields of one value. The first error sticks: later
// reads return zero values, and err reports the first failure with the
// record type and byte offset.
type decoder struct {
	what string // record type, for errors: "block", "product", …
	b    []byte
	off  int
	err  error
}

func newDecoder(what string, b []byte, maxVersion uint8) (*decoder, uint8) {
	d := &decoder{what: what, b: b}
	v := d.u8()
	if d.err == nil && (v == 0 || v > maxVersion) {
		d.err = fmt.Errorf("%w: %s value has version %d, this build reads 1..%d", ErrVersion, what, v, maxVersion)
	}
	return d, v
}

func (d *decoder) fail(field, why string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s value: %s %s at byte %d", ErrCorrupt, d.what, field, why, d.off)
	}
}

func (d *decoder) u8() uint8 {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("byte", "truncated")
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail(field, "is a truncated or overlong varint")
		return 0
	}
	d.off += n
	return v
}

// u32 reads a uvarint that must fit 32 bits.
func (d *decoder) u32(field string) uint32 {
	v := d.uvarint(field)
	if v > 1<<32-1 {
		d.fail(field, "overflows 32 bits")
		return 0
	}
	return uint32(v)
}

// varint reads a zig-zag signed varint.
func (d *decoder) varint(field string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail(field, "is a truncated or overlong varint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) raw(field string) []byte {
	n := d.uvarint(field + " length")
	if d.err != nil {
		return nil
	}
	if n > maxStr || n > uint64(len(d.b)-d.off) {
		d.fail(field, fmt.Sprintf("length %d overruns the value", n))
		return nil
	}
	s := d.b[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) str(field string) string { return string(d.raw(field)) }

// count reads a uvarint element count that must not exceed what the
// remaining bytes could hold at one byte per element.
func (d *decoder) count(field string) int {
	n := d.uvarint(field)
	if d.err == nil && n > uint64(len(d.b)-d.off) {
		d.fail(field, fmt.Sprintf("count %d overruns the value", n))
		return 0
	}
	return int(n)
}

// done returns the first error, or an error if bytes are left over: a value
// of a known version has exactly the fields the decoder read.
func (d *decoder) done() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail("value", fmt.Sprintf("has %d trailing bytes", len(d.b)-d.off))
	}
	return d.err
}
