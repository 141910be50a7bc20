package ledger

import (
	"encoding/binary"
	"fmt"
)

// decoder reads one value; the first error sticks and names the record
// type and byte offset.
type decoder struct {
	what string
	b    []byte
	off  int
	err  error
}

// maxStr bounds every length-prefixed field, so a damaged length never
// makes a decoder allocate gigabytes.
const maxStr = 256 << 20

func (d *decoder) fail(why string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s value: %s at byte %d", ErrCorrupt, d.what, why, d.off)
	}
}

func (d *decoder) version(max uint8) {
	v := d.u8()
	if d.err == nil && (v == 0 || v > max) {
		d.err = fmt.Errorf("%w: %s value has version %d, this build reads 1..%d", ErrVersion, d.what, v, max)
	}
}

func (d *decoder) u8() uint8 {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("truncated or overlong varint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) u32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail("value overflows 32 bits")
		return 0
	}
	return uint32(v)
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail("truncated or overlong varint")
		return 0
	}
	d.off += n
	return v
}

// raw reads n bytes (aliasing the value).
func (d *decoder) raw(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.fail(fmt.Sprintf("%d bytes overrun the value", n))
		return nil
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err == nil && (n > maxStr || n > uint64(len(d.b)-d.off)) {
		d.fail(fmt.Sprintf("string length %d overruns the value", n))
		return ""
	}
	return string(d.raw(int(n)))
}

func (d *decoder) count() int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)-d.off) {
		d.fail(fmt.Sprintf("count %d overruns the value", n))
		return 0
	}
	return int(n)
}

func (d *decoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	ss := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		ss = append(ss, d.str())
	}
	return ss
}

func (d *decoder) pairs() []Pair {
	n := d.count()
	if n == 0 {
		return nil
	}
	ps := make([]Pair, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		ps = append(ps, Pair{Type: d.str(), ID: d.str()})
	}
	return ps
}

func (d *decoder) done() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail(fmt.Sprintf("%d trailing bytes", len(d.b)-d.off))
	}
	return d.err
}
