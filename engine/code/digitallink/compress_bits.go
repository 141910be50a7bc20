package digitallink

// Bit streams of the compressed form: 6 bits per base64url character, most
// significant bit first; the writer pads the last character with zeros.

// bitWriter appends bits to dst as base64url characters.
type bitWriter struct {
	dst  []byte
	acc  uint64 // pending bits, right-aligned
	nacc uint   // number of pending bits (< 6 after each write)
}

// write appends the n (≤ 58) low bits of v.
func (w *bitWriter) write(v uint64, n uint) {
	for n > 0 {
		k := n
		if k > 32 {
			k = 32
		}
		n -= k
		w.acc = w.acc<<k | (v>>n)&(1<<k-1)
		w.nacc += k
		for w.nacc >= 6 {
			w.nacc -= 6
			w.dst = append(w.dst, base64URL[(w.acc>>w.nacc)&63])
		}
	}
}

// flush pads the pending bits with zeros to a whole character.
func (w *bitWriter) flush() []byte {
	if w.nacc > 0 {
		w.dst = append(w.dst, base64URL[(w.acc<<(6-w.nacc))&63])
		w.nacc = 0
	}
	return w.dst
}

// bitReader reads bits from a base64url string that has been checked to
// hold only base64url characters.
type bitReader struct {
	s   string
	pos int // bits read
}

// left is the number of unread bits.
func (r *bitReader) left() int { return 6*len(r.s) - r.pos }

// read returns the next n (≤ 64) bits; ok is false if fewer are left.
func (r *bitReader) read(n int) (v uint64, ok bool) {
	if n > r.left() {
		return 0, false
	}
	for n > 0 {
		c := uint64(base64Val[r.s[r.pos/6]])
		off := r.pos % 6
		k := 6 - off
		if k > n {
			k = n
		}
		v = v<<uint(k) | (c>>uint(6-off-k))&(1<<uint(k)-1)
		r.pos += k
		n -= k
	}
	return v, true
}

// bigLimbs holds an unsigned number of up to valueBits[maxCompChars] (422)
// bits, 32 bits a limb, least significant first.
type bigLimbs [14]uint32

// appendNumber writes the decimal digits ds as a binary number of n bits.
// The caller has checked that ds is all digits and len(ds) ≤ maxCompChars,
// so that the number fits n = valueBits[len(ds)].
func (w *bitWriter) appendNumber(ds string, n int) {
	if n <= 64 {
		var v uint64
		for i := 0; i < len(ds); i++ {
			v = v*10 + uint64(ds[i]-'0')
		}
		if n > 58 {
			w.write(v>>32, uint(n-32))
			w.write(v&(1<<32-1), 32)
			return
		}
		w.write(v, uint(n))
		return
	}
	var x bigLimbs
	used := 1
	for i := 0; i < len(ds); i++ {
		carry := uint64(ds[i] - '0')
		for j := 0; j < used; j++ {
			t := uint64(x[j])*10 + carry
			x[j] = uint32(t)
			carry = t >> 32
		}
		if carry != 0 && used < len(x) {
			x[used] = uint32(carry)
			used++
		}
	}
	// Most significant bit first: the top limb holds n%32 bits.
	top := (n - 1) / 32
	if r := n % 32; r != 0 {
		w.write(uint64(x[top]), uint(r))
	} else {
		w.write(uint64(x[top]), 32)
	}
	for j := top - 1; j >= 0; j-- {
		w.write(uint64(x[j]), 32)
	}
}

// readNumber reads an n-bit binary number and appends it to dst as exactly
// digits decimal digits, zero-padded. ok is false if the stream is short
// or the number has more than digits digits (too large is false too).
func (r *bitReader) readNumber(dst []byte, n, digits int) (out []byte, ok, tooLarge bool) {
	if n > r.left() {
		return dst, false, false
	}
	if n <= 64 {
		var v uint64
		if n > 32 {
			hi, _ := r.read(n - 32)
			lo, _ := r.read(32)
			v = hi<<32 | lo
		} else {
			v, _ = r.read(n)
		}
		var buf [20]byte
		i := len(buf)
		for v > 0 {
			i--
			buf[i] = byte('0' + v%10)
			v /= 10
		}
		if len(buf)-i > digits {
			return dst, false, true
		}
		for k := digits - (len(buf) - i); k > 0; k-- {
			dst = append(dst, '0')
		}
		return append(dst, buf[i:]...), true, false
	}
	var x bigLimbs
	nl := (n + 31) / 32
	for j := nl - 1; j >= 0; j-- {
		k := 32
		if j == nl-1 && n%32 != 0 {
			k = n % 32
		}
		v, _ := r.read(k)
		x[j] = uint32(v)
	}
	// Repeated division by 10^9 gives 9-digit groups, least significant
	// first.
	var groups [48]uint32
	ng := 0
	for {
		for nl > 0 && x[nl-1] == 0 {
			nl--
		}
		if nl == 0 {
			break
		}
		var rem uint64
		for j := nl - 1; j >= 0; j-- {
			t := rem<<32 | uint64(x[j])
			x[j] = uint32(t / 1e9)
			rem = t % 1e9
		}
		groups[ng] = uint32(rem)
		ng++
	}
	var buf [48 * 9]byte
	i := len(buf)
	for g := 0; g < ng; g++ {
		v := groups[g]
		for k := 0; k < 9; k++ {
			i--
			buf[i] = byte('0' + v%10)
			v /= 10
		}
	}
	for i < len(buf) && buf[i] == '0' {
		i++
	}
	if len(buf)-i > digits {
		return dst, false, true
	}
	for k := digits - (len(buf) - i); k > 0; k-- {
		dst = append(dst, '0')
	}
	return append(dst, buf[i:]...), true, false
}
