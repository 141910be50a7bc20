package epcisq

import (
	"encoding/hex"
	"reflect"
	"testing"

	"tracecode/engine/store"
)

// goldenNamedHex is a named query's stored value (docs/storage.md): an
// encoder change must not alter it, since stored queries are read back
// with this layout.
const goldenNamedHex = "0180e4fdf19467066b65793a6131030a45515f62697a53746570087368697070696e670c" +
	"47455f6576656e7454696d6519323032362d30332d30315430303a30303a30302b30383a" +
	"3030077065725061676500"

func TestNamedQueryGolden(t *testing.T) {
	n := NamedQuery{Owner: "org:3", Name: "shipped-march", Created: 1772330400000, Creator: "key:a1",
		Params: []Param{{Name: "EQ_bizStep", Value: "shipping"}, {Name: "GE_eventTime", Value: "2026-03-01T00:00:00+08:00"}, {Name: "perPage", Value: ""}}}
	v := n.appendValue(nil)
	if got := hex.EncodeToString(v); got != goldenNamedHex {
		t.Fatalf("named query bytes changed:\n got %s\nwant %s", got, goldenNamedHex)
	}
	back, err := decodeNamed(store.NamedQueryKey(n.Owner, n.Name), v)
	if err != nil || !reflect.DeepEqual(back, n) {
		t.Fatalf("decodeNamed = %+v, %v; want %+v", back, err, n)
	}
}
