package fpe

import (
	"fmt"
	"math/bits"
	"testing"
	"time"
)

// benchShapes are the serial formats of interest: 13 decimal digits,
// 12 base-36 characters (docs/serials.md's default) and 12 base-32
// characters.
var benchShapes = []struct {
	radix uint32
	n     int
}{{10, 13}, {36, 12}, {32, 12}, {10, 19}}

// reportCodes reports codes/s (wall clock) and cpu-ns/code (process CPU
// time since cpu0, taken just before the b.Loop loop; run with -cpu 1 so
// that it is one core's time).
// forEachBenchPath runs fn as aes=ni (the assembly kernel) and aes=go
// (crypto/aes, the fallback) when the CPU has AES-NI, else as aes=go only.
// The FF1 must be built inside fn.
func forEachBenchPath(b *testing.B, fn func(b *testing.B)) {
	if hasAESNI {
		b.Run("aes=ni", fn)
	}
	b.Run("aes=go", func(b *testing.B) {
		defer forceGeneric(true)()
		fn(b)
	})
}

func reportCodes(b *testing.B, perOp int, cpu0 time.Duration) {
	codes := float64(b.N * perOp)
	b.ReportMetric(codes/b.Elapsed().Seconds(), "codes/s")
	if cpu := processCPU() - cpu0; cpu0 != 0 && cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/codes, "cpu-ns/code")
	}
}

func BenchmarkEncrypt(b *testing.B) {
	for _, s := range benchShapes {
		b.Run(fmt.Sprintf("radix=%d/n=%d", s.radix, s.n), func(b *testing.B) {
			forEachBenchPath(b, func(b *testing.B) {
				f := mustFF1(b, testKey, s.radix, s.n, []byte("09506000134352"))
				b.ReportAllocs()
				var x uint64
				cpu0 := processCPU()
				for b.Loop() {
					x = f.Encrypt(x % f.Size()) // dependent chain: latency, not throughput
				}
				reportCodes(b, 1, cpu0)
			})
		})
	}
}

func BenchmarkDecrypt(b *testing.B) {
	for _, s := range benchShapes {
		b.Run(fmt.Sprintf("radix=%d/n=%d", s.radix, s.n), func(b *testing.B) {
			forEachBenchPath(b, func(b *testing.B) {
				f := mustFF1(b, testKey, s.radix, s.n, []byte("09506000134352"))
				b.ReportAllocs()
				var x uint64
				cpu0 := processCPU()
				for b.Loop() {
					x = f.Decrypt(x % f.Size())
				}
				reportCodes(b, 1, cpu0)
			})
		})
	}
}

// batchLen is a mint block's worth of counters per call.
const batchLen = 1024

func BenchmarkEncryptBatch(b *testing.B) {
	for _, s := range benchShapes {
		b.Run(fmt.Sprintf("radix=%d/n=%d", s.radix, s.n), func(b *testing.B) {
			forEachBenchPath(b, func(b *testing.B) {
				f := mustFF1(b, testKey, s.radix, s.n, []byte("09506000134352"))
				src, dst := make([]uint64, batchLen), make([]uint64, batchLen)
				for i := range src {
					src[i] = uint64(i)
				}
				b.ReportAllocs()
				cpu0 := processCPU()
				for b.Loop() {
					f.EncryptBatch(dst, src)
				}
				reportCodes(b, batchLen, cpu0)
			})
		})
	}
}

func BenchmarkDecryptBatch(b *testing.B) {
	for _, s := range benchShapes {
		b.Run(fmt.Sprintf("radix=%d/n=%d", s.radix, s.n), func(b *testing.B) {
			forEachBenchPath(b, func(b *testing.B) {
				f := mustFF1(b, testKey, s.radix, s.n, []byte("09506000134352"))
				src, dst := make([]uint64, batchLen), make([]uint64, batchLen)
				for i := range src {
					src[i] = f.Encrypt(uint64(i))
				}
				b.ReportAllocs()
				cpu0 := processCPU()
				for b.Loop() {
					f.DecryptBatch(dst, src)
				}
				reportCodes(b, batchLen, cpu0)
			})
		})
	}
}

// BenchmarkBlock is one AES block through encrypt1 (a dependent chain) and
// eight independent blocks through encrypt8, per block.
func BenchmarkBlock(b *testing.B) {
	f := mustFF1(b, testKey, 36, 12, nil)
	b.Run("op=encrypt1", func(b *testing.B) {
		var w0, w1 uint64
		for b.Loop() {
			w0, w1 = f.c.encrypt1(w0, w1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/block")
	})
	b.Run("op=encrypt8", func(b *testing.B) {
		var blk [lanes][2]uint64
		for b.Loop() {
			f.c.encrypt8(&blk)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lanes), "ns/block")
	})
}

// BenchmarkReduce compares the reductions of FF1's y mod 36^6 with DIV
// (bits.Rem64): op=barrett64 vs op=div64 for 64-bit y (d = 8), op=mg96 vs
// op=div96 (two divisions) for 96-bit y (d = 12). Each iteration depends on
// the previous one, so this is latency.
func BenchmarkReduce(b *testing.B) {
	d := newModulus(36 * 36 * 36 * 36 * 36 * 36)
	m := d.m
	b.Run("op=barrett64", func(b *testing.B) {
		var acc uint64 = 12345
		for b.Loop() {
			acc = d.reduce64(acc * 0x9e3779b97f4a7c15)
		}
	})
	b.Run("op=div64", func(b *testing.B) {
		var acc uint64 = 12345
		for b.Loop() {
			acc = bits.Rem64(0, acc*0x9e3779b97f4a7c15, m)
		}
	})
	b.Run("op=mg96", func(b *testing.B) {
		var acc uint64 = 12345
		for b.Loop() {
			acc = d.reduce96(acc>>32^0x9e3779b9, acc*0x9e3779b97f4a7c15)
		}
	})
	b.Run("op=div96", func(b *testing.B) {
		var acc uint64 = 12345
		for b.Loop() {
			yh, yl := acc>>32^0x9e3779b9, acc*0x9e3779b97f4a7c15
			acc = bits.Rem64(bits.Rem64(0, yh, m), yl, m)
		}
	})
}
