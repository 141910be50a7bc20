package store

import (
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

// decoder reads the fields of one value with wire.Reader, the engine's
// one value codec (the aggregation index and the ledger read theirs with
// it too), naming each field in its errors. The first error sticks.
type decoder struct{ r wire.Reader }

func newDecoder(what string, b []byte, maxVersion uint8) (*decoder, uint8) {
	d := &decoder{r: wire.Reader{What: what, B: b}}
	v := d.r.U8()
	if d.r.Err == nil && (v == 0 || v > maxVersion) {
		d.r.Err = fmt.Errorf("%w: %s value has version %d, this build reads 1..%d", ErrVersion, what, v, maxVersion)
	}
	return d, v
}

// err returns the first error.
func (d *decoder) err() error { return d.r.Err }

func (d *decoder) fail(field, why string) {
	d.r.Field = field
	d.r.Fail(why)
}

func (d *decoder) u8() uint8 { return d.r.U8() }

func (d *decoder) uvarint(field string) uint64 { d.r.Field = field; return d.r.Uvarint() }

// u32 reads a uvarint that must fit 32 bits.
func (d *decoder) u32(field string) uint32 { d.r.Field = field; return d.r.U32() }

// varint reads a zig-zag signed varint.
func (d *decoder) varint(field string) int64 { d.r.Field = field; return d.r.Varint() }

// raw reads a length-prefixed byte field (at most maxStr bytes), aliasing
// the value.
func (d *decoder) raw(field string) []byte {
	n := d.uvarint(field + " length")
	if d.r.Err != nil {
		return nil
	}
	if n > maxStr || n > uint64(len(d.r.B)-d.r.Off) {
		d.fail(field, fmt.Sprintf("length %d overruns the value", n))
		return nil
	}
	d.r.Field = field
	return d.r.Raw(int(n))
}

func (d *decoder) str(field string) string { return string(d.raw(field)) }

// count reads a uvarint element count that must not exceed what the
// remaining bytes could hold at one byte per element.
func (d *decoder) count(field string) int { d.r.Field = field; return d.r.Count() }

// done returns the first error, or an error if bytes are left over: a value
// of a known version has exactly the fields the decoder read.
func (d *decoder) done() error { d.r.Field = ""; return d.r.Done() }
