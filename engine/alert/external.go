package alert

// ScheduleFor schedules a due entry of rule name for subject, as
// Schedule does for the rule being applied: for rules whose clock starts
// outside the report path (a complaint's acceptance deadline, filed by
// the complaint desk in its own batch).
func (ev *Eval) ScheduleFor(name string, subject []byte, due int64, payload []byte) error {
	prev := ev.rule
	ev.rule = name
	defer func() { ev.rule = prev }()
	return ev.Schedule(subject, due, payload)
}

// CancelFor removes rule name's due entry for subject, if any.
func (ev *Eval) CancelFor(name string, subject []byte) error {
	prev := ev.rule
	ev.rule = name
	defer func() { ev.rule = prev }()
	return ev.Cancel(subject)
}
