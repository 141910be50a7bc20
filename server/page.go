package server

import (
	_ "embed"
	"encoding/base64"
	"html/template"
	"strings"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
)

//go:embed assets/scan.html
var scanHTML string

//go:embed assets/scan.css
var scanCSS string

//go:embed assets/home.html
var homeHTML string

// homeTemplate renders the resolver's home page: a box to type a code in.
var homeTemplate = template.Must(template.New("home").Parse(homeHTML))

// scanTemplate renders the consumer scan page. Everything it needs (CSS,
// the QR image) is inline: the page loads nothing from anywhere else.
var scanTemplate = template.Must(template.New("scan").Parse(scanHTML))

// pageView is what the scan page shows. The handler fills it from the
// engine's answer; the template only lays it out.
type pageView struct {
	Lang, OtherLang string
	T               map[string]string
	CSS             template.CSS
	SwitchURL       string

	Status       string // genuine, recalled, expired, dispensed, sold, suspicious, not_genuine, voided, released, destroyed, in_transit
	StatusTitle  string
	StatusDetail string
	Reason       string // the engine's precise reason, for not-valid codes
	RecallURL    string // the public recall notice of a recalled item's recall
	// CreditWarning is the public summary of the producer's entry on the
	// serious violation list, CreditURL the public list (engine decides).
	CreditWarning, CreditURL string
	// ReportURL is the "report a problem" form, pre-filled with the code.
	ReportURL  string
	Found      bool
	LevelLabel string // "Product" or "Lot" for product- and lot-level pages; "" for items
	InfoURL    string // the product's information page, if it has one

	Code   string // the code as the consumer scanned it (display form)
	Serial string
	QR     template.URL // data: URI of the item's QR code PNG

	// Facts are the item's category facts (a cylinder's next inspection,
	// an elevator's last maintenance): the engine derives them, public
	// ones only.
	Facts []factView

	Product   productView
	Producer  producerView
	Lot       lotView
	Hierarchy []levelView
	Sources   []levelView // lots the item was made from: Level = product, Code = lot
	Timeline  []eventView
	// Truncated: only the newest of the lot's and product's records are
	// on the timeline (resolve.Chain.TimelineTruncated).
	Truncated bool
	ScanLine  string
}

type productView struct{ Name, NameAlt, Category, GTIN string }
type producerView struct{ Name, Region string }
type lotView struct{ Number, Production, Expiry string }
type levelView struct{ Level, Code string }
type factView struct{ Key, Label, Value, Status string }
type eventView struct{ ISO, When, Step, StepKey, Who, Where, Via string }

// qrCache keeps recently rendered QR images: a popular code is scanned
// many times and its PNG never changes. Bounded by qrCacheMax entries.
var qrCache struct {
	sync.Mutex
	m map[string]template.URL
}

const qrCacheMax = 4096

// qrDataURI renders content as a QR code PNG (error correction M, 160 px)
// and returns it as a data: URI.
func qrDataURI(content string) template.URL {
	qrCache.Lock()
	if u, ok := qrCache.m[content]; ok {
		qrCache.Unlock()
		return u
	}
	qrCache.Unlock()
	png, err := qrcode.Encode(content, qrcode.Medium, 160)
	if err != nil {
		// Content longer than a QR code holds: show no image rather than
		// fail the page.
		return ""
	}
	u := template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	qrCache.Lock()
	if qrCache.m == nil || len(qrCache.m) >= qrCacheMax {
		qrCache.m = make(map[string]template.URL, 256)
	}
	qrCache.m[content] = u
	qrCache.Unlock()
	return u
}

// pickLang chooses "zh" or "en" from an explicit ?lang= value or the
// Accept-Language header: the first language tag we speak wins, in header
// order (q-values are rarely anything but descending); Chinese is the
// default for a provincial system.
func pickLang(explicit, acceptLanguage string) string {
	switch strings.ToLower(explicit) {
	case "zh", "zh-cn", "zh-hans":
		return "zh"
	case "en":
		return "en"
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.ToLower(strings.TrimSpace(part))
		if i := strings.IndexByte(tag, ';'); i >= 0 {
			if strings.Contains(tag[i:], "q=0") && !strings.Contains(tag[i:], "q=0.") {
				continue // q=0: not acceptable
			}
			tag = tag[:i]
		}
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "zh"
}
