package fpe

import (
	"crypto/aes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// forEachCipherPath runs fn with the AES path this build selects and, when
// that is the assembly kernel, once more with crypto/aes, so both stay
// tested on amd64.
func forEachCipherPath(t *testing.T, fn func(t *testing.T)) {
	t.Run("default", fn)
	if hasAESNI {
		t.Run("crypto-aes", func(t *testing.T) {
			defer forceGeneric(true)()
			fn(t)
		})
	}
}

// TestBlockCipher checks encrypt1 and encrypt8 against crypto/aes for
// every key size, block by block.
func TestBlockCipher(t *testing.T) {
	forEachCipherPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, kl := range []int{16, 24, 32} {
			for range 50 {
				key := make([]byte, kl)
				for i := range key {
					key[i] = byte(rng.Uint32())
				}
				var c blockCipher
				if err := c.init(key); err != nil {
					t.Fatal(err)
				}
				ref, _ := aes.NewCipher(key)
				var blk [lanes][2]uint64
				var want [lanes][16]byte
				for j := range blk {
					blk[j] = [2]uint64{rng.Uint64(), rng.Uint64()}
					binary.LittleEndian.PutUint64(want[j][:8], blk[j][0])
					binary.LittleEndian.PutUint64(want[j][8:], blk[j][1])
					ref.Encrypt(want[j][:], want[j][:])
				}
				w0, w1 := c.encrypt1(blk[3][0], blk[3][1])
				c.encrypt8(&blk)
				for j := range blk {
					g0 := binary.LittleEndian.Uint64(want[j][:8])
					g1 := binary.LittleEndian.Uint64(want[j][8:])
					if blk[j] != [2]uint64{g0, g1} {
						t.Fatalf("AES-%d encrypt8 block %d = %016x %016x, crypto/aes %016x %016x", kl*8, j, blk[j][0], blk[j][1], g0, g1)
					}
				}
				if [2]uint64{w0, w1} != blk[3] {
					t.Fatalf("AES-%d encrypt1 = %016x %016x, encrypt8 %016x %016x", kl*8, w0, w1, blk[3][0], blk[3][1])
				}
			}
		}
	})
}
