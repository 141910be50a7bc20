package category

import (
	"time"

	"tracecode/engine/alert"
)

// Target is what a category rule needs of an alert fact: the item's
// History before the event (what the event rules judge the event
// against) and after it (what the due-date rules read), the category
// event (nil for a registration or a due date), the alert's subject, the
// division it is routed to, and the item's stable key (the subject of
// its due entries).
type Target struct {
	Before  *History
	After   *History
	Event   *Event
	Subject alert.Subject
	Region  uint32
	Key     []byte
}

// Source gives a category rule what an alert fact does not carry. ok is
// false when the fact concerns no item of profile. engine/sector
// implements it over its book: an event fact carries its staged item, a
// due fact names the item by its key.
type Source interface {
	CategoryTarget(profile string, f *alert.Fact) (t Target, ok bool)
}

// DueRule is a rule that watches a date: an inspection, a maintenance
// visit, a filing that must happen by then. The alert engine wakes it at
// NextDue with a due-date evaluation (Check with a nil event); a new event
// moves the date.
type DueRule interface {
	Rule
	// NextDue returns the first instant strictly after after at which the
	// rule's finding becomes true if nothing more happens to the item (ok
	// false: none — the item is scrapped, suspended, or in order).
	// Calendar dates turn at midnight in loc.
	NextDue(h *History, after time.Time, loc *time.Location) (time.Time, bool)
}

// Clearing is a DueRule whose alert ends when its cause does: an alert it
// raised at due is closed (resolved) by the first later event after
// which Cleared says the finding no longer holds — the month's report
// filed late. note says what cleared it, for the alert's history.
type Clearing interface {
	DueRule
	Cleared(h *History, due time.Time) (note string, ok bool)
}

// Start returns the first instant of date d in loc.
func (d Date) Start(loc *time.Location) time.Time {
	y, m, day := d.Civil()
	return time.Date(y, time.Month(m), day, 0, 0, 0, 0, loc)
}

// OverdueFrom returns when date d is past (the start of the next day in
// loc), if that is after after.
func OverdueFrom(d Date, after time.Time, loc *time.Location) (time.Time, bool) {
	if d == NoDate {
		return time.Time{}, false
	}
	t := (d + 1).Start(loc)
	return t, t.After(after)
}

// AlertRule adapts a profile's rule to engine/alert's Rule interface, so
// that the alert evaluator runs it with the built-in rules. An event rule
// judges each category event; a DueRule is not run on events but
// scheduled: each event (and the item's registration) moves its due entry
// to NextDue, and the due-date evaluation raises its findings once — the
// rule's mark remembers the last due date raised, so a later event that
// leaves the date where it was does not raise it again.
type AlertRule struct {
	Profile string
	Rule    Rule
	Source  Source
	// Loc is the zone of calendar dates (nil: time.Local).
	Loc *time.Location
}

// Info implements alert.Rule.
func (a AlertRule) Info() alert.RuleInfo {
	in := a.Rule.Info()
	return alert.RuleInfo{Name: in.ID, Severity: in.Severity, Facts: alert.Facts(alert.FactEvent, alert.FactDue),
		Trigger: in.Trigger.EN + " (" + in.Trigger.ZH + ")",
		Routing: "the regulators of the item's division (its township when it has one, else its producer's) and every level above"}
}

func (a AlertRule) loc() *time.Location {
	if a.Loc != nil {
		return a.Loc
	}
	return time.Local
}

// Apply implements alert.Rule.
func (a AlertRule) Apply(ev *alert.Eval, f *alert.Fact) error {
	t, ok := a.Source.CategoryTarget(a.Profile, f)
	if !ok {
		return nil
	}
	now := time.UnixMilli(f.Time).In(a.loc())
	dr, due := a.Rule.(DueRule)
	switch {
	case f.Kind == alert.FactEvent && !due:
		if t.Event == nil {
			return nil
		}
		for _, fd := range a.Rule.Check(t.Before, t.Event, now) {
			al := fd.Alert(t.Subject, t.Region)
			al.Evidence = []alert.Evidence{{Kind: alert.EvRecord, Seq: f.Seq, Note: "category event " + t.Event.Kind}}
			if err := ev.Raise(al); err != nil {
				return err
			}
		}
		return nil
	case f.Kind == alert.FactEvent:
		if err := a.clear(ev, t); err != nil {
			return err
		}
		last, err := a.lastRaised(ev, t.Key)
		if err != nil {
			return err
		}
		return a.schedule(ev, dr, t, last)
	case f.Kind == alert.FactDue && due:
		last, err := a.lastRaised(ev, t.Key)
		if err != nil {
			return err
		}
		raised := false
		for _, fd := range a.Rule.Check(t.After, nil, now) {
			if !fd.Due.IsZero() && fd.Due.UnixMilli() <= last {
				continue // raised at an earlier due date
			}
			if err := ev.Raise(fd.Alert(t.Subject, t.Region)); err != nil {
				return err
			}
			raised = true
			if _, ok := a.Rule.(Clearing); ok && !fd.Due.IsZero() {
				rs := ev.Raised()
				if err := ev.Track(t.Key, &rs[len(rs)-1], fd.Due.UnixMilli()); err != nil {
					return err
				}
			}
		}
		if raised {
			last = f.Time
			if err := ev.Unmark(t.Key); err != nil {
				return err
			}
			if _, _, err := ev.Mark(t.Key, 0, last); err != nil {
				return err
			}
		}
		return a.schedule(ev, dr, t, max(last, f.Time))
	}
	return nil
}

// clear closes the alerts a Clearing rule raised about the item whose
// cause the item's history after the event no longer shows.
func (a AlertRule) clear(ev *alert.Eval, t Target) error {
	cr, ok := a.Rule.(Clearing)
	if !ok || t.After == nil {
		return nil
	}
	return ev.Tracked(t.Key, func(id uint64, due int64) error {
		note, ok := cr.Cleared(t.After, time.UnixMilli(due).In(a.loc()))
		if !ok {
			return nil
		}
		return ev.Resolve(t.Key, id, note)
	})
}

// lastRaised returns when the rule last raised for the item (unix ms, 0:
// never).
func (a AlertRule) lastRaised(ev *alert.Eval, key []byte) (int64, error) {
	m, had, err := ev.Marked(key)
	if err != nil || !had {
		return 0, err
	}
	return m.Time, nil
}

// schedule moves the item's due entry to the rule's next due date after
// last, or removes it.
func (a AlertRule) schedule(ev *alert.Eval, dr DueRule, t Target, last int64) error {
	next, ok := dr.NextDue(t.After, time.UnixMilli(last).In(a.loc()), a.loc())
	if !ok {
		return ev.Cancel(t.Key)
	}
	if at, had, err := ev.Scheduled(t.Key); err != nil || (had && at == next.UnixMilli()) {
		return err
	}
	return ev.Schedule(t.Key, next.UnixMilli(), nil)
}

// AlertRules returns the adapters of every rule of every registered
// profile, reading through src, with calendar dates in loc.
func AlertRules(src Source, loc *time.Location) []alert.Rule {
	var out []alert.Rule
	for _, p := range Profiles() {
		for _, r := range p.Rules() {
			out = append(out, AlertRule{Profile: p.Name(), Rule: r, Source: src, Loc: loc})
		}
	}
	return out
}
