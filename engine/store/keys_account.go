package store

// Prefixes of people's accounts, their sessions and the audit log, in the
// server range 0xC0–0xEF. Package engine/account builds the keys and
// encodes the values; the byte diagrams are in docs/storage.md §11 and in
// that package's doc comments.
const (
	PrefixAccount        byte = 0xD0 // 0xD0 | account id u32           → account.Account
	PrefixAccountByLogin byte = 0xD1 // 0xD1 | login name              → Uint(account id)
	PrefixSession        byte = 0xD2 // 0xD2 | sha256(session id) [32] → account.Session
	PrefixAudit          byte = 0xD3 // 0xD3 | seq u64                 → account.AuditEntry
)
