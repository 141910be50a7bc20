package stats

import (
	"encoding/hex"
	"testing"

	"tracecode/engine/model"
)

// TestRowGolden holds a StatCount row's stored bytes, as the format
// (docs/storage.md) fixes them: categories in order, each with its
// non-zero metrics in order. An encoder change must not alter them,
// since rows already stored are added to in place.
func TestRowGolden(t *testing.T) {
	var rc rowCounts
	*rc.of(model.CatDrug) = Counts{Scans: 300, Suspicious: 1}
	c := rc.of(model.CatFood)
	c[0], c[numMetrics-1] = 7, 1<<40
	golden(t, "stat row", appendRow(nil, rc), "01020202000727808080808020030210ac021101")
	golden(t, "empty stat row", appendRow(nil, nil), "0100")
}

// golden fails unless got is want (hex).
func golden(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("%s bytes changed:\n got %s\nwant %s", what, h, want)
	}
}
