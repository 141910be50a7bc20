package category

import (
	"time"

	"tracecode/engine/alert"
)

// Source gives a category rule what an alert fact does not carry: the
// item's History, the category event the fact is (nil for a due date), the
// alert's subject and the division it is routed to. ok is false when the
// fact concerns no item of the profile. The engine implements it over its
// store (the item's master data and category events).
type Source interface {
	CategoryFacts(profile string, f *alert.Fact) (h *History, e *Event, subject alert.Subject, region uint32, ok bool)
}

// AlertRule adapts a profile's rule to engine/alert's Rule interface, so
// that the alert evaluator runs it with the built-in rules: it reads event
// facts and due dates, asks Source for the history, and raises each
// finding.
type AlertRule struct {
	Profile string
	Rule    Rule
	Source  Source
}

// Info implements alert.Rule.
func (a AlertRule) Info() alert.RuleInfo {
	in := a.Rule.Info()
	return alert.RuleInfo{Name: in.ID, Severity: in.Severity, Facts: alert.Facts(alert.FactEvent, alert.FactDue),
		Trigger: in.Trigger.EN + " (" + in.Trigger.ZH + ")",
		Routing: "the regulators of the item's division (and every level above); the organisation that reported or holds the item"}
}

// Apply implements alert.Rule.
func (a AlertRule) Apply(ev *alert.Eval, f *alert.Fact) error {
	h, e, subject, region, ok := a.Source.CategoryFacts(a.Profile, f)
	if !ok {
		return nil
	}
	if f.Kind == alert.FactDue {
		e = nil
	}
	for _, fd := range a.Rule.Check(h, e, time.UnixMilli(f.Time)) {
		al := fd.Alert(subject, region)
		if f.Kind == alert.FactEvent {
			al.Evidence = []alert.Evidence{{Kind: alert.EvRecord, Seq: f.Seq, Note: "category event"}}
		}
		if err := ev.Raise(al); err != nil {
			return err
		}
	}
	return nil
}

// AlertRules returns the adapters of every rule of every registered
// profile, reading through src.
func AlertRules(src Source) []alert.Rule {
	var out []alert.Rule
	for _, p := range Profiles() {
		for _, r := range p.Rules() {
			out = append(out, AlertRule{Profile: p.Name(), Rule: r, Source: src})
		}
	}
	return out
}
