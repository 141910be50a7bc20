package store

import "encoding/binary"

// Prefixes of the category (sector) records: a filling station's media
// and each product's profile in the master-data range, each item's master
// data beside the lots, and each item's category events in the per-item
// range. Package engine/sector builds the keys and encodes the values; the
// byte diagrams are in docs/storage.md and in that package's doc comment.
const (
	PrefixSectorOrg     byte = 0x13 // 0x13 | org u32                              → sector.Org
	PrefixSectorProduct byte = 0x26 // 0x26 | product u32                          → sector.ProductProfile
	PrefixSectorItem    byte = 0x32 // 0x32 | kind u8 | product or lot u32 | counter u64 → sector.Item
	PrefixSectorEvent   byte = 0x95 // 0x95 | item (13 bytes) | seq u64            → sector.Event
)

// SectorOrgKey returns the key of org's sector data.
func SectorOrgKey(org uint32) []byte { return be32([]byte{PrefixSectorOrg}, org) }

// DecodeSectorOrgKey decodes a SectorOrg key.
func DecodeSectorOrgKey(k []byte) (uint32, error) { return decodeU32Key(PrefixSectorOrg, k) }

// SectorProductKey returns the key of product's sector profile.
func SectorProductKey(product uint32) []byte { return be32([]byte{PrefixSectorProduct}, product) }

// DecodeSectorProductKey decodes a SectorProduct key.
func DecodeSectorProductKey(k []byte) (uint32, error) { return decodeU32Key(PrefixSectorProduct, k) }

// SectorItemKey returns the key of an item's sector record; item is the
// 13-byte item encoding of engine/sector.
func SectorItemKey(item []byte) []byte { return append([]byte{PrefixSectorItem}, item...) }

// DecodeSectorItemKey decodes a SectorItem key; item aliases k.
func DecodeSectorItemKey(k []byte) (item []byte, err error) {
	if len(k) != 14 || k[0] != PrefixSectorItem {
		return nil, &KeyError{Key: k, Want: "a sector item key 0x32|item [13]"}
	}
	return k[1:], nil
}

// SectorEventKey returns the key of an item's category event recorded as
// seq.
func SectorEventKey(item []byte, seq uint64) []byte {
	return be64(append([]byte{PrefixSectorEvent}, item...), seq)
}

// DecodeSectorEventKey decodes a SectorEvent key; item aliases k.
func DecodeSectorEventKey(k []byte) (item []byte, seq uint64, err error) {
	if len(k) != 22 || k[0] != PrefixSectorEvent {
		return nil, 0, &KeyError{Key: k, Want: "a sector event key 0x95|item [13]|seq u64"}
	}
	return k[1:14], binary.BigEndian.Uint64(k[14:]), nil
}
