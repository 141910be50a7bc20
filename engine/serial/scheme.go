// Package serial defines the code schemes under which the engine issues
// serials — which FF1 domain a counter is encrypted in, how the result is
// written as text, and how many codes a product may hold under each scheme
// before a forger's chance of guessing a valid code becomes too high. It is
// pure: no I/O, no keys, no Pebble. The engine binds a scheme to a product's
// FF1 key; docs/serials.md ("Schemes") carries the security argument.
//
// Every scheme maps a counter x (an integer in [0, Domain)) to a serial
// value v = FF1_K(x) in the same domain and writes v as text. This package
// only does the second half: the value ↔ text mapping, and the
// classification of a scanned AI (21) serial into the scheme that could have
// produced it.
package serial

import (
	"errors"
	"fmt"
)

// Scheme identifies how the codes of a block are derived and written. The
// numeric values are persisted in block records: never renumber them.
type Scheme uint8

// The schemes. The zero value is not a scheme.
const (
	// GS1 is the default: an alphanumeric AI (21) serial of 13 characters,
	// a key-generation letter ('A' = generation 0) followed by 12 base-36
	// digits (0-9A-Z) of FF1 radix 36, n = 12. Domain 36^12 ≈ 4.7e18.
	GS1 Scheme = 1
	// SGTIN96 is a numeric serial below 2^38 so that the code fits an
	// SGTIN-96 RFID tag: FF1 radix 2, n = 38, written in decimal without
	// leading zeros (TDS §14.5.1). Domain 2^38 ≈ 2.7e11.
	SGTIN96 Scheme = 2
	// NMPA is the 13-digit serial part of a 20-digit NMPA drug trace code
	// (7-digit drug identification code + 13 digits): FF1 radix 10, n = 13,
	// zero-padded. Domain 10^13.
	NMPA Scheme = 3
	// Short is the engine-wide short-code space: one FF1 over Crockford
	// base-32, 12 digits (60 bits), keyed per engine rather than per product
	// and applied to a global counter. Printed as a URL https://HOST/c/CODE.
	Short Scheme = 4
	// Imported marks a block of serials supplied by another system; its
	// serials are stored one key each and no FF1 is involved.
	Imported Scheme = 5
	// Pesticide is the 21-digit random part (digits 12-32) of a 32-digit
	// national pesticide trace code (the product's 11-digit prefix + 21):
	// two digits of key generation (00-25) then FF1 radix 10, n = 19,
	// zero-padded. Domain 10^19 per key generation.
	Pesticide Scheme = 6
	// VetDrug is the 11-digit random part (digits 14-24) of a 24-digit
	// veterinary-drug trace code (the lot's production date + the
	// product's 5-digit enterprise code + 11): FF1 radix 10, n = 11,
	// zero-padded. Domain 10^11.
	VetDrug Scheme = 7
	// SSCC is a block of Serial Shipping Container Codes, for logistic
	// units (pallets, mixed cases): extension digit 0, the product's GS1
	// company prefix, and serial references taken in sequence per company
	// prefix (the block records its first in Block.ShortStart). No FF1 is
	// involved: an SSCC's serial reference is the company's to allocate,
	// usually in sequence, and an SSCC is not meant to be unguessable (it
	// names a shipment, not a product to authenticate); item codes keep
	// their FF1 schemes. Its capacity is the
	// 10^(16 − company prefix length) serial references of the prefix,
	// shared by the products of that prefix.
	SSCC Scheme = 8
)

// NumSchemes bounds the Scheme values: every valid Scheme is < NumSchemes.
// The product state record stores one count per scheme: raising it lets
// a store be read only by builds that know the new scheme once a count of
// it is not zero (store.DecodeProductState).
const NumSchemes = 9

// ErrScheme is returned for an unknown scheme name or number.
var ErrScheme = errors.New("serial: unknown scheme")

var schemeNames = [NumSchemes]string{"", "gs1", "sgtin96", "nmpa", "short", "imported", "pesticide", "vet-drug", "sscc"}

// String returns the scheme's name as used on the command line ("gs1", …).
func (s Scheme) String() string {
	if s.Valid() {
		return schemeNames[s]
	}
	return fmt.Sprintf("scheme(%d)", uint8(s))
}

// Valid reports whether s is one of the defined schemes.
func (s Scheme) Valid() bool { return s >= GS1 && s < NumSchemes }

// ParseScheme returns the scheme named s ("gs1", "sgtin96", "nmpa",
// "short", "imported", "pesticide", "vet-drug", "sscc").
func ParseScheme(s string) (Scheme, error) {
	for i, n := range schemeNames {
		if i > 0 && n == s {
			return Scheme(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q (want gs1, sgtin96, nmpa, short, imported, pesticide, vet-drug or sscc)", ErrScheme, s)
}

// Params are the fixed parameters of a scheme.
type Params struct {
	// Radix and Digits give the FF1 domain radix^Digits (0 for Imported).
	Radix  uint32
	Digits int
	// Domain is radix^Digits: the number of distinct serial values. Counters
	// encrypted under the scheme must be below Domain.
	Domain uint64
	// Cap is the most codes that may be issued under the scheme within one
	// FF1 key's domain — per product, or engine-wide when Global is set — so
	// that a uniformly guessed serial is valid with probability at most
	// Cap/Domain (see GuessProbability). Mints past the cap are refused or
	// partially fulfilled. 0 means no cap (Imported).
	Cap uint64
	// Global reports that the FF1 key and counter are engine-wide (Short)
	// rather than per product.
	Global bool
}

// The domains and caps. The caps keep the guess probability P = issued/Domain
// at or below the figure in the comment; EU Reg. 2016/161 Art. 4 asks for
// "lower than one in ten thousand".
const (
	DomainGS1     = 4738381338321616896        // 36^12
	DomainSGTIN96 = 1 << 38                    // 274,877,906,944
	DomainNMPA    = 10_000_000_000_000         // 10^13
	DomainShort   = 1 << 60                    // 32^12
	DomainPest    = 10_000_000_000_000_000_000 // 10^19 (per key generation)
	DomainVet     = 100_000_000_000            // 10^11

	CapGS1     = 1_000_000_000_000 // per product; P ≤ 2.2e-7 (2.1e-10 at 1e9 codes)
	CapSGTIN96 = 27_487_790        // per product; ⌊2^38/10^4⌋, P ≤ 0.99999998e-4
	CapNMPA    = 100_000_000       // per product; P ≤ 1e-5
	CapShort   = 1_000_000_000_000 // engine-wide; P ≤ 8.7e-7
	CapPest    = 1_000_000_000     // per product; P ≤ 1e-10
	CapVet     = 10_000_000        // per product; P ≤ 1e-4
)

var params = [NumSchemes]Params{
	GS1:       {Radix: 36, Digits: 12, Domain: DomainGS1, Cap: CapGS1},
	SGTIN96:   {Radix: 2, Digits: 38, Domain: DomainSGTIN96, Cap: CapSGTIN96},
	NMPA:      {Radix: 10, Digits: 13, Domain: DomainNMPA, Cap: CapNMPA},
	Short:     {Radix: 32, Digits: 12, Domain: DomainShort, Cap: CapShort, Global: true},
	Imported:  {},
	Pesticide: {Radix: 10, Digits: 19, Domain: DomainPest, Cap: CapPest},
	VetDrug:   {Radix: 10, Digits: 11, Domain: DomainVet, Cap: CapVet},
	SSCC:      {}, // sequential serial references: no FF1 domain; capacity per company prefix (SSCCRefs)
}

// SSCCRefs returns the number of SSCC serial references under a GS1
// company prefix of cpLen digits (extension digit 0): 10^(16 − cpLen),
// the serial reference being 17 − 1 − cpLen digits. 0 for a length
// outside 1–16.
func SSCCRefs(cpLen int) uint64 {
	if cpLen < 1 || cpLen > 16 {
		return 0
	}
	n := uint64(1)
	for range 16 - cpLen {
		n *= 10
	}
	return n
}

// Params returns the scheme's parameters; the zero Params for an invalid s.
func (s Scheme) Params() Params {
	if !s.Valid() {
		return Params{}
	}
	return params[s]
}

// GuessProbability returns issued/Domain: the chance that one serial drawn
// uniformly from the scheme's domain is one of issued valid codes. It is 0
// for Imported (whose domain this package does not know).
func (s Scheme) GuessProbability(issued uint64) float64 {
	p := s.Params()
	if p.Domain == 0 {
		return 0
	}
	return float64(issued) / float64(p.Domain)
}
