package store

import (
	"encoding/binary"
)

// Prefixes of the amendments of master data (package engine/amend): the
// trail of every change an organisation made to a product or a lot after
// creating it, and the facts beyond the product and lot records (a
// product's description and images, a lot's quantity and origin). kind is
// 1 for a product, 2 for a lot.
const (
	prefixAmendment byte = 0x27 // 0x27 | kind u8 | id u32 | seq u32 → amend.Entry
	prefixDetails   byte = 0x28 // 0x28 | kind u8 | id u32           → amend.Details
)

// AmendmentKey returns the key of amendment seq (from 1) of record id of
// kind.
func AmendmentKey(kind uint8, id, seq uint32) []byte {
	return be32(be32([]byte{prefixAmendment, kind}, id), seq)
}

// AmendmentPrefix returns the prefix of every amendment of record id of
// kind, in order of seq.
func AmendmentPrefix(kind uint8, id uint32) []byte { return be32([]byte{prefixAmendment, kind}, id) }

// DecodeAmendmentKey decodes an Amendment key.
func DecodeAmendmentKey(k []byte) (kind uint8, id, seq uint32, err error) {
	if len(k) != 10 || k[0] != prefixAmendment {
		return 0, 0, 0, &KeyError{Key: k, Want: "an amendment key 0x27|kind u8|id u32|seq u32"}
	}
	return k[1], binary.BigEndian.Uint32(k[2:]), binary.BigEndian.Uint32(k[6:]), nil
}

// DetailsKey returns the key of the details of record id of kind.
func DetailsKey(kind uint8, id uint32) []byte { return be32([]byte{prefixDetails, kind}, id) }

// DecodeDetailsKey decodes a Details key.
func DecodeDetailsKey(k []byte) (kind uint8, id uint32, err error) {
	if len(k) != 6 || k[0] != prefixDetails {
		return 0, 0, &KeyError{Key: k, Want: "a details key 0x28|kind u8|id u32"}
	}
	return k[1], binary.BigEndian.Uint32(k[2:]), nil
}
