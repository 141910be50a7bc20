package store

// Prefixes of the server's records: API keys and the scan log, in the
// range 0xC0–0xEF. Package engine builds the keys and encodes the values
// (engine/apikey, engine/scanlog); the byte diagrams are in
// docs/storage.md and in those files' doc comments.
const (
	PrefixScanStats byte = 0xC0 // 0xC0 | product u32 | counter u64          → engine.ScanStats
	PrefixScanRaw   byte = 0xC1 // 0xC1 | unix ms u64 | seq u32               → segment of engine.Scan
	PrefixAPIKey    byte = 0xC8 // 0xC8 | key id u64                          → engine.APIKey
)
