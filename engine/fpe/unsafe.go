package fpe

import "unsafe"

// blockSlice returns b[:] hidden from escape analysis, so that a [16]byte
// on the caller's stack can be handed to cipher.Block.Encrypt (an interface
// call, whose arguments the compiler must otherwise assume escape) without
// being moved to the heap: one allocation per AES call otherwise.
//
// The rule that makes this valid: the callee must not retain the slice
// after it returns. crypto/aes's Encrypt reads src and writes dst and keeps
// neither; blockSlice is used only for that call (see encryptGeneric). The
// uintptr copy is dead before any call, so stack moves cannot invalidate
// it, and the returned slice is an ordinary typed pointer from then on.
func blockSlice(b *[16]byte) []byte {
	x := uintptr(unsafe.Pointer(b))
	p := *(*unsafe.Pointer)(unsafe.Pointer(&x))
	return unsafe.Slice((*byte)(p), 16)
}
