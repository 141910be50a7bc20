package fpe

import "math/bits"

// modulus is a fixed divisor m = radix^k (2 ≤ m < 2^63) with precomputed
// reciprocals, so that FF1's "mod radix^m" needs multiplications and no
// DIV:
//
//   - 64-bit y (d = 8, every shape with radix^v ≤ 2^32: 10^13, 36^12,
//     32^12, …): Barrett reduction with bar = ⌊(2^64−1)/m⌋. The estimate
//     q = ⌊y·bar/2^64⌋ is ⌊y/m⌋ or one less, because
//     y/m − y·bar/2^64 = y·(2^64/m − bar)/2^64 ≤ y/2^64 < 1 (bar ≥
//     2^64/m − 1), so one conditional subtraction finishes.
//   - 96-bit y (d = 12, radix^v > 2^32, e.g. radix 10 n = 19): Möller and
//     Granlund's 2-by-1 division with a normalised divisor ("Improved
//     division by invariant integers", IEEE Trans. Computers 60(2), 2011,
//     Algorithm 4), applied twice.
//
// Profile (pprof, BenchmarkEncryptBatch radix=36/n=12 with the AES-NI
// kernel, Intel Xeon dev VM under load, CPU time per code): once AES costs
// ~3–4.5 ns a block, the per-lane arithmetic and not AES is the largest
// item. With Möller–Granlund as out-of-line calls for 64-bit y the
// reduction took 55% of the batch (AES 20%, ~120 ns/code); inlined Barrett
// brought the batch to ~63–75 ns/code with AES at 42%. Against DIV
// (bits.Rem64) in the same kernel and run: 73–75 vs 79–88 ns/code.
// BenchmarkReduce latency: barrett64 5.8 ns vs div64 8.2 ns, mg96 17 ns
// vs div96 24–36 ns.
//
// All paths run in constant time: no branches on data, and no DIV, whose
// latency depends on its operands (y is secret).
type modulus struct {
	m   uint64 // the modulus, radix^k
	bar uint64 // ⌊(2^64−1)/m⌋
	dn  uint64 // m << s; its top bit is set
	inv uint64 // ⌊(2^128−1)/dn⌋ − 2^64
	s   uint   // leading zero bits of m, 1..62
}

func newModulus(m uint64) modulus {
	if m < 2 || m >= 1<<63 {
		// FF1 halves satisfy radix^v ≤ radix^n / radix < 2^63.
		panic("BUG: fpe: modulus outside [2, 2^63)")
	}
	s := uint(bits.LeadingZeros64(m))
	dn := m << s
	inv, _ := bits.Div64(^dn, ^uint64(0), dn)
	return modulus{m: m, bar: ^uint64(0) / m, dn: dn, inv: inv, s: s}
}

// reduce64 returns y mod m.
func (d *modulus) reduce64(y uint64) uint64 {
	q, _ := bits.Mul64(y, d.bar)
	r := y - q*d.m // in [0, 2m)
	t, borrow := bits.Sub64(r, d.m, 0)
	return t + d.m&-borrow
}

// divrem returns y / m and y % m.
func (d *modulus) divrem(y uint64) (q, r uint64) {
	q, _ = bits.Mul64(y, d.bar)
	r = y - q*d.m
	t, borrow := bits.Sub64(r, d.m, 0)
	return q + (borrow ^ 1), t + d.m&-borrow
}

// rem2 returns (u1·2^64 + u0) mod dn.
// REQUIRES: u1 < dn.
func (d *modulus) rem2(u1, u0 uint64) uint64 {
	qh, ql := bits.Mul64(d.inv, u1)
	var c uint64
	ql, c = bits.Add64(ql, u0, 0)
	qh, _ = bits.Add64(qh, u1, c)
	qh++
	r := u0 - qh*d.dn
	// if r > ql { r += dn }, without a branch.
	_, lt := bits.Sub64(ql, r, 0)
	r += d.dn & -lt
	// if r >= dn { r -= dn }, rare, without a branch.
	t, below := bits.Sub64(r, d.dn, 0)
	return t + d.dn&-below
}

// reduce96 returns (yh·2^64 + yl) mod m.
// REQUIRES: yh < 2^32.
func (d *modulus) reduce96(yh, yl uint64) uint64 {
	s, rs := d.s&63, (64-d.s)&63 // 1 ≤ s ≤ 62: the masks only drop Go's ≥ 64 shift checks
	t2 := yh >> rs
	t1 := yh<<s | yl>>rs
	t0 := yl << s
	return d.rem2(d.rem2(t2, t1), t0) >> s
}

// addMod returns (a + r) mod m.
// REQUIRES: a < m, r < m (so a + r < 2^64).
func (d *modulus) addMod(a, r uint64) uint64 {
	t, borrow := bits.Sub64(a+r, d.m, 0)
	return t + d.m&-borrow
}

// subMod returns (b − r) mod m.
// REQUIRES: b < m, r < m.
func (d *modulus) subMod(b, r uint64) uint64 {
	t, borrow := bits.Sub64(b, r, 0)
	return t + d.m&-borrow
}
