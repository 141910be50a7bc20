package issue

import (
	"github.com/bits-and-blooms/bloom/v3"

	"tracecode/engine/fpe"
	"tracecode/engine/serial"
)

// What the engine's tests and benchmarks inspect of the issuance state.
// The Book is reachable only inside package engine, which calls these
// from tests alone.

// KeyMaterial returns every FF1 key held in memory (the tests check that
// none reaches the disk in the clear).
func (e *Book) KeyMaterial() [][]byte {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var ks [][]byte
	for _, g := range e.st.shortKeys {
		ks = append(ks, g.key)
	}
	for _, p := range e.st.products {
		for _, g := range p.keys {
			ks = append(ks, g.key)
		}
	}
	return ks
}

// ImportedFilter returns the bloom filter of product's i-th imported
// block, or nil.
func (e *Book) ImportedFilter(product uint32, i int) *bloom.BloomFilter {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if p := e.st.products[product]; p != nil && i < len(p.imported) {
		return p.imported[i].filter
	}
	return nil
}

// Cipher returns the FF1 cipher of product's key generation gen for
// scheme s, or nil.
func (e *Book) Cipher(product uint32, gen int, s serial.Scheme) *fpe.FF1 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if p := e.st.products[product]; p != nil && gen < len(p.keys) {
		return p.keys[gen].cipher(s, product)
	}
	return nil
}
