package loadtest

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// draws returns the rank counts of m draws from z with a fixed seed.
func draws(z *Zipfian, m int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0))
	c := make([]int, z.N())
	for range m {
		c[z.Rank(r.Float64())]++
	}
	return c
}

func TestZipfianDeterministic(t *testing.T) {
	z, err := NewZipfian(1000, 0.99)
	if err != nil {
		t.Fatal(err)
	}
	a, b := draws(z, 10000, 42), draws(z, 10000, 42)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different counts at rank %d", i)
		}
	}
}

// TestZipfianRankFrequency checks the rank-frequency law P(k) ∝ 1/(k+1)^θ:
// ranks 0 and 1, where Gray's method is exact, within 3 %; the log-log slope
// over ranks 1–200 within 0.05 of −θ.
func TestZipfianRankFrequency(t *testing.T) {
	const n, m = 10000, 2_000_000
	for _, theta := range []float64{0.5, 0.8, 0.99} {
		z, err := NewZipfian(n, theta)
		if err != nil {
			t.Fatal(err)
		}
		c := draws(z, m, 1)
		for k := uint64(0); k < 2; k++ {
			got, want := float64(c[k])/m, z.Probability(k)
			if math.Abs(got-want)/want > 0.03 {
				t.Errorf("θ=%v rank %d: frequency %.5f, want %.5f", theta, k, got, want)
			}
		}
		// Least-squares slope of log f(k) on log(k+1), ranks 1..200.
		var sx, sy, sxx, sxy, cnt float64
		for k := 1; k <= 200; k++ {
			if c[k] == 0 {
				continue
			}
			x, y := math.Log(float64(k+1)), math.Log(float64(c[k])/m)
			sx, sy, sxx, sxy, cnt = sx+x, sy+y, sxx+x*x, sxy+x*y, cnt+1
		}
		slope := (cnt*sxy - sx*sy) / (cnt*sxx - sx*sx)
		if math.Abs(slope+theta) > 0.05 {
			t.Errorf("θ=%v: log-log slope %.3f, want %.3f", theta, slope, -theta)
		}
		// Popularity falls with rank.
		if !(c[0] > c[1] && c[1] > c[10] && c[10] > c[1000]) {
			t.Errorf("θ=%v: counts not decreasing: %d %d %d %d", theta, c[0], c[1], c[10], c[1000])
		}
	}
}

func TestZipfianEdges(t *testing.T) {
	if _, err := NewZipfian(0, 0.99); err == nil {
		t.Error("n=0 accepted")
	}
	for _, th := range []float64{-0.1, 1, 1.5, math.NaN()} {
		if _, err := NewZipfian(10, th); err == nil {
			t.Errorf("theta %v accepted", th)
		}
	}
	z, _ := NewZipfian(1, 0.99)
	if z.Rank(0.999) != 0 {
		t.Error("n=1 must give rank 0")
	}
	z, _ = NewZipfian(5, 0.99)
	for _, u := range []float64{0, 0.5, math.Nextafter(1, 0)} {
		if r := z.Rank(u); r >= 5 {
			t.Errorf("Rank(%v) = %d out of range", u, r)
		}
	}
}

// TestScrambledZipfian checks YCSB's scrambled variant: skewed like a Zipf
// (the hottest item gets at least P(rank 0) of a 10^10-item Zipf), but the
// hot items are spread over the key space rather than being 0, 1, 2, ….
func TestScrambledZipfian(t *testing.T) {
	const n, m = 10000, 400_000
	s, err := NewScrambledZipfian(n)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 0))
	c := make([]int, n)
	for range m {
		c[s.Item(r.Float64())]++
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return c[idx[a]] > c[idx[b]] })
	p0 := 1 / scrambledZetan
	if f := float64(c[idx[0]]) / m; f < p0*0.97 {
		t.Errorf("hottest item frequency %.4f, want ≥ %.4f", f, p0)
	}
	// YCSB's first hashed rank: fnvhash64(0) % n is the hottest item.
	if want := int(fnvHash64(0) % n); idx[0] != want {
		t.Errorf("hottest item %d, want fnvhash64(0) %% n = %d", idx[0], want)
	}
	// The ten hottest are not clustered at the start of the key space.
	low := 0
	for _, i := range idx[:10] {
		if i < n/10 {
			low++
		}
	}
	if low > 5 {
		t.Errorf("%d of the 10 hottest items in the first tenth of the keys: not scrambled", low)
	}
	// Skewed: the hottest 1 % of items get far more than 1 % of draws.
	top := 0
	for _, i := range idx[:n/100] {
		top += c[i]
	}
	if share := float64(top) / m; share < 0.2 {
		t.Errorf("hottest 1%% of items get %.1f%% of draws: not skewed", 100*share)
	}
}

func TestFNVHash64(t *testing.T) {
	// FNV-1a of eight zero bytes, as YCSB's Utils.fnvhash64(0).
	h := uint64(0xCBF29CE484222325)
	for range 8 {
		h *= 1099511628211
	}
	if int64(h) < 0 {
		h = uint64(-int64(h))
	}
	if fnvHash64(0) != h {
		t.Errorf("fnvHash64(0) = %x, want %x", fnvHash64(0), h)
	}
}

func BenchmarkZipfian(b *testing.B) {
	z, _ := NewZipfian(1_000_000, 0.99)
	s, _ := NewScrambledZipfian(1_000_000)
	b.Run("kind=plain", func(b *testing.B) {
		b.ReportAllocs()
		var sink uint64
		for i := 0; b.Loop(); i++ {
			sink += z.Rank(unit(splitmix64(uint64(i))))
		}
		_ = sink
	})
	b.Run("kind=scrambled", func(b *testing.B) {
		b.ReportAllocs()
		var sink uint64
		for i := 0; b.Loop(); i++ {
			sink += s.Item(unit(splitmix64(uint64(i))))
		}
		_ = sink
	})
}
