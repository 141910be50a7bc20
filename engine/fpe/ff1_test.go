package fpe

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// toUint is NUM_radix of a numeral string that fits in 64 bits.
func toUint(x []int, radix int) uint64 {
	var v uint64
	for _, d := range x {
		v = v*uint64(radix) + uint64(d)
	}
	return v
}

// toNumerals is STR^n_radix(x).
func toNumerals(x uint64, radix, n int) []int {
	out := make([]int, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = int(x % uint64(radix))
		x /= uint64(radix)
	}
	return out
}

func mustFF1(t testing.TB, key []byte, radix uint32, n int, tweak []byte) *FF1 {
	t.Helper()
	f, err := NewFF1(key, radix, n, tweak)
	if err != nil {
		t.Fatalf("NewFF1(radix %d, n %d): %v", radix, n, err)
	}
	return f
}

var testKey = []byte{0x2B, 0x7E, 0x15, 0x16, 0x28, 0xAE, 0xD2, 0xA6, 0xAB, 0xF7, 0x15, 0x88, 0x09, 0xCF, 0x4F, 0x3C}

// TestNIST runs the NIST samples whose domain fits in 64 bits (1, 2, 4, 5,
// 7, 8: radix 10, n = 10) through Encrypt, Decrypt and the batch kernels,
// and checks that 3, 6 and 9 (36^19 ≥ 2^64) are refused, not mangled.
func TestNIST(t *testing.T) {
	forEachCipherPath(t, func(t *testing.T) {
		for _, s := range loadNIST(t) {
			pt := numerals(t, s.pt)
			f, err := NewFF1(s.key, uint32(s.radix), len(pt), s.tweak)
			if s.radix == 36 {
				if !errors.Is(err, ErrDomainTooLarge) {
					t.Errorf("sample %d: NewFF1 err = %v, want ErrDomainTooLarge", s.id, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("sample %d: %v", s.id, err)
			}
			x, want := toUint(pt, s.radix), toUint(numerals(t, s.ct), s.radix)
			if got := f.Encrypt(x); got != want {
				t.Errorf("sample %d: Encrypt(%d) = %d, want %d", s.id, x, got, want)
			}
			if got := f.Decrypt(want); got != x {
				t.Errorf("sample %d: Decrypt(%d) = %d, want %d", s.id, want, got, x)
			}
			batch := []uint64{x, 0, x, 1, 2, 3, 4, 5, x}
			f.EncryptBatch(batch, batch)
			if batch[0] != want || batch[2] != want || batch[8] != want {
				t.Errorf("sample %d: EncryptBatch lanes 0, 2, 8 = %d %d %d, want %d", s.id, batch[0], batch[2], batch[8], want)
			}
			f.DecryptBatch(batch, batch)
			if batch[0] != x || batch[8] != x || batch[1] != 0 || batch[7] != 5 {
				t.Errorf("sample %d: DecryptBatch did not invert EncryptBatch: %v", s.id, batch)
			}
		}
	})
}

// refCase is one parameter set checked against the reference.
type refCase struct {
	radix uint32
	n     int
	key   []byte
	tweak []byte
}

// refCases spans every b from 1 to 8 (d = 8 and d = 12), u ≠ v and u = v,
// radix powers of two and not, the radix extremes, all key sizes, and
// tweaks from empty to several Q blocks, including lengths putting i and
// NUM(B) exactly at a block boundary.
func refCases(rng *rand.Rand) []refCase {
	key := func(l int) []byte {
		k := make([]byte, l)
		for i := range k {
			k[i] = byte(rng.Uint32())
		}
		return k
	}
	var cs []refCase
	radixes := []uint32{2, 3, 7, 10, 11, 16, 26, 36, 62, 64, 100, 255, 256, 1000, 4096, 65535, 65536}
	tweakLens := []int{0, 1, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 31, 32, 33, 100}
	for _, r := range radixes {
		for n := 1; n <= 64; n++ {
			size, ok := pow(uint64(r), n)
			if !ok {
				break
			}
			if size < MinDomain {
				continue
			}
			tl := tweakLens[rng.IntN(len(tweakLens))]
			cs = append(cs, refCase{r, n, key([]int{16, 24, 32}[rng.IntN(3)]), key(tl)})
		}
	}
	return cs
}

// TestMatchesReference checks Encrypt, Decrypt and both batch kernels
// against the math/big reference on random inputs for every domain shape.
func TestMatchesReference(t *testing.T) {
	perCase := 12
	if testing.Short() {
		perCase = 3
	}
	forEachCipherPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, c := range refCases(rng) {
			f := mustFF1(t, c.key, c.radix, c.n, c.tweak)
			ref := refFF1{c.key, int(c.radix), c.tweak}
			xs := []uint64{0, f.Size() - 1}
			for len(xs) < perCase {
				xs = append(xs, rng.Uint64N(f.Size()))
			}
			ys := make([]uint64, len(xs))
			f.EncryptBatch(ys, xs)
			back := make([]uint64, len(xs))
			f.DecryptBatch(back, ys)
			for k, x := range xs {
				want := toUint(ref.encrypt(toNumerals(x, int(c.radix), c.n)), int(c.radix))
				if got := f.Encrypt(x); got != want {
					t.Fatalf("radix %d n %d key %d B tweak %d B: Encrypt(%d) = %d, reference %d",
						c.radix, c.n, len(c.key), len(c.tweak), x, got, want)
				}
				if ys[k] != want {
					t.Fatalf("radix %d n %d: EncryptBatch lane %d of %d = %d, reference %d", c.radix, c.n, k%lanes, x, ys[k], want)
				}
				if got := f.Decrypt(want); got != x {
					t.Fatalf("radix %d n %d: Decrypt(%d) = %d, want %d", c.radix, c.n, want, got, x)
				}
				if back[k] != x {
					t.Fatalf("radix %d n %d: DecryptBatch(%d) = %d, want %d", c.radix, c.n, want, back[k], x)
				}
				// The reference decrypts too, on a value not produced by it.
				z := rng.Uint64N(f.Size())
				if got, w := f.Decrypt(z), toUint(ref.decrypt(toNumerals(z, int(c.radix), c.n)), int(c.radix)); got != w {
					t.Fatalf("radix %d n %d: Decrypt(%d) = %d, reference %d", c.radix, c.n, z, got, w)
				}
			}
		}
	})
}

// TestExhaustiveBijection encrypts all of [0, 10^6) (radix 10, n = 6, the
// smallest domain allowed) and checks that Encrypt is a permutation and
// Decrypt its inverse, scalar and batched. -short (used with -race) takes
// the first 50,000 counters instead: injective and inverted there.
func TestExhaustiveBijection(t *testing.T) {
	f := mustFF1(t, testKey, 10, 6, []byte("gtin-09506000134352"))
	size := 1_000_000
	if testing.Short() {
		size = 50_000
	}
	xs := make([]uint64, size)
	for i := range xs {
		xs[i] = uint64(i)
	}
	ys := make([]uint64, size)
	f.EncryptBatch(ys, xs)
	seen := make([]bool, f.Size())
	for x, y := range ys {
		if y >= f.Size() {
			t.Fatalf("Encrypt(%d) = %d, outside [0, %d)", x, y, f.Size())
		}
		if seen[y] {
			t.Fatalf("Encrypt(%d) = %d, already the image of another input", x, y)
		}
		seen[y] = true
	}
	back := make([]uint64, size)
	f.DecryptBatch(back, ys)
	for x := range size {
		if got := f.Encrypt(uint64(x)); got != ys[x] {
			t.Fatalf("Encrypt(%d) = %d, EncryptBatch gave %d", x, got, ys[x])
		}
		if got := f.Decrypt(ys[x]); got != uint64(x) {
			t.Fatalf("Decrypt(%d) = %d, want %d", ys[x], got, x)
		}
	}
	for x, got := range back {
		if got != uint64(x) {
			t.Fatalf("DecryptBatch(%d) = %d, want %d", ys[x], got, x)
		}
	}
}

// TestBatchLengths covers every tail length and in-place use.
func TestBatchLengths(t *testing.T) {
	f := mustFF1(t, testKey, 36, 12, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	for l := range 3*lanes + 2 {
		src := make([]uint64, l)
		for i := range src {
			src[i] = rng.Uint64N(f.Size())
		}
		dst := make([]uint64, l+1)
		dst[l] = 42 // beyond len(src): must not be written
		f.EncryptBatch(dst, src)
		for i, x := range src {
			if want := f.Encrypt(x); dst[i] != want {
				t.Fatalf("len %d: EncryptBatch[%d] = %d, Encrypt = %d", l, i, dst[i], want)
			}
		}
		if dst[l] != 42 {
			t.Fatalf("len %d: EncryptBatch wrote past len(src)", l)
		}
		inPlace := append([]uint64(nil), src...)
		f.EncryptBatch(inPlace, inPlace)
		f.DecryptBatch(inPlace, inPlace)
		for i := range src {
			if inPlace[i] != src[i] {
				t.Fatalf("len %d: in-place Encrypt+DecryptBatch[%d] = %d, want %d", l, i, inPlace[i], src[i])
			}
		}
	}
}

// TestTweakAndKeySeparate checks that another tweak or key gives another
// permutation (a caller passing the same tweak for every GTIN would see
// identical serial sequences).
func TestTweakAndKeySeparate(t *testing.T) {
	a := mustFF1(t, testKey, 36, 12, []byte("09506000134352"))
	b := mustFF1(t, testKey, 36, 12, []byte("09506000134369"))
	k2 := append([]byte(nil), testKey...)
	k2[0] ^= 1
	c := mustFF1(t, k2, 36, 12, []byte("09506000134352"))
	same := 0
	for x := range uint64(1000) {
		ya, yb, yc := a.Encrypt(x), b.Encrypt(x), c.Encrypt(x)
		if ya == yb || ya == yc {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d of 1000 counters encrypt the same under another tweak or key", same)
	}
}

func TestNewFF1Errors(t *testing.T) {
	cases := []struct {
		key      int
		radix    uint32
		n        int
		tweak    int
		want     error
		inErrMsg string
	}{
		{15, 10, 6, 0, ErrKeySize, "got 15 bytes"},
		{0, 10, 6, 0, ErrKeySize, "got 0 bytes"},
		{33, 10, 6, 0, ErrKeySize, "got 33 bytes"},
		{16, 1, 20, 0, ErrRadix, "got 1"},
		{16, 0, 20, 0, ErrRadix, "got 0"},
		{16, 65537, 2, 0, ErrRadix, "got 65537"},
		{16, 10, 5, 0, ErrDomainTooSmall, "10^5 = 100000"},
		{16, 2, 19, 0, ErrDomainTooSmall, "2^19 = 524288"},
		{16, 10, 0, 0, ErrDomainTooSmall, "n = 0"},
		{16, 10, -3, 0, ErrDomainTooSmall, "n = -3"},
		{16, 10, 20, 0, ErrDomainTooLarge, "10^20"},
		{16, 2, 64, 0, ErrDomainTooLarge, "2^64"},
		{16, 65536, 4, 0, ErrDomainTooLarge, "65536^4"},
		{16, 36, 13, 0, ErrDomainTooLarge, "36^13"},
		{16, 10, 1 << 30, 0, ErrDomainTooLarge, ""},
	}
	for _, c := range cases {
		_, err := NewFF1(make([]byte, c.key), c.radix, c.n, make([]byte, c.tweak))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.inErrMsg) {
			t.Errorf("NewFF1(key %d B, radix %d, n %d): err = %v, want %v containing %q", c.key, c.radix, c.n, err, c.want, c.inErrMsg)
		}
	}
	// The edges that must be accepted.
	for _, c := range []struct {
		radix uint32
		n     int
	}{{10, 6}, {2, 20}, {2, 63}, {10, 19}, {36, 12}, {65536, 2}, {65536, 3}, {1000, 2}} {
		if _, err := NewFF1(testKey, c.radix, c.n, nil); err != nil {
			t.Errorf("NewFF1(radix %d, n %d): %v", c.radix, c.n, err)
		}
	}
}

func TestOutOfRangePanics(t *testing.T) {
	f := mustFF1(t, testKey, 10, 6, nil)
	for name, fn := range map[string]func(){
		"Encrypt":      func() { f.Encrypt(1_000_000) },
		"Decrypt":      func() { f.Decrypt(^uint64(0)) },
		"EncryptBatch": func() { f.EncryptBatch(make([]uint64, 9), []uint64{1, 2, 3, 4, 5, 6, 7, 8, 1_000_000}) },
		"DecryptBatch": func() { f.DecryptBatch(make([]uint64, 1), []uint64{1_000_000}) },
		"short dst":    func() { f.EncryptBatch(make([]uint64, 1), []uint64{1, 2}) },
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "BUG: ") {
					t.Errorf("%s: recovered %v, want a BUG panic", name, r)
				}
			}()
			fn()
		}()
	}
}

// TestZeroAllocs covers both AES paths: the crypto/aes one relies on
// blockSlice keeping its buffer on the stack.
func TestZeroAllocs(t *testing.T) {
	forEachCipherPath(t, func(t *testing.T) {
		f := mustFF1(t, testKey, 36, 12, []byte("09506000134352"))
		src := make([]uint64, 64)
		dst := make([]uint64, 64)
		var sink uint64
		for name, fn := range map[string]func(){
			"Encrypt":      func() { sink += f.Encrypt(sink % f.Size()) },
			"Decrypt":      func() { sink += f.Decrypt(sink % f.Size()) },
			"EncryptBatch": func() { f.EncryptBatch(dst, src) },
			"DecryptBatch": func() { f.DecryptBatch(dst, src) },
		} {
			if n := testing.AllocsPerRun(100, fn); n != 0 {
				t.Errorf("%s: %v allocations per call, want 0", name, n)
			}
		}
	})
}

// TestModulus checks the reciprocal reductions against DIV.
func TestModulus(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ms := []uint64{2, 3, 4, 10, 1 << 32, 1<<32 + 1, 1<<62 + 1, 1<<63 - 1, 1<<63 - 25, 36 * 36 * 36 * 36 * 36 * 36, 1 << 62}
	for range 200 {
		ms = append(ms, rng.Uint64()>>(1+rng.UintN(62))|2)
	}
	ys := []uint64{0, 1, ^uint64(0), 1 << 63}
	for _, m := range ms {
		d := newModulus(m)
		for k := range 300 {
			var yh, yl uint64
			if k < len(ys) {
				yl = ys[k]
				yh = ys[len(ys)-1-k] >> 32
			} else {
				yh, yl = rng.Uint64()>>32, rng.Uint64()
			}
			if got, want := d.reduce64(yl), yl%m; got != want {
				t.Fatalf("reduce64(%d) mod %d = %d, want %d", yl, m, got, want)
			}
			if got, want := d.reduce96(yh, yl), bits.Rem64(yh, yl, m); got != want {
				t.Fatalf("reduce96(%d, %d) mod %d = %d, want %d", yh, yl, m, got, want)
			}
			if q, r := d.divrem(yl); q != yl/m || r != yl%m {
				t.Fatalf("divrem(%d) by %d = %d, %d; want %d, %d", yl, m, q, r, yl/m, yl%m)
			}
			a, r := yl%m, (yh<<32|yl>>32)%m
			sum, carry := bits.Add64(a, r, 0)
			if got, want := d.addMod(a, r), bits.Rem64(carry, sum, m); got != want {
				t.Fatalf("addMod(%d, %d) mod %d = %d, want %d", a, r, m, got, want)
			}
			want := a - r
			if a < r {
				want = m - (r - a)
			}
			if got := d.subMod(a, r); got != want {
				t.Fatalf("subMod(%d, %d) mod %d = %d, want %d", a, r, m, got, want)
			}
		}
	}
}
