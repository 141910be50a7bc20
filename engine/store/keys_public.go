package store

// Prefixes of the regulator's public duties: the credit ledger and the
// complaints consumers file from the scan page, in the range 0xBA–0xBF of
// the per-item records. engine/credit and engine/complaint build the keys
// and encode the values; the byte diagrams are in docs/storage.md and in
// those packages' doc comments.
const (
	PrefixCreditRecord   byte = 0xBA // 0xBA | seq u64          → credit.Record (hash-chained, signed)
	PrefixCreditSigner   byte = 0xBB // 0xBB                    → the credit book's signing secret
	PrefixComplaint      byte = 0xBC // 0xBC | tracking str     → complaint.Complaint
	PrefixComplaintPhoto byte = 0xBD // 0xBD | sha256 [32]      → photo bytes (JPEG, PNG or WebP)
)
