package store

import (
	"encoding/binary"
	"fmt"
)

// Key prefixes, unexported: other packages build keys with the
// constructors below and scan them through KeySpaces (keyspace.go). Every
// key starts with one of these bytes; the rest of the
// key is big-endian fixed-width integers, with at most one variable-length
// string, always last. Numeric order of the prefixes is key order.
//
// The registry (Prefixes, registry.go) and docs/storage.md list every
// prefix; a test holds them equal. Ranges:
//
//	0x01–0x0F  engine metadata
//	0x10–0x3F  master data (organisations, products, lots)
//	0x40–0x6F  issuance (blocks, idempotency, imported serials)
//	0x70–0xBF  per-item records, aggregation and events (keys_trace.go)
//	0xC0–0xEF  the scan log and API keys (keys_server.go), accounts
//	           (keys_account.go), statistics from 0xE0 (keys_stats.go)
//	0xF0–0xFF  reserved for tests and tools; never written by the engine
const (
	prefixMeta            byte = 0x01 // 0x01 | id u8                   → Uint
	prefixShortKey        byte = 0x02 // 0x02 | gen u8                  → Key
	prefixOrg             byte = 0x10 // 0x10 | org u32                 → Org
	prefixOrgByGCP        byte = 0x11 // 0x11 | gcp digits             → Uint(org)
	prefixOrgByUSCC       byte = 0x12 // 0x12 | uscc                    → Uint(org)
	prefixProduct         byte = 0x20 // 0x20 | product u32             → Product
	prefixProductByGTIN   byte = 0x21 // 0x21 | gtin 14 digits          → Uint(product)
	prefixProductByCode   byte = 0x22 // 0x22 | org u32 | own code      → Uint(product)
	prefixProductByDrugID byte = 0x23 // 0x23 | drug id 7 digits        → Uint(product)
	prefixProductState    byte = 0x24 // 0x24 | product u32             → ProductState
	prefixProductKey      byte = 0x25 // 0x25 | product u32 | gen u8    → Key
	prefixLot             byte = 0x30 // 0x30 | lot u32                 → Lot
	prefixLotByNumber     byte = 0x31 // 0x31 | product u32 | number    → Uint(lot)
	prefixBlock           byte = 0x40 // 0x40 | block u64               → Block
	prefixBlockByCounter  byte = 0x41 // 0x41 | product u32 | start u64 → Uint(block)
	prefixBlockByShort    byte = 0x42 // 0x42 | shortStart u64          → Uint(block)
	prefixIdem            byte = 0x50 // 0x50 | org u32 | request id    → Uint(block)
	prefixImported        byte = 0x60 // 0x60 | block u64 | serial      → Uint(offset)
	prefixImportBloom     byte = 0x61 // 0x61 | block u64 | chunk u32   → Bloom chunk
)

// Meta ids under prefixMeta. Each holds a Uint.
const (
	MetaSchema       byte = 0x01 // store format version (FormatV1 …; absent = FormatV1)
	MetaNextOrg      byte = 0x02 // next organisation id to assign
	MetaNextProduct  byte = 0x03 // next product id
	MetaNextLot      byte = 0x04 // next lot id
	MetaNextBlock    byte = 0x05 // next block id
	MetaShortHW      byte = 0x06 // short-code high-water: first global counter never allocated
	MetaKEK          byte = 0x07 // id of the key-encryption key every FF1 key is wrapped under; absent: keys in the clear
	MetaReplSeq      byte = 0x08 // position in the replication log of the last batch committed or applied; absent: 0
	MetaQueryIndexed byte = 0x09 // the ledger's query indexes: 2^64−3 built with the one-key region index, 2^64−2 with the per-level one, 2^64−1 without (records are indexed as appended); else the last record a build indexed (+2^62 for a one-key build); absent: 0
)

// Store format versions, held in the meta record MetaSchema. A store is at
// the lowest version whose records describe it: a version is raised, in the
// batch that writes the first record needing it, only when a new record
// encoding is written. A binary refuses at Open a store at a version newer
// than SchemaVersion (naming both), instead of failing at the first record
// it cannot read. A store without the record is at FormatV1 (stores created
// before the record existed). docs/storage.md ("Format versions") lists
// them.
const (
	// FormatV1 is the first layout: every record of docs/storage.md, FF1
	// keys in the clear (Key.Wrap 0).
	FormatV1 = 1
	// FormatV2 wraps every FF1 key (Key.Wrap WrapAESGCM) under the
	// key-encryption key named by the meta record MetaKEK. A store rises
	// to it when its keys are first wrapped.
	FormatV2 = 2
	// SchemaVersion is the newest store format version this build reads
	// and writes.
	SchemaVersion = FormatV2
)

// KeyError reports a key that does not have the layout its prefix requires.
type KeyError struct {
	Key  []byte
	Want string
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("store: key %x is not %s", e.Key, e.Want)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *KeyError) Unwrap() error { return ErrCorrupt }

func be32(dst []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(dst, v) }
func be64(dst []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(dst, v) }

// MetaKey returns the key of meta id.
func MetaKey(id byte) []byte { return []byte{prefixMeta, id} }

// ShortKeyKey returns the key of the engine-wide short-code key generation gen.
func ShortKeyKey(gen uint8) []byte { return []byte{prefixShortKey, gen} }

// AppendOrgKey appends the key of org id.
func AppendOrgKey(dst []byte, id uint32) []byte { return be32(append(dst, prefixOrg), id) }

// OrgByGCPKey returns the index key of GS1 company prefix gcp.
func OrgByGCPKey(gcp string) []byte { return append([]byte{prefixOrgByGCP}, gcp...) }

// OrgByUSCCKey returns the index key of a unified social credit code.
func OrgByUSCCKey(uscc string) []byte { return append([]byte{prefixOrgByUSCC}, uscc...) }

// AppendProductKey appends the key of product id.
func AppendProductKey(dst []byte, id uint32) []byte {
	return be32(append(dst, prefixProduct), id)
}

// ProductByGTINKey returns the index key of a 14-digit GTIN.
func ProductByGTINKey(gtin [14]byte) []byte { return append([]byte{prefixProductByGTIN}, gtin[:]...) }

// ProductByCodeKey returns the index key of an own product code within org.
func ProductByCodeKey(org uint32, code string) []byte {
	return append(be32([]byte{prefixProductByCode}, org), code...)
}

// ProductByDrugIDKey returns the index key of a 7-digit drug identification code.
func ProductByDrugIDKey(drugID string) []byte {
	return append([]byte{prefixProductByDrugID}, drugID...)
}

// ProductStateKey returns the key of product id's allocation state.
func ProductStateKey(id uint32) []byte { return be32([]byte{prefixProductState}, id) }

// ProductKeyKey returns the key of product id's FF1 key generation gen.
func ProductKeyKey(id uint32, gen uint8) []byte {
	return append(be32([]byte{prefixProductKey}, id), gen)
}

// AppendLotKey appends the key of lot id.
func AppendLotKey(dst []byte, id uint32) []byte { return be32(append(dst, prefixLot), id) }

// LotByNumberKey returns the index key of lot number within product.
func LotByNumberKey(product uint32, number string) []byte {
	return append(be32([]byte{prefixLotByNumber}, product), number...)
}

// AppendBlockKey appends the key of block id.
func AppendBlockKey(dst []byte, id uint64) []byte { return be64(append(dst, prefixBlock), id) }

// BlockByCounterKey returns the index key of the block of product starting
// at counter start.
func BlockByCounterKey(product uint32, start uint64) []byte {
	return be64(be32([]byte{prefixBlockByCounter}, product), start)
}

// BlockByShortKey returns the index key of the short block starting at
// global counter start.
func BlockByShortKey(start uint64) []byte { return be64([]byte{prefixBlockByShort}, start) }

// IdemKey returns the idempotency key of a client request id within org.
func IdemKey(org uint32, requestID string) []byte {
	return append(be32([]byte{prefixIdem}, org), requestID...)
}

// AppendImportedKey appends the key of an imported serial of block.
func AppendImportedKey(dst []byte, block uint64, serial []byte) []byte {
	return append(be64(append(dst, prefixImported), block), serial...)
}

// ImportBloomKey returns the key of chunk i of block's bloom filter.
func ImportBloomKey(block uint64, chunk uint32) []byte {
	return be32(be64([]byte{prefixImportBloom}, block), chunk)
}

// PrefixEnd returns the smallest key greater than every key starting with
// p, for an exclusive iterator upper bound. It returns nil (no bound) if p
// is all 0xFF.
func PrefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// The decoders below parse keys found while iterating. They check the
// prefix and the length and return a *KeyError otherwise.

// decodeU32Key decodes a prefix|u32 key (Org, Product, Lot, ProductState).
func decodeU32Key(prefix byte, k []byte) (uint32, error) {
	if len(k) != 5 || k[0] != prefix {
		return 0, &KeyError{Key: k, Want: fmt.Sprintf("0x%02x|u32", prefix)}
	}
	return binary.BigEndian.Uint32(k[1:]), nil
}

// DecodeBlockKey decodes a Block key.
func DecodeBlockKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != prefixBlock {
		return 0, &KeyError{Key: k, Want: "a block key 0x40|u64"}
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

// DecodeBlockByCounterKey decodes a BlockByCounter key.
func DecodeBlockByCounterKey(k []byte) (product uint32, start uint64, err error) {
	if len(k) != 13 || k[0] != prefixBlockByCounter {
		return 0, 0, &KeyError{Key: k, Want: "a block index key 0x41|u32|u64"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint64(k[5:]), nil
}

// DecodeBlockByShortKey decodes a BlockByShort key.
func DecodeBlockByShortKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != prefixBlockByShort {
		return 0, &KeyError{Key: k, Want: "a short index key 0x42|u64"}
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

// DecodeProductKeyKey decodes a ProductKey key.
func DecodeProductKeyKey(k []byte) (product uint32, gen uint8, err error) {
	if len(k) != 6 || k[0] != prefixProductKey {
		return 0, 0, &KeyError{Key: k, Want: "a product key key 0x25|u32|u8"}
	}
	return binary.BigEndian.Uint32(k[1:]), k[5], nil
}

// DecodeIdemKey decodes an Idem key. requestID aliases k.
func DecodeIdemKey(k []byte) (org uint32, requestID []byte, err error) {
	if len(k) < 5 || k[0] != prefixIdem {
		return 0, nil, &KeyError{Key: k, Want: "an idempotency key 0x50|u32|id"}
	}
	return binary.BigEndian.Uint32(k[1:]), k[5:], nil
}

// DecodeImportedKey decodes an Imported key. serial aliases k.
func DecodeImportedKey(k []byte) (block uint64, serial []byte, err error) {
	if len(k) < 10 || k[0] != prefixImported {
		return 0, nil, &KeyError{Key: k, Want: "an imported serial key 0x60|u64|serial"}
	}
	return binary.BigEndian.Uint64(k[1:]), k[9:], nil
}

// DecodeImportBloomKey decodes an ImportBloom key.
func DecodeImportBloomKey(k []byte) (block uint64, chunk uint32, err error) {
	if len(k) != 13 || k[0] != prefixImportBloom {
		return 0, 0, &KeyError{Key: k, Want: "a bloom chunk key 0x61|u64|u32"}
	}
	return binary.BigEndian.Uint64(k[1:]), binary.BigEndian.Uint32(k[9:]), nil
}

// DecodeMetaKey decodes a Meta key.
func DecodeMetaKey(k []byte) (id byte, err error) {
	if len(k) != 2 || k[0] != prefixMeta {
		return 0, &KeyError{Key: k, Want: "a meta key 0x01|id"}
	}
	return k[1], nil
}

// DecodeShortKeyKey decodes a ShortKey key.
func DecodeShortKeyKey(k []byte) (gen uint8, err error) {
	if len(k) != 2 || k[0] != prefixShortKey {
		return 0, &KeyError{Key: k, Want: "a short-code key key 0x02|gen"}
	}
	return k[1], nil
}

// DecodeOrgKey decodes an Org key.
func DecodeOrgKey(k []byte) (uint32, error) { return decodeU32Key(prefixOrg, k) }

// DecodeProductKey decodes a Product key.
func DecodeProductKey(k []byte) (uint32, error) { return decodeU32Key(prefixProduct, k) }

// DecodeProductStateKey decodes a ProductState key.
func DecodeProductStateKey(k []byte) (uint32, error) { return decodeU32Key(prefixProductState, k) }

// DecodeLotKey decodes a Lot key.
func DecodeLotKey(k []byte) (uint32, error) { return decodeU32Key(prefixLot, k) }

// FF1KeyBounds returns [lo, hi) over every stored FF1 key: the short-code
// key generations to the products' key generations.
func FF1KeyBounds() (lo, hi []byte) {
	return []byte{prefixShortKey}, PrefixEnd([]byte{prefixProductKey})
}

// ImportedBounds returns [lo, hi) over the imported serials of block.
func ImportedBounds(block uint64) (lo, hi []byte) {
	lo = AppendImportedKey(nil, block, nil)
	return lo, PrefixEnd(lo)
}

// ImportBloomBounds returns [lo, hi) over the bloom filter chunks of
// block.
func ImportBloomBounds(block uint64) (lo, hi []byte) {
	lo = be64([]byte{prefixImportBloom}, block)
	return lo, PrefixEnd(lo)
}

// IssuanceBounds returns [lo, hi) over engine metadata, master data and
// issuance: every key below the per-item records (0x00–0x6F).
func IssuanceBounds() (lo, hi []byte) { return []byte{0}, []byte{prefixItemState} }
