package complaint

import (
	"fmt"
	"sort"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/internal/wire"
)

// RuleOverdue is the name of the rule that raises an alert when a
// complaint's acceptance decision is not made by its deadline.
const RuleOverdue = "complaint-acceptance-overdue"

// OverdueRule raises, at a complaint's acceptance deadline, an alert to
// the county regulator it was routed to. The desk schedules the deadline
// when the complaint is filed and cancels it with the decision, so a
// deadline that comes is overdue.
type OverdueRule struct{}

// Info documents the rule.
func (OverdueRule) Info() alert.RuleInfo {
	return alert.RuleInfo{Name: RuleOverdue, Severity: alert.Warning, Facts: alert.Facts(alert.FactDue),
		Trigger: "a consumer complaint has no acceptance decision by the end of its 7th working day (working-day calendar with public holidays)",
		Routing: "the market regulator of the county the complaint was routed to (county of sale, else the producer's)"}
}

// overduePayload is the due entry's payload: the county and the code.
func overduePayload(c *Complaint) []byte {
	var w wire.Writer
	w.U32(c.Region)
	w.Raw([]byte(c.Code))
	return w.B
}

// Apply raises the overdue alert of the complaint whose deadline came.
func (OverdueRule) Apply(ev *alert.Eval, f *alert.Fact) error {
	if f.Kind != alert.FactDue || f.Due == nil {
		return nil
	}
	d := wire.Reader{What: "complaint deadline payload", B: f.Due.Payload}
	d.Field = "region"
	region := d.U32()
	code := string(d.Raw(len(d.B) - d.Off))
	if d.Err != nil {
		return d.Err
	}
	tr := string(f.Due.Subject)
	day := time.UnixMilli(f.Due.Due).In(time.FixedZone("CST", 8*3600)).Add(-time.Millisecond).Format("2006-01-02")
	return ev.Raise(alert.Alert{Region: region, Subject: alert.Subject{Code: code},
		Message:   fmt.Sprintf("Complaint %s has no acceptance decision; it was due by the end of %s.", tr, day),
		MessageZH: fmt.Sprintf("投诉举报 %s 未在期限内作出是否受理的决定(应于 %s 前决定)。", tr, day),
		Evidence:  []alert.Evidence{{Note: "complaint " + tr}}})
}

func sortStrings(s []string) { sort.Strings(s) }
