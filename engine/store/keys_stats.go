package store

// Prefixes of the statistics kept as data arrives, from 0xE0 in the server
// range 0xC0–0xEF. Package engine/stats builds the keys and encodes the
// values; the byte diagrams are in docs/storage.md and docs/stats.md.
const (
	PrefixStatCount  byte = 0xE0 // 0xE0 | region u32 | day u32                         → counts by category and metric
	PrefixStatActive byte = 0xE1 // 0xE1 | org u32 | period u8 | day u32                 → version byte only
)
