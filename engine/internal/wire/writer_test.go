package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// sample is one value of every field kind, written in the order read reads
// it back.
type sample struct {
	ver   uint8
	flag  bool
	u     uint64
	u32   uint32
	i     int64
	be32  uint32
	be64  uint64
	hash  [4]byte
	s     string
	b     []byte
	ss    []string
	count int
}

func (s *sample) write(dst []byte) []byte {
	w := Writer{B: dst}
	w.Version(s.ver)
	w.Bool(s.flag)
	w.Uvarint(s.u)
	w.U32(s.u32)
	w.Varint(s.i)
	w.BE32(s.be32)
	w.BE64(s.be64)
	w.Raw(s.hash[:])
	w.Str(s.s)
	w.Bytes(s.b)
	w.Strs(s.ss)
	w.Count(s.count)
	w.U8(0xEE)
	return w.B
}

// read reads a sample back, naming each field so that an error says which.
func read(b []byte) (sample, *Reader) {
	var s sample
	d := NewReader("sample", b)
	d.Field = "version"
	s.ver = d.U8()
	d.Field = "flag"
	s.flag = d.U8() == 1
	d.Field = "u"
	s.u = d.Uvarint()
	d.Field = "u32"
	s.u32 = d.U32()
	d.Field = "i"
	s.i = d.Varint()
	d.Field = "be32"
	s.be32 = d.BE32()
	d.Field = "be64"
	s.be64 = d.BE64()
	d.Field = "hash"
	copy(s.hash[:], d.Raw(4))
	d.Field = "s"
	s.s = d.Str()
	d.Field = "b"
	s.b = d.Bytes()
	d.Field = "ss"
	s.ss = d.Strs()
	d.Field = "count"
	s.count = int(d.Uvarint())
	d.Field = "tail"
	if d.U8() != 0xEE && d.Err == nil {
		d.Fail("wrong tail")
	}
	d.Field = ""
	return s, d
}

func (s *sample) equal(o *sample) bool {
	return s.ver == o.ver && s.flag == o.flag && s.u == o.u && s.u32 == o.u32 && s.i == o.i &&
		s.be32 == o.be32 && s.be64 == o.be64 && s.hash == o.hash && s.s == o.s &&
		bytes.Equal(s.b, o.b) && slices.Equal(s.ss, o.ss) && s.count == o.count
}

func TestWriterGolden(t *testing.T) {
	s := sample{ver: 1, flag: true, u: 300, u32: math.MaxUint32, i: -7, be32: 0x01020304, be64: 0x0102030405060708,
		hash: [4]byte{0xde, 0xad, 0xbe, 0xef}, s: "批次", b: []byte{0, 1}, ss: []string{"a", ""}, count: 2}
	got := hex.EncodeToString(s.write(nil))
	const want = "01" + "01" + "ac02" + "ffffffff0f" + "0d" + "01020304" + "0102030405060708" + "deadbeef" +
		"06e689b9e6aca1" + "020001" + "02016100" + "02" + "ee"
	if got != want {
		t.Fatalf("encoding\n got %s\nwant %s", got, want)
	}
	back, d := read(s.write(nil))
	if err := d.Done(); err != nil || !back.equal(&s) {
		t.Fatalf("read back %+v, %v", back, err)
	}
}

func TestWriterAppendsToDst(t *testing.T) {
	dst := []byte("prefix")
	w := Writer{B: dst}
	w.Version(2)
	w.Str("x")
	if string(w.B) != "prefix\x02\x01x" {
		t.Fatalf("got %q", w.B)
	}
}

func TestWriterAllocatesNothingWithRoom(t *testing.T) {
	s := sample{ver: 1, u: 1 << 40, i: -1 << 40, s: "lot-0001", b: []byte("payload"), ss: []string{"x", "y"}}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = s.write(buf[:0]) }); n != 0 {
		t.Fatalf("Writer allocates %v times per value with a big enough buffer", n)
	}
}

func TestReaderBytesEmptyIsNil(t *testing.T) {
	w := Writer{}
	w.Bytes(nil)
	w.Bytes([]byte{})
	d := NewReader("x", w.B)
	if a, b := d.Bytes(), d.Bytes(); a != nil || b != nil || d.Done() != nil {
		t.Fatalf("empty bytes read as %v %v, %v", a, b, d.Err)
	}
	d = NewReader("x", []byte{5, 1})
	d.Field = "payload"
	if b := d.Bytes(); b != nil || !errors.Is(d.Err, ErrCorrupt) || !strings.Contains(d.Err.Error(), "payload: length 5 overruns") {
		t.Fatalf("overrunning length: %v %v", b, d.Err)
	}
}

// FuzzWriterReader checks write → read identity for any field values, and
// that every truncation of the encoding fails with ErrCorrupt naming a field
// and never panics.
func FuzzWriterReader(f *testing.F) {
	f.Add(uint8(1), true, uint64(300), uint32(7), int64(-7), uint32(1), uint64(2), "批次", []byte{0, 1}, "a", 2)
	f.Add(uint8(255), false, uint64(math.MaxUint64), uint32(math.MaxUint32), int64(math.MinInt64), uint32(0), uint64(math.MaxUint64), "", []byte(nil), "", 0)
	f.Fuzz(func(t *testing.T, ver uint8, flag bool, u uint64, u32 uint32, i int64, be32 uint32, be64 uint64, s string, b []byte, s1 string, count int) {
		if count < 0 {
			count = -count
		}
		if len(b) == 0 {
			b = nil // Bytes reads an empty field as nil
		}
		in := sample{ver: ver, flag: flag, u: u, u32: u32, i: i, be32: be32, be64: be64, hash: [4]byte{byte(u), 1, 2, 3},
			s: s, b: b, ss: []string{s1, s}, count: count}
		enc := in.write([]byte("dst"))
		if string(enc[:3]) != "dst" {
			t.Fatalf("dst overwritten: %q", enc[:3])
		}
		enc = enc[3:]
		out, d := read(enc)
		if err := d.Done(); err != nil || !out.equal(&in) {
			t.Fatalf("read back %+v, %v; wrote %+v", out, err, in)
		}
		for n := 0; n < len(enc); n++ {
			_, d := read(enc[:n])
			err := d.Done()
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("truncated to %d of %d bytes: %v", n, len(enc), err)
			}
			if !strings.Contains(err.Error(), "sample value: ") || !strings.Contains(err.Error(), "at byte") {
				t.Fatalf("truncation error names no field or offset: %v", err)
			}
		}
	})
}
