package complaint

import (
	"encoding/hex"
	"fmt"
	"testing"
)

// TestValuesGoldenHex pins the stored bytes of a complaint and of its
// deadline's payload: an encoder change that moves one byte makes existing
// records unreadable.
func TestValuesGoldenHex(t *testing.T) {
	c := Complaint{Tracking: "T1", Created: 1_700_000_000_000, Code: "https://id.example.cn/01/09520123456788/21/ABC",
		Product: 7, Lot: 300, Producer: 1, Seller: 3, Region: 620102, Anonymous: true, Name: "李四", Phone: "13800000000",
		Text: "包装破损", Photos: [][32]byte{{0x11, 31: 0x22}}, RequestID: "r-1", State: 2, Due: 1_700_600_000_000,
		Changes: []Change{{State: 1, Time: 1_700_000_000_000, By: "consumer"}, {State: 2, Time: 1_700_000_100_000, By: "lz.chengguan", Note: "受理"}}}
	if got, want := hex.EncodeToString(c.AppendBinary(nil)), "0180a0abfef9622e68747470733a2f2f69642e6578616d706c652e636e2f30312f30393532303132333435363738382f32312f41424307ac020103c6ec250106e69d8ee59b9b0b31333830303030303030300ce58c85e8a385e7a0b4e68d9f01110000000000000000000000000000000000000000000000000000000000002203722d310280b8c5bafe62020180a0abfef96208636f6e73756d65720002c0bab7fef9620c6c7a2e6368656e676775616e06e58f97e79086"; got != want {
		t.Errorf("complaint encodes to\n%s, want\n%s", got, want)
	}
	if back, err := Decode("T1", c.AppendBinary(nil)); err != nil || fmt.Sprintf("%+v", back) != fmt.Sprintf("%+v", c) {
		t.Errorf("complaint decodes to %+v, %v", back, err)
	}
	if got, want := hex.EncodeToString(overduePayload(&c)), "c6ec2568747470733a2f2f69642e6578616d706c652e636e2f30312f30393532303132333435363738382f32312f414243"; got != want {
		t.Errorf("deadline payload encodes to\n%s, want\n%s", got, want)
	}
}
