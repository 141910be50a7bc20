//go:build amd64 && !purego

package fpe

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"math/bits"

	"golang.org/x/sys/cpu"
)

// hasAESNI reports whether this CPU runs the assembly kernels in
// aes_amd64.s: AES-NI for the rounds, SSE4.1 for PINSRQ/PEXTRQ.
var hasAESNI = cpu.X86.HasAES && cpu.X86.HasSSE41

// aesniOff makes blockCipher.init choose crypto/aes; a test hook, set only
// through forceGeneric before any FF1 under test is built.
var aesniOff bool

// blockCipher is AES under one key: the AES-NI kernels with the round keys
// in xk when the CPU has them, crypto/aes otherwise.
type blockCipher struct {
	hw  bool
	nr  int           // rounds: 10, 12 or 14
	xk  [15 * 16]byte // round keys 0..nr, 16 bytes each, FIPS-197 byte order
	blk cipher.Block  // used when !hw
}

//go:noescape
func encBlockAsm(xk *byte, nr int, w0, w1 uint64) (r0, r1 uint64)

//go:noescape
func enc8Asm(xk *byte, nr int, blocks *[lanes][2]uint64)

// subWordAsm applies the AES S-box to each byte of w (FIPS-197 SubWord) with
// AESENCLAST on w broadcast to all four columns, where ShiftRows is the
// identity: no table, so no key-dependent memory access.
func subWordAsm(w uint32) uint32

func (c *blockCipher) init(key []byte) error {
	if !hasAESNI || aesniOff {
		blk, err := aes.NewCipher(key)
		if err != nil {
			return err
		}
		c.blk = blk
		return nil
	}
	if _, err := aes.NewCipher(key); err != nil { // the same key-size error text either way
		return err
	}
	c.hw = true
	c.nr = expandKey(key, &c.xk)
	return nil
}

// expandKey writes the AES key schedule of key (FIPS-197 §5.2) into xk,
// round key r at xk[16r:16r+16], and returns the number of rounds. The
// words are those of crypto/aes's schedule; TestBlockCipher checks the
// result block by block against crypto/aes.
func expandKey(key []byte, xk *[15 * 16]byte) int {
	nk := len(key) / 4
	nr := nk + 6
	var w [60]uint32
	for i := range nk {
		w[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	rcon := uint32(1)
	for i := nk; i < 4*(nr+1); i++ {
		t := w[i-1]
		switch {
		case i%nk == 0:
			t = subWordAsm(bits.RotateLeft32(t, 8)) ^ rcon<<24
			rcon <<= 1
			if rcon == 0x100 {
				rcon = 0x1b
			}
		case nk > 6 && i%nk == 4:
			t = subWordAsm(t)
		}
		w[i] = w[i-nk] ^ t
	}
	for i := range 4 * (nr + 1) {
		binary.BigEndian.PutUint32(xk[4*i:], w[i])
	}
	return nr
}

// encrypt1 encrypts the block (w0, w1); see aes.go for the lane layout.
func (c *blockCipher) encrypt1(w0, w1 uint64) (uint64, uint64) {
	if c.hw {
		return encBlockAsm(&c.xk[0], c.nr, w0, w1)
	}
	return encryptGeneric(c.blk, w0, w1)
}

// encrypt8 encrypts eight blocks in place: with AES-NI all eight go through
// each AES round together, so eight independent AESENCs overlap the
// instruction's latency.
func (c *blockCipher) encrypt8(b *[lanes][2]uint64) {
	if c.hw {
		enc8Asm(&c.xk[0], c.nr, b)
		return
	}
	encrypt8Generic(c.blk, b)
}

// forceGeneric makes FF1s built until restore is called use crypto/aes
// (test hook; not safe for concurrent use).
func forceGeneric(on bool) (restore func()) {
	old := aesniOff
	aesniOff = on
	return func() { aesniOff = old }
}
