package store

import "encoding/binary"

// Prefixes of people's accounts, their sessions and the audit log, in the
// server range 0xC0–0xEF. Package engine/account builds the keys and
// encodes the values; the byte diagrams are in docs/storage.md §11 and in
// that package's doc comments.
const (
	prefixAccount        byte = 0xD0 // 0xD0 | account id u32           → account.Account
	prefixAccountByLogin byte = 0xD1 // 0xD1 | login name              → Uint(account id)
	prefixSession        byte = 0xD2 // 0xD2 | sha256(session id) [32] → account.Session
	prefixAudit          byte = 0xD3 // 0xD3 | seq u64                 → account.AuditEntry
)

// AccountKey returns the key of account id.
func AccountKey(id uint32) []byte { return be32([]byte{prefixAccount}, id) }

// DecodeAccountKey decodes an Account key.
func DecodeAccountKey(k []byte) (uint32, error) {
	if len(k) != 5 || k[0] != prefixAccount {
		return 0, &KeyError{Key: k, Want: "an account key 0xD0|u32"}
	}
	return binary.BigEndian.Uint32(k[1:]), nil
}

// AccountByLoginKey returns the index key of login name login.
func AccountByLoginKey(login string) []byte { return append([]byte{prefixAccountByLogin}, login...) }

// SessionKey returns the key of the session whose id hashes to sum
// (sha256).
func SessionKey(sum *[32]byte) []byte { return append([]byte{prefixSession}, sum[:]...) }

// AuditKey returns the key of audit entry seq.
func AuditKey(seq uint64) []byte { return be64([]byte{prefixAudit}, seq) }

// DecodeAuditKey decodes an Audit key.
func DecodeAuditKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != prefixAudit {
		return 0, &KeyError{Key: k, Want: "an audit key 0xD3|u64"}
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}
