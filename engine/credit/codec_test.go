package credit

import (
	"encoding/hex"
	"errors"
	"testing"

	"tracecode/engine/store"
)

// goldenRecord is a credit record with every field set, so that each one
// shows in its stored bytes.
func goldenRecord() Record {
	r := Record{Seq: 7, Type: TypeDecision, USCC: usccA, Org: 3, Region: 620102001, Time: 1772330400000,
		Kind: SeriousViolation, Gravity: Special, Doc: "兰市监罚〔2026〕12号", SummaryZH: "销售过期食品", SummaryEN: "sold expired food",
		PublishFrom: 1772330400001, RepairFrom: -5, Expiry: 1803866400000, Target: 6, Approved: true,
		Note: "整改完成", By: "key:00000000000000a1", ByRegion: 620100, RequestID: "req-1"}
	for i := range r.Prev {
		r.Prev[i] = byte(i)
		r.PubKey[i] = byte(0x40 + i)
	}
	for i := range r.Sig {
		r.Sig[i] = byte(0x80 + i)
	}
	return r
}

// goldenRecordHex is goldenRecord's stored value, as the format
// (docs/storage.md) fixes it: an encoder change must not alter it, since
// records already stored are hashed and signed over these bytes.
const goldenRecordHex = "01031239313632303130324d4137314c593031364503f182d8a70280e4fdf194670303" +
	"1be585b0e5b882e79b91e7bd9ae3809432303236e380953132e58fb712e99480e594ae" +
	"e8bf87e69c9fe9a39fe5938111736f6c64206578706972656420666f6f6482e4fdf194" +
	"6709809487edff6806010ce695b4e694b9e5ae8ce68890146b65793a30303030303030" +
	"303030303030306131c4ec25057265712d31000102030405060708090a0b0c0d0e0f10" +
	"1112131415161718191a1b1c1d1e1f404142434445464748494a4b4c4d4e4f50515253" +
	"5455565758595a5b5c5d5e5f808182838485868788898a8b8c8d8e8f90919293949596" +
	"9798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9" +
	"babbbcbdbebf"

// TestRecordGolden holds a credit record's stored bytes to the format.
func TestRecordGolden(t *testing.T) {
	r := goldenRecord()
	got := hex.EncodeToString(r.AppendBinary(nil))
	if got != goldenRecordHex {
		t.Fatalf("credit record bytes changed:\n got %s\nwant %s", got, goldenRecordHex)
	}
	back, err := Decode(r.Seq, r.AppendBinary(nil))
	if err != nil {
		t.Fatal(err)
	}
	back.Hash = [32]byte{}
	if back != r {
		t.Fatalf("decoded %+v, want %+v", back, r)
	}
}

// TestSignerGolden holds the credit signer's stored bytes to the format:
// version 1, then the 32-byte secret.
func TestSignerGolden(t *testing.T) {
	var s [32]byte
	for i := range s {
		s[i] = byte(0xa0 + i)
	}
	got := hex.EncodeToString(appendSigner(nil, s))
	want := "01a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	if got != want {
		t.Fatalf("credit signer bytes changed:\n got %s\nwant %s", got, want)
	}
	back, err := decodeSigner(appendSigner(nil, s))
	if err != nil || back != s {
		t.Fatalf("decodeSigner = %x, %v; want %x", back, err, s)
	}
	for _, bad := range []string{"", "02" + want[2:], want + "00", want[:64]} {
		v, _ := hex.DecodeString(bad)
		if _, err := decodeSigner(v); !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrVersion) {
			t.Errorf("decodeSigner(%q) = %v, want a corrupt or version error", bad, err)
		}
	}
}
