package sector

import (
	"encoding/hex"
	"testing"
	"time"

	"tracecode/engine/category"
)

// The stored bytes of the category records, as the format
// (docs/storage.md) fixes them: an encoder change must not alter them,
// since records already stored are read back with the same decoder.
// Fields are stored sorted by name, whatever the map's order.

func TestOrgGolden(t *testing.T) {
	o := Org{Org: 7, Media: []string{"O2", "液氯"}, Updated: 1772330400000}
	golden(t, "sector org", o.AppendBinary(nil), "0102024f3206e6b6b2e6b0af80e4fdf19467")
}

func TestProductProfileGolden(t *testing.T) {
	p := ProductProfile{Product: 3, Profile: "gas-cylinder", Fields: category.Record{"variety": "seamless", "maker": "兰州气瓶厂", "a": ""}, Updated: -5}
	golden(t, "sector product", p.AppendBinary(nil), "010c6761732d63796c696e64657203016100056d616b65720fe585b0e5b79ee6b094e793b6e58e820776617269657479087365616d6c65737309")
	p.Fields = nil
	golden(t, "sector product without fields", p.AppendBinary(nil), "010c6761732d63796c696e6465720009")
}

func TestItemGolden(t *testing.T) {
	it := Item{Key: CodeItem(3, 1<<40), Product: 300, Fields: category.Record{"reg_code": "162502000123", "maker": "甲"}, Org: 2, Updated: 1772330400000}
	golden(t, "sector item", it.AppendBinary(nil), "01ac0202056d616b657203e794b2087265675f636f64650c3136323530323030303132330280e4fdf19467")
}

func TestEventGolden(t *testing.T) {
	ev := Event{Item: LotItem(9), Seq: 77, Event: category.Event{Kind: "fill", Time: time.UnixMilli(1772330400000), Org: 200,
		Fields: category.Record{"station": "91620502MA71TX017D", "medium": "O2"}}}
	golden(t, "sector event", ev.AppendBinary(nil), "010466696c6c80e4fdf19467c80102066d656469756d024f320773746174696f6e1239313632303530324d413731545830313744")
}

// golden fails unless got is want (hex).
func golden(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("%s bytes changed:\n got %s\nwant %s", what, h, want)
	}
}
