package server

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"tracecode/engine/resolve"
)

func TestMessagesComplete(t *testing.T) {
	for key := range messages["zh"] {
		if messages["en"][key] == "" {
			t.Errorf("message %q has Chinese but no English text", key)
		}
	}
	for key := range messages["en"] {
		if messages["zh"][key] == "" {
			t.Errorf("message %q has English but no Chinese text", key)
		}
	}
}

// TestStatusWords: every public status the engine can give has a title
// and a sentence in every language the page speaks.
func TestStatusWords(t *testing.T) {
	for lang, T := range messages {
		for _, st := range resolve.PublicStatuses() {
			for _, k := range []string{"status." + st.String(), "status." + st.String() + ".d"} {
				if T[k] == "" {
					t.Errorf("%s: no words for %s", lang, k)
				}
			}
		}
	}
}

func TestPickLang(t *testing.T) {
	for _, tc := range []struct{ explicit, header, want string }{
		{"", "", "zh"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"", "fr-FR, en;q=0.5", "en"},
		{"", "en;q=0, zh", "zh"},
		{"en", "zh-CN", "en"},
		{"zh", "en", "zh"},
	} {
		if got := pickLang(tc.explicit, tc.header); got != tc.want {
			t.Errorf("pickLang(%q, %q) = %q, want %q", tc.explicit, tc.header, got, tc.want)
		}
	}
}

func TestRenderPageEscapesAndShowsStatus(t *testing.T) {
	v := &pageView{
		Lang: "en", OtherLang: "zh", T: messages["en"], SwitchURL: "?lang=zh",
		Status: "recalled", StatusTitle: "Recalled", StatusDetail: "Do not eat",
		Found: true, Code: "https://x/01/09520123456788/21/A1", Serial: "A1",
		Product:  productView{Name: `<script>alert(1)</script>`, GTIN: "09520123456788"},
		Producer: producerView{Name: "Hangzhou Dairy", Region: "Zhejiang"},
		Timeline: []eventView{{ISO: "2026-11-01T08:00:00+08:00", When: "2026-11-01 08:00", Step: "Shipping", StepKey: "shipping"}},
		QR:       qrDataURI("https://x/01/09520123456788/21/A1"),
	}
	// The scan route renders the page in these two parts (writePageParts).
	v.CSS = template.CSS(scanCSS)
	var b bytes.Buffer
	for _, part := range []string{"top", "rest"} {
		if err := scanTemplate.ExecuteTemplate(&b, part, v); err != nil {
			t.Fatal(err)
		}
		b.WriteByte('\n')
	}
	page := b.String()
	for _, want := range []string{`data-status="recalled"`, "Hangzhou Dairy", "Shipping", "&lt;script&gt;", `src="data:image/png;base64,`, `lang="en"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("product name was not escaped")
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "<link ") {
		t.Error("page loads something from outside; everything must be inline")
	}
}
