package fpe

import "fmt"

// Domain is a pseudorandom permutation of [0, N) for any N with
// 10^6 ≤ N < 2^64, built from FF1 on the smallest radix^n ≥ N by
// cycle-walking (Black and Rogaway, "Ciphers with Arbitrary Finite
// Domains", CT-RSA 2002): Encrypt(x) applies FF1 to x, then to the result,
// until the value falls below N.
//
// Why this is a permutation of [0, N): FF1 permutes [0, radix^n), so its
// functional graph is a union of cycles. Walking from x < N along x's cycle
// stops at the next element below N; Decrypt walks the same cycle backwards
// and stops at the previous one, which is x. Distinct inputs below N stop at
// distinct outputs because each such output has exactly one predecessor
// below N on its cycle. The walk always terminates because x's cycle
// returns to x. The expected number of FF1 calls per value is radix^n / N
// (< radix), and an adversary learns nothing beyond FF1's own security,
// since every walk is a sequence of FF1 queries.
//
// A Domain is immutable and safe for concurrent use. Its running time
// reveals the walk length, that is how many consecutive FF1 images of x
// fall outside [0, N): information about the permutation at that point, not
// about the key or about which counters were issued. Miracle and Yilek's
// cycle slicing (2017) removes it if it ever matters; choosing
// N = radix^n avoids walking altogether.
type Domain struct {
	f    *FF1
	size uint64 // N
}

// NewDomain returns the permutation of [0, size) under AES key and tweak,
// with FF1 in base radix on the fewest numerals n with radix^n ≥ size.
// It requires 10^6 ≤ size and radix^n < 2^64 for that n.
func NewDomain(key []byte, radix uint32, size uint64, tweak []byte) (*Domain, error) {
	if size < MinDomain {
		return nil, fmt.Errorf("%w: size %d", ErrDomainTooSmall, size)
	}
	if radix < 2 || radix > 1<<16 {
		return nil, fmt.Errorf("%w: got %d", ErrRadix, radix)
	}
	n := 1
	for {
		p, ok := pow(uint64(radix), n)
		if !ok {
			return nil, fmt.Errorf("%w: size %d needs more than %d numerals in radix %d", ErrDomainTooLarge, size, n-1, radix)
		}
		if p >= size {
			break
		}
		n++
	}
	f, err := NewFF1(key, radix, n, tweak)
	if err != nil {
		return nil, err
	}
	return &Domain{f: f, size: size}, nil
}

// Size returns N: Encrypt and Decrypt take and return values below it.
func (d *Domain) Size() uint64 { return d.size }

// FF1 returns the underlying cipher on [0, radix^n). Its Len is the number
// of numerals a formatted serial needs.
func (d *Domain) FF1() *FF1 { return d.f }

// Encrypt returns the image of x < N. It panics if x ≥ N.
func (d *Domain) Encrypt(x uint64) uint64 {
	if x >= d.size {
		panic(errOutOfRangeInput)
	}
	y := d.f.Encrypt(x)
	for y >= d.size {
		y = d.f.Encrypt(y)
	}
	return y
}

// Decrypt returns the preimage of y < N. It panics if y ≥ N: a scanned
// serial whose value is ≥ N is forged or misread and must be rejected
// before Decrypt.
func (d *Domain) Decrypt(y uint64) uint64 {
	if y >= d.size {
		panic(errOutOfRangeInput)
	}
	x := d.f.Decrypt(y)
	for x >= d.size {
		x = d.f.Decrypt(x)
	}
	return x
}

// EncryptBatch sets dst[i] = Encrypt(src[i]) for i < len(src), eight lanes
// at a time; lanes that must walk on are refilled with further walks so the
// kernel stays full. dst and src may be the same slice.
func (d *Domain) EncryptBatch(dst, src []uint64) { d.batch(dst, src, false) }

// DecryptBatch sets dst[i] = Decrypt(src[i]) for i < len(src); see
// EncryptBatch.
func (d *Domain) DecryptBatch(dst, src []uint64) { d.batch(dst, src, true) }

func (d *Domain) batch(dst, src []uint64, decrypt bool) {
	if len(dst) < len(src) {
		panic("BUG: fpe: batch dst shorter than src")
	}
	for _, x := range src {
		if x >= d.size {
			panic(errOutOfRangeInput)
		}
	}
	// Lane j carries the value at index idx[j] of dst through its walk; a
	// lane whose value lands below N retires and takes the next input.
	var (
		x    [lanes]uint64
		idx  [lanes]int
		live int // lanes in use: x[:live]
		next int // next index of src to load
	)
	for {
		for live < lanes && next < len(src) {
			x[live], idx[live] = src[next], next
			live++
			next++
		}
		if live == 0 {
			return
		}
		clear(x[live:])
		if decrypt {
			d.f.decrypt8(&x)
		} else {
			d.f.encrypt8(&x)
		}
		// Retire finished lanes, compacting the walkers to the front.
		k := 0
		for j := range live {
			if x[j] < d.size {
				dst[idx[j]] = x[j]
			} else {
				x[k], idx[k] = x[j], idx[j]
				k++
			}
		}
		live = k
	}
}
