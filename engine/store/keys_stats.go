package store

import "encoding/binary"

// Prefixes of the statistics kept as data arrives, from 0xE0 in the server
// range 0xC0–0xEF. Package engine/stats builds the keys and encodes the
// values; the byte diagrams are in docs/storage.md and docs/stats.md.
const (
	prefixStatCount  byte = 0xE0 // 0xE0 | region u32 | day u32                         → counts by category and metric
	prefixStatActive byte = 0xE1 // 0xE1 | org u32 | period u8 | day u32                 → version byte only
)

// AppendStatCountKey appends the key of the counts of region on day
// (yyyymmdd).
func AppendStatCountKey(dst []byte, region, day uint32) []byte {
	return be32(be32(append(dst, prefixStatCount), region), day)
}

// DecodeStatCountKey decodes a StatCount key.
func DecodeStatCountKey(k []byte) (region, day uint32, err error) {
	if len(k) != 9 || k[0] != prefixStatCount {
		return 0, 0, &KeyError{Key: k, Want: "0xE0|region u32|day u32"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint32(k[5:]), nil
}

// AppendStatActiveKey appends the key marking org active in the period
// (0: the day, 1: the month) of day.
func AppendStatActiveKey(dst []byte, org uint32, period uint8, day uint32) []byte {
	return be32(append(be32(append(dst, prefixStatActive), org), period), day)
}
