package store

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

// TestKeySpaces: keyspace.go declares one KeySpace per registered prefix,
// and a KeySpace bounds exactly its family's keys.
func TestKeySpaces(t *testing.T) {
	src, err := os.ReadFile("keyspace.go")
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, m := range regexp.MustCompile(`= KeySpace\{prefix(\w+)\}`).FindAllStringSubmatch(string(src), -1) {
		declared[m[1]] = true
	}
	for _, p := range Prefixes {
		if !declared[p.Name] {
			t.Errorf("no KeySpace for %s (0x%02x)", p.Name, p.Prefix)
		}
	}
	if len(declared) != len(Prefixes) {
		t.Errorf("%d key spaces for %d registered prefixes", len(declared), len(Prefixes))
	}
	k := AppendCustodyKey(nil, 7, 100)
	lo, hi := CustodyKeys.Bounds()
	if bytes.Compare(lo, k) > 0 || bytes.Compare(k, hi) >= 0 || !CustodyKeys.Has(k) || AssociationKeys.Has(k) {
		t.Errorf("custody key %x outside [%x, %x)", k, lo, hi)
	}
	if ks, ok := KeySpaceOf(k); !ok || ks != CustodyKeys || ks.Name() != "Custody" {
		t.Errorf("KeySpaceOf(%x) = %v %v", k, ks, ok)
	}
	if _, ok := KeySpaceOf([]byte{0xF1}); ok {
		t.Error("KeySpaceOf found a family for an unregistered prefix")
	}
	lo, hi = AggregationBounds()
	for _, k := range [][]byte{AppendChildParentKey(nil, 1, 2), AppendParentHistoryKey(nil, 1, 2, 3)} {
		if bytes.Compare(lo, k) > 0 || bytes.Compare(k, hi) >= 0 {
			t.Errorf("aggregation key %x outside [%x, %x)", k, lo, hi)
		}
	}
	if k := AppendCustodyKey(nil, 1, 2); bytes.Compare(k, lo) >= 0 && bytes.Compare(k, hi) < 0 {
		t.Errorf("custody key %x inside the aggregation bounds", k)
	}
	lo, hi = AlertDueBefore(1000)
	if due := AlertDueKey(999, "r", nil); bytes.Compare(due, hi) >= 0 || bytes.Compare(due, lo) < 0 {
		t.Errorf("entry due at 999 outside AlertDueBefore(1000)")
	}
	if due := AlertDueKey(1000, "", nil); bytes.Compare(due, hi) < 0 {
		t.Errorf("entry due at 1000 inside AlertDueBefore(1000)")
	}
}
