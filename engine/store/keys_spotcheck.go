package store

// Prefixes of the random spot checks (双随机、一公开), in the range
// 0xA0–0xBF of the per-item records' range, between the outbox and the
// notification endpoints. Package engine/spotcheck builds the keys and
// encodes the values; the byte diagrams are in docs/storage.md.
const (
	PrefixSpotPlan   byte = 0xB4 // 0xB4 | plan id u32                  → spotcheck.Plan
	PrefixSpotDraw   byte = 0xB5 // 0xB5 | draw id u64                  → spotcheck.Draw
	PrefixSpotResult byte = 0xB6 // 0xB6 | draw id u64 | inspection u32 → spotcheck.Result
)
