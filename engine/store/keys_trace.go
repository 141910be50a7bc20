package store

// Prefixes of the per-item records (item state, aggregation, events), in the range
// 0x70–0xBF reserved for them. The packages that own each record build the
// keys and encode the values (engine/itemstate, engine/agg, engine/ledger);
// the byte diagrams are in docs/storage.md and in those packages' doc
// comments.
const (
	PrefixItemState      byte = 0x70 // 0x70 | block u64 | chunk u32              → itemstate chunk
	PrefixUnit           byte = 0x71 // 0x71 | sscc u64                           → agg.Unit
	PrefixRecallLot      byte = 0x78 // 0x78 | lot u32                            → ledger.Recall
	PrefixRecallProduct  byte = 0x79 // 0x79 | product u32                        → ledger.Recall
	PrefixEvent          byte = 0x80 // 0x80 | seq u64                            → ledger.Summary
	PrefixOrgLog         byte = 0x81 // 0x81 | org u32 | orgSeq u64              → ledger.LogEntry
	PrefixCheckpoint     byte = 0x82 // 0x82 | org u32 | size u64                → ledger.Checkpoint
	PrefixEventByHash    byte = 0x83 // 0x83 | content hash [32]                  → Uint(seq)
	PrefixEventPayload   byte = 0x84 // 0x84 | seq u64                            → ledger.Payload
	PrefixReportID       byte = 0x85 // 0x85 | org u32 | request id              → Uint(seq)
	PrefixErroneous      byte = 0x86 // 0x86 | seq u64                            → Uint(declaring seq)
	PrefixEventID        byte = 0x87 // 0x87 | eventID                            → Uint(seq)
	PrefixEvNode         byte = 0x88 // 0x88 | node(product u32|counter u64) | seq u64 → role
	PrefixEvRun          byte = 0x89 // 0x89 | product u32 | first u64 | seq u64 → span, role
	PrefixEvLot          byte = 0x8A // 0x8A | lot u32 | seq u64                  → role
	PrefixEvProduct      byte = 0x8B // 0x8B | product u32 | seq u64              → role
	PrefixLotReach       byte = 0x8C // 0x8C | lot u32 | seq u64                  → role
	PrefixEvParent       byte = 0x8D // 0x8D | parent node | seq u64              → role
	PrefixCustody        byte = 0x8E // 0x8E | node(product u32|counter u64)       → agg.Custody
	PrefixAssociation    byte = 0x8F // 0x8F | parent node | child identifier      → agg.Association
	PrefixChildParent    byte = 0x90 // 0x90 | product u32 | first u64            → agg run
	PrefixParentChildren byte = 0x91 // 0x91 | parent node | child block u64     → roaring offsets
	PrefixParentUnits    byte = 0x92 // 0x92 | parent node | child sscc u64      → version byte only
	PrefixChildHistory   byte = 0x93 // 0x93 | product u32 | first u64 | seq u64 → past run
	PrefixParentHistory  byte = 0x94 // 0x94 | parent node | seq u64              → removed runs
	PrefixEvTime         byte = 0x98 // 0x98 | eventTime u64 | seq u64            → version byte
	PrefixEvStep         byte = 0x99 // 0x99 | field u8 | term | 0x00 | seq u64   → version byte
	PrefixEvPlace        byte = 0x9B // 0x9B | role u8 | id | 0x00 | seq u64      → version byte
	PrefixNamedQuery     byte = 0x9E // 0x9E | owner | 0x00 | name                  → epcisq.NamedQuery
)
