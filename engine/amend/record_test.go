package amend

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/store"
)

func TestEntryRoundTrip(t *testing.T) {
	e := Entry{Kind: KindLot, ID: 7, Seq: 3, At: 1767225600000, By: "account:lz.clerk", Org: 2, Reason: "稳定性试验延长保质期",
		Changes: []Change{{"expiry", "2026-12-31", "2027-03-31"}, {"origin", "", "甘肃省兰州市"}}}
	k := store.AmendmentKey(uint8(e.Kind), e.ID, e.Seq)
	got, err := DecodeEntry(k, e.AppendBinary(nil))
	if err != nil || !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if _, err := DecodeEntry(k, append(e.AppendBinary(nil), 0)); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("trailing byte: %v", err)
	}
	if _, err := DecodeEntry(k[:9], e.AppendBinary(nil)); err == nil {
		t.Errorf("short key decoded")
	}
}

func TestDetailsRoundTrip(t *testing.T) {
	d := Details{Description: "一段\n0-6月龄", Images: []string{"https://img.example.cn/a.jpg"}, Quantity: 1200, Unit: "箱", Origin: "甘肃省兰州市"}
	got, err := DecodeDetails(d.AppendBinary(nil))
	if err != nil || !reflect.DeepEqual(got, d) {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if _, err := DecodeDetails([]byte{9}); err == nil {
		t.Errorf("unknown version: %v", err)
	}
}

// FuzzDecode: a stored amendment or details value never panics the
// decoder, and one that decodes encodes to bytes that decode to the same
// value (a varint may be stored overlong, so not always the same bytes).
func FuzzDecode(f *testing.F) {
	e := Entry{At: 1, By: "key:0000000000000011", Reason: "r", Changes: []Change{{"expiry", "2026-12-31", "2027-03-31"}}}
	d := Details{Description: "d", Images: []string{"https://a.example/x.png"}, Quantity: 3, Unit: "kg", Origin: "o"}
	f.Add(e.AppendBinary(nil))
	f.Add(d.AppendBinary(nil))
	f.Add([]byte{1, 0, 0, 0, 0, 0})
	k := store.AmendmentKey(uint8(KindProduct), 1, 1)
	f.Fuzz(func(t *testing.T, v []byte) {
		if e, err := DecodeEntry(k, v); err == nil {
			b := e.AppendBinary(nil)
			if e2, err := DecodeEntry(k, b); err != nil || !reflect.DeepEqual(e, e2) || !bytes.Equal(e2.AppendBinary(nil), b) {
				t.Errorf("entry %x → %+v → %x → %+v %v", v, e, b, e2, err)
			}
		}
		if d, err := DecodeDetails(v); err == nil {
			b := d.AppendBinary(nil)
			if d2, err := DecodeDetails(b); err != nil || !reflect.DeepEqual(d, d2) || !bytes.Equal(d2.AppendBinary(nil), b) {
				t.Errorf("details %x → %+v → %x → %+v %v", v, d, b, d2, err)
			}
		}
	})
}

func TestBy(t *testing.T) {
	for k, want := range map[apikey.Key]string{
		{Name: CommandLine, Scopes: apikey.ScopeAdmin}: "cli",
		{Name: "lz.clerk"}:         "account:lz.clerk",
		{ID: 0x11, Name: "line 3"}: "key:0000000000000011",
	} {
		if got := By(k); got != want {
			t.Errorf("By(%+v) = %q, want %q", k, got, want)
		}
	}
}
