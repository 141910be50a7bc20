// Package code detects and parses every trace-code format tracecode prints
// or scans — GS1 Digital Link URIs, GS1 element strings (human-readable or
// barcode data with FNC1 as GS), EPC pure-identity and tag URNs, EPC binary
// as RFID readers report it in hex, bare GTIN/SSCC/GLN keys, China's NMPA
// 20-digit drug trace codes, 24-digit veterinary-drug codes and 32-digit
// pesticide trace codes (bare or after their trace URL), and our own
// short codes — through one entry point, Parse. It does no I/O.
//
// National sector codes and numbers (elevator and gas-cylinder codes, the
// pesticide trace code, ear tags, SC and fireworks licences, 国药准字 …)
// live in sub-packages of cn; ParseSector lists every reading a string has
// as one of them, since several share a trace code's shape.
//
// The formats themselves live in sub-packages (gs1, digitallink, epc, cn,
// shortcode); this package decides which one a scanned string is and gives
// one typed view of it.
package code

import (
	"errors"
	"fmt"
)

// Format names the syntax a code was scanned in.
type Format uint8

// The formats Parse detects. The zero value is FormatUnknown.
const (
	FormatUnknown       Format = iota
	FormatDigitalLink          // https://host/01/…/21/…
	FormatElementString        // (01)…(21)… or barcode data ]d2010…\x1D21…
	FormatEPCURN               // urn:epc:id:sgtin:… / urn:epc:tag:sgtin-96:…
	FormatEPCHex               // 3074257BF7194E4000001A85
	FormatGTIN                 // 8, 12, 13 or 14 digits
	FormatSSCC                 // 18 digits
	FormatGLN                  // 13 digits, only when asked for (Options.Prefer13)
	FormatNMPA                 // 20-digit NMPA drug trace code
	FormatVetDrug              // 24-digit veterinary-drug trace code
	FormatShort                // our short code, bare or as https://host/c/CODE
	FormatUSCC                 // 18-character unified social credit code (an organisation)
	FormatRegion               // 6-digit GB/T 2260 division or 9-digit township code (a place)
	FormatPesticide            // 32-digit pesticide trace code, bare or after its trace URL in a QR
	numFormats
)

var formatNames = [numFormats]string{
	"unknown", "digital-link", "element-string", "epc-urn", "epc-hex",
	"gtin", "sscc", "gln", "nmpa", "vet-drug", "short", "uscc", "region", "pesticide",
}

// String returns the format's name as printed by `tracecode codes parse`.
func (f Format) String() string {
	if f < numFormats {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// ErrUnknownFormat is returned when a string matches no format's shape.
var ErrUnknownFormat = errors.New("code: unrecognised code format")

// ErrEmpty is returned for an empty (or all-blank) input.
var ErrEmpty = errors.New("code: empty input")

// Error is what Parse returns on failure: the format the input looked like
// (FormatUnknown if none) and the format parser's precise error, which says
// what is wrong and where (the AI, the 1-based position, the expected check
// digit).
type Error struct {
	Format Format
	Err    error
}

func (e *Error) Error() string {
	if e.Format == FormatUnknown {
		return e.Err.Error()
	}
	return fmt.Sprintf("%s: %v", e.Format, e.Err)
}

// Unwrap returns the format parser's error.
func (e *Error) Unwrap() error { return e.Err }
