package amend

import (
	"encoding/hex"
	"testing"

	"tracecode/engine/store"
)

// The stored bytes of an amendment and of details, as docs/storage.md
// fixes them: an encoder change must not alter them, since stored
// records are read back with the same decoder.

func TestEntryGolden(t *testing.T) {
	e := Entry{At: 1772330400000, By: "account:lz", Org: 3, Reason: "延长",
		Changes: []Change{{"expiry", "2026-12-31", "2027-03-31"}}}
	golden(t, "amendment", e.AppendBinary(nil), "0180e4fdf194670a6163636f756e743a6c7a0306e5bbb6e995bf0106657870697279"+
		"0a323032362d31322d33310a323032372d30332d3331")
	golden(t, "amendment key", store.AmendmentKey(uint8(KindLot), 9, 2), "27020000000900000002")
}

func TestDetailsGolden(t *testing.T) {
	d := Details{Description: "d", Images: []string{"https://a.cn/x"}, Quantity: 300, Unit: "箱", Origin: "兰州"}
	golden(t, "details", d.AppendBinary(nil), "010164010e68747470733a2f2f612e636e2f78ac0203e7aeb106e585b0e5b79e")
	golden(t, "details key", store.DetailsKey(uint8(KindProduct), 9), "280100000009")
}

// golden fails unless got is want (hex).
func golden(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("%s bytes changed:\n got %s\nwant %s", what, h, want)
	}
}
