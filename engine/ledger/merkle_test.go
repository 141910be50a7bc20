package ledger

import "testing"

// TestMerkleHashesMatchRFC6962: the ledger's leaf and node hashes are the
// RFC 6962 hasher's, byte for byte.
func TestMerkleHashesMatchRFC6962(t *testing.T) {
	for i := range 50 {
		var rh [32]byte
		for j := range rh {
			rh[j] = byte(i*31 + j*7)
		}
		if got, want := leafHash(rh), hasher.HashLeaf(rh[:]); string(got) != string(want) {
			t.Fatalf("leaf %d: %x, want %x", i, got, want)
		}
		l, r := hasher.HashLeaf(rh[:1]), hasher.HashLeaf(rh[1:])
		if got, want := hashChildren(l, r), hasher.HashChildren(l, r); string(got) != string(want) {
			t.Fatalf("node %d: %x, want %x", i, got, want)
		}
	}
}
