package sector

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"tracecode/engine/category"
	_ "tracecode/engine/category/all"
	"tracecode/engine/store"
)

// TestCodecRoundTrip: every value decodes to what was encoded, keys
// included; a damaged value or key is store.ErrCorrupt.
func TestCodecRoundTrip(t *testing.T) {
	o := Org{Org: 7, Media: []string{"O2", "N2"}, Updated: 1700000000000}
	if got, err := DecodeOrg(OrgKey(7), o.AppendBinary(nil)); err != nil || !reflect.DeepEqual(got, o) {
		t.Fatalf("org: %+v %v", got, err)
	}
	p := ProductProfile{Product: 3, Profile: "gas-cylinder", Fields: category.Record{"variety": "seamless", "maker": "兰州气瓶厂"}, Updated: -5}
	if got, err := DecodeProduct(ProductKey(3), p.AppendBinary(nil)); err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("product: %+v %v", got, err)
	}
	for _, k := range []ItemKey{CodeItem(3, 1<<40), LotItem(9)} {
		it := Item{Key: k, Product: 3, Fields: category.Record{"reg_code": "162502000123"}, Org: 2, Updated: 99}
		if got, err := DecodeItem(ItemRecordKey(k), it.AppendBinary(nil)); err != nil || !reflect.DeepEqual(got, it) {
			t.Fatalf("item %v: %+v %v", k, got, err)
		}
		ev := Event{Item: k, Seq: 77, Event: category.Event{Kind: "fill", Time: time.UnixMilli(1772330400000), Org: 2,
			Fields: category.Record{"station": "91620502MA71TX017D"}}}
		got, err := DecodeEvent(EventKey(k, 77), ev.AppendBinary(nil))
		if err != nil || got.Item != k || got.Seq != 77 || got.Event.Kind != "fill" || !got.Event.Time.Equal(ev.Event.Time) ||
			!reflect.DeepEqual(got.Event.Fields, ev.Event.Fields) {
			t.Fatalf("event %v: %+v %v", k, got, err)
		}
	}
	v := p.AppendBinary(nil)
	if _, err := DecodeProduct(ProductKey(3), v[:len(v)-1]); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("truncated product: %v", err)
	}
	if _, err := DecodeItem(store.SectorItemKey([]byte{3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}), nil); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("item key of kind 3: %v", err)
	}
	if _, err := DecodeItem(ItemRecordKey(LotItem(9))[:13], nil); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("short item key: %v", err)
	}
}

// TestHashPrivate: private fields are stored as their SHA-256, once.
func TestHashPrivate(t *testing.T) {
	specs := []category.FieldSpec{category.Private(category.F("buyer_id", "购买人身份证号", "buyer identity number", category.KindText, false)),
		category.F("buyer_name", "购买人", "buyer", category.KindText, false)}
	r := category.Record{"buyer_id": "620102199001011234", "buyer_name": "王五"}
	h := HashPrivate(specs, r)
	if !strings.HasPrefix(h["buyer_id"], "sha256:") || strings.Contains(h["buyer_id"], "620102199001011234") || h["buyer_name"] != "王五" {
		t.Fatalf("hashed: %v", h)
	}
	if r["buyer_id"] != "620102199001011234" {
		t.Fatal("HashPrivate changed its argument")
	}
	if again := HashPrivate(specs, h); !reflect.DeepEqual(again, h) {
		t.Fatalf("hashed twice: %v", again)
	}
}

// FuzzDecode: the decoders take arbitrary keys and values without
// panicking, and what they accept encodes back to the same record.
func FuzzDecode(f *testing.F) {
	p := ProductProfile{Product: 3, Profile: "pesticide", Fields: category.Record{"holder": "x"}}
	f.Add(byte(0), ProductKey(3), p.AppendBinary(nil))
	it := Item{Key: LotItem(2), Product: 3, Fields: category.Record{"a": "b"}}
	f.Add(byte(1), ItemRecordKey(it.Key), it.AppendBinary(nil))
	ev := Event{Item: CodeItem(1, 2), Seq: 3, Event: category.Event{Kind: "fill", Time: time.UnixMilli(5)}}
	f.Add(byte(2), EventKey(ev.Item, 3), ev.AppendBinary(nil))
	o := Org{Org: 1, Media: []string{"O2"}}
	f.Add(byte(3), OrgKey(1), o.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, which byte, k, v []byte) {
		// What a decoder accepts encodes to a value that decodes to the
		// same record (varints need not be minimal, so not always to the
		// same bytes).
		same := func(x any, err error, decode func([]byte) (any, error), enc []byte) {
			if err != nil {
				return
			}
			y, err := decode(enc)
			if err != nil || !reflect.DeepEqual(x, y) {
				t.Fatalf("decoded %+v from %x; its encoding %x decodes to %+v, %v", x, v, enc, y, err)
			}
		}
		switch which % 4 {
		case 0:
			x, err := DecodeProduct(k, v)
			same(x, err, func(b []byte) (any, error) { return DecodeProduct(k, b) }, x.AppendBinary(nil))
		case 1:
			x, err := DecodeItem(k, v)
			same(x, err, func(b []byte) (any, error) { return DecodeItem(k, b) }, x.AppendBinary(nil))
		case 2:
			x, err := DecodeEvent(k, v)
			same(x, err, func(b []byte) (any, error) { return DecodeEvent(k, b) }, x.AppendBinary(nil))
		case 3:
			x, err := DecodeOrg(k, v)
			same(x, err, func(b []byte) (any, error) { return DecodeOrg(k, b) }, x.AppendBinary(nil))
		}
	})
}
