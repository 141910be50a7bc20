package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tracecode/engine/demo"
)

// openStatRow finds the statistics rows of region, category and metric in
// the month of the demo's seed companies.
func openStatRows(t *testing.T, body []byte) (head []string, rows map[string][]string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("statistics CSV: %v (%d records)", err, len(recs))
	}
	head = recs[0]
	month := demo.LastMonthDay(time.Now()).Format("2006-01")
	rows = map[string][]string{}
	for _, r := range recs[1:] {
		if r[0] == month {
			rows[r[1]+" "+r[6]+" "+r[7]] = r
		}
	}
	return head, rows
}

// TestOpenData: the demo's statistics as CSV and JSON — Ganzhou District's
// seed printing (three companies) published, its seed shipments (two)
// suppressed — with the dictionary, licence, validators and the other
// data sets.
func TestOpenData(t *testing.T) {
	env := newTestEnv(t, nil)
	res := env.get("/open/statistics.csv")
	if res.status != 200 || !strings.HasPrefix(res.h("Content-Type"), "text/csv") {
		t.Fatalf("statistics.csv: %d %s %s", res.status, res.h("Content-Type"), res.body)
	}
	if cd := res.h("Content-Disposition"); !strings.Contains(cd, `filename="tracecode-statistics-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if bytes.HasPrefix(res.body, []byte("\xef\xbb\xbf")) {
		t.Error("the CSV starts with a BOM")
	}
	head, rows := openStatRows(t, res.body)
	if strings.Join(head, ",") != "month,region,region_name,region_name_en,level,parent_region,category,metric,value,suppressed" {
		t.Errorf("header %v", head)
	}
	shown, hidden := rows["620702 seed commissioned"], rows["620702 seed shipped"]
	if shown == nil || shown[8] != "75" || shown[9] != "" || shown[4] != "county" || shown[5] != "620700" {
		t.Errorf("Ganzhou seed commissioned: %v", shown)
	}
	if hidden == nil || hidden[8] != "" || hidden[9] != "few-enterprises" {
		t.Errorf("Ganzhou seed shipped: %v", hidden)
	}
	// Whatever is suppressed has no value, and every shown value has one.
	for k, r := range rows {
		if (r[9] == "") == (r[8] == "") {
			t.Errorf("%s: value %q suppressed %q", k, r[8], r[9])
		}
	}
	// Validators: the same ETag answers 304.
	if etag := res.h("ETag"); etag == "" || res.h("Last-Modified") == "" {
		t.Errorf("validators: ETag %q Last-Modified %q", etag, res.h("Last-Modified"))
	} else if again := env.get("/open/statistics.csv", "If-None-Match", etag); again.status != 304 || len(again.body) != 0 {
		t.Errorf("If-None-Match: %d, %d bytes", again.status, len(again.body))
	}

	js := env.get("/open/statistics.json")
	var doc struct {
		Licence    string `json:"licence"`
		Dictionary string `json:"dictionary"`
		Records    []struct {
			Month      string  `json:"month"`
			Region     string  `json:"region"`
			Category   string  `json:"category"`
			Metric     string  `json:"metric"`
			Value      *uint64 `json:"value"`
			Suppressed *string `json:"suppressed"`
		} `json:"records"`
	}
	if err := json.Unmarshal(js.body, &doc); err != nil {
		t.Fatalf("statistics.json: %v %s", err, js.body)
	}
	if doc.Licence != "CC-BY-4.0" || !strings.HasSuffix(doc.Dictionary, "/open/statistics.dictionary.json") {
		t.Errorf("licence %q dictionary %q", doc.Licence, doc.Dictionary)
	}
	month := demo.LastMonthDay(time.Now()).Format("2006-01")
	found := 0
	for _, r := range doc.Records {
		if r.Month != month || r.Region != "620702" || r.Category != "seed" {
			continue
		}
		switch r.Metric {
		case "shipped":
			found++
			if r.Value != nil || r.Suppressed == nil || *r.Suppressed != "few-enterprises" {
				t.Errorf("JSON shipped: %v %v", r.Value, r.Suppressed)
			}
		case "commissioned":
			found++
			if r.Value == nil || *r.Value != 75 || r.Suppressed != nil {
				t.Errorf("JSON commissioned: %v %v", r.Value, r.Suppressed)
			}
		}
	}
	if found != 2 {
		t.Errorf("JSON has %d of the two Ganzhou seed rows", found)
	}
	dict := env.get("/open/statistics.dictionary.json")
	if dict.status != 200 || !bytes.Contains(dict.body, []byte(`"name":"suppressed"`)) {
		t.Errorf("dictionary: %d %s", dict.status, dict.body)
	}
	for _, p := range []string{"/open/recalls.csv", "/open/spotchecks.csv", "/open/blacklist.csv", "/open/recalls.json", "/open/catalog.json"} {
		if r := env.get(p); r.status != 200 || len(r.body) < 20 {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	if bl := env.get("/open/blacklist.csv"); !bytes.Contains(bl.body, []byte("瘦肉精")) || bytes.Contains(bl.body, []byte("无法联系")) {
		t.Errorf("the blacklist lists the serious violation only: %s", bl.body)
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{"/open/statistics.csv?from=2026-13", 400},
		{"/open/statistics.csv?from=2020-01&to=2026-01", 400},
		{"/open/nothing.csv", 404},
		{"/open/statistics.xml", 404},
		{"/open", 301},
	} {
		if r := env.get(c.path); r.status != c.want {
			t.Errorf("%s: %d, want %d", c.path, r.status, c.want)
		}
	}
	for _, lang := range []string{"zh", "en"} {
		page := env.get("/open/?lang=" + lang)
		if page.status != 200 || !bytes.Contains(page.body, []byte(`href="/open/statistics.csv"`)) || !bytes.Contains(page.body, []byte("CC-BY-4.0")) {
			t.Errorf("/open/ in %s: %d", lang, page.status)
		}
	}
	if r := env.do("POST", "/open/statistics.csv", nil); r.status != 405 {
		t.Errorf("POST: %d", r.status)
	}
}
