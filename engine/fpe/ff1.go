package fpe

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Errors returned by NewFF1, wrapped with the offending values.
var (
	ErrKeySize         = errors.New("fpe: AES key must be 16, 24 or 32 bytes")
	ErrRadix           = errors.New("fpe: radix must be in [2, 65536]")
	ErrDomainTooSmall  = errors.New("fpe: domain smaller than 10^6 (SP 800-38G Rev. 1 minimum)")
	ErrDomainTooLarge  = errors.New("fpe: domain must be below 2^64")
	ErrTweakTooLong    = errors.New("fpe: tweak longer than 2^32-1 bytes")
	errOutOfRangeInput = "BUG: fpe: input not below the domain size; callers must validate"
)

// MinDomain is the smallest domain radix^n that NewFF1 accepts: SP
// 800-38G Rev. 1 (second public draft,
// 2025) requires radix^minlen ≥ 1,000,000 because of the small-domain
// attacks on Feistel-based FPE.
const MinDomain = 1_000_000

// rounds is FF1's number of Feistel rounds.
const rounds = 10

// lanes is the number of values EncryptBatch and DecryptBatch carry side by
// side; eight AES blocks in flight cover AES-NI's latency/throughput ratio.
const lanes = 8

// FF1 is NIST SP 800-38G FF1 with AES under one key and one tweak, on the
// integers [0, radix^n). An FF1 is immutable after NewFF1 and safe for
// concurrent use.
//
// Encrypt(x) is the integer of FF1.Encrypt(K, T, X) where X is the n-numeral
// base-radix string of x, most significant numeral first.
type FF1 struct {
	c     blockCipher
	radix uint32
	n     int    // numerals per value, n = u + v
	u, v  int    // u = ⌊n/2⌋ numerals in A, v = n − u in B
	wide  bool   // d = 12: y = NUM(S) spans 96 bits; otherwise d = 8 and y is R's first 8 bytes
	size  uint64 // radix^n
	mu    modulus
	mv    modulus
	// rw[i] is the CBC-MAC input of round i's last block: the CBC state after
	// P and every Q block but the last, XORed with the last Q block holding
	// round number i and NUM(B) = 0. A round XORs NUM(B) into rw[i][1] (B's b
	// bytes end the block) and encrypts once. Lanes as in aes.go.
	rw [rounds][2]uint64
}

// NewFF1 returns FF1 under AES key (16, 24 or 32 bytes) and tweak on
// numeral strings of length n in base radix, that is on [0, radix^n).
// It requires 2 ≤ radix ≤ 65536 and 10^6 ≤ radix^n < 2^64; the tweak may
// be empty. The key and tweak are copied into the derived state, not kept.
func NewFF1(key []byte, radix uint32, n int, tweak []byte) (*FF1, error) {
	if l := len(key); l != 16 && l != 24 && l != 32 {
		return nil, fmt.Errorf("%w: got %d bytes", ErrKeySize, l)
	}
	if radix < 2 || radix > 1<<16 {
		return nil, fmt.Errorf("%w: got %d", ErrRadix, radix)
	}
	if n < 1 {
		return nil, fmt.Errorf("%w: n = %d", ErrDomainTooSmall, n)
	}
	size, ok := pow(uint64(radix), n)
	if !ok {
		return nil, fmt.Errorf("%w: radix^n = %d^%d", ErrDomainTooLarge, radix, n)
	}
	if size < MinDomain {
		return nil, fmt.Errorf("%w: radix^n = %d^%d = %d", ErrDomainTooSmall, radix, n, size)
	}
	if uint64(len(tweak)) > math.MaxUint32 {
		return nil, fmt.Errorf("%w: got %d bytes", ErrTweakTooLong, len(tweak))
	}
	f := &FF1{radix: radix, n: n, u: n / 2, v: n - n/2, size: size}
	if err := f.c.init(key); err != nil {
		return nil, fmt.Errorf("fpe: AES key: %w", err)
	}
	pu, _ := pow(uint64(radix), f.u)
	pv, _ := pow(uint64(radix), f.v)
	f.mu, f.mv = newModulus(pu), newModulus(pv)

	// b = ⌈⌈v·log2(radix)⌉/8⌉. ⌈v·log2(radix)⌉ is the bit length of
	// radix^v − 1: exact when radix^v is a power of two, and otherwise
	// log2(radix^v) is not an integer and rounds up to its bit length.
	b := (bits.Len64(pv-1) + 7) / 8
	d := 4*((b+3)/4) + 4
	f.wide = d == 12 // b ≤ 8 because radix^v < 2^63, so d ∈ {8, 12}
	f.precompute(tweak, b)
	return f, nil
}

// pow returns r^k and whether it is below 2^64.
func pow(r uint64, k int) (uint64, bool) {
	p := uint64(1)
	for range k {
		hi, lo := bits.Mul64(p, r)
		if hi != 0 {
			return 0, false
		}
		p = lo
	}
	return p, true
}

// precompute fills rw from P and Q (SP 800-38G §5.1, Algorithm 7, steps 5
// and 6.i–ii) for a tweak T and b-byte NUM(B).
func (f *FF1) precompute(tweak []byte, b int) {
	t := len(tweak)
	var p [16]byte
	p[0], p[1], p[2] = 1, 2, 1
	p[3], p[4], p[5] = byte(f.radix>>16), byte(f.radix>>8), byte(f.radix)
	p[6] = 10
	p[7] = byte(f.u)
	p[8], p[9], p[10], p[11] = byte(f.n>>24), byte(f.n>>16), byte(f.n>>8), byte(f.n)
	p[12], p[13], p[14], p[15] = byte(t>>24), byte(t>>16), byte(t>>8), byte(t)

	// Q = T || [0]^((−t−b−1) mod 16) || [i]^1 || [NUM(B)]^b.
	pad := (16 - (t+b+1)%16) % 16
	q := make([]byte, t+pad+1+b)
	copy(q, tweak)

	s0, s1 := f.c.encrypt1(le64(p[:8]), le64(p[8:]))
	last := len(q) - 16
	for off := 0; off < last; off += 16 {
		s0, s1 = f.c.encrypt1(s0^le64(q[off:]), s1^le64(q[off+8:]))
	}
	s0 ^= le64(q[last:])
	s1 ^= le64(q[last+8:])
	// Round number i is byte 15−b of the last block: lane 1 if b < 8.
	for i := range rounds {
		pos := 15 - b
		if pos >= 8 {
			f.rw[i] = [2]uint64{s0, s1 ^ uint64(i)<<(8*(pos-8))}
		} else {
			f.rw[i] = [2]uint64{s0 ^ uint64(i)<<(8*pos), s1}
		}
	}
}

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// Radix returns the base of the numeral strings.
func (f *FF1) Radix() uint32 { return f.radix }

// Len returns n, the number of numerals in a value.
func (f *FF1) Len() int { return f.n }

// Size returns radix^n; Encrypt and Decrypt take values below it.
func (f *FF1) Size() uint64 { return f.size }

// y returns NUM(S) mod m for round i with the round's input half num:
// S is the first d bytes of R = PRF(P || Q) (d ≤ 12 < 16, so S is part of R
// and no further CIPH blocks are needed).
func (f *FF1) y(i int, num uint64, m *modulus) uint64 {
	r0, r1 := f.c.encrypt1(f.rw[i][0], f.rw[i][1]^bits.ReverseBytes64(num))
	return f.fold(r0, r1, m)
}

// fold returns NUM(S) mod m from the encrypted block (r0, r1).
func (f *FF1) fold(r0, r1 uint64, m *modulus) uint64 {
	hi := bits.ReverseBytes64(r0) // R[0:8], big-endian
	if !f.wide {
		return m.reduce64(hi)
	}
	lo := uint64(bits.ReverseBytes32(uint32(r1))) // R[8:12]
	return m.reduce96(hi>>32, hi<<32|lo)
}

// Encrypt returns FF1.Encrypt of x. It panics if x ≥ Size(): serials and
// counters are validated by the caller, so that is a bug, not bad input.
func (f *FF1) Encrypt(x uint64) uint64 {
	if x >= f.size {
		panic(errOutOfRangeInput)
	}
	a, b := f.mv.divrem(x)
	for i := 0; i < rounds; i += 2 {
		a, b = b, f.mu.addMod(a, f.y(i, b, &f.mu))
		a, b = b, f.mv.addMod(a, f.y(i+1, b, &f.mv))
	}
	return a*f.mv.m + b
}

// Decrypt returns FF1.Decrypt of y, the inverse of Encrypt. It panics if
// y ≥ Size(); check a scanned serial against Size first.
func (f *FF1) Decrypt(y uint64) uint64 {
	if y >= f.size {
		panic(errOutOfRangeInput)
	}
	a, b := f.mv.divrem(y)
	for i := rounds - 1; i > 0; i -= 2 {
		a, b = f.mv.subMod(b, f.y(i, a, &f.mv)), a
		a, b = f.mu.subMod(b, f.y(i-1, a, &f.mu)), a
	}
	return a*f.mv.m + b
}
