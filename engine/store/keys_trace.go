package store

import (
	"bytes"
	"encoding/binary"
)

// Prefixes of the per-item records (item state, aggregation, events), in the range
// 0x70–0xBF reserved for them. The packages that own each record build the
// keys and encode the values (engine/itemstate, engine/agg, engine/ledger);
// the byte diagrams are in docs/storage.md and in those packages' doc
// comments.
const (
	prefixItemState      byte = 0x70 // 0x70 | block u64 | chunk u32              → itemstate chunk
	prefixUnit           byte = 0x71 // 0x71 | sscc u64                           → agg.Unit
	prefixRecallLot      byte = 0x78 // 0x78 | lot u32                            → ledger.Recall
	prefixRecallProduct  byte = 0x79 // 0x79 | product u32                        → ledger.Recall
	prefixEvent          byte = 0x80 // 0x80 | seq u64                            → ledger.Summary
	prefixOrgLog         byte = 0x81 // 0x81 | org u32 | orgSeq u64              → ledger.LogEntry
	prefixCheckpoint     byte = 0x82 // 0x82 | org u32 | size u64                → ledger.Checkpoint
	prefixEventByHash    byte = 0x83 // 0x83 | content hash [32]                  → Uint(seq)
	prefixEventPayload   byte = 0x84 // 0x84 | seq u64                            → ledger.Payload
	prefixReportID       byte = 0x85 // 0x85 | org u32 | request id              → Uint(seq)
	prefixErroneous      byte = 0x86 // 0x86 | seq u64                            → Uint(declaring seq)
	prefixEventID        byte = 0x87 // 0x87 | eventID                            → Uint(seq)
	prefixEvNode         byte = 0x88 // 0x88 | node(product u32|counter u64) | seq u64 → role
	prefixEvRun          byte = 0x89 // 0x89 | product u32 | first u64 | seq u64 → span, role
	prefixEvLot          byte = 0x8A // 0x8A | lot u32 | seq u64                  → role
	prefixEvProduct      byte = 0x8B // 0x8B | product u32 | seq u64              → role
	prefixLotReach       byte = 0x8C // 0x8C | lot u32 | seq u64                  → role
	prefixEvParent       byte = 0x8D // 0x8D | parent node | seq u64              → role
	prefixCustody        byte = 0x8E // 0x8E | node(product u32|counter u64)       → agg.Custody
	prefixAssociation    byte = 0x8F // 0x8F | parent node | child identifier      → agg.Association
	prefixChildParent    byte = 0x90 // 0x90 | product u32 | first u64            → agg run
	prefixParentChildren byte = 0x91 // 0x91 | parent node | child block u64     → roaring offsets
	prefixParentUnits    byte = 0x92 // 0x92 | parent node | child sscc u64      → version byte only
	prefixChildHistory   byte = 0x93 // 0x93 | product u32 | first u64 | seq u64 → past run
	prefixParentHistory  byte = 0x94 // 0x94 | parent node | seq u64              → removed runs
	prefixEvForeign      byte = 0x97 // 0x97 | role u8 | identifier key | 0x00 | seq u64 → version byte
	prefixEvTime         byte = 0x98 // 0x98 | eventTime u64 | seq u64            → version byte
	prefixEvStep         byte = 0x99 // 0x99 | field u8 | term | 0x00 | seq u64   → version byte
	prefixEvRegion       byte = 0x9A // 0x9A | division u32 | bizStep | 0x00 | eventTime u64 | seq u64 → version byte
	prefixEvPlace        byte = 0x9B // 0x9B | role u8 | id | 0x00 | seq u64      → version byte
	prefixCaptureJob     byte = 0x9C // 0x9C | job id u64                          → epcissub.Job
	prefixNamedQuery     byte = 0x9E // 0x9E | owner | 0x00 | name                  → epcisq.NamedQuery
	prefixSubscription   byte = 0x9F // 0x9F | subscription id u64                 → epcissub.Subscription
)

// A node inside a key: product u32 | counter u64 (product 0: an SSCC).
const nodeLen = 12

func appendNode(dst []byte, product uint32, counter uint64) []byte {
	return be64(be32(dst, product), counter)
}

func decodeNode(b []byte) (product uint32, counter uint64) {
	return binary.BigEndian.Uint32(b), binary.BigEndian.Uint64(b[4:])
}

// AppendSeq appends a record's seq u64: the last field of the event index
// keys, whose constructors below build the part before it.
func AppendSeq(dst []byte, seq uint64) []byte { return be64(dst, seq) }

// AppendItemStateKey appends the key of chunk of block's item state.
func AppendItemStateKey(dst []byte, block uint64, chunk uint32) []byte {
	return be32(be64(append(dst, prefixItemState), block), chunk)
}

// DecodeItemStateKey decodes an ItemState key.
func DecodeItemStateKey(k []byte) (block uint64, chunk uint32, err error) {
	if len(k) != 13 || k[0] != prefixItemState {
		return 0, 0, &KeyError{Key: k, Want: "an item state key 0x70|block u64|chunk u32"}
	}
	return binary.BigEndian.Uint64(k[1:]), binary.BigEndian.Uint32(k[9:]), nil
}

// AppendUnitKey appends the key of SSCC unit sscc.
func AppendUnitKey(dst []byte, sscc uint64) []byte { return be64(append(dst, prefixUnit), sscc) }

// DecodeUnitKey decodes a Unit key.
func DecodeUnitKey(k []byte) (sscc uint64, err error) {
	if len(k) != 9 || k[0] != prefixUnit {
		return 0, &KeyError{Key: k, Want: "a unit key 0x71|sscc u64"}
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

// AppendRecallMarkKey appends the key of the recall mark of a lot (lot
// true) or a whole product.
func AppendRecallMarkKey(dst []byte, lot bool, id uint32) []byte {
	p := prefixRecallProduct
	if lot {
		p = prefixRecallLot
	}
	return be32(append(dst, p), id)
}

// DecodeRecallMarkKey decodes a RecallLot or RecallProduct key.
func DecodeRecallMarkKey(k []byte) (lot bool, id uint32, err error) {
	if len(k) != 5 || (k[0] != prefixRecallLot && k[0] != prefixRecallProduct) {
		return false, 0, &KeyError{Key: k, Want: "a recall mark key 0x78|lot u32 or 0x79|product u32"}
	}
	return k[0] == prefixRecallLot, binary.BigEndian.Uint32(k[1:]), nil
}

// AppendEventKey appends the key of record seq's summary.
func AppendEventKey(dst []byte, seq uint64) []byte { return be64(append(dst, prefixEvent), seq) }

// DecodeSeqKey decodes the seq of an Event, EventPayload or Erroneous key.
func DecodeSeqKey(k []byte) (uint64, error) {
	if len(k) != 9 || (k[0] != prefixEvent && k[0] != prefixEventPayload && k[0] != prefixErroneous) {
		return 0, &KeyError{Key: k, Want: "a record key 0x80, 0x84 or 0x86|seq u64"}
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

// AppendEventPayloadKey appends the key of record seq's payload.
func AppendEventPayloadKey(dst []byte, seq uint64) []byte {
	return be64(append(dst, prefixEventPayload), seq)
}

// AppendOrgLogKey appends the key of position orgSeq of org's log;
// AppendOrgLogKey(dst, org, 0) is the smallest key of org's log.
func AppendOrgLogKey(dst []byte, org uint32, orgSeq uint64) []byte {
	return be64(be32(append(dst, prefixOrgLog), org), orgSeq)
}

// DecodeOrgLogKey decodes an OrgLog key.
func DecodeOrgLogKey(k []byte) (org uint32, orgSeq uint64, err error) {
	if len(k) != 13 || k[0] != prefixOrgLog {
		return 0, 0, &KeyError{Key: k, Want: "a log key 0x81|org u32|orgSeq u64"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint64(k[5:]), nil
}

// AppendCheckpointKey appends the key of org's checkpoint at size.
func AppendCheckpointKey(dst []byte, org uint32, size uint64) []byte {
	return be64(be32(append(dst, prefixCheckpoint), org), size)
}

// DecodeCheckpointKey decodes a Checkpoint key.
func DecodeCheckpointKey(k []byte) (org uint32, size uint64, err error) {
	if len(k) != 13 || k[0] != prefixCheckpoint {
		return 0, 0, &KeyError{Key: k, Want: "a checkpoint key 0x82|org u32|size u64"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint64(k[5:]), nil
}

// AppendEventByHashKey appends the key of a record's content hash.
func AppendEventByHashKey(dst []byte, h *[32]byte) []byte {
	return append(append(dst, prefixEventByHash), h[:]...)
}

// DecodeEventByHashKey decodes an EventByHash key; the hash aliases k.
func DecodeEventByHashKey(k []byte) ([]byte, error) {
	if len(k) != 33 || k[0] != prefixEventByHash {
		return nil, &KeyError{Key: k, Want: "a content hash key 0x83|hash [32]"}
	}
	return k[1:], nil
}

// AppendReportIDKey appends the key recording that org's request id
// produced a record.
func AppendReportIDKey(dst []byte, org uint32, id string) []byte {
	return append(be32(append(dst, prefixReportID), org), id...)
}

// DecodeReportIDKey decodes a ReportID key; id aliases k.
func DecodeReportIDKey(k []byte) (org uint32, id []byte, err error) {
	if len(k) < 5 || k[0] != prefixReportID {
		return 0, nil, &KeyError{Key: k, Want: "a request id key 0x85|org u32|id"}
	}
	return binary.BigEndian.Uint32(k[1:]), k[5:], nil
}

// AppendErroneousKey appends the key marking record seq erroneous.
func AppendErroneousKey(dst []byte, seq uint64) []byte {
	return be64(append(dst, prefixErroneous), seq)
}

// AppendEventIDKey appends the key of a captured eventID.
func AppendEventIDKey(dst []byte, id string) []byte { return append(append(dst, prefixEventID), id...) }

// DecodeEventIDKey decodes an EventID key; the id aliases k.
func DecodeEventIDKey(k []byte) ([]byte, error) {
	if len(k) < 2 || k[0] != prefixEventID {
		return nil, &KeyError{Key: k, Want: "an eventID key 0x87|eventID"}
	}
	return k[1:], nil
}

// The event indexes: each entry key is one of the prefixes below followed
// by the record's seq u64 (AppendSeq), its value the record's role.

// AppendEvNodeKey appends the start of the event index entries of code
// (product, counter).
func AppendEvNodeKey(dst []byte, product uint32, counter uint64) []byte {
	return appendNode(append(dst, prefixEvNode), product, counter)
}

// AppendEvParentKey appends the start of the packing index entries of
// parent code (product, counter).
func AppendEvParentKey(dst []byte, product uint32, counter uint64) []byte {
	return appendNode(append(dst, prefixEvParent), product, counter)
}

// AppendEvRunKey appends the start of the run index entries of the run
// of product starting at first.
func AppendEvRunKey(dst []byte, product uint32, first uint64) []byte {
	return be64(be32(append(dst, prefixEvRun), product), first)
}

// DecodeEvRunKey decodes a complete EvRun key.
func DecodeEvRunKey(k []byte) (product uint32, first, seq uint64, err error) {
	if len(k) != 21 || k[0] != prefixEvRun {
		return 0, 0, 0, &KeyError{Key: k, Want: "a run index key 0x89|product u32|first u64|seq u64"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint64(k[5:]), binary.BigEndian.Uint64(k[13:]), nil
}

// AppendEvLotKey appends the start of the event index entries of lot.
func AppendEvLotKey(dst []byte, lot uint32) []byte { return be32(append(dst, prefixEvLot), lot) }

// AppendEvProductKey appends the start of the event index entries of a
// whole product.
func AppendEvProductKey(dst []byte, product uint32) []byte {
	return be32(append(dst, prefixEvProduct), product)
}

// AppendLotReachKey appends the start of the reach index entries of lot.
func AppendLotReachKey(dst []byte, lot uint32) []byte { return be32(append(dst, prefixLotReach), lot) }

// EventIndexes are the event index families, in key order.
var EventIndexes = []KeySpace{EvNodeKeys, EvRunKeys, EvLotKeys, EvProductKeys, LotReachKeys, EvParentKeys}

// EventIndexBounds returns [lo, hi) over every event index family.
func EventIndexBounds() (lo, hi []byte) { return Span(EvNodeKeys, EvParentKeys) }

// DecodeIndexSeq returns the seq ending an event index entry key.
func DecodeIndexSeq(k []byte) (uint64, error) {
	if len(k) < 9 || k[0] < prefixEvNode || k[0] > prefixEvParent {
		return 0, &KeyError{Key: k, Want: "an event index key 0x88–0x8D|…|seq u64"}
	}
	return binary.BigEndian.Uint64(k[len(k)-8:]), nil
}

// AppendCustodyKey appends the custody key of code (product, counter).
func AppendCustodyKey(dst []byte, product uint32, counter uint64) []byte {
	return appendNode(append(dst, prefixCustody), product, counter)
}

// DecodeCustodyKey decodes a Custody key.
func DecodeCustodyKey(k []byte) (product uint32, counter uint64, err error) {
	if len(k) != 1+nodeLen || k[0] != prefixCustody {
		return 0, 0, &KeyError{Key: k, Want: "a custody key 0x8E|node"}
	}
	product, counter = decodeNode(k[1:])
	return product, counter, nil
}

// AppendAssociationKey appends the key of the association of child with
// parent (product, counter); child "" gives the start of every
// association of the parent.
func AppendAssociationKey(dst []byte, product uint32, counter uint64, child string) []byte {
	return append(appendNode(append(dst, prefixAssociation), product, counter), child...)
}

// DecodeAssociationKey decodes an Association key; child aliases k.
func DecodeAssociationKey(k []byte) (product uint32, counter uint64, child []byte, err error) {
	if len(k) <= 1+nodeLen || k[0] != prefixAssociation {
		return 0, 0, nil, &KeyError{Key: k, Want: "an association key 0x8F|parent node|child"}
	}
	product, counter = decodeNode(k[1:])
	return product, counter, k[1+nodeLen:], nil
}

// AppendChildParentKey appends the child→parent key of the run of product
// starting at first.
func AppendChildParentKey(dst []byte, product uint32, first uint64) []byte {
	return be64(be32(append(dst, prefixChildParent), product), first)
}

// DecodeChildParentKey decodes a ChildParent key.
func DecodeChildParentKey(k []byte) (product uint32, first uint64, err error) {
	if len(k) != 13 || k[0] != prefixChildParent {
		return 0, 0, &KeyError{Key: k, Want: "a child→parent key 0x90|product u32|first u64"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint64(k[5:]), nil
}

// AppendParentChildrenKey appends the parent→children key of parent
// (product, counter)'s children in block.
func AppendParentChildrenKey(dst []byte, product uint32, counter, block uint64) []byte {
	return be64(appendNode(append(dst, prefixParentChildren), product, counter), block)
}

// DecodeParentChildrenKey decodes a ParentChildren key.
func DecodeParentChildrenKey(k []byte) (product uint32, counter, block uint64, err error) {
	if len(k) != 1+nodeLen+8 || k[0] != prefixParentChildren {
		return 0, 0, 0, &KeyError{Key: k, Want: "a parent→children key 0x91|parent node|block u64"}
	}
	product, counter = decodeNode(k[1:])
	return product, counter, binary.BigEndian.Uint64(k[1+nodeLen:]), nil
}

// AppendParentUnitsKey appends the key recording that SSCC sscc is in
// parent (product, counter).
func AppendParentUnitsKey(dst []byte, product uint32, counter, sscc uint64) []byte {
	return be64(appendNode(append(dst, prefixParentUnits), product, counter), sscc)
}

// DecodeParentUnitsKey decodes a ParentUnits key.
func DecodeParentUnitsKey(k []byte) (product uint32, counter, sscc uint64, err error) {
	if len(k) != 1+nodeLen+8 || k[0] != prefixParentUnits {
		return 0, 0, 0, &KeyError{Key: k, Want: "a unit child key 0x92|parent node|sscc u64"}
	}
	product, counter = decodeNode(k[1:])
	return product, counter, binary.BigEndian.Uint64(k[1+nodeLen:]), nil
}

// AppendChildHistoryKey appends the child history key of the past run of
// product starting at first, unpacked by record unpackSeq.
func AppendChildHistoryKey(dst []byte, product uint32, first, unpackSeq uint64) []byte {
	return be64(be64(be32(append(dst, prefixChildHistory), product), first), unpackSeq)
}

// DecodeChildHistoryKey decodes a ChildHistory key.
func DecodeChildHistoryKey(k []byte) (product uint32, first, unpackSeq uint64, err error) {
	if len(k) != 21 || k[0] != prefixChildHistory {
		return 0, 0, 0, &KeyError{Key: k, Want: "a child history key 0x93|product u32|first u64|seq u64"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint64(k[5:]), binary.BigEndian.Uint64(k[13:]), nil
}

// AppendParentHistoryKey appends the parent history key of parent
// (product, counter)'s removal by record unpackSeq.
func AppendParentHistoryKey(dst []byte, product uint32, counter, unpackSeq uint64) []byte {
	return be64(appendNode(append(dst, prefixParentHistory), product, counter), unpackSeq)
}

// DecodeParentHistoryKey decodes a ParentHistory key.
func DecodeParentHistoryKey(k []byte) (product uint32, counter, unpackSeq uint64, err error) {
	if len(k) != 1+nodeLen+8 || k[0] != prefixParentHistory {
		return 0, 0, 0, &KeyError{Key: k, Want: "a parent history key 0x94|parent node|seq u64"}
	}
	product, counter = decodeNode(k[1:])
	return product, counter, binary.BigEndian.Uint64(k[1+nodeLen:]), nil
}

// AggregationBounds returns [lo, hi) over every aggregation family
// (child→parent runs to parent history).
func AggregationBounds() (lo, hi []byte) { return Span(ChildParentKeys, ParentHistoryKeys) }

// DecodeEvNodeKey decodes a complete EvNode key.
func DecodeEvNodeKey(k []byte) (product uint32, counter, seq uint64, err error) {
	if len(k) != 1+nodeLen+8 || k[0] != prefixEvNode {
		return 0, 0, 0, &KeyError{Key: k, Want: "an event index key 0x88|node|seq u64"}
	}
	product, counter = decodeNode(k[1:])
	return product, counter, binary.BigEndian.Uint64(k[1+nodeLen:]), nil
}

// DecodeEvParentKey decodes a complete EvParent key.
func DecodeEvParentKey(k []byte) (product uint32, counter, seq uint64, err error) {
	if len(k) != 1+nodeLen+8 || k[0] != prefixEvParent {
		return 0, 0, 0, &KeyError{Key: k, Want: "a packing index key 0x8D|parent node|seq u64"}
	}
	product, counter = decodeNode(k[1:])
	return product, counter, binary.BigEndian.Uint64(k[1+nodeLen:]), nil
}

// DecodeIndex32Key decodes a complete EvLot, EvProduct or LotReach key:
// the lot or product id and the record's seq.
func DecodeIndex32Key(k []byte) (id uint32, seq uint64, err error) {
	if len(k) != 13 || (k[0] != prefixEvLot && k[0] != prefixEvProduct && k[0] != prefixLotReach) {
		return 0, 0, &KeyError{Key: k, Want: "an index key 0x8A, 0x8B or 0x8C|id u32|seq u64"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint64(k[5:]), nil
}

// AppendEvTimeKey appends the start of the event-time index entries of
// unix ms t (the time is stored offset by 2^63, so negative times sort
// first); an entry appends the record's seq (AppendSeq).
func AppendEvTimeKey(dst []byte, t int64) []byte {
	return be64(append(dst, prefixEvTime), uint64(t)^(1<<63))
}

// EvTimeBounds returns [lo, hi) over the event-time index entries of
// event times in [ge, lt) (lt math.MaxInt64: no upper end).
func EvTimeBounds(ge, lt int64) (lo, hi []byte) {
	lo = AppendEvTimeKey(nil, ge)
	if lt == 1<<63-1 {
		return lo, []byte{prefixEvTime + 1}
	}
	return lo, AppendEvTimeKey(nil, lt)
}

// DecodeEvTimeKey returns the event time (unix ms) of an event-time
// index key.
func DecodeEvTimeKey(k []byte) (int64, error) {
	if len(k) < 9 || k[0] != prefixEvTime {
		return 0, &KeyError{Key: k, Want: "an event-time index key 0x98|time u64|seq u64"}
	}
	return int64(binary.BigEndian.Uint64(k[1:9]) ^ (1 << 63)), nil
}

// AppendEvStepKey appends the start of the step index entries of term in
// field (1 bizStep, 2 disposition): field u8 | term | 0x00.
func AppendEvStepKey(dst []byte, field byte, term string) []byte {
	return append(append(append(dst, prefixEvStep, field), term...), 0)
}

// AppendEvPlaceKey appends the start of the place index entries of
// location id in role (1 readPoint, 2 bizLocation): role u8 | id | 0x00.
func AppendEvPlaceKey(dst []byte, role byte, id string) []byte {
	return append(append(append(dst, prefixEvPlace, role), id...), 0)
}

// AppendEvRegionKey appends the start of the region index entries of
// division (GB/T 2260, any level) and bizStep term (possibly empty):
// division u32 | term | 0x00; an entry appends the event time (as in
// AppendEvTimeKey: unix ms + 2^63) and the record's seq.
func AppendEvRegionKey(dst []byte, division uint32, term string) []byte {
	return append(append(be32(append(dst, prefixEvRegion), division), term...), 0)
}

// AppendEvRegionTime appends an event time (unix ms + 2^63) to a region
// index prefix (AppendEvRegionKey).
func AppendEvRegionTime(dst []byte, t int64) []byte { return be64(dst, uint64(t)^(1<<63)) }

// EvRegionDivisionPrefix returns the prefix of every region index entry
// of division (all its terms).
func EvRegionDivisionPrefix(division uint32) []byte {
	return be32([]byte{prefixEvRegion}, division)
}

// DecodeEvRegionKey decodes a complete region index key: its division,
// bizStep term (aliasing k), event time and seq.
func DecodeEvRegionKey(k []byte) (division uint32, term []byte, t int64, seq uint64, err error) {
	if len(k) < 1+4+1+16 || k[0] != prefixEvRegion || k[len(k)-17] != 0 {
		return 0, nil, 0, 0, &KeyError{Key: k, Want: "a region index key 0x9A|division u32|term|0x00|time u64|seq u64"}
	}
	return binary.BigEndian.Uint32(k[1:5]), k[5 : len(k)-17], int64(binary.BigEndian.Uint64(k[len(k)-16:]) ^ (1 << 63)),
		binary.BigEndian.Uint64(k[len(k)-8:]), nil
}

// AppendEvForeignKey appends the start of the foreign-identifier index
// entries of identifier key in role (a ledger.Role): role u8 | key | 0x00.
func AppendEvForeignKey(dst []byte, role byte, key string) []byte {
	return append(append(append(dst, prefixEvForeign, role), key...), 0)
}

// DecodeEvForeignKey decodes an EvForeign key; key aliases k.
func DecodeEvForeignKey(k []byte) (role byte, key []byte, seq uint64, err error) {
	if len(k) < 12 || k[0] != prefixEvForeign || k[len(k)-9] != 0 {
		return 0, nil, 0, &KeyError{Key: k, Want: "a foreign-identifier index key 0x97|role u8|key|0x00|seq u64"}
	}
	return k[1], k[2 : len(k)-9], binary.BigEndian.Uint64(k[len(k)-8:]), nil
}

// DecodeQueryIndexSeq returns the seq a query index key (EvTime, EvStep,
// EvPlace, EvRegion) ends with, and whether the key has a query index layout.
func DecodeQueryIndexSeq(k []byte) (uint64, bool) {
	if len(k) < 10 {
		return 0, false
	}
	switch k[0] {
	case prefixEvTime:
		if len(k) != 17 {
			return 0, false
		}
	case prefixEvStep, prefixEvPlace:
		if len(k) < 11 || k[len(k)-9] != 0 {
			return 0, false
		}
	case prefixEvRegion:
		if len(k) < 22 || k[len(k)-17] != 0 {
			return 0, false
		}
	default:
		return 0, false
	}
	return binary.BigEndian.Uint64(k[len(k)-8:]), true
}

// NamedQueryKey returns the key of owner's saved query name; name ""
// gives the start of every query of owner.
func NamedQueryKey(owner, name string) []byte {
	return append(append(append([]byte{prefixNamedQuery}, owner...), 0), name...)
}

// DecodeNamedQueryKey decodes a NamedQuery key; owner and name alias k.
func DecodeNamedQueryKey(k []byte) (owner, name []byte, err error) {
	if len(k) < 2 || k[0] != prefixNamedQuery {
		return nil, nil, &KeyError{Key: k, Want: "a named query key 0x9E|owner|0x00|name"}
	}
	i := bytes.IndexByte(k[1:], 0)
	if i < 0 {
		return nil, nil, &KeyError{Key: k, Want: "a named query key 0x9E|owner|0x00|name"}
	}
	return k[1 : 1+i], k[2+i:], nil
}

// SubscriptionKey returns the key of EPCIS subscription id.
func SubscriptionKey(id uint64) []byte { return be64([]byte{prefixSubscription}, id) }

// DecodeSubscriptionKey decodes a Subscription key.
func DecodeSubscriptionKey(k []byte) (uint64, error) {
	return decodeU64Key(prefixSubscription, k, "a subscription key 0x9F|id u64")
}

// CaptureJobKey returns the key of capture job id.
func CaptureJobKey(id uint64) []byte { return be64([]byte{prefixCaptureJob}, id) }

// DecodeCaptureJobKey decodes a CaptureJob key.
func DecodeCaptureJobKey(k []byte) (uint64, error) {
	return decodeU64Key(prefixCaptureJob, k, "a capture job key 0x9C|id u64")
}
