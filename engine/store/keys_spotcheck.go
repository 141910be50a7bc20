package store

import "encoding/binary"

// Prefixes of the random spot checks (双随机、一公开), in the range
// 0xA0–0xBF of the per-item records' range, between the outbox and the
// notification endpoints. Package engine/spotcheck builds the keys and
// encodes the values; the byte diagrams are in docs/storage.md.
const (
	prefixSpotPlan   byte = 0xB4 // 0xB4 | plan id u32                  → spotcheck.Plan
	prefixSpotDraw   byte = 0xB5 // 0xB5 | draw id u64                  → spotcheck.Draw
	prefixSpotResult byte = 0xB6 // 0xB6 | draw id u64 | inspection u32 → spotcheck.Result
)

// SpotPlanKey returns the key of spot-check plan id.
func SpotPlanKey(id uint32) []byte { return be32([]byte{prefixSpotPlan}, id) }

// DecodeSpotPlanKey decodes a SpotPlan key.
func DecodeSpotPlanKey(k []byte) (uint32, error) { return decodeU32Key(prefixSpotPlan, k) }

// SpotDrawKey returns the key of spot-check draw id.
func SpotDrawKey(id uint64) []byte { return be64([]byte{prefixSpotDraw}, id) }

// DecodeSpotDrawKey decodes a SpotDraw key.
func DecodeSpotDrawKey(k []byte) (uint64, error) {
	return decodeU64Key(prefixSpotDraw, k, "a spot-check draw key 0xB5|id u64")
}

// SpotResultKey returns the key of inspection n's result in draw d.
func SpotResultKey(d uint64, n uint32) []byte { return be32(be64([]byte{prefixSpotResult}, d), n) }

// DecodeSpotResultKey decodes a SpotResult key.
func DecodeSpotResultKey(k []byte) (d uint64, n uint32, err error) {
	if len(k) != 13 || k[0] != prefixSpotResult {
		return 0, 0, &KeyError{Key: k, Want: "a spot-check result key 0xB6|draw u64|inspection u32"}
	}
	return binary.BigEndian.Uint64(k[1:]), binary.BigEndian.Uint32(k[9:]), nil
}
