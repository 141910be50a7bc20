package fpe

import (
	"crypto/cipher"
	"encoding/binary"
)

// An AES block travels through this package as two uint64 lanes, w0 holding
// bytes 0–7 and w1 bytes 8–15, each loaded little-endian: exactly what
// MOVOU puts in an XMM register, so the assembly kernel needs no shuffles.
// FF1's big-endian fields are byte-swapped into and out of these lanes.

// encryptGeneric encrypts one block with crypto/aes.
func encryptGeneric(blk cipher.Block, w0, w1 uint64) (uint64, uint64) {
	var buf [16]byte
	binary.LittleEndian.PutUint64(buf[:8], w0)
	binary.LittleEndian.PutUint64(buf[8:], w1)
	s := blockSlice(&buf)
	blk.Encrypt(s, s)
	return binary.LittleEndian.Uint64(buf[:8]), binary.LittleEndian.Uint64(buf[8:])
}

// encrypt8Generic encrypts eight independent blocks in place with crypto/aes.
// The blocks do not depend on each other, so the CPU overlaps their AES
// latency even through eight separate calls.
func encrypt8Generic(blk cipher.Block, b *[lanes][2]uint64) {
	for j := range b {
		b[j][0], b[j][1] = encryptGeneric(blk, b[j][0], b[j][1])
	}
}
