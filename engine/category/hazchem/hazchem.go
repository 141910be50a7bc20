// Package hazchem is the hazardous-chemical (危险化学品) category profile:
// 一书一签 — the safety data sheet (GB/T 16483, 16 sections; versioned, CAS
// and UN numbers) and the GHS label (GB 15258: pictograms, signal word,
// hazard statements, emergency phone) a product must carry before codes
// are commissioned; purchase permits and transfers of 剧毒 (highly toxic)
// and 易制爆 (explosive-precursor) chemicals checked against the permit's
// remaining quantity, with the buyer's agent identified (the identity
// number is private: kept hashed, never shown); the police filing due
// within 5 days of such a transfer; road-transport e-waybills.
package hazchem

import (
	"fmt"
	"strings"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/model"
)

// FilingDays is how long after a controlled transfer the police filing is
// due (危险化学品安全管理条例 Art. 41: 5 days).
const FilingDays = 5

// Profile is the hazardous-chemical category.
type Profile struct{ category.Base }

// New returns the profile.
func New() *Profile {
	sections := category.F("sds_sections", "SDS章节数", "SDS sections", category.KindInt, true)
	sections.Min, sections.Max = 16, 16
	return &Profile{category.Base{ID: "hazchem", Cat: model.CatHazChem, Label: category.T("危险化学品", "hazardous chemical"),
		Product: []category.FieldSpec{
			category.F("cas", "CAS号", "CAS numbers", category.KindList, true),
			category.F("un_number", "UN编号", "UN number", category.KindText, true),
			category.F("sds_version", "安全技术说明书版本", "SDS version", category.KindText, true),
			sections,
			category.F("sds_url", "安全技术说明书链接", "SDS link", category.KindText, false),
			category.Enum("signal_word", "信号词", "signal word", true, "危险", "警告"),
			category.F("pictograms", "象形图", "pictograms", category.KindList, true),
			category.F("hazard_statements", "危险性说明", "hazard statements", category.KindList, true),
			category.F("emergency_phone", "应急咨询电话", "emergency phone", category.KindText, true),
			category.Enum("controlled", "管控类别", "control", true, "none", "highly-toxic", "explosive-precursor"),
		},
		EventSet: []category.EventSpec{
			{Kind: "permit", Title: category.T("购买许可", "purchase permit"), Fields: []category.FieldSpec{
				category.F("permit_no", "许可证编号", "permit number", category.KindText, true),
				category.F("buyer_uscc", "购买单位信用代码", "buyer USCC", category.KindUSCC, true),
				category.Num("quantity_kg", "许可数量(kg)", "permitted quantity (kg)", true, 0, 1e9),
				category.F("valid_until", "有效期至", "valid until", category.KindDate, true),
			}},
			{Kind: "transfer", Title: category.T("销售转让", "transfer"), Fields: []category.FieldSpec{
				category.F("ref", "合同或单据号", "contract or document number", category.KindText, true),
				category.F("seller_uscc", "销售单位信用代码", "seller USCC", category.KindUSCC, true),
				category.F("buyer_uscc", "购买单位信用代码", "buyer USCC", category.KindUSCC, true),
				category.F("permit_no", "许可证编号", "permit number", category.KindText, false),
				category.Num("quantity_kg", "数量(kg)", "quantity (kg)", true, 0, 1e9),
				category.F("agent_name", "经办人", "agent", category.KindText, false),
				category.Private(category.F("agent_id", "经办人身份证号", "agent identity number", category.KindText, false)),
				category.F("purpose", "用途", "purpose", category.KindText, true),
			}},
			{Kind: "police-filing", Title: category.T("公安备案", "police filing"), Fields: []category.FieldSpec{
				category.F("filing_no", "备案编号", "filing number", category.KindText, true),
				category.F("refs", "备案的销售单据", "transfers filed", category.KindList, true),
			}},
			{Kind: "waybill", Title: category.T("电子运单", "e-waybill"), Fields: []category.FieldSpec{
				category.F("waybill_no", "运单号", "waybill number", category.KindText, true),
				category.F("carrier", "承运人", "carrier", category.KindText, true),
				category.F("vehicle", "车牌号", "vehicle", category.KindText, true),
				category.F("driver_qual", "驾驶员从业资格证号", "driver qualification", category.KindText, true),
				category.F("escort_qual", "押运员从业资格证号", "escort qualification", category.KindText, true),
				category.F("class", "危险货物类别", "dangerous-goods class", category.KindText, true),
				category.Num("quantity_kg", "数量(kg)", "quantity (kg)", true, 0, 1e9),
				category.F("route", "路线", "route", category.KindText, false),
			}},
		},
	}}
}

// CASCheck verifies a CAS registry number NNNNNNN-NN-N: 2 to 7 digits, 2
// digits, and a check digit equal to the sum of the other digits weighted
// 1, 2, 3 … from the right, modulo 10.
func CASCheck(s string) error {
	parts := strings.Split(s, "-")
	if len(parts) != 3 || len(parts[0]) < 2 || len(parts[0]) > 7 || len(parts[1]) != 2 || len(parts[2]) != 1 {
		return fmt.Errorf("CAS number %q is not NNNNNNN-NN-N", s)
	}
	digits := parts[0] + parts[1]
	sum := 0
	for i := range len(digits) {
		c := digits[len(digits)-1-i]
		if c < '0' || c > '9' {
			return fmt.Errorf("CAS number %q: %q is not a digit", s, c)
		}
		sum += int(c-'0') * (i + 1)
	}
	c := parts[2][0]
	if c < '0' || c > '9' {
		return fmt.Errorf("CAS number %q: check %q is not a digit", s, c)
	}
	if want := byte('0' + sum%10); c != want {
		return fmt.Errorf("CAS number %q: check digit is %c, expected %c", s, c, want)
	}
	return nil
}

// CheckProduct implements category.ProductChecker: CAS check digits, a
// UN number of 4 digits, GHS01-GHS09 pictograms.
func (*Profile) CheckProduct(r category.Record) error {
	for _, c := range r.List("cas") {
		if err := CASCheck(c); err != nil {
			return category.Errf("product", "cas", c, "%v", err)
		}
	}
	un := strings.TrimPrefix(r.Get("un_number"), "UN")
	if len(un) != 4 || strings.Trim(un, "0123456789") != "" {
		return category.Errf("product", "un_number", r.Get("un_number"), "is not UN and 4 digits")
	}
	for _, p := range r.List("pictograms") {
		if len(p) != 5 || !strings.HasPrefix(p, "GHS0") || p[4] < '1' || p[4] > '9' {
			return category.Errf("product", "pictograms", p, "is not one of GHS01 … GHS09")
		}
	}
	return nil
}

// Remaining returns what permit permitNo still allows (kg), for the buyer
// it names, before time at, and whether the permit is recorded.
func Remaining(h *category.History, permitNo string, at time.Time) (remaining float64, buyer string, validUntil category.Date, ok bool) {
	for i := range h.Events {
		e := &h.Events[i]
		if e.Time.After(at) || e.Fields.Get("permit_no") != permitNo {
			continue
		}
		switch e.Kind {
		case "permit":
			q, _ := e.Fields.Float("quantity_kg")
			remaining, buyer, ok = q, e.Fields.Get("buyer_uscc"), true
			validUntil, _ = e.Fields.Date("valid_until")
		case "transfer":
			q, _ := e.Fields.Float("quantity_kg")
			remaining -= q
		}
	}
	return remaining, buyer, validUntil, ok
}

// CheckEvent implements category.EventChecker: a transfer of a controlled
// chemical needs a recorded permit of the same buyer, in date, with the
// quantity remaining, and the agent's name and identity number.
func (*Profile) CheckEvent(h *category.History, e *category.Event) error {
	if e.Kind != "transfer" || h.Product.Get("controlled") == "none" {
		return nil
	}
	f := e.Fields
	if !f.Has("agent_name") || !f.Has("agent_id") {
		return category.Errf("transfer", "agent_id", "", "a transfer of a %s chemical records the agent's name and identity number", h.Product.Get("controlled"))
	}
	pn := f.Get("permit_no")
	if pn == "" {
		return category.Errf("transfer", "permit_no", "", "a transfer of a %s chemical needs the buyer's permit", h.Product.Get("controlled"))
	}
	rem, buyer, until, ok := Remaining(h, pn, e.Time)
	q, _ := f.Float("quantity_kg")
	switch {
	case !ok:
		return category.Errf("transfer", "permit_no", pn, "is not a recorded permit")
	case buyer != f.Get("buyer_uscc"):
		return category.Errf("transfer", "buyer_uscc", f.Get("buyer_uscc"), "permit %s is %s's and cannot be transferred", pn, buyer)
	case category.DateOf(e.Time) > until:
		return category.Errf("transfer", "permit_no", pn, "expired on %s", until)
	case q > rem+1e-9:
		return category.Errf("transfer", "quantity_kg", f.Get("quantity_kg"), "exceeds what permit %s still allows (%.3f kg)", pn, rem)
	}
	return nil
}

// Facts implements category.Profile: the label's key facts and the SDS,
// public.
func (*Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	p := h.Product
	sw := category.T(p.Get("signal_word"), map[string]string{"危险": "Danger", "警告": "Warning"}[p.Get("signal_word")])
	facts := []category.Fact{
		category.Pub("signal_word", category.T("信号词", "signal word"), sw, "warn"),
		category.Pub("pictograms", category.T("象形图", "pictograms"), category.Same(p.Get("pictograms")), ""),
		category.Pub("hazard_statements", category.T("危险性说明", "hazard statements"), category.Same(p.Get("hazard_statements")), ""),
		category.Pub("emergency_phone", category.T("应急咨询电话", "emergency phone"), category.Same(p.Get("emergency_phone")), ""),
		category.Pub("sds", category.T("安全技术说明书", "safety data sheet"), category.Same(p.Get("sds_version")+" "+p.Get("sds_url")), ""),
		category.Pub("cas", category.T("CAS号", "CAS"), category.Same(p.Get("cas")), ""),
	}
	return facts
}

// Rules implements category.Profile.
func (*Profile) Rules() []category.Rule { return []category.Rule{filingOverdue{}} }

type filingOverdue struct{}

func (filingOverdue) Info() category.RuleInfo {
	return category.RuleInfo{ID: "hazchem-police-filing-overdue", Severity: alert.Warning,
		Trigger: category.T("剧毒或易制爆化学品销售后5日内未向公安机关备案", "a highly toxic or explosive-precursor transfer not filed with the police within 5 days")}
}

// NextDue implements category.DueRule: the earliest filing deadline after
// after of a controlled transfer no filing names.
func (filingOverdue) NextDue(h *category.History, after time.Time, _ *time.Location) (time.Time, bool) {
	if h.Product.Get("controlled") == "none" {
		return time.Time{}, false
	}
	filed := filedRefs(h)
	var next time.Time
	for i := range h.Events {
		x := &h.Events[i]
		due := x.Time.AddDate(0, 0, FilingDays)
		if x.Kind != "transfer" || filed[x.Fields.Get("ref")] || !due.After(after) {
			continue
		}
		if next.IsZero() || due.Before(next) {
			next = due
		}
	}
	return next, !next.IsZero()
}

// filedRefs returns the transfer references the police filings name.
func filedRefs(h *category.History) map[string]bool {
	filed := map[string]bool{}
	for i := range h.Events {
		if x := &h.Events[i]; x.Kind == "police-filing" {
			for _, ref := range x.Fields.List("refs") {
				filed[ref] = true
			}
		}
	}
	return filed
}

// Check lists, on a due-date evaluation, every controlled transfer older
// than FilingDays that no filing names.
func (r filingOverdue) Check(h *category.History, e *category.Event, now time.Time) []category.Finding {
	if e != nil || h.Product.Get("controlled") == "none" {
		return nil
	}
	filed := filedRefs(h)
	var out []category.Finding
	for i := range h.Events {
		x := &h.Events[i]
		due := x.Time.AddDate(0, 0, FilingDays)
		if x.Kind != "transfer" || filed[x.Fields.Get("ref")] || now.Before(due) {
			continue
		}
		out = append(out, category.Finding{Rule: r.Info().ID, Severity: alert.Warning, Due: due, Message: category.T(
			fmt.Sprintf("销售单据 %s(%s 售予 %s)未在5日内向公安机关备案", x.Fields.Get("ref"), x.Time.Format(time.DateOnly), x.Fields.Get("buyer_uscc")),
			fmt.Sprintf("transfer %s (%s, to %s) not filed with the police within 5 days", x.Fields.Get("ref"), x.Time.Format(time.DateOnly), x.Fields.Get("buyer_uscc")))})
	}
	return out
}
