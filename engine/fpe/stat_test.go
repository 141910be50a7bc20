package fpe

import (
	"math"
	"testing"
)

// TestChiSquareDigits encrypts the counters 0..99,999 (what a product's
// first mint block looks like: small, consecutive inputs) and checks each
// output numeral position for uniformity with a chi-square test. The key
// and inputs are fixed, so the statistic is deterministic; the bound is
// p < 10^-9 per position, which a uniform permutation essentially never
// reaches and a structural bias (a digit stuck, a position copied from
// the counter) exceeds by orders of magnitude.
func TestChiSquareDigits(t *testing.T) {
	const samples = 100_000
	for _, s := range []struct {
		radix uint32
		n     int
	}{{10, 13}, {36, 12}, {32, 12}, {10, 6}} {
		f := mustFF1(t, testKey, s.radix, s.n, []byte("09506000134352"))
		src := make([]uint64, samples)
		for i := range src {
			src[i] = uint64(i)
		}
		dst := make([]uint64, samples)
		f.EncryptBatch(dst, src)
		counts := make([][]int, s.n) // counts[pos][numeral]
		for i := range counts {
			counts[i] = make([]int, s.radix)
		}
		for _, y := range dst {
			for pos := s.n - 1; pos >= 0; pos-- {
				counts[pos][y%uint64(s.radix)]++
				y /= uint64(s.radix)
			}
		}
		want := float64(samples) / float64(s.radix)
		df := float64(s.radix - 1)
		for pos, c := range counts {
			var chi2 float64
			for _, k := range c {
				d := float64(k) - want
				chi2 += d * d / want
			}
			p := chiSquareSurvival(chi2, df)
			t.Logf("radix %d n %d position %d: chi2 = %.1f (df %.0f), p = %.3g", s.radix, s.n, pos+1, chi2, df, p)
			if p < 1e-9 {
				t.Errorf("radix %d n %d position %d: chi2 = %.1f with %.0f degrees of freedom, p = %.3g < 1e-9: numerals not uniform",
					s.radix, s.n, pos+1, chi2, df, p)
			}
		}
	}
	// The test must be able to fail: the counters themselves are far from
	// uniform in their top positions.
	if p := chiSquareSurvival(1e5*9, 9); p >= 1e-9 {
		t.Fatalf("chiSquareSurvival(9e5, 9) = %g, the bound cannot reject anything", p)
	}
}

// chiSquareSurvival returns P(X ≥ x) for X chi-square with df degrees of
// freedom: the regularised upper incomplete gamma Q(df/2, x/2), by series
// for x < a+1 and Lentz's continued fraction otherwise (Numerical Recipes
// §6.2).
func chiSquareSurvival(x, df float64) float64 {
	a, z := df/2, x/2
	if z <= 0 {
		return 1
	}
	lg, _ := math.Lgamma(a)
	front := math.Exp(-z + a*math.Log(z) - lg)
	if z < a+1 {
		sum, term := 1/a, 1/a
		for n := 1.0; n < 1000; n++ {
			term *= z / (a + n)
			sum += term
			if term < sum*1e-15 {
				break
			}
		}
		return 1 - front*sum
	}
	const tiny = 1e-300
	b := z + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for i := 1.0; i < 1000; i++ {
		an := -i * (i - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return front * h
}

// TestChiSquareSurvival pins the helper to known quantiles.
func TestChiSquareSurvival(t *testing.T) {
	for _, c := range []struct{ x, df, p float64 }{
		{3.841458820694124, 1, 0.05},
		{16.918977604620448, 9, 0.05},
		{21.665994333461924, 9, 0.01},
		{49.80184956820188, 35, 0.05},
		{9, 9, 0.43727418891425176},
	} {
		if got := chiSquareSurvival(c.x, c.df); math.Abs(got-c.p) > 1e-9 {
			t.Errorf("chiSquareSurvival(%v, %v) = %v, want %v", c.x, c.df, got, c.p)
		}
	}
}
