package engine

// The engine's facade over engine/complaint: the desk, opened on first
// use, with codes resolved into subjects (complaint.AboutCode) and keys
// as viewers (complaint.KeyViewer).

import "tracecode/engine/complaint"

// ComplaintAbout is what a report form shows of the code complained
// about, and where the complaint goes (see complaint.About).
type ComplaintAbout = complaint.About

// ComplaintDesk returns the engine's complaint desk, opening it on first
// use; once OpenNotices ran, its deadlines raise alerts.
func (e *Engine) ComplaintDesk() (*complaint.Desk, error) {
	if d := e.duties.complaints.Load(); d != nil {
		return d, nil
	}
	e.duties.mu.Lock()
	defer e.duties.mu.Unlock()
	if d := e.duties.complaints.Load(); d != nil {
		return d, nil
	}
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	cal := complaint.DefaultCalendar()
	cal.Loc = e.opts.Location
	d, err := complaint.Open(e.db, complaint.Config{Calendar: cal})
	if err != nil {
		return nil, err
	}
	if n := e.notices.Load(); n != nil {
		d.SetAlerts(n.Alerts)
	}
	e.duties.complaints.Store(d)
	return d, nil
}

// withDesk calls f with the complaint desk.
func withDesk[T any](e *Engine, f func(d *complaint.Desk) (T, error)) (T, error) {
	d, err := e.ComplaintDesk()
	if err != nil {
		var zero T
		return zero, err
	}
	return f(d)
}

// ComplaintAbout resolves code for a complaint (complaint.AboutCode).
func (e *Engine) ComplaintAbout(code string) (ComplaintAbout, error) {
	return complaint.AboutCode(e, code)
}

// SubmitComplaint files a consumer's complaint (no key: anyone may).
func (e *Engine) SubmitComplaint(in complaint.Input) (complaint.Complaint, error) {
	return withDesk(e, func(d *complaint.Desk) (complaint.Complaint, error) {
		if err := in.Check(); err != nil {
			return complaint.Complaint{}, err
		}
		a, err := e.ComplaintAbout(in.Code)
		if err != nil {
			return complaint.Complaint{}, err
		}
		return d.Submit(in, a.Subject, e.nowMillis())
	})
}

// ComplaintStatus returns a complaint's status for its complainant.
func (e *Engine) ComplaintStatus(tracking, phone string) (complaint.Status, error) {
	return withDesk(e, func(d *complaint.Desk) (complaint.Status, error) { return d.Lookup(tracking, phone) })
}

// ComplaintInbox returns the complaints key k sees: a regulator those
// routed to its region or below, an organisation those about it (without
// the complainant's name, phone or photos), the operator all.
func (e *Engine) ComplaintInbox(k APIKey) ([]complaint.Complaint, error) {
	return withDesk(e, func(d *complaint.Desk) ([]complaint.Complaint, error) { return d.Inbox(complaint.KeyViewer(k), 0) })
}

// Complaint returns complaint tracking as key k sees it.
func (e *Engine) Complaint(k APIKey, tracking string) (complaint.Complaint, error) {
	return withDesk(e, func(d *complaint.Desk) (complaint.Complaint, error) { return d.Get(complaint.KeyViewer(k), tracking) })
}

// ComplaintPhoto returns photo i (from 0) of complaint tracking and its
// type, for a regulator it is routed to or the operator.
func (e *Engine) ComplaintPhoto(k APIKey, tracking string, i int) ([]byte, string, error) {
	d, err := e.ComplaintDesk()
	if err != nil {
		return nil, "", err
	}
	return d.Photo(complaint.KeyViewer(k), tracking, i)
}

// ActOnComplaint records a regulator's accept, refuse or close.
func (e *Engine) ActOnComplaint(k APIKey, tracking string, a complaint.Action, note string) (complaint.Complaint, error) {
	return withDesk(e, func(d *complaint.Desk) (complaint.Complaint, error) {
		return d.Act(complaint.KeyViewer(k), k.Credential(), tracking, a, note, e.nowMillis())
	})
}
