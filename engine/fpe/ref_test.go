package fpe

import (
	"bufio"
	"crypto/aes"
	"encoding/hex"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
)

// refFF1 is SP 800-38G FF1 (Algorithms 7 and 8) written step by step on
// numeral strings and math/big, sharing no code with the integer FF1. It
// is slow and is the oracle for the fast implementation and for NIST
// samples that do not fit in 64 bits.
type refFF1 struct {
	key   []byte
	radix int
	tweak []byte
}

func bigPow(r, k int) *big.Int {
	return new(big.Int).Exp(big.NewInt(int64(r)), big.NewInt(int64(k)), nil)
}

// num is NUM_radix(X), most significant numeral first.
func (f refFF1) num(x []int) *big.Int {
	r := big.NewInt(int64(f.radix))
	v := new(big.Int)
	for _, d := range x {
		v.Mul(v, r).Add(v, big.NewInt(int64(d)))
	}
	return v
}

// str is STR^m_radix(x).
func (f refFF1) str(x *big.Int, m int) []int {
	out := make([]int, m)
	r := big.NewInt(int64(f.radix))
	v, d := new(big.Int).Set(x), new(big.Int)
	for i := m - 1; i >= 0; i-- {
		v.QuoRem(v, r, d)
		out[i] = int(d.Int64())
	}
	return out
}

// bytesOf is [x]^s, x as s big-endian bytes.
func bytesOf(x *big.Int, s int) []byte {
	return x.FillBytes(make([]byte, s))
}

func (f refFF1) prf(x []byte) []byte {
	blk, err := aes.NewCipher(f.key)
	if err != nil {
		panic(err)
	}
	y := make([]byte, 16)
	for j := 0; j < len(x); j += 16 {
		for k := range 16 {
			y[k] ^= x[j+k]
		}
		blk.Encrypt(y, y)
	}
	return y
}

// roundY is steps 6.i–iv: y = NUM(S) for round i with half h.
func (f refFF1) roundY(n, u, b, d, i int, h []int) *big.Int {
	t := len(f.tweak)
	p := []byte{1, 2, 1}
	p = append(p, bytesOf(big.NewInt(int64(f.radix)), 3)...)
	p = append(p, 10, byte(u%256))
	p = append(p, bytesOf(big.NewInt(int64(n)), 4)...)
	p = append(p, bytesOf(big.NewInt(int64(t)), 4)...)
	pad := ((-t-b-1)%16 + 16) % 16
	q := append([]byte{}, f.tweak...)
	q = append(q, make([]byte, pad)...)
	q = append(q, byte(i))
	q = append(q, bytesOf(f.num(h), b)...)
	r := f.prf(append(p, q...))
	s := append([]byte{}, r...)
	blk, _ := aes.NewCipher(f.key)
	for j := 1; len(s) < d; j++ {
		x := append([]byte{}, r...)
		jb := bytesOf(big.NewInt(int64(j)), 16)
		for k := range x {
			x[k] ^= jb[k]
		}
		blk.Encrypt(x, x)
		s = append(s, x...)
	}
	return new(big.Int).SetBytes(s[:d])
}

func (f refFF1) params(n int) (u, v, b, d int) {
	u, v = n/2, n-n/2
	bitsV := new(big.Int).Sub(bigPow(f.radix, v), big.NewInt(1)).BitLen() // ⌈v·log2 radix⌉
	b = (bitsV + 7) / 8
	d = 4*((b+3)/4) + 4
	return
}

func (f refFF1) encrypt(x []int) []int {
	n := len(x)
	u, v, b, d := f.params(n)
	a, bb := append([]int{}, x[:u]...), append([]int{}, x[u:]...)
	for i := range 10 {
		y := f.roundY(n, u, b, d, i, bb)
		m := u
		if i%2 == 1 {
			m = v
		}
		c := new(big.Int).Add(f.num(a), y)
		c.Mod(c, bigPow(f.radix, m))
		a, bb = bb, f.str(c, m)
	}
	return append(a, bb...)
}

func (f refFF1) decrypt(x []int) []int {
	n := len(x)
	u, v, b, d := f.params(n)
	a, bb := append([]int{}, x[:u]...), append([]int{}, x[u:]...)
	for i := 9; i >= 0; i-- {
		y := f.roundY(n, u, b, d, i, a)
		m := u
		if i%2 == 1 {
			m = v
		}
		c := new(big.Int).Sub(f.num(bb), y)
		c.Mod(c, bigPow(f.radix, m)) // Mod is Euclidean: result in [0, radix^m)
		bb, a = a, f.str(c, m)
	}
	return append(a, bb...)
}

const alphabet36 = "0123456789abcdefghijklmnopqrstuvwxyz"

func numerals(t testing.TB, s string) []int {
	t.Helper()
	out := make([]int, len(s))
	for i, c := range s {
		d := strings.IndexRune(alphabet36, c)
		if d < 0 {
			t.Fatalf("numeral %q at position %d not in 0-9a-z", c, i+1)
		}
		out[i] = d
	}
	return out
}

func numeralString(x []int) string {
	var sb strings.Builder
	for _, d := range x {
		sb.WriteByte(alphabet36[d])
	}
	return sb.String()
}

type nistSample struct {
	id     int
	key    []byte
	radix  int
	tweak  []byte
	pt, ct string
}

func loadNIST(t testing.TB) []nistSample {
	t.Helper()
	fh, err := os.Open("testdata/nist_ff1.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []nistSample
	sc := bufio.NewScanner(fh)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		f := strings.Fields(s)
		if len(f) != 6 {
			t.Fatalf("nist_ff1.txt:%d: want 6 fields, got %d", line, len(f))
		}
		id, err1 := strconv.Atoi(f[0])
		key, err2 := hex.DecodeString(f[1])
		radix, err3 := strconv.Atoi(f[2])
		var tweak []byte
		var err4 error
		if f[3] != "-" {
			tweak, err4 = hex.DecodeString(f[3])
		}
		for _, e := range []error{err1, err2, err3, err4} {
			if e != nil {
				t.Fatalf("nist_ff1.txt:%d: %v", line, e)
			}
		}
		out = append(out, nistSample{id, key, radix, tweak, f[4], f[5]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != 9 {
		t.Fatalf("nist_ff1.txt: want 9 samples, got %d", len(out))
	}
	return out
}

// TestReferenceNIST checks the math/big reference on all nine NIST samples,
// both directions; the reference then vouches for the fast path on domains
// the samples cannot reach.
func TestReferenceNIST(t *testing.T) {
	for _, s := range loadNIST(t) {
		ref := refFF1{s.key, s.radix, s.tweak}
		if got := numeralString(ref.encrypt(numerals(t, s.pt))); got != s.ct {
			t.Errorf("sample %d: reference encrypt = %s, want %s", s.id, got, s.ct)
		}
		if got := numeralString(ref.decrypt(numerals(t, s.ct))); got != s.pt {
			t.Errorf("sample %d: reference decrypt = %s, want %s", s.id, got, s.pt)
		}
	}
}
