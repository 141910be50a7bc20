package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"strings"
	"testing"

	"tracecode/engine/apikey"
)

func TestComplaintRoutes(t *testing.T) {
	e := newTestEnv(t, nil)
	formula := e.url("infant formula, shipped and sold")
	code := testBase + formula
	// Filed without a key: 201 with a tracking number.
	body := `{"code":"` + code + `","name":"张三","phone":"13800001234","text":"奶粉结块,冲调后有异味"}`
	r := e.do("POST", "/v1/complaints", []byte(body), "Content-Type", "application/json")
	if r.status != 201 {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	var filed struct {
		Tracking string `json:"tracking"`
		Region   uint32 `json:"region"`
	}
	if err := json.Unmarshal(r.body, &filed); err != nil || len(filed.Tracking) != 14 {
		t.Fatalf("%s: %v", r.body, err)
	}
	// The duplicate is refused; bad input names the field and files nothing.
	if r := e.do("POST", "/v1/complaints", []byte(body), "Content-Type", "application/json"); r.status != 409 || !strings.Contains(string(r.body), filed.Tracking) {
		t.Errorf("duplicate: %d %s", r.status, r.body)
	}
	for b, field := range map[string]string{
		`{"code":"` + code + `","phone":"13800001234","text":"奶粉结块有异味"}`:                                              "name",
		`{"code":"nonsense","name":"a","phone":"13800001234","text":"奶粉结块有异味"}`:                                       "code",
		`{"code":"` + code + `","name":"a","phone":"13800001234","text":"x","photos":["R0lGODlh"]}`:                   "text",
		`{"code":"` + code + `","name":"a","phone":"13800001234","text":"奶粉结块有异味","photos":["R0lGODlhAQABAAAAACw="]}`: "photos[0]",
	} {
		if r := e.do("POST", "/v1/complaints", []byte(b), "Content-Type", "application/json"); r.status != 400 || !strings.Contains(string(r.body), field) {
			t.Errorf("%s: %d %s, want 400 naming %s", b, r.status, r.body, field)
		}
	}
	// Per-client cap: five complaints that could be filed, then 429.
	limited := 0
	for i := 0; i < 6; i++ {
		b := `{"code":"` + code + `","anonymous":true,"text":"第` + itoa(uint64(i)) + `次:标签与实物不符"}`
		if r := e.do("POST", "/v1/complaints", []byte(b), "Content-Type", "application/json"); r.status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Error("six complaints from one address in a row: none refused")
	}
	// The complainant follows it with the phone; another phone gets 404.
	if r := e.get("/v1/complaints/" + filed.Tracking + "?phone=13800001234"); r.status != 200 || !strings.Contains(string(r.body), `"state":"received"`) {
		t.Errorf("lookup: %d %s", r.status, r.body)
	}
	if r := e.get("/v1/complaints/" + filed.Tracking + "?phone=13900001234"); r.status != 404 {
		t.Errorf("another phone: %d %s", r.status, r.body)
	}
	// Routed to the county of sale; its regulator sees the complainant.
	var county string
	switch filed.Region {
	case 620102:
		county = e.key("城关区市场监管局")
	default:
		t.Fatalf("routed to %d, want the seller's county Chengguan (620102)", filed.Region)
	}
	if r := e.api("GET", "/v1/complaints", county, ""); !strings.Contains(string(r.body), "13800001234") || !strings.Contains(string(r.body), "张三") {
		t.Errorf("county inbox: %s", r.body)
	}
	// The organisations complained about never see the complainant.
	for _, k := range []string{e.key("兰州陇原乳业")} {
		r := e.api("GET", "/v1/complaints", k, "")
		if r.status != 200 || strings.Contains(string(r.body), "13800001234") || strings.Contains(string(r.body), "张三") || !strings.Contains(string(r.body), filed.Tracking) {
			t.Errorf("the producer's inbox: %d %s", r.status, r.body)
		}
	}
	// Hostile: another region's regulator, the producer.
	tianshui := e.newKey(apikey.Options{Scopes: apikey.ScopeRegulator, Region: 620500, Name: "Tianshui regulator"})
	accept := `{"action":"accept"}`
	if r := e.api("POST", "/v1/complaints/"+filed.Tracking+"/decision", tianshui, accept); r.status != 404 {
		t.Errorf("another region accepts: %d %s", r.status, r.body)
	}
	if r := e.api("POST", "/v1/complaints/"+filed.Tracking+"/decision", e.key("兰州陇原乳业"), accept); r.status != 403 {
		t.Errorf("the producer accepts: %d %s", r.status, r.body)
	}
	if r := e.api("POST", "/v1/complaints/"+filed.Tracking+"/decision", county, `{"action":"explode"}`); r.status != 400 || !strings.Contains(string(r.body), "action") {
		t.Errorf("bad action: %d %s", r.status, r.body)
	}
	if r := e.api("POST", "/v1/complaints/"+filed.Tracking+"/decision", county, accept); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if r := e.api("POST", "/v1/complaints/"+filed.Tracking+"/decision", county, `{"action":"close","note":"经营者已退货退款"}`); r.status != 200 {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	if r := e.get("/v1/complaints/" + filed.Tracking + "?phone=13800001234"); !strings.Contains(string(r.body), "经营者已退货退款") {
		t.Errorf("result: %s", r.body)
	}
}

func TestReportPage(t *testing.T) {
	e := newTestEnv(t, nil)
	formula := e.url("infant formula, shipped and sold")
	page := string(e.get(formula, "Accept", "text/html").body)
	i := strings.Index(page, `id="report" href="`)
	if i < 0 {
		t.Fatalf("no report link on the scan page")
	}
	href := strings.ReplaceAll(page[i+len(`id="report" href="`):], "&amp;", "&")
	href = href[:strings.IndexByte(href, '"')]
	form := string(e.get(href).body)
	for _, want := range []string{`id="report-form"`, "陇原", `id="about-lot"`, `id="about-seller"`} {
		if !strings.Contains(form, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	// File it with a photo through the form.
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	c0 := form[strings.Index(form, `name="code" value="`)+len(`name="code" value="`):]
	c0 = strings.ReplaceAll(c0[:strings.IndexByte(c0, '"')], "&amp;", "&")
	for k, v := range map[string]string{"code": c0, "name": "李四", "phone": "13700001111", "text": "罐体破损漏粉", "request_id": "r1"} {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("photo", "a.png")
	fw.Write(append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...))
	w.Close()
	r := e.do("POST", "/report?lang=en", buf.Bytes(), "Content-Type", w.FormDataContentType())
	if r.status != 201 || !strings.Contains(string(r.body), `id="tracking"`) {
		t.Fatalf("filed: %d %s", r.status, r.body)
	}
	s := string(r.body)
	tr := s[strings.Index(s, `id="tracking">`)+len(`id="tracking">`):]
	tr = tr[:14]
	st := string(e.get("/report/status?lang=en&tracking=" + tr + "&phone=13700001111").body)
	if !strings.Contains(st, `data-state="received"`) {
		t.Errorf("status page: %s", st)
	}
	if r := e.get("/report/status?tracking=" + tr + "&phone=1"); r.status != 404 {
		t.Errorf("wrong phone: %d", r.status)
	}
	// The county regulator can open the photo; the producer cannot.
	county := e.key("城关区市场监管局")
	if r := e.api("GET", "/v1/complaints/"+tr+"/photos/1", county, ""); r.status != 200 || r.h("Content-Type") != "image/png" {
		t.Errorf("photo: %d %s", r.status, r.h("Content-Type"))
	}
	if r := e.api("GET", "/v1/complaints/"+tr+"/photos/1", e.key("兰州陇原乳业"), ""); r.status == 200 {
		t.Error("the producer reads the complainant's photo")
	}
}
