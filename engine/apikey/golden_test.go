package apikey

import (
	"encoding/hex"
	"testing"
)

// TestKeyGoldenHex pins the stored bytes of an API key: an encoder change
// that moves one byte makes every existing key unreadable.
func TestKeyGoldenHex(t *testing.T) {
	k := Key{ID: 0x0102030405060708, Org: 3, Scopes: ScopeMint | ScopeReport, Region: 330100, Name: "产线 3",
		Created: 1_700_000_000_000, Revoked: 1_700_000_360_000, hash: [32]byte{0xab, 31: 0xcd}}
	const want = "0180a0abfef9628099d7fef9620303f49214ab000000000000000000000000000000000000000000000000000000000000cd08e4baa7e7babf2033"
	got := hex.EncodeToString(k.appendBinary(nil))
	if got != want {
		t.Fatalf("API key encodes to\n%s, want\n%s", got, want)
	}
	b, _ := hex.DecodeString(want)
	if back, err := decodeAPIKey(k.ID, b); err != nil || back != k {
		t.Fatalf("decodes to %+v, %v", back, err)
	}
}
