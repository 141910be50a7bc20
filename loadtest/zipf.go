package loadtest

import (
	"fmt"
	"math"
)

// Zipfian draws ranks in [0, n) with P(rank k) ∝ 1/(k+1)^θ, by the method of
// Gray et al., "Quickly Generating Billion-Record Synthetic Databases"
// (SIGMOD 1994), as YCSB's ZipfianGenerator implements it. Unlike Go's
// rand.Zipf it accepts θ < 1 — YCSB's default, and ours, is θ = 0.99.
//
// The generator is a pure function of a uniform variate, so callers choose
// their own randomness (here: a hash of the seed and the request index, which
// makes traffic independent of goroutine interleaving). Rank 0 is the most
// popular.
//
// Gray's method is exact for ranks 0 and 1 and approximates the tail by
// inverting the continuous CDF; it costs O(n) once, for ζ(n, θ), and O(1) per
// draw.
type Zipfian struct {
	n     uint64
	theta float64
	alpha float64 // 1/(1−θ)
	zetan float64 // ζ(n, θ) = Σ_{i=1..n} 1/i^θ
	eta   float64
	// half is 1 + 0.5^θ: u·ζ(n) below it picks rank 1.
	half float64
}

// NewZipfian returns a Zipfian over n items with exponent theta in [0, 1).
func NewZipfian(n uint64, theta float64) (*Zipfian, error) {
	if n == 0 {
		return nil, fmt.Errorf("loadtest: zipfian over 0 items")
	}
	if !(theta >= 0 && theta < 1) {
		return nil, fmt.Errorf("loadtest: zipfian theta %v not in [0, 1)", theta)
	}
	return newZipfianZeta(n, theta, zeta(n, theta)), nil
}

// newZipfianZeta builds a Zipfian with a precomputed ζ(n, θ).
func newZipfianZeta(n uint64, theta, zetan float64) *Zipfian {
	z := &Zipfian{n: n, theta: theta, alpha: 1 / (1 - theta), zetan: zetan, half: 1 + math.Pow(0.5, theta)}
	zeta2 := zeta(2, theta)
	if n > 1 {
		z.eta = (1 - math.Pow(2/float64(n), 1-theta)) / (1 - zeta2/zetan)
	}
	return z
}

// zeta returns Σ_{i=1..n} 1/i^θ.
func zeta(n uint64, theta float64) float64 {
	var sum float64
	for i := uint64(1); i <= n; i++ {
		sum += 1 / math.Pow(float64(i), theta)
	}
	return sum
}

// Rank maps a uniform variate u in [0, 1) to a rank in [0, n).
func (z *Zipfian) Rank(u float64) uint64 {
	if z.n == 1 {
		return 0
	}
	uz := u * z.zetan
	if uz < 1 {
		return 0
	}
	if uz < z.half {
		return 1
	}
	r := uint64(float64(z.n) * math.Pow(z.eta*u-z.eta+1, z.alpha))
	if r >= z.n {
		r = z.n - 1
	}
	return r
}

// ScrambledZipfian is YCSB's ScrambledZipfianGenerator: ranks drawn from a
// Zipfian over a fixed universe of 10^10 items (θ = 0.99), hashed with FNV-1a
// and reduced modulo n. The popular items are then spread over the whole key
// space instead of being the first few — in our case, instead of the first
// serials of a block, which a resolver could cache by locality.
//
// As in YCSB, distinct ranks can hash to the same item, so the item
// frequencies are a Zipf distribution folded by a hash, not a permutation of
// one. Only θ = 0.99 is supported because the universe's ζ is a constant.
type ScrambledZipfian struct {
	n uint64
	z *Zipfian
}

const (
	// scrambledUniverse and scrambledZetan are YCSB's ITEM_COUNT and ZETAN.
	scrambledUniverse = 10_000_000_000
	scrambledZetan    = 26.46902820178302
	// ScrambledTheta is the only exponent ScrambledZipfian supports.
	ScrambledTheta = 0.99
)

// NewScrambledZipfian returns a ScrambledZipfian over n items.
func NewScrambledZipfian(n uint64) (*ScrambledZipfian, error) {
	if n == 0 {
		return nil, fmt.Errorf("loadtest: scrambled zipfian over 0 items")
	}
	return &ScrambledZipfian{n: n, z: newZipfianZeta(scrambledUniverse, ScrambledTheta, scrambledZetan)}, nil
}

// Item maps a uniform variate u in [0, 1) to an item in [0, n).
func (s *ScrambledZipfian) Item(u float64) uint64 { return fnvHash64(s.z.Rank(u)) % s.n }

// fnvHash64 is YCSB's Utils.fnvhash64: FNV-1a over the 8 little-endian bytes
// of v, with the sign bit cleared (Java's Math.abs on a long).
func fnvHash64(v uint64) uint64 {
	h := uint64(0xCBF29CE484222325)
	for i := 0; i < 8; i++ {
		h ^= v & 0xff
		h *= 1099511628211
		v >>= 8
	}
	if int64(h) < 0 {
		h = uint64(-int64(h)) // Math.abs; MinInt64 stays itself, as in Java
	}
	return h
}

// splitmix64 is a bijective 64-bit mixer (Steele et al., SplitMix): it turns
// consecutive seeds into independent-looking words. Traffic uses it to derive
// each request's choices from (seed, index) without shared state.
func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// unit maps a 64-bit word to a float64 in [0, 1) using its top 53 bits.
func unit(x uint64) float64 { return float64(x>>11) * (1.0 / (1 << 53)) }
