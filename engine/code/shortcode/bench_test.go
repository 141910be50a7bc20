package shortcode

import (
	"fmt"
	"testing"
)

// TestZeroAllocs holds Encode, AppendText and Parse to zero allocations when
// they succeed.
func TestZeroAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	var c Code
	for name, f := range map[string]func(){
		"Encode+AppendText": func() { c, _ = Encode(0x0123456789ABCDE, 12); buf = c.AppendText(buf[:0]) },
		"Parse":             func() { c, _ = Parse("028T-5CY4-TQKF-FS") },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
}

func BenchmarkEncodeAppendText(b *testing.B) {
	for _, n := range []int{8, 12, 13} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n + 1))
			const prefix = "https://t.example.cn/c/"
			buf := make([]byte, 0, 64)
			mask := ^uint64(0)
			if n < MaxLen {
				mask = 1<<(5*n) - 1
			}
			v := uint64(0x9E3779B97F4A7C15)
			for b.Loop() {
				v += 0x9E3779B97F4A7C15
				c, err := Encode(v&mask, n)
				if err != nil {
					b.Fatal(err)
				}
				buf = append(buf[:0], prefix...)
				buf = c.AppendText(buf)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "codes/s")
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, in := range []string{"000000000001Y", "028T5CY4TQKFFS", "028t-5cy4-tqkf-fs"} {
		b.Run("in="+in, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := Parse(in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "codes/s")
		})
	}
}
