package store

import "encoding/binary"

// Prefixes of the regulator's public duties: the credit ledger and the
// complaints consumers file from the scan page, in the range 0xBA–0xBF of
// the per-item records. engine/credit and engine/complaint build the keys
// and encode the values; the byte diagrams are in docs/storage.md and in
// those packages' doc comments.
const (
	prefixCreditRecord   byte = 0xBA // 0xBA | seq u64          → credit.Record (hash-chained, signed)
	prefixCreditSigner   byte = 0xBB // 0xBB                    → the credit book's signing secret
	prefixComplaint      byte = 0xBC // 0xBC | tracking str     → complaint.Complaint
	prefixComplaintPhoto byte = 0xBD // 0xBD | sha256 [32]      → photo bytes (JPEG, PNG or WebP)
)

// CreditRecordKey returns the key of credit record seq.
func CreditRecordKey(seq uint64) []byte { return be64([]byte{prefixCreditRecord}, seq) }

// DecodeCreditRecordKey decodes a CreditRecord key.
func DecodeCreditRecordKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != prefixCreditRecord {
		return 0, &KeyError{Key: k, Want: "a credit key 0xBA|seq u64"}
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

// CreditSignerKey returns the key of the credit book's signing secret.
func CreditSignerKey() []byte { return []byte{prefixCreditSigner} }

// ComplaintKey returns the key of the complaint with tracking number
// tracking.
func ComplaintKey(tracking string) []byte { return append([]byte{prefixComplaint}, tracking...) }

// ComplaintPhotoKey returns the key of the complaint photo whose content
// hashes to sum (sha256).
func ComplaintPhotoKey(sum *[32]byte) []byte { return append([]byte{prefixComplaintPhoto}, sum[:]...) }

// DecodeComplaintKey decodes a Complaint key: its tracking number.
func DecodeComplaintKey(k []byte) (string, error) {
	if len(k) < 2 || k[0] != prefixComplaint {
		return "", &KeyError{Key: k, Want: "a complaint key 0xBC|tracking"}
	}
	return string(k[1:]), nil
}
