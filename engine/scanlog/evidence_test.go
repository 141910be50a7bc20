package scanlog

import (
	"bytes"
	"testing"
)

// FuzzDecodeScanStats: decoding a stored scan-stats value never panics,
// and whatever decodes re-encodes (as version 2) to bytes that decode to
// the same stats and encode to the same bytes again.
func FuzzDecodeScanStats(f *testing.F) {
	st := Stats{Count: 9, First: 1, Last: 5, NRegion: 1, Regions: [MaxRegions]uint32{330100}, NClient: 2,
		Clients: [MaxClients]uint32{ClientOf([]byte{1, 2, 3, 4}, ClientWeChat), ClientOf([]byte{5}, ClientApp)},
		Review:  Review{Verdict: VerdictCleared, Time: 7, Key: 3, Reason: "checked"}}
	f.Add(st.appendBinary(nil))
	f.Add([]byte{1, 5, 2, 4, 1, 0x90, 0x92, 0x14})
	f.Add([]byte{2, 1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeScanStats(b)
		if err != nil {
			return
		}
		enc := st.appendBinary(nil)
		again, err := decodeScanStats(enc)
		if err != nil || again != st {
			t.Fatalf("%x decodes to %+v, re-encoded %x decodes to %+v, %v", b, st, enc, again, err)
		}
		if enc2 := again.appendBinary(nil); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable: %x vs %x", enc, enc2)
		}
	})
}
