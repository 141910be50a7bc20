package fpe

import "testing"

// FuzzFF1 checks, for any key, radix, length, tweak and input that NewFF1
// accepts: Decrypt inverts Encrypt, the value stays in the domain, the batch
// kernels agree, and the result equals the math/big reference. Seeds are the
// NIST samples' parameters and the serial shapes in docs/serials.md.
func FuzzFF1(f *testing.F) {
	k128 := testKey
	k256 := append(append([]byte{}, testKey...), 0xEF, 0x43, 0x59, 0xD8, 0xD5, 0x80, 0xAA, 0x4F, 0x7F, 0x03, 0x6D, 0x6F, 0x04, 0xFC, 0x6A, 0x94)
	f.Add(k128, uint32(10), 10, []byte{}, uint64(123456789))
	f.Add(k128, uint32(10), 10, []byte("9876543210"), uint64(123456789))
	f.Add(k256, uint32(36), 12, []byte("7777pqrs777"), uint64(0))
	f.Add(k256[:24], uint32(32), 12, []byte("09506000134352"), uint64(1<<60-1))
	f.Add(k128, uint32(2), 63, []byte{}, ^uint64(0))
	f.Add(k128, uint32(65536), 3, make([]byte, 40), uint64(77))
	f.Fuzz(func(t *testing.T, key []byte, radix uint32, n int, tweak []byte, x uint64) {
		if len(tweak) > 256 {
			tweak = tweak[:256]
		}
		ff, err := NewFF1(key, radix, n, tweak)
		if err != nil {
			return
		}
		x %= ff.Size()
		y := ff.Encrypt(x)
		if y >= ff.Size() {
			t.Fatalf("Encrypt(%d) = %d, outside [0, %d)", x, y, ff.Size())
		}
		if got := ff.Decrypt(y); got != x {
			t.Fatalf("Decrypt(Encrypt(%d)) = %d", x, got)
		}
		batch := []uint64{x, y}
		ff.EncryptBatch(batch, batch)
		if batch[0] != y {
			t.Fatalf("EncryptBatch(%d) = %d, Encrypt %d", x, batch[0], y)
		}
		ref := refFF1{key, int(radix), tweak}
		if want := toUint(ref.encrypt(toNumerals(x, int(radix), n)), int(radix)); y != want {
			t.Fatalf("radix %d n %d: Encrypt(%d) = %d, reference %d", radix, n, x, y, want)
		}
	})
}
