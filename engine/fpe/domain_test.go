package fpe

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func mustDomain(t testing.TB, radix uint32, size uint64) *Domain {
	t.Helper()
	d, err := NewDomain(testKey, radix, size, []byte("09506000134352"))
	if err != nil {
		t.Fatalf("NewDomain(radix %d, size %d): %v", radix, size, err)
	}
	return d
}

// TestDomainExhaustive checks that cycle-walking gives a permutation of
// [0, N) whose inverse is Decrypt, for N just above 10^6 in radix 2
// (2^20: ~1.05 FF1 calls per value) and radix 36 (36^4: ~1.7), scalar and
// batched. -short (used with -race) checks the first 50,000 values only.
func TestDomainExhaustive(t *testing.T) {
	for _, c := range []struct {
		radix uint32
		size  uint64
		n     int
	}{{2, 1_000_003, 20}, {36, 1_000_003, 4}} {
		d := mustDomain(t, c.radix, c.size)
		if d.FF1().Len() != c.n || d.Size() != c.size {
			t.Fatalf("radix %d size %d: n = %d, Size = %d; want n = %d", c.radix, c.size, d.FF1().Len(), d.Size(), c.n)
		}
		count := c.size
		if testing.Short() {
			count = 50_000
		}
		xs := make([]uint64, count)
		for i := range xs {
			xs[i] = uint64(i)
		}
		ys := make([]uint64, count)
		d.EncryptBatch(ys, xs)
		once := make([]uint64, count)
		d.FF1().EncryptBatch(once, xs)
		seen := make([]bool, c.size)
		walked := 0
		for x, y := range ys {
			if y >= c.size || seen[y] {
				t.Fatalf("radix %d: Encrypt(%d) = %d: out of range or a repeat", c.radix, x, y)
			}
			seen[y] = true
			if y != once[x] {
				walked++
			}
		}
		if walked == 0 {
			t.Fatalf("radix %d size %d: no value needed a second FF1 call; the test does not exercise walking", c.radix, c.size)
		}
		back := make([]uint64, count)
		d.DecryptBatch(back, ys)
		for x := range back {
			if back[x] != uint64(x) {
				t.Fatalf("radix %d: DecryptBatch(%d) = %d, want %d", c.radix, ys[x], back[x], x)
			}
		}
		// The scalar path on a sample; it shares the kernel-free FF1 code
		// that TestExhaustiveBijection covers in full.
		for x := 0; x < int(count); x += 13 {
			if y := d.Encrypt(uint64(x)); y != ys[x] {
				t.Fatalf("radix %d: Encrypt(%d) = %d, EncryptBatch %d", c.radix, x, y, ys[x])
			}
			if got := d.Decrypt(ys[x]); got != uint64(x) {
				t.Fatalf("radix %d: Decrypt(%d) = %d, want %d", c.radix, ys[x], got, x)
			}
		}
	}
}

// TestDomainPowerIsFF1 checks that N = radix^n needs no walk: Domain is
// then FF1 itself, so it inherits the NIST-verified outputs.
func TestDomainPowerIsFF1(t *testing.T) {
	d := mustDomain(t, 10, 10_000_000_000)
	f := mustFF1(t, testKey, 10, 10, []byte("09506000134352"))
	for x := range uint64(2000) {
		if d.Encrypt(x) != f.Encrypt(x) {
			t.Fatalf("Domain(10^10).Encrypt(%d) = %d, FF1 = %d", x, d.Encrypt(x), f.Encrypt(x))
		}
	}
}

func TestDomainRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct {
		radix uint32
		size  uint64
	}{{10, 1_000_000}, {10, 12_345_678_901}, {36, 3_000_000_000_000_000_000}, {32, 1 << 60}, {2, 1<<62 + 12345}, {16, 1<<59 + 7}, {65536, 1<<48 - 1}} {
		d := mustDomain(t, c.radix, c.size)
		xs := make([]uint64, 100)
		for i := range xs {
			xs[i] = rng.Uint64N(c.size)
		}
		xs[0], xs[1] = 0, c.size-1
		ys := make([]uint64, len(xs))
		d.EncryptBatch(ys, xs)
		for i, x := range xs {
			y := d.Encrypt(x)
			if y >= c.size || y != ys[i] {
				t.Fatalf("radix %d size %d: Encrypt(%d) = %d, batch %d", c.radix, c.size, x, y, ys[i])
			}
			if got := d.Decrypt(y); got != x {
				t.Fatalf("radix %d size %d: Decrypt(Encrypt(%d)) = %d", c.radix, c.size, x, got)
			}
		}
	}
}

func TestNewDomainErrors(t *testing.T) {
	cases := []struct {
		radix uint32
		size  uint64
		want  error
	}{
		{10, 999_999, ErrDomainTooSmall},
		{10, 0, ErrDomainTooSmall},
		{1, 5_000_000, ErrRadix},
		{70000, 5_000_000, ErrRadix},
		{10, 10_000_000_000_000_000_001, ErrDomainTooLarge}, // > 10^19, and 10^20 ≥ 2^64
		{2, 1<<63 + 1, ErrDomainTooLarge},
		{36, 36*36*36*36*36*36*36*36*36*36*36*36 + 1, ErrDomainTooLarge}, // 36^13 ≥ 2^64
	}
	for _, c := range cases {
		if _, err := NewDomain(testKey, c.radix, c.size, nil); !errors.Is(err, c.want) {
			t.Errorf("NewDomain(radix %d, size %d): err = %v, want %v", c.radix, c.size, err, c.want)
		}
	}
	if _, err := NewDomain(testKey[:5], 10, 1_000_000, nil); !errors.Is(err, ErrKeySize) {
		t.Errorf("NewDomain(5-byte key): err = %v, want ErrKeySize", err)
	}
}
