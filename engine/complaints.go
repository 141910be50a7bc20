package engine

// The engine's complaint desk, opened on first use, as its callers use it
// (complaint.Office: codes resolved into subjects, keys as viewers).

import "tracecode/engine/complaint"

// Complaints returns the engine's complaint office; the desk opens on
// first use and, once OpenNotices ran, its deadlines raise alerts.
func (e *Engine) Complaints() *complaint.Office {
	return complaint.NewOffice(e.complaintDesk, parts{e, e.iss}, e.nowMillis)
}

// complaintDesk returns the complaint desk, opening it on first use.
func (e *Engine) complaintDesk() (*complaint.Desk, error) {
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
