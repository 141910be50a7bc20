package fpe

import "math/bits"

// EncryptBatch sets dst[i] = Encrypt(src[i]) for every i < len(src), eight
// values per pass so that eight independent AES blocks are in flight per
// Feistel round. dst and src may be the same slice (but not otherwise
// overlap). It panics if len(dst) < len(src) or a value is ≥ Size().
func (f *FF1) EncryptBatch(dst, src []uint64) {
	f.batch(dst, src, false)
}

// DecryptBatch sets dst[i] = Decrypt(src[i]) for every i < len(src); see
// EncryptBatch.
func (f *FF1) DecryptBatch(dst, src []uint64) {
	f.batch(dst, src, true)
}

func (f *FF1) batch(dst, src []uint64, decrypt bool) {
	if len(dst) < len(src) {
		panic("BUG: fpe: batch dst shorter than src")
	}
	var x [lanes]uint64
	for len(src) > 0 {
		k := copy(x[:], src)
		clear(x[k:]) // idle lanes carry 0, a valid input
		if decrypt {
			f.decrypt8(&x)
		} else {
			f.encrypt8(&x)
		}
		copy(dst[:k], x[:k])
		dst, src = dst[k:], src[k:]
	}
}

// encrypt8 replaces each x[j] by Encrypt(x[j]); the lanes run the same
// round together, so each round is one encrypt8 call on eight blocks.
func (f *FF1) encrypt8(x *[lanes]uint64) {
	var a, b [lanes]uint64
	for j := range x {
		if x[j] >= f.size {
			panic(errOutOfRangeInput)
		}
		a[j], b[j] = f.mv.divrem(x[j])
	}
	var blk [lanes][2]uint64
	for i := range rounds {
		m := &f.mu
		if i&1 == 1 {
			m = &f.mv
		}
		w0, w1 := f.rw[i][0], f.rw[i][1]
		for j := range blk {
			blk[j] = [2]uint64{w0, w1 ^ bits.ReverseBytes64(b[j])}
		}
		f.c.encrypt8(&blk)
		// fold written out per width, so that the reductions inline.
		if f.wide {
			for j := range blk {
				hi := bits.ReverseBytes64(blk[j][0])
				lo := uint64(bits.ReverseBytes32(uint32(blk[j][1])))
				a[j], b[j] = b[j], m.addMod(a[j], m.reduce96(hi>>32, hi<<32|lo))
			}
		} else {
			for j := range blk {
				a[j], b[j] = b[j], m.addMod(a[j], m.reduce64(bits.ReverseBytes64(blk[j][0])))
			}
		}
	}
	for j := range x {
		x[j] = a[j]*f.mv.m + b[j]
	}
}

// decrypt8 replaces each x[j] by Decrypt(x[j]).
func (f *FF1) decrypt8(x *[lanes]uint64) {
	var a, b [lanes]uint64
	for j := range x {
		if x[j] >= f.size {
			panic(errOutOfRangeInput)
		}
		a[j], b[j] = f.mv.divrem(x[j])
	}
	var blk [lanes][2]uint64
	for i := rounds - 1; i >= 0; i-- {
		m := &f.mu
		if i&1 == 1 {
			m = &f.mv
		}
		w0, w1 := f.rw[i][0], f.rw[i][1]
		for j := range blk {
			blk[j] = [2]uint64{w0, w1 ^ bits.ReverseBytes64(a[j])}
		}
		f.c.encrypt8(&blk)
		if f.wide {
			for j := range blk {
				hi := bits.ReverseBytes64(blk[j][0])
				lo := uint64(bits.ReverseBytes32(uint32(blk[j][1])))
				a[j], b[j] = m.subMod(b[j], m.reduce96(hi>>32, hi<<32|lo)), a[j]
			}
		} else {
			for j := range blk {
				a[j], b[j] = m.subMod(b[j], m.reduce64(bits.ReverseBytes64(blk[j][0]))), a[j]
			}
		}
	}
	for j := range x {
		x[j] = a[j]*f.mv.m + b[j]
	}
}
