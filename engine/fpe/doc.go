// Package fpe derives unguessable serial numbers from per-product counters
// with NIST SP 800-38G FF1 format-preserving encryption over AES, computed
// on plain integers rather than numeral strings.
//
// A serial is serial = FF1_{K,T}(counter): FF1 is a keyed pseudorandom
// permutation of [0, radix^n), so serials are unique by construction and a
// scanned serial decrypts back to its counter in O(1). docs/serials.md
// holds the security argument, the domain sizing rule and what is not
// protected.
//
// # Numbers, not strings
//
// FF1 is specified on a numeral string X[1..n] in base radix. This package
// identifies X with the integer x = NUM_radix(X) = Σ X[i]·radix^(n−i), so the
// most significant numeral comes first: Encrypt(x) is the integer of
// FF1.Encrypt(STR^n_radix(x)). Formatting into an alphabet (e.g. 0-9a-z for
// radix 36) is the caller's job; any alphabet whose i-th symbol stands for
// numeral i gives the NIST sample outputs.
//
// The halves A and B of the Feistel network are uint64s, which restricts
// the domain to radix^n < 2^64; SP 800-38G Rev. 1 (draft) requires
// radix^n ≥ 10^6, which NewFF1 enforces.
//
// # Cost
//
// Everything that does not depend on the input is computed by NewFF1: the
// CBC-MAC of P, of the tweak's full Q blocks, and the last Q block with the
// round number in place. A round therefore costs one AES block encryption,
// one 96- or 64-bit reduction mod radix^m (by a precomputed reciprocal, no
// DIV) and an addition. Encrypt and Decrypt allocate nothing and are safe
// for concurrent use. EncryptBatch and DecryptBatch run eight values side
// by side so that the AES latency of independent lanes overlaps; on amd64
// with AES-NI an assembly kernel encrypts the eight blocks.
package fpe
