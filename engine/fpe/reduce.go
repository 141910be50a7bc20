package fpe

import "math/bits"

// modulus is a fixed divisor m (1 < m < 2^64) with a precomputed
// Möller–Granlund reciprocal ("Improved division by invariant integers",
// IEEE Trans. Computers 60(2), 2011, Algorithm 4), so that remainders mod m
// need two multiplications and no DIV.
//
// Profile (pprof, BenchmarkEncrypt radix=36/n=12, pure Go on the Intel Xeon
// dev VM): crypto/aes is 40–57% of Encrypt; the reduction is ~20% with
// either method. With d = 8 (y < 2^64, every shape up to radix^v < 2^32,
// which covers 10^13, 36^12 and 32^12) one DIV costs the same as the
// reciprocal (BenchmarkReduce op=div64 vs op=reciprocal64, ~11 ns each
// under load). With d = 12 (96-bit y, e.g. radix 10 n = 19) the DIV route
// needs two 128/64 divisions and the reciprocal is ~2.5x faster
// (op=div vs op=reciprocal). The reciprocal is kept for that case and
// because it runs in constant time: DIV latency depends on its operands,
// and y is secret. The code below uses carries and masks, not branches.
type modulus struct {
	m   uint64 // the modulus, radix^k
	dn  uint64 // m << s; its top bit is set
	inv uint64 // ⌊(2^128−1)/dn⌋ − 2^64
	s   uint   // leading zero bits of m
}

func newModulus(m uint64) modulus {
	if m < 2 {
		panic("BUG: fpe: modulus < 2")
	}
	s := uint(bits.LeadingZeros64(m))
	dn := m << s
	inv, _ := bits.Div64(^dn, ^uint64(0), dn)
	return modulus{m: m, dn: dn, inv: inv, s: s}
}

// div2 returns the quotient and remainder of (u1·2^64 + u0) by dn.
// REQUIRES: u1 < dn.
func (d *modulus) div2(u1, u0 uint64) (q, r uint64) {
	qh, ql := bits.Mul64(d.inv, u1)
	var c uint64
	ql, c = bits.Add64(ql, u0, 0)
	qh, _ = bits.Add64(qh, u1, c)
	qh++
	r = u0 - qh*d.dn
	// if r > ql { qh--; r += dn }, without a branch.
	_, lt := bits.Sub64(ql, r, 0)
	qh -= lt
	r += d.dn & -lt
	// if r >= dn { qh++; r -= dn }, rare, without a branch.
	t, below := bits.Sub64(r, d.dn, 0)
	qh += below ^ 1
	return qh, t + d.dn&-below
}

// rem2 returns (u1·2^64 + u0) mod dn.
// REQUIRES: u1 < dn.
func (d *modulus) rem2(u1, u0 uint64) uint64 {
	_, r := d.div2(u1, u0)
	return r
}

// divrem returns x / m and x % m. Scaling x and m by 2^s leaves the
// quotient unchanged and scales the remainder by 2^s.
func (d *modulus) divrem(x uint64) (q, r uint64) {
	q, r = d.div2(x>>(64-d.s), x<<d.s)
	return q, r >> d.s
}

// reduce64 returns y mod m.
func (d *modulus) reduce64(y uint64) uint64 {
	return d.rem2(y>>(64-d.s), y<<d.s) >> d.s
}

// reduce96 returns (yh·2^64 + yl) mod m.
// REQUIRES: yh < 2^32.
func (d *modulus) reduce96(yh, yl uint64) uint64 {
	t2 := yh >> (64 - d.s)
	t1 := yh<<d.s | yl>>(64-d.s)
	t0 := yl << d.s
	r := d.rem2(t2, t1)
	return d.rem2(r, t0) >> d.s
}

// addMod returns (a + r) mod m.
// REQUIRES: a < m, r < m.
func (d *modulus) addMod(a, r uint64) uint64 {
	s, carry := bits.Add64(a, r, 0)
	t, borrow := bits.Sub64(s, d.m, 0)
	// Take t when the sum overflowed 64 bits or is ≥ m.
	take := carry | (borrow ^ 1)
	return s ^ ((s ^ t) & -take)
}

// subMod returns (b − r) mod m.
// REQUIRES: b < m, r < m.
func (d *modulus) subMod(b, r uint64) uint64 {
	t, borrow := bits.Sub64(b, r, 0)
	return t + d.m&-borrow
}
