// Package farm is the edible farm product (食用农产品) category profile and
// its 承诺达标合格证 (the commitment certificate, 农业农村部令2025年第4号, in
// force 2026-02-01): a lot of vegetables, fruit, tea, livestock, eggs or
// aquatic products from a farm or a registered grower, the use records of
// pesticides and veterinary drugs on it (农药使用记录, 兽药使用记录), its
// harvest, and the certificate — product, quantity, origin, time, the
// committing party and contact, one per production batch; a mix or split
// issues a new certificate naming the ones it came from.
//
// The interval rule: a harvest inside the safety interval (安全间隔期) or
// withdrawal period (休药期) after a recorded use raises an alert, and the
// certificate cannot be issued for the lot until the interval has passed.
// The interval comes from the input's registration data (its product
// record in History.Inputs, keyed by the code or registration number the
// use record gives), never from the user.
package farm

import (
	"fmt"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/model"
)

// DefaultDays is the interval assumed when an input is not registered for
// the crop or species it was used on (off-label use, itself a violation),
// or its registration data is not known: 30 days, unconfirmed (no text sets
// one).
const DefaultDays = 30

// Pesticide and VetDrug read the use records.
var (
	Pesticide = category.IntervalRule{UseKind: "pesticide-use", InputField: "input", TargetField: "crop", IntervalsField: "safety_intervals", DefaultDays: DefaultDays}
	VetDrug   = category.IntervalRule{UseKind: "vet-use", InputField: "input", TargetField: "species", IntervalsField: "withdrawal_periods", DefaultDays: DefaultDays}
)

// Profile is the farm-product category.
type Profile struct{ category.Base }

// UseEvents are the use-record event kinds, shared with the meat profile.
func UseEvents() []category.EventSpec {
	return []category.EventSpec{
		{Kind: "pesticide-use", Title: category.T("农药使用记录", "pesticide use"), Fields: []category.FieldSpec{
			category.F("input", "农药(追溯码或登记证号)", "pesticide (trace code or registration number)", category.KindText, true),
			category.F("crop", "作物", "crop", category.KindText, true),
			category.F("dose", "用量", "dose", category.KindText, true),
			category.F("operator", "施药人", "operator", category.KindText, true),
			category.F("plot", "地块", "plot", category.KindText, false),
			category.F("township", "地块所在乡镇", "plot township", category.KindRegion, false),
		}},
		{Kind: "vet-use", Title: category.T("兽药使用记录", "veterinary drug use"), Fields: []category.FieldSpec{
			category.F("input", "兽药(追溯码或批准文号)", "veterinary drug (trace code or approval number)", category.KindText, true),
			category.F("species", "动物种类", "species", category.KindText, true),
			category.F("dose", "用量", "dose", category.KindText, true),
			category.F("animals", "动物(耳标号或栏舍)", "animals (ear tags or barn)", category.KindList, false),
			category.F("operator", "用药人", "operator", category.KindText, true),
			category.F("vet", "执业兽医", "veterinarian", category.KindText, false),
		}},
	}
}

// New returns the profile.
func New() *Profile {
	events := append(UseEvents(),
		category.EventSpec{Kind: "harvest", Title: category.T("采收", "harvest"), Fields: []category.FieldSpec{
			category.Num("quantity", "数量", "quantity", true, 0, 1e9),
		}},
		category.EventSpec{Kind: "certificate", Title: category.T("开具承诺达标合格证", "issue the commitment certificate"), Fields: []category.FieldSpec{
			category.Num("quantity", "数量", "quantity", true, 0, 1e9),
			category.Enum("unit", "单位", "unit", true, "kg", "t", "head", "piece", "box"),
			category.F("inputs", "来源合格证(混合或拆分)", "certificates it came from (mix or split)", category.KindList, false),
		}},
	)
	return &Profile{category.Base{ID: "farm", Cat: model.CatFarm, Label: category.T("食用农产品", "edible farm product"),
		Product: []category.FieldSpec{
			category.Enum("class", "产品类别", "class", true, "vegetable", "fruit", "tea", "livestock", "poultry", "eggs", "aquatic", "other"),
		},
		Item: []category.FieldSpec{
			category.F("origin", "产地(乡镇)", "place of origin (township)", category.KindRegion, true),
			category.F("committer", "承诺主体", "committing party", category.KindText, true),
			category.F("contact", "联系方式", "contact", category.KindText, true),
			category.F("committer_uscc", "承诺主体信用代码", "committing party USCC", category.KindUSCC, false),
		},
		EventSet: events,
	}}
}

// SafeAfter returns the later of the pesticide and veterinary-drug
// intervals after the uses recorded on the lot before at.
func SafeAfter(h *category.History, at time.Time) category.SafeAfter {
	a, b := Pesticide.SafeAfter(h, at), VetDrug.SafeAfter(h, at)
	if b.Time.After(a.Time) {
		return b
	}
	return a
}

// CheckEvent implements category.EventChecker: no certificate inside an
// interval, and one certificate per production batch (a new one only
// through a mix or split naming its inputs).
func (*Profile) CheckEvent(h *category.History, e *category.Event) error {
	if e.Kind != "certificate" {
		return nil
	}
	if s := SafeAfter(h, e.Time); s.Inside(e.Time) {
		d := s.Describe(category.T("安全间隔期或休药期未满", "inside the safety interval or withdrawal period"))
		return category.Errf("certificate", "time", e.Time.Format(time.RFC3339), "%s (%s)", d.EN, d.ZH)
	}
	if h.Last("certificate") != nil && !e.Fields.Has("inputs") {
		return category.Errf("certificate", "inputs", "", "the lot already has a certificate; a new one is issued only for a mix or split, naming the certificates it came from")
	}
	return nil
}

// Facts implements category.Profile: the certificate's six items, public,
// and when the lot is safe to harvest.
func (*Profile) Facts(h *category.History, now time.Time) []category.Fact {
	var facts []category.Fact
	if c := h.Last("certificate"); c != nil {
		q := c.Fields.Get("quantity") + " " + c.Fields.Get("unit")
		facts = append(facts,
			category.Pub("certificate", category.T("承诺达标合格证", "commitment certificate"), category.T("已开具", "issued"), "ok"),
			category.Pub("quantity", category.T("数量", "quantity"), category.Same(q), ""),
			category.Pub("issued", category.T("开具时间", "issued"), category.Same(category.Local(c.Time, "2006-01-02 15:04")), ""),
		)
	} else {
		facts = append(facts, category.Pub("certificate", category.T("承诺达标合格证", "commitment certificate"), category.T("未开具", "not issued"), "warn"))
	}
	facts = append(facts,
		category.Pub("origin", category.T("产地", "origin"), category.Place(h.Item.Get("origin")), ""),
		category.Pub("committer", category.T("承诺主体", "committing party"), category.Same(h.Item.Get("committer")), ""),
		category.Pub("contact", category.T("联系方式", "contact"), category.Same(h.Item.Get("contact")), ""))
	if s := SafeAfter(h, now); !s.Time.IsZero() {
		st, v := "ok", category.Local(s.Time, "2006-01-02 15:04")
		if s.Inside(now) {
			st = "warn"
		}
		facts = append(facts, category.Pub("safe_after", category.T("间隔期满", "safe to harvest after"), category.Same(v), st))
	}
	return facts
}

// Rules implements category.Profile.
func (*Profile) Rules() []category.Rule { return []category.Rule{InsideInterval{Kind: "harvest"}} }

// InsideInterval fires when an event of Kind (a harvest, a slaughter)
// falls inside the interval after a recorded use of an input on the lot.
type InsideInterval struct{ Kind string }

// Info implements category.Rule.
func (r InsideInterval) Info() category.RuleInfo {
	return category.RuleInfo{ID: r.Kind + "-inside-interval", Severity: alert.Critical,
		Trigger: category.T("使用农药或兽药后,在安全间隔期或休药期内采收或屠宰", "a harvest or slaughter inside the safety interval or withdrawal period after a recorded use")}
}

// Check implements category.Rule.
func (r InsideInterval) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != r.Kind {
		return nil
	}
	s := SafeAfter(h, e.Time)
	if !s.Inside(e.Time) {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Critical, Due: s.Time,
		Message: s.Describe(category.T(fmt.Sprintf("间隔期内%s", kindZH(r.Kind)), r.Kind+" inside the interval"))}}
}

func kindZH(k string) string {
	if k == "slaughter" {
		return "屠宰"
	}
	return "采收"
}
