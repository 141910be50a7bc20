package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/amend"
	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
)

// scannedLot returns the lot of the demo code described by what and the
// scan's JSON lot member.
func scannedLot(t *testing.T, env *testEnv, what string) (model.Lot, map[string]any) {
	t.Helper()
	m := decodeJSON(t, env.get(env.url(what), "Accept", "application/json"))
	prod, _ := m["product"].(map[string]any)
	lot, _ := m["lot"].(map[string]any)
	g, err := gs1.ParseGTIN(fmt.Sprint(prod["gtin"]))
	if err != nil {
		t.Fatalf("scan of %s: %v %v", what, m, err)
	}
	p, err := env.eng.Issuance().ProductByGTIN(g)
	if err != nil {
		t.Fatal(err)
	}
	l, err := env.eng.Issuance().LotByNumber(p.ID, fmt.Sprint(lot["number"]))
	if err != nil {
		t.Fatal(err)
	}
	return l, lot
}

// TestEditLotRoute: the producer changes a sold lot's expiry date with a
// reason, and the scan page's JSON shows the new date at once; the trail
// is read by the producer and the regulators of its region, not by
// another organisation or another region's regulator; another
// organisation and a regulator may not change the lot (403); a date
// change without a reason and a malformed date are 400 naming the field;
// nothing is written by a refused change.
func TestEditLotRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	lz, ts, city, op := env.key("兰州陇原"), env.key("天水麦积"), env.key("兰州市市场监管"), env.key("operator")
	chengguan, station := env.key("城关区"), env.key("酒泉路")
	const what = "infant formula, shipped and sold"
	lot, before := scannedLot(t, env, what)
	if before["expiry"] == nil {
		t.Fatalf("the demo lot has no expiry: %v", before)
	}
	uri := fmt.Sprintf("/v1/lots/%d", lot.ID)
	for _, c := range []struct {
		key, body string
		status    int
		has       string
	}{
		{ts, `{"expiry":"2030-01-31","reason":"x"}`, 403, "organisation"},
		{city, `{"expiry":"2030-01-31","reason":"x"}`, 403, ""},
		{lz, `{"expiry":"2030-01-31"}`, 400, "reason"},
		{lz, `{"expiry":"2030-02-31","reason":"x"}`, 400, "expiry"},
		{lz, `{"produced":"2031-01-01","reason":"x"}`, 400, "before the production date"},
		{lz, `{"expiry":"2030-01-31","reason":"x","number":"F1"}`, 400, "number"},
		{lz, `{"origin":"` + strings.Repeat("兰", 101) + `"}`, 400, "origin"},
	} {
		res := env.api("PATCH", uri, c.key, c.body)
		if res.status != c.status || !strings.Contains(string(res.body), c.has) {
			t.Errorf("PATCH %s: %d %s; want %d naming %q", c.body, res.status, res.body, c.status, c.has)
		}
	}
	if _, after := scannedLot(t, env, what); after["expiry"] != before["expiry"] {
		t.Fatalf("a refused change moved the expiry: %v → %v", before["expiry"], after["expiry"])
	}
	res := env.api("PATCH", uri, lz, `{"expiry":"2030-01-31","quantity":1200,"unit":"罐","origin":"甘肃省兰州市","reason":"稳定性试验延长保质期"}`)
	if res.status != 200 {
		t.Fatalf("edit: %d %s", res.status, res.body)
	}
	var got struct {
		Number, Expiry, Unit, Origin string
		Quantity                     uint64
	}
	if err := json.Unmarshal(res.body, &got); err != nil || got.Number != lot.Number || got.Expiry != "2030-01-31" || got.Quantity != 1200 || got.Origin != "甘肃省兰州市" {
		t.Fatalf("edit answer %+v %v: %s", got, err, res.body)
	}
	// The public answer shows the new date at once (the cached answer
	// and the cached lot member are dropped).
	if _, after := scannedLot(t, env, what); after["expiry"] != "2030-01-31" {
		t.Fatalf("scan after the edit: expiry %v", after["expiry"])
	}
	if res := env.get(env.url(what), "Accept", "text/html"); !strings.Contains(string(res.body), "2030-01-31") {
		t.Errorf("the scan page does not show the new expiry: %d %.300s", res.status, res.body)
	}
	if res := env.api("GET", uri, chengguan, ""); res.status != 200 || !strings.Contains(string(res.body), `"origin":"甘肃省兰州市"`) {
		t.Errorf("GET the lot: %d %s", res.status, res.body)
	}
	// The trail.
	for _, k := range []string{lz, city, chengguan, op} {
		res := env.api("GET", uri+"/changes", k, "")
		var tr struct {
			Changes []struct {
				Seq     int
				By      string
				Reason  string
				At      string
				Changes []amend.Change
			}
		}
		if res.status != 200 || json.Unmarshal(res.body, &tr) != nil || len(tr.Changes) != 1 {
			t.Fatalf("trail: %d %s", res.status, res.body)
		}
		e := tr.Changes[0]
		if e.Seq != 1 || !strings.HasPrefix(e.By, "key:") || e.Reason != "稳定性试验延长保质期" || e.At == "" ||
			e.Changes[0] != (amend.Change{Field: "expiry", Old: fmt.Sprint(before["expiry"]), New: "2030-01-31"}) {
			t.Fatalf("trail entry %+v", e)
		}
	}
	// The Jiuquanlu station, whose township the producer is registered
	// in, reads it too; another organisation does not.
	if res := env.api("GET", uri+"/changes", station, ""); res.status != 200 {
		t.Errorf("trail read by the township station: %d %s", res.status, res.body)
	}
	for _, k := range []string{ts, env.key("天水秦州")} {
		if res := env.api("GET", uri+"/changes", k, ""); res.status != 404 {
			t.Errorf("trail read by an outsider: %d %s", res.status, res.body)
		}
	}
}

// TestEditProductRoute: the producer renames a product and gives it a
// description and an image; the scan JSON shows the new name, GET the
// description; identifiers in the body are refused (unknown field);
// another organisation gets 403 and changes nothing.
func TestEditProductRoute(t *testing.T) {
	env := newTestEnv(t, nil)
	lz, ts := env.key("兰州陇原"), env.key("天水麦积")
	const what = "infant formula, shipped and sold"
	lot, _ := scannedLot(t, env, what)
	uri := fmt.Sprintf("/v1/products/%d", lot.Product)
	if res := env.api("PATCH", uri, ts, `{"nameZH":"冒名奶粉"}`); res.status != 403 {
		t.Fatalf("another organisation renames the product: %d %s", res.status, res.body)
	}
	if res := env.api("PATCH", uri, lz, `{"gtin":"06901234000122"}`); res.status != 400 || !strings.Contains(string(res.body), "gtin") {
		t.Errorf("a GTIN in the body: %d %s", res.status, res.body)
	}
	if res := env.api("PATCH", uri, lz, `{"images":["ftp://x.example/a.png"]}`); res.status != 400 || !strings.Contains(string(res.body), "images[0]") {
		t.Errorf("a bad image URL: %d %s", res.status, res.body)
	}
	res := env.api("PATCH", uri, lz, `{"nameZH":"陇原婴幼儿配方奶粉 1段 800克","description":"0–6月龄\n冲调水温40℃","images":["https://img.example.cn/formula-1.jpg"],"reason":"规格变更"}`)
	if res.status != 200 || !strings.Contains(string(res.body), `"description":"0–6月龄\n冲调水温40℃"`) {
		t.Fatalf("edit: %d %s", res.status, res.body)
	}
	m := decodeJSON(t, env.get(env.url(what), "Accept", "application/json"))
	if p, _ := m["product"].(map[string]any); p["name"] != "陇原婴幼儿配方奶粉 1段 800克" || p["gtin"] != "06901234000115" {
		t.Fatalf("scan after rename: %v", m["product"])
	}
	if res := env.api("GET", uri, ts, ""); res.status != 404 {
		t.Errorf("another organisation reads the product: %d", res.status)
	}
	if res := env.api("GET", uri+"/changes", lz, ""); res.status != 200 || !strings.Contains(string(res.body), `"field":"nameZH"`) || !strings.Contains(string(res.body), "规格变更") {
		t.Errorf("trail: %d %s", res.status, res.body)
	}
}
