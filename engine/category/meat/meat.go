// Package meat is the livestock and meat category profile (pork, beef,
// mutton) from the ear tag to the cut: the animal's 15-digit ear tag
// (畜禽标识, county named through GB/T 2260), its farm and township,
// veterinary-drug use records, the origin quarantine certificate (动物检疫
// 合格证明, 产地检疫), intake at the slaughterhouse (进厂查验登记), the meat
// quality inspection certificate (肉品品质检验合格证), slaughter (the tag
// is removed, a carcass code given) and cutting (a TransformationEvent
// from carcasses to cut lots). A cut's scan shows farm, slaughterhouse,
// both certificate numbers and the date of slaughter.
//
// Rules: a slaughter inside the withdrawal period after a recorded
// veterinary-drug use, and a slaughter without a quarantine certificate.
package meat

import (
	"fmt"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/category"
	"tracecode/engine/category/farm"
	"tracecode/engine/code"
	"tracecode/engine/code/cn/eartag"
	"tracecode/engine/model"
)

// Profile is the meat category.
type Profile struct{ category.Base }

// New returns the profile.
func New() *Profile {
	events := append(farm.UseEvents()[1:2], // vet-use
		category.EventSpec{Kind: "quarantine", Title: category.T("产地检疫", "origin quarantine"), Fields: []category.FieldSpec{
			category.F("cert_no", "动物检疫合格证明编号", "quarantine certificate number", category.KindText, true),
			category.F("vet", "官方兽医", "official veterinarian", category.KindText, true),
			category.F("destination", "到达地点", "destination", category.KindText, false),
		}},
		category.EventSpec{Kind: "intake", Title: category.T("进厂查验登记", "slaughterhouse intake"), Fields: []category.FieldSpec{
			category.F("slaughterhouse", "屠宰企业", "slaughterhouse", category.KindText, true),
			category.F("cert_no", "动物检疫合格证明编号", "quarantine certificate number", category.KindText, true),
		}},
		category.EventSpec{Kind: "meat-inspection", Title: category.T("肉品品质检验", "meat quality inspection"), Fields: []category.FieldSpec{
			category.F("cert_no", "肉品品质检验合格证编号", "inspection certificate number", category.KindText, true),
			category.Enum("result", "结果", "result", true, "pass", "fail"),
		}},
		category.EventSpec{Kind: "slaughter", Title: category.T("屠宰", "slaughter"), Fields: []category.FieldSpec{
			category.F("slaughterhouse", "屠宰企业", "slaughterhouse", category.KindText, true),
			category.F("carcass", "胴体编码", "carcass code", category.KindText, true),
			category.F("tag_removed", "耳标已回收", "ear tag removed", category.KindBool, true),
		}},
		category.EventSpec{Kind: "cut", Title: category.T("分割", "cutting"), Fields: []category.FieldSpec{
			category.F("lots", "分割品批次", "cut lots", category.KindList, true),
		}},
	)
	return &Profile{category.Base{ID: "meat", Cat: model.CatFarm, Label: category.T("畜禽及肉品", "livestock and meat"),
		Formats: []code.SectorFormat{code.SectorEarTag},
		Product: []category.FieldSpec{category.Enum("species", "畜种", "species", true, "pig", "cattle", "sheep")},
		Item: []category.FieldSpec{
			category.CodeField("ear_tag", "耳标号", "ear tag", code.SectorEarTag, true),
			category.F("farm", "养殖场(户)", "farm", category.KindText, true),
			category.F("farm_township", "养殖场所在乡镇", "farm township", category.KindRegion, true),
		},
		EventSet: events,
	}}
}

var speciesDigit = map[string]eartag.Species{"pig": eartag.Pig, "cattle": eartag.Cattle, "sheep": eartag.Sheep}

// CheckItem implements category.ItemChecker: the ear tag's species digit is
// the product's species (a breeding sow's 7 counts as a pig).
func (*Profile) CheckItem(product, item category.Record) error {
	tag, err := eartag.Parse(item.Get("ear_tag"))
	if err != nil {
		return category.Errf("item", "ear_tag", item.Get("ear_tag"), "%v", err)
	}
	want := speciesDigit[product.Get("species")]
	if got := tag.Species(); got != want && !(want == eartag.Pig && got == eartag.BreedingSow) {
		zh, en := got.Name()
		return category.Errf("item", "ear_tag", item.Get("ear_tag"), "is a %s (%s) tag, the product is %s", en, zh, product.Get("species"))
	}
	return nil
}

// CheckEvent implements category.EventChecker: intake names the quarantine
// certificate recorded at the farm (when one is), cutting needs a
// slaughter and a passed meat inspection, and nothing but inspection and
// cutting follows the slaughter.
func (*Profile) CheckEvent(h *category.History, e *category.Event) error {
	slaughtered := h.Last("slaughter") != nil
	switch e.Kind {
	case "intake":
		if q := h.Last("quarantine"); q != nil && q.Fields.Get("cert_no") != e.Fields.Get("cert_no") {
			return category.Errf("intake", "cert_no", e.Fields.Get("cert_no"), "is not the quarantine certificate %s recorded at the farm", q.Fields.Get("cert_no"))
		}
	case "cut":
		if !slaughtered {
			return category.Errf("cut", "kind", "cut", "the animal has no slaughter record")
		}
		if m := h.Last("meat-inspection"); m == nil || m.Fields.Get("result") != "pass" {
			return category.Errf("cut", "kind", "cut", "the carcass has no passed meat quality inspection")
		}
	case "meat-inspection":
	default:
		if slaughtered {
			return category.Errf(e.Kind, "kind", e.Kind, "the animal was slaughtered on %s", h.Last("slaughter").Time.Format(time.DateOnly))
		}
	}
	return nil
}

// Facts implements category.Profile: farm, township, slaughterhouse, the
// certificate numbers and the date of slaughter, all public.
func (*Profile) Facts(h *category.History, _ time.Time) []category.Fact {
	facts := []category.Fact{
		category.Pub("ear_tag", category.T("耳标号", "ear tag"), category.Same(h.Item.Get("ear_tag")), ""),
		category.Pub("farm", category.T("养殖场", "farm"), category.Same(h.Item.Get("farm")), ""),
		category.Pub("farm_township", category.T("养殖地", "farm township"), category.Place(h.Item.Get("farm_township")), ""),
	}
	if q := h.Last("quarantine"); q != nil {
		facts = append(facts, category.Pub("quarantine_cert", category.T("动物检疫合格证明", "quarantine certificate"), category.Same(q.Fields.Get("cert_no")), "ok"))
	} else {
		facts = append(facts, category.Pub("quarantine_cert", category.T("动物检疫合格证明", "quarantine certificate"), category.T("无", "none"), "bad"))
	}
	if m := h.Last("meat-inspection"); m != nil {
		st := "ok"
		if m.Fields.Get("result") != "pass" {
			st = "bad"
		}
		facts = append(facts, category.Pub("inspection_cert", category.T("肉品品质检验合格证", "meat inspection certificate"), category.Same(m.Fields.Get("cert_no")), st))
	}
	if s := h.Last("slaughter"); s != nil {
		facts = append(facts,
			category.Pub("slaughterhouse", category.T("屠宰企业", "slaughterhouse"), category.Same(s.Fields.Get("slaughterhouse")), ""),
			category.Pub("slaughtered", category.T("屠宰日期", "slaughtered"), category.Same(category.Local(s.Time, time.DateOnly)), ""))
	}
	return facts
}

// Rules implements category.Profile.
func (*Profile) Rules() []category.Rule {
	return []category.Rule{farm.InsideInterval{Kind: "slaughter"}, noQuarantine{}}
}

type noQuarantine struct{}

func (noQuarantine) Info() category.RuleInfo {
	return category.RuleInfo{ID: "slaughter-without-quarantine", Severity: alert.Critical,
		Trigger: category.T("屠宰无动物检疫合格证明的畜禽", "an animal slaughtered without an origin quarantine certificate")}
}

func (r noQuarantine) Check(h *category.History, e *category.Event, _ time.Time) []category.Finding {
	if e == nil || e.Kind != "slaughter" || h.Last("quarantine") != nil || h.Last("intake") != nil {
		return nil
	}
	return []category.Finding{{Rule: r.Info().ID, Severity: alert.Critical, Message: category.T(
		fmt.Sprintf("耳标 %s 的畜禽无检疫证明被屠宰(%s)", h.Item.Get("ear_tag"), e.Fields.Get("slaughterhouse")),
		fmt.Sprintf("animal %s slaughtered without a quarantine certificate (%s)", h.Item.Get("ear_tag"), e.Fields.Get("slaughterhouse")))}}
}
