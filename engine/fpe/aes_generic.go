//go:build !amd64 || purego

package fpe

import (
	"crypto/aes"
	"crypto/cipher"
)

// blockCipher is AES under one key. This build has no assembly kernel and
// uses crypto/aes for every block.
type blockCipher struct {
	blk cipher.Block
}

// hasAESNI reports whether the assembly kernel is in use; never here.
const hasAESNI = false

func (c *blockCipher) init(key []byte) error {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	c.blk = blk
	return nil
}

// encrypt1 encrypts the block (w0, w1); see aes.go for the lane layout.
func (c *blockCipher) encrypt1(w0, w1 uint64) (uint64, uint64) {
	return encryptGeneric(c.blk, w0, w1)
}

// encrypt8 encrypts eight blocks in place.
func (c *blockCipher) encrypt8(b *[lanes][2]uint64) {
	encrypt8Generic(c.blk, b)
}

// forceGeneric is a test hook; this build is always generic.
func forceGeneric(bool) (restore func()) { return func() {} }
