package server

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"tracecode/engine/label"
)

// GET /v1/blocks/{id}/labels renders the block's own codes: the ^BX data
// of each ZPL label is the gs form the codes route gives for the same
// range; a 1,000-code PDF sheet has 38 pages of 27 labels; a run larger
// than the buffered size streams.
func TestAPIBlockLabels(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	id := fmt.Sprint(env.info.Blocks[0])
	r := env.api("GET", "/v1/blocks/"+id+"/labels?template=gs1-datamatrix&format=zpl&offset=40&limit=100", a, "")
	if r.status != 200 || r.h("Content-Type") != "application/vnd.zebra-zpl; charset=utf-8" || r.h("X-Labels-Count") != "100" ||
		!strings.Contains(r.h("Content-Disposition"), `filename="block`+id+`-gs1-datamatrix-40.zpl"`) {
		t.Fatalf("zpl: %d %q %q %s", r.status, r.h("Content-Type"), r.h("Content-Disposition"), r.body)
	}
	gs := strings.Split(strings.TrimSpace(string(env.api("GET", "/v1/blocks/"+id+"/codes?format=gs&offset=40&limit=100", a, "").body)), "\n")
	bx := regexp.MustCompile("\\^BXN[^^]*\\^FH\\\\\\^FD`1([^^]*)\\^FS").FindAllStringSubmatch(string(r.body), -1)
	if len(bx) != 100 || len(gs) != 100 {
		t.Fatalf("%d labels, %d codes", len(bx), len(gs))
	}
	for i := range gs {
		if got := strings.ReplaceAll(bx[i][1], "`1", "\x1d"); got != gs[i] {
			t.Fatalf("label %d carries %q, the code is %q", i, got, gs[i])
		}
	}
	if _, err := label.SystemFont(); err == nil {
		r = env.api("GET", "/v1/blocks/"+id+"/labels?template=qr&format=pdf&limit=1000", a, "")
		if r.status != 200 || r.h("Content-Type") != "application/pdf" || bytes.Count(r.body, []byte("/Type /Page\n")) != 38 {
			t.Errorf("pdf: %d %q, %d pages", r.status, r.h("Content-Type"), bytes.Count(r.body, []byte("/Type /Page\n")))
		}
	}
	// The whole 20,000-code block streams.
	r = env.api("GET", "/v1/blocks/"+id+"/labels?template=qr&format=zpl", a, "")
	if n := bytes.Count(r.body, []byte("^XA")); r.status != 200 || n != 20000 {
		t.Errorf("streamed zpl: %d, %d labels", r.status, n)
	}
}

func TestAPIBlockLabelsRefusals(t *testing.T) {
	env := newTestEnv(t, nil)
	a := env.key("兰州陇原")
	id := fmt.Sprint(env.info.Blocks[0])
	for _, tc := range []struct {
		key, query string
		status     int
		want       string
	}{
		{env.key("天水麦积"), "template=qr&format=zpl", 404, "block"},           // another organisation's block
		{env.key("兰州市市场监管"), "template=qr&format=zpl", 403, ""},             // a regulator: no mint scope
		{"", "template=qr&format=zpl", 401, ""},                             // no key
		{a, "format=zpl", 400, "template is required"},                      //
		{a, "template=round&format=zpl", 400, "no template"},                //
		{a, "template=qr&format=gif", 400, "is not one of pdf"},             //
		{a, "template=nmpa&format=zpl", 400, "needs the nmpa"},              // a GS1 block has no NMPA codes
		{a, "template=qr&format=zpl&offset=999999", 400, "offset 999999"},   //
		{a, "template=qr&format=zpl&limit=ten", 400, "limit"},               //
		{env.key("operator"), "template=qr&format=zpl&limit=2", 200, "^XA"}, // the operator sees every block
	} {
		r := env.api("GET", "/v1/blocks/"+id+"/labels?"+tc.query, tc.key, "")
		if r.status != tc.status || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%s: %d %.200s, want %d naming %q", tc.query, r.status, r.body, tc.status, tc.want)
		}
	}
}
