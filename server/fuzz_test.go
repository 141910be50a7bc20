package server

import (
	"strings"
	"testing"

	"tracecode/engine/code/digitallink"
)

// FuzzParseGTINPath checks the hand parser of /01/… paths: it never
// panics, and whatever it accepts the reference Digital Link parser
// accepts too, with the same GTIN, lot and serial.
func FuzzParseGTINPath(f *testing.F) {
	for _, s := range []string{
		"/01/09520123456788/10/ABC1/21/12345",
		"/01/12312312312333/22/TEST/10/ABC/21/XYZ",
		"/01/09520123456788",
		"/01/09520123456788/10/AB%2FC",
		"/01/09520123456788/21/12345/10/ABC123",
		"/01/09520123456789",
		"/01/06901234000115/10/F20261019/21/AGH8L5826AKZK/",
		"/01/09520123456788/21/%00",
		"/01/09520123456788/21/A%2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if !strings.HasPrefix(path, "/01/") {
			return
		}
		var r publicReq
		if err := r.parseGTINPath([]byte(path)); err != nil {
			return
		}
		p := strings.TrimSuffix(path, "/")
		dl, err := digitallink.Parse("https://r" + p)
		if err != nil {
			t.Fatalf("hand parser accepts %q, Digital Link parser does not: %v", path, err)
		}
		if dl.Key.Value != r.gtin.String() {
			t.Fatalf("%q: GTIN %s vs %s", path, r.gtin, dl.Key.Value)
		}
		for _, q := range dl.Qualifiers {
			var got []byte
			switch q.AI {
			case "10":
				got = r.lot
			case "21":
				got = r.serial
			case "22":
				got = r.cpv
			}
			if string(got) != q.Value {
				t.Fatalf("%q: AI %s %q vs %q", path, q.AI, got, q.Value)
			}
		}
	})
}
