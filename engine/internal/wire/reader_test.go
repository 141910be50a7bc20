package wire

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func TestReaderRoundTrip(t *testing.T) {
	b := []byte{1}
	b = binary.AppendUvarint(b, 300)
	b = binary.AppendVarint(b, -7)
	b = binary.AppendUvarint(b, 2)
	b = binary.AppendUvarint(b, 3)
	b = append(b, "abc"...)
	b = binary.AppendUvarint(b, 0)
	d := NewReader("thing", b)
	d.Version(1)
	if v := d.U32(); v != 300 {
		t.Fatalf("U32 = %d", v)
	}
	if v := d.Varint(); v != -7 {
		t.Fatalf("Varint = %d", v)
	}
	if ss := d.Strs(); len(ss) != 2 || ss[0] != "abc" || ss[1] != "" {
		t.Fatalf("Strs = %q", ss)
	}
	if err := d.Done(); err != nil {
		t.Fatal(err)
	}
}

func TestReaderErrorsStickAndName(t *testing.T) {
	d := NewReader("run", []byte{2})
	d.Version(1)
	if !errors.Is(d.Err, ErrVersion) || !strings.Contains(d.Err.Error(), "run value has version 2") {
		t.Fatalf("version error %v", d.Err)
	}
	d = NewReader("run", []byte{1, 0x80})
	d.Version(1)
	_ = d.Uvarint()
	_ = d.U8() // after an error: zero, error unchanged
	err := d.Done()
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "at byte 1") {
		t.Fatalf("truncated varint: %v", err)
	}
	d = NewReader("run", []byte{1, 5})
	d.Version(1)
	if d.Count(); !errors.Is(d.Err, ErrCorrupt) {
		t.Fatalf("count overrunning the value: %v", d.Err)
	}
	d = NewReader("run", []byte{1, 0})
	d.Version(1)
	if err := d.Done(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "1 trailing bytes") {
		t.Fatalf("trailing bytes: %v", err)
	}
}

func TestReaderFixedWidth(t *testing.T) {
	d := NewReader("clients", []byte{0xf5, 0x6b, 0x9b, 0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x09, 0xaa})
	if v := d.BE32(); v != 0xf56b9b02 {
		t.Fatalf("BE32 = %#x", v)
	}
	if v := d.BE64(); v != 0x109 {
		t.Fatalf("BE64 = %#x", v)
	}
	d.Field = "key"
	if v := d.BE32(); v != 0 || !errors.Is(d.Err, ErrCorrupt) || !strings.Contains(d.Err.Error(), "key: 4 bytes overrun the value at byte 12") {
		t.Fatalf("BE32 past the end = %d, %v", v, d.Err)
	}
	d = NewReader("review", []byte{1, 2, 3})
	if v := d.BE64(); v != 0 || !errors.Is(d.Err, ErrCorrupt) {
		t.Fatalf("BE64 of 3 bytes = %d, %v", v, d.Err)
	}
}
