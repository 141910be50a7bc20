package store

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
