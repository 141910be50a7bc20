package outbox

import (
	"encoding/hex"
	"fmt"
	"testing"
)

// TestValuesGoldenHex pins the stored bytes of a notification and an
// endpoint: an encoder change that moves one byte makes existing records
// unreadable.
func TestValuesGoldenHex(t *testing.T) {
	n := Notification{ID: 7, Source: 1, SourceID: 300, Channel: Webhook, Org: 3, Region: 620100,
		Target: "https://example.cn/hook", Payload: []byte(`{"recall":4}`), Created: 1_700_000_000_000, State: Pending,
		Attempts: 2, NextTry: 1_700_000_060_000, LastError: "503 Service Unavailable", Delivered: 0}
	e := Endpoint{Name: "张三", Phone: "13800000000", Email: "ops@example.cn", Webhook: "https://example.cn/hook",
		Secret: "0123456789abcdef", Updated: 1_700_000_000_000}
	if got, want := hex.EncodeToString(n.AppendBinary(nil)), "0101ac020103c4ec251768747470733a2f2f6578616d706c652e636e2f686f6f6b0c7b22726563616c6c223a347d80a0abfef9620102c0c9b2fef96217353033205365727669636520556e617661696c61626c6500"; got != want {
		t.Errorf("notification encodes to\n%s, want\n%s", got, want)
	}
	if back, err := Decode(7, n.AppendBinary(nil)); err != nil || fmt.Sprintf("%+v", back) != fmt.Sprintf("%+v", n) {
		t.Errorf("notification decodes to %+v, %v", back, err)
	}
	if got, want := hex.EncodeToString(e.AppendBinary(nil)), "0106e5bca0e4b8890b31333830303030303030300e6f7073406578616d706c652e636e1768747470733a2f2f6578616d706c652e636e2f686f6f6b103031323334353637383961626364656680a0abfef962"; got != want {
		t.Errorf("endpoint encodes to\n%s, want\n%s", got, want)
	}
	if back, err := DecodeEndpoint(e.AppendBinary(nil)); err != nil || back != e {
		t.Errorf("endpoint decodes to %+v, %v", back, err)
	}
}
