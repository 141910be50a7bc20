package server

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

// TestFSMAExportRoute: the FSMA 204 spreadsheet of an organisation is
// given to its own key, a regulator of its region and the operator, and
// refused to another organisation and to a regulator elsewhere.
func TestFSMAExportRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	org := ""
	for _, o := range env.eng.Issuance().Orgs() {
		if strings.HasPrefix(o.Name, "兰州陇原") {
			org = fmt.Sprint(o.ID)
		}
	}
	if org == "" {
		t.Fatal("no Lanzhou producer in the demo")
	}
	path := "/v1/orgs/" + org + "/fsma204?from=2025-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"
	for _, c := range []struct {
		key    string
		status int
	}{
		{a, 200},
		{env.key("operator"), 200},
		{env.key("兰州市市场监管局"), 200},
		{env.key("甘肃省市场监管局"), 200},
		{env.key("天水麦积"), 403},
	} {
		r := env.api("GET", path, c.key, "")
		if r.status != c.status {
			t.Errorf("%.12s…: %d %s, want %d", c.key, r.status, r.body, c.status)
			continue
		}
		if c.status != 200 {
			continue
		}
		recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
		if err != nil || len(recs) < 2 || recs[0][0] != "Critical Tracking Event" || !strings.HasPrefix(r.h("Content-Type"), "text/csv") {
			t.Fatalf("spreadsheet: %v %d rows %q", err, len(recs), r.body)
		}
		ctes := map[string]bool{}
		for _, rec := range recs[1:] {
			ctes[rec[0]] = true
		}
		if !ctes["Shipping"] || !ctes["Receiving"] {
			t.Errorf("the demo's shipments are missing: %v", ctes)
		}
	}
	for _, q := range []string{"?from=2025-01-01T00:00:00Z", "?from=x&to=2027-01-01T00:00:00Z", "?from=2027-01-01T00:00:00Z&to=2025-01-01T00:00:00Z"} {
		if r := env.api("GET", "/v1/orgs/"+org+"/fsma204"+q, a, ""); r.status != 400 {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
}
