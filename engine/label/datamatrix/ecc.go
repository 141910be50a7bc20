package datamatrix

// GF(256) with the field polynomial x⁸+x⁵+x³+x²+1 (301, ISO/IEC 16022
// §5.7.1), as log and antilog tables.
var gfExp, gfLog = func() (exp [512]byte, log [256]byte) {
	x := 1
	for i := 0; i < 255; i++ {
		exp[i] = byte(x)
		log[x] = byte(i)
		x <<= 1
		if x >= 256 {
			x ^= 301
		}
	}
	for i := 255; i < 512; i++ {
		exp[i] = exp[i-255]
	}
	return
}()

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

// generator returns the coefficients of (x−α¹)(x−α²)…(x−αⁿ), highest
// power first without the leading 1: g[0] multiplies xⁿ⁻¹.
func generator(n int) []byte {
	g := []byte{1} // g[i] multiplies x^(len-1-i)
	for i := 1; i <= n; i++ {
		ng := make([]byte, len(g)+1)
		for j, c := range g {
			ng[j] ^= c
			ng[j+1] ^= gfMul(c, gfExp[i])
		}
		g = ng
	}
	return g[1:]
}

var generators = map[int][]byte{}

func init() {
	for _, s := range sizes {
		n := s.ecc / s.blocks
		if generators[n] == nil {
			generators[n] = generator(n)
		}
	}
}

// appendECC appends the error correction codewords of the data
// codewords cw (len(cw) == sz.data): the data is split into sz.blocks
// blocks by interleaving (codeword i goes to block i mod blocks), each
// block gets ecc/blocks codewords, and those are interleaved the same way.
//
// 144×144 is the exception: its error correction blocks are interleaved
// rotated by two (block b's codewords at positions ≡ b+2 mod 10), the
// de facto layout that libdmtx, ZXing and the readers built on them
// decode (zint calls the standard's own layout DM_ISO_144 and does not
// make it by default, since readers reject it).
func appendECC(cw []byte, sz *size) []byte {
	nb := sz.blocks
	ne := sz.ecc / nb
	g := generators[ne]
	out := append(cw, make([]byte, sz.ecc)...)
	rem := make([]byte, ne)
	for b := 0; b < nb; b++ {
		clear(rem)
		for i := b; i < sz.data; i += nb {
			f := cw[i] ^ rem[0]
			copy(rem, rem[1:])
			rem[ne-1] = 0
			if f != 0 {
				for j := range rem {
					rem[j] ^= gfMul(f, g[j])
				}
			}
		}
		slot := b
		if sz.rows == 144 {
			slot = (b + 2) % nb
		}
		for j, e := range rem {
			out[sz.data+j*nb+slot] = e
		}
	}
	return out
}
