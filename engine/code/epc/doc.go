// Package epc converts between GS1 keys and their EPC Tag Data Standard
// (TDS 2.x) forms: pure-identity URNs (urn:epc:id:sgtin, sscc, sgln), the
// LGTIN class URN (urn:epc:class:lgtin), tag URNs (urn:epc:tag:sgtin-96,
// sgtin-198, sscc-96) and the SGTIN-96, SGTIN-198 and SSCC-96 binary
// encodings as RFID readers report them in hex. It does no I/O.
//
// # Values
//
// SGTIN, SSCC, SGLN and LGTIN are pure identities: a gs1 key, the serial /
// lot / extension as a Text, and the GS1 company prefix length. Tag adds a
// binary scheme and a filter value to an SGTIN or SSCC. Identity is the
// tagged union ParseURN returns. All are small comparable values without
// pointers; their Append methods append to a caller's buffer and allocate
// nothing when it has room.
//
// The company prefix length is not recorded in a GTIN, SSCC or GLN, so
// building an EPC from a gs1 key takes it as an argument (6–12); a URN or a
// binary encoding carries it (the length of the first URN component, the
// partition field).
//
// # Binary layouts
//
// Bits are numbered from the most significant bit of the first hex digit.
//
//	SGTIN-96  (96 bits, 24 hex digits)
//	 0       8      11         14                                  58            96
//	 | 0x30  |filter|partition | company prefix | indicator+item ref | serial (38) |
//	                           |<------------ 44 bits ------------->|
//
//	SGTIN-198 (198 bits; 50 hex digits, or 52 padded to 13 16-bit words)
//	 0       8      11         14                                  58                        198
//	 | 0x36  |filter|partition | company prefix | indicator+item ref | serial: 20 × 7-bit ASCII |
//	 serial characters after the last are zero; bits after the 198th are zero
//
//	SSCC-96   (96 bits, 24 hex digits)
//	 0       8      11         14                                  72              96
//	 | 0x31  |filter|partition | company prefix | ext+serial ref    | reserved (0)  |
//	                           |<------------ 58 bits ------------>|
//
// The partition P = 12 − company prefix digits selects the split (P = 7 is
// reserved):
//
//	P  company prefix  SGTIN item ref  SSCC serial ref
//	0  40 bits / 12    4 bits / 1      18 bits / 5
//	1  37 / 11         7 / 2           21 / 6
//	2  34 / 10         10 / 3          24 / 7
//	3  30 / 9          14 / 4          28 / 8
//	4  27 / 8          17 / 5          31 / 9
//	5  24 / 7          20 / 6          34 / 10
//	6  20 / 6          24 / 7          38 / 11
//
// A binary field whose value has more decimal digits than its partition
// allows (a 24-bit company prefix ≥ 10^7) is rejected with ErrRange. An
// SGTIN-96 serial is the decimal form of a 38-bit integer, so serials with
// a leading zero, non-digits or values ≥ 2^38 need SGTIN-198.
//
// # Errors
//
// Every error is an *Error naming the field, the 1-based position in the
// input and the reason, wrapping a sentinel (ErrSyntax, ErrLength,
// ErrHeader, ErrPartition, ErrSerial, …) or, for a bad check digit in a
// gs1 key argument, the gs1 error. Nothing in this package panics on input.
package epc
