package epc

import (
	"strconv"
	"testing"

	"tracecode/engine/code/gs1"
)

func mustGTIN(tb testing.TB, s string) gs1.GTIN {
	g, err := gs1.ParseGTIN(s)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

func mustSGTIN(tb testing.TB, gtin, serial string, cpLen int) SGTIN {
	s, err := SGTINFromGTIN(mustGTIN(tb, gtin), serial, cpLen)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestZeroAllocs pins the allocation-free paths: the printing line's
// AppendURN and AppendHex96, building an SGTIN from a GTIN and serial, and
// the reader side's DecodeHex and ParseURN.
func TestZeroAllocs(t *testing.T) {
	s := mustSGTIN(t, "80614141123458", "6789", 7)
	alnum := mustSGTIN(t, "70614141123451", "32a/b", 7)
	g := s.GTIN()
	buf := make([]byte, 0, 128)
	tag96, _ := s.Tag96(3)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"SGTIN.AppendURN", func() { buf = s.AppendURN(buf[:0]) }},
		{"SGTIN.AppendURN/escaped", func() { buf = alnum.AppendURN(buf[:0]) }},
		{"SGTIN.AppendHex96", func() { buf, _ = s.AppendHex96(buf[:0], 3) }},
		{"SGTIN.AppendHex198", func() { buf, _ = alnum.AppendHex198(buf[:0], 3) }},
		{"SGTINFromGTIN", func() { s, _ = SGTINFromGTIN(g, "6789", 7) }},
		{"SGTIN.WithSerial", func() { s, _ = s.WithSerial("6789") }},
		{"Tag.AppendTagURN", func() { buf = tag96.AppendTagURN(buf[:0]) }},
		{"DecodeHex/sgtin-96", func() { _, _ = DecodeHex("3074257BF7194E4000001A85") }},
		{"DecodeHex/sgtin-198", func() { _, _ = DecodeHex("3674257BF6B7A659B2C2BF100000000000000000000000000000") }},
		{"DecodeHex/sscc-96", func() { _, _ = DecodeHex("3174257BF4499602D2000000") }},
		{"ParseURN/sgtin", func() { _, _ = ParseURN("urn:epc:id:sgtin:0614141.812345.6789") }},
		{"ParseURN/tag", func() { _, _ = ParseURN("urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb") }},
		{"ParseURN/sgln", func() { _, _ = ParseURN("urn:epc:id:sgln:0614141.07346.1234") }},
	} {
		if n := testing.AllocsPerRun(100, tc.f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", tc.name, n)
		}
	}
}

// BenchmarkPrintingLine is the hot path: per code, a new serial on a fixed
// GTIN, then the pure-identity URN and the SGTIN-96 hex into one buffer.
func BenchmarkPrintingLine(b *testing.B) {
	base := mustSGTIN(b, "80614141123458", "1", 7)
	serials := make([]string, 1024)
	for i := range serials {
		serials[i] = strconv.Itoa(100000000 + i*7919)
	}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	var n int
	for i := 0; b.Loop(); i++ {
		s, err := base.WithSerial(serials[i&1023])
		if err != nil {
			b.Fatal(err)
		}
		buf = s.AppendURN(buf[:0])
		buf = append(buf, '\t')
		if buf, err = s.AppendHex96(buf, FilterPOSItem); err != nil {
			b.Fatal(err)
		}
		n += len(buf)
	}
	b.SetBytes(int64(n / max(b.N, 1)))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "codes/s")
}

func BenchmarkSGTIN(b *testing.B) {
	s := mustSGTIN(b, "80614141123458", "274877906943", 7)
	alnum := mustSGTIN(b, "70614141123451", "32a/b<>ABCDEFGHIJKLM", 7)
	g := s.GTIN()
	buf := make([]byte, 0, 128)
	b.Run("op=AppendURN", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = s.AppendURN(buf[:0])
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("op=AppendURN/serial=escaped20", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = alnum.AppendURN(buf[:0])
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("op=AppendHex96", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = s.AppendHex96(buf[:0], 3)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("op=AppendHex198", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = alnum.AppendHex198(buf[:0], 3)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("op=SGTINFromGTIN", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, _ = SGTINFromGTIN(g, "274877906943", 7)
		}
	})
	b.Run("op=WithSerial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, _ = s.WithSerial("274877906943")
		}
	})
}

func BenchmarkDecodeHex(b *testing.B) {
	for _, tc := range []struct{ scheme, hex string }{
		{"sgtin-96", "3074257BF7194E4000001A85"},
		{"sgtin-198", "3674257BF6B7A659B2C2BF100000000000000000000000000000"},
		{"sscc-96", "3174257BF4499602D2000000"},
	} {
		b.Run("scheme="+tc.scheme, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.hex)))
			for b.Loop() {
				if _, err := DecodeHex(tc.hex); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseURN(b *testing.B) {
	for _, tc := range []struct{ kind, urn string }{
		{"sgtin", "urn:epc:id:sgtin:0614141.812345.6789"},
		{"sgtin-198-tag", "urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb"},
		{"sscc", "urn:epc:id:sscc:0614141.1234567890"},
		{"sgln", "urn:epc:id:sgln:0614141.07346.1234"},
		{"lgtin", "urn:epc:class:lgtin:4012345.012345.998877"},
	} {
		b.Run("kind="+tc.kind, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.urn)))
			for b.Loop() {
				if _, err := ParseURN(tc.urn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
