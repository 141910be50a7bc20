package server

import (
	"encoding/json"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/credit"
)

const usccLongyuan = "91620102MA71LY016E" // the demo's Lanzhou dairy (Chengguan District)

func TestCreditRoutes(t *testing.T) {
	e := newTestEnv(t, nil)
	chengguan := e.key("城关区市场监管局")
	tianshuiReg := e.newKey(apikey.Options{Scopes: apikey.ScopeRegulator, Region: 620500, Name: "Tianshui regulator"})
	orgA, orgB := e.key("兰州陇原乳业"), e.key("天水麦积医药化工")
	formula := e.url("infant formula on a shop shelf")
	entry := `{"uscc":"` + usccLongyuan + `","kind":"serious-violation","document":"城市监罚〔2026〕88号",` +
		`"summary_zh":"生产销售不符合食品安全标准的婴幼儿配方乳粉","summary_en":"Made and sold infant formula below the food safety standard"}`

	// Before: no warning on the producer's scan page.
	if r := e.get(formula, "Accept", "text/html"); r.status != 200 || strings.Contains(string(r.body), `id="credit-warning"`) {
		t.Fatalf("before any entry: %d %s", r.status, r.body)
	}
	// Hostile: another region's regulator, the organisation itself, another organisation.
	for name, key := range map[string]string{"Tianshui regulator": tianshuiReg, "the organisation": orgA, "another organisation": orgB} {
		if r := e.api("POST", "/v1/credit", key, entry); r.status != 403 {
			t.Errorf("%s writes an entry: %d %s", name, r.status, r.body)
		}
	}
	var before credit.View
	if err := json.Unmarshal(e.api("GET", "/v1/credit/"+usccLongyuan, chengguan, "").body, &before); err != nil || len(before.Entries) != 1 {
		t.Fatalf("the demo's one entry (a certification) after refused writes: %v %+v", err, before)
	}
	// Bad input names the field and writes nothing.
	for body, field := range map[string]string{
		strings.Replace(entry, usccLongyuan, "91620102MA71LY016F", 1): "uscc",
		strings.Replace(entry, `"serious-violation"`, `"bad"`, 1):     "kind",
		strings.Replace(entry, `"document":"城市监罚〔2026〕88号",`, "", 1):  "document",
		`{"uscc":1}`: "uscc",
	} {
		if r := e.api("POST", "/v1/credit", chengguan, body); r.status != 400 || !strings.Contains(string(r.body), field) {
			t.Errorf("%s: %d %s, want 400 naming %s", body, r.status, r.body, field)
		}
	}
	r := e.api("POST", "/v1/credit", chengguan, entry)
	if r.status != 201 {
		t.Fatalf("regulator's entry: %d %s", r.status, r.body)
	}
	var rec struct {
		Seq        uint64 `json:"seq"`
		Gravity    string `json:"gravity"`
		By         string `json:"by"`
		RepairFrom int64  `json:"repair_from"`
	}
	if err := json.Unmarshal(r.body, &rec); err != nil || rec.Seq == 0 || rec.Gravity != "special" || !strings.HasPrefix(rec.By, "key:") {
		t.Fatalf("entry %s: %v %+v (a dairy's entry is special: food)", r.body, err, rec)
	}
	// The scan page warns, in both languages.
	page := string(e.get(formula, "Accept", "text/html").body)
	if !strings.Contains(page, `id="credit-warning"`) || !strings.Contains(page, "婴幼儿配方乳粉") {
		t.Errorf("no warning on the scan page:\n%s", page)
	}
	if page := string(e.get(formula+"?lang=en", "Accept", "text/html").body); !strings.Contains(page, "serious violation list") || !strings.Contains(page, "below the food safety standard") {
		t.Error("no English warning")
	}
	// The public list, page and JSON.
	if p := string(e.get("/blacklist?lang=en").body); !strings.Contains(p, usccLongyuan) || !strings.Contains(p, "Longyuan") {
		t.Errorf("public list: %s", p)
	}
	var list struct {
		Listed []struct {
			USCC, List string
		} `json:"listed"`
	}
	if err := json.Unmarshal(e.get("/blacklist?format=json").body, &list); err != nil || len(list.Listed) == 0 {
		t.Fatalf("JSON list: %v %+v", err, list)
	}
	// The organisation and its regulators see the whole record with the
	// risk class; another organisation only what is published.
	for key, all := range map[string]bool{orgA: true, chengguan: true, orgB: false} {
		var v credit.View
		if err := json.Unmarshal(e.api("GET", "/v1/credit/"+usccLongyuan, key, "").body, &v); err != nil {
			t.Fatal(err)
		}
		if v.All != all || len(v.Entries) == 0 || (all && v.Risk != "high") || (!all && v.Risk != "") {
			t.Errorf("view all=%v: %+v", all, v)
		}
	}
	// Repair: not before the minimum publication; never by another organisation.
	repair := `{"note":"已召回问题批次并整改"}`
	if r := e.api("POST", "/v1/credit/entries/"+itoa(rec.Seq)+"/repair", orgA, repair); r.status != 409 {
		t.Errorf("early application: %d %s", r.status, r.body)
	}
	if r := e.api("POST", "/v1/credit/entries/"+itoa(rec.Seq)+"/repair", orgB, repair); r.status != 403 {
		t.Errorf("another organisation applies: %d %s", r.status, r.body)
	}
	if r := e.api("POST", "/v1/credit/entries/"+itoa(rec.Seq)+"/decision", tianshuiReg, `{"approve":true,"note":"x"}`); r.status != 403 {
		t.Errorf("another region decides: %d %s", r.status, r.body)
	}
	if r := e.api("POST", "/v1/credit/entries/"+itoa(rec.Seq)+"/decision", chengguan, `{"note":"x"}`); r.status != 400 || !strings.Contains(string(r.body), "approve") {
		t.Errorf("decision without approve: %d %s", r.status, r.body)
	}
	if r := e.api("POST", "/v1/credit/entries/"+itoa(rec.Seq)+"/decision", chengguan, `{"approve":true,"note":"x"}`); r.status != 409 {
		t.Errorf("decision without an application: %d %s", r.status, r.body)
	}
	if r := e.api("GET", "/v1/credit/repairs", chengguan, ""); r.status != 200 || !strings.Contains(string(r.body), `"entries":[]`) {
		t.Errorf("pending repairs: %d %s", r.status, r.body)
	}
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
