package complaint

// The desk as the engine's callers use it (Office): a consumer's
// complaint resolved into its subject and filed, its status for the
// complainant, and the inbox, photos and actions of API keys as viewers.

import "tracecode/engine/apikey"

// Office is the complaint desk with the codes complaints name and the
// clock. It is safe for concurrent use.
type Office struct {
	desk  func() (*Desk, error)
	codes Codes
	now   func() int64 // unix ms
}

// NewOffice returns the office over the desk desk opens (on first use:
// its error is the answer of every call until it opens), resolving codes
// through codes, with the clock now.
func NewOffice(desk func() (*Desk, error), codes Codes, now func() int64) *Office {
	return &Office{desk: desk, codes: codes, now: now}
}

// Desk returns the complaint desk.
func (o *Office) Desk() (*Desk, error) { return o.desk() }

// About resolves code for a complaint form (AboutCode).
func (o *Office) About(code string) (About, error) { return AboutCode(o.codes, code) }

// Submit files a consumer's complaint (no key: anyone may), routed to
// the subject its code resolves to.
func (o *Office) Submit(in Input) (Complaint, error) {
	d, err := o.desk()
	if err != nil {
		return Complaint{}, err
	}
	if err := in.Check(); err != nil {
		return Complaint{}, err
	}
	a, err := o.About(in.Code)
	if err != nil {
		return Complaint{}, err
	}
	return d.Submit(in, a.Subject, o.now())
}

// Status returns a complaint's status for its complainant.
func (o *Office) Status(tracking, phone string) (Status, error) {
	d, err := o.desk()
	if err != nil {
		return Status{}, err
	}
	return d.Lookup(tracking, phone)
}

// Inbox returns the complaints key k sees: a regulator those routed to
// its region or below, an organisation those about it (without the
// complainant's name, phone or photos), the operator all.
func (o *Office) Inbox(k apikey.Key) ([]Complaint, error) {
	d, err := o.desk()
	if err != nil {
		return nil, err
	}
	return d.Inbox(KeyViewer(k), 0)
}

// Get returns complaint tracking as key k sees it.
func (o *Office) Get(k apikey.Key, tracking string) (Complaint, error) {
	d, err := o.desk()
	if err != nil {
		return Complaint{}, err
	}
	return d.Get(KeyViewer(k), tracking)
}

// Photo returns photo i (from 0) of complaint tracking and its type, for
// a regulator it is routed to or the operator.
func (o *Office) Photo(k apikey.Key, tracking string, i int) ([]byte, string, error) {
	d, err := o.desk()
	if err != nil {
		return nil, "", err
	}
	return d.Photo(KeyViewer(k), tracking, i)
}

// Act records a regulator's accept, refuse or close as key k.
func (o *Office) Act(k apikey.Key, tracking string, a Action, note string) (Complaint, error) {
	d, err := o.desk()
	if err != nil {
		return Complaint{}, err
	}
	return d.Act(KeyViewer(k), k.Credential(), tracking, a, note, o.now())
}
