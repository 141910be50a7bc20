package store

import "encoding/binary"

// Prefixes of the server's records: API keys and the scan log, in the
// range 0xC0–0xEF. Package engine builds the keys and encodes the values
// (engine/apikey, engine/scanlog); the byte diagrams are in
// docs/storage.md and in those files' doc comments.
const (
	prefixScanStats byte = 0xC0 // 0xC0 | product u32 | counter u64          → scanlog.Stats
	prefixScanRaw   byte = 0xC1 // 0xC1 | unix ms u64 | seq u32               → segment of scanlog.Scan
	prefixScanMerge byte = 0xC2 // 0xC2 (one key)                               → Uint(scans stream seq)
	prefixAPIKey    byte = 0xC8 // 0xC8 | key id u64                          → apikey.Key
)

// AppendScanStatsKey appends the key of the scan counts of code (product,
// counter) (product 0: an SSCC).
func AppendScanStatsKey(dst []byte, product uint32, counter uint64) []byte {
	return be64(be32(append(dst, prefixScanStats), product), counter)
}

// DecodeScanStatsKey decodes a ScanStats key.
func DecodeScanStatsKey(k []byte) (product uint32, counter uint64, err error) {
	if len(k) != 13 || k[0] != prefixScanStats {
		return 0, 0, &KeyError{Key: k, Want: "a scan stats key 0xC0|u32|u64"}
	}
	return binary.BigEndian.Uint32(k[1:]), binary.BigEndian.Uint64(k[5:]), nil
}

// AppendScanRawKey appends the key of the raw scan segment whose first
// scan is at ms (unix ms), numbered seq.
func AppendScanRawKey(dst []byte, ms int64, seq uint32) []byte {
	return be32(be64(append(dst, prefixScanRaw), uint64(ms)), seq)
}

// ScanRawBetween returns [lo, hi) over the raw scan segments starting in
// [from, to) unix ms.
func ScanRawBetween(from, to int64) (lo, hi []byte) {
	return be64([]byte{prefixScanRaw}, uint64(from)), be64([]byte{prefixScanRaw}, uint64(to))
}

// DecodeScanRawKey decodes a ScanRaw key.
func DecodeScanRawKey(k []byte) (ms int64, seq uint32, err error) {
	if len(k) != 13 || k[0] != prefixScanRaw {
		return 0, 0, &KeyError{Key: k, Want: "a scan segment key 0xC1|u64|u32"}
	}
	return int64(binary.BigEndian.Uint64(k[1:])), binary.BigEndian.Uint32(k[9:]), nil
}

// ScanMergeKey returns the one key of the scans-stream position: the
// sequence of the last message of other nodes' scans (the replicas',
// docs/replication.md) the stored scan counts include. It is written in
// the same batch as those counts.
func ScanMergeKey() []byte { return []byte{prefixScanMerge} }

// APIKeyKey returns the key of API key id.
func APIKeyKey(id uint64) []byte { return be64([]byte{prefixAPIKey}, id) }

// DecodeAPIKeyKey decodes an APIKey key.
func DecodeAPIKeyKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != prefixAPIKey {
		return 0, &KeyError{Key: k, Want: "an API key key 0xC8|u64"}
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}
