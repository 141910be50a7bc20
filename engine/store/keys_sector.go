package store

import "encoding/binary"

// Prefixes of the category (sector) records: a filling station's media
// and each product's profile in the master-data range, each item's master
// data beside the lots, and each item's category events in the per-item
// range. Package engine/sector builds the keys and encodes the values; the
// byte diagrams are in docs/storage.md and in that package's doc comment.
const (
	prefixSectorOrg     byte = 0x13 // 0x13 | org u32                              → sector.Org
	prefixSectorProduct byte = 0x26 // 0x26 | product u32                          → sector.ProductProfile
	prefixSectorItem    byte = 0x32 // 0x32 | kind u8 | product or lot u32 | counter u64 → sector.Item
	prefixSectorEvent   byte = 0x95 // 0x95 | item (13 bytes) | seq u64            → sector.Event
)

// SectorOrgKey returns the key of org's sector data.
func SectorOrgKey(org uint32) []byte { return be32([]byte{prefixSectorOrg}, org) }

// DecodeSectorOrgKey decodes a SectorOrg key.
func DecodeSectorOrgKey(k []byte) (uint32, error) { return decodeU32Key(prefixSectorOrg, k) }

// SectorProductKey returns the key of product's sector profile.
func SectorProductKey(product uint32) []byte { return be32([]byte{prefixSectorProduct}, product) }

// DecodeSectorProductKey decodes a SectorProduct key.
func DecodeSectorProductKey(k []byte) (uint32, error) { return decodeU32Key(prefixSectorProduct, k) }

// SectorItemKey returns the key of an item's sector record; item is the
// 13-byte item encoding of engine/sector.
func SectorItemKey(item []byte) []byte { return append([]byte{prefixSectorItem}, item...) }

// DecodeSectorItemKey decodes a SectorItem key; item aliases k.
func DecodeSectorItemKey(k []byte) (item []byte, err error) {
	if len(k) != 14 || k[0] != prefixSectorItem {
		return nil, &KeyError{Key: k, Want: "a sector item key 0x32|item [13]"}
	}
	return k[1:], nil
}

// SectorEventKey returns the key of an item's category event recorded as
// seq.
func SectorEventKey(item []byte, seq uint64) []byte {
	return be64(append([]byte{prefixSectorEvent}, item...), seq)
}

// DecodeSectorEventKey decodes a SectorEvent key; item aliases k.
func DecodeSectorEventKey(k []byte) (item []byte, seq uint64, err error) {
	if len(k) != 22 || k[0] != prefixSectorEvent {
		return nil, 0, &KeyError{Key: k, Want: "a sector event key 0x95|item [13]|seq u64"}
	}
	return k[1:14], binary.BigEndian.Uint64(k[14:]), nil
}
