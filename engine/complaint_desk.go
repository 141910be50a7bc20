package engine

// This file connects the engine to engine/complaint: what a code
// complained about is (its product, lot, producer and seller from the
// chain), where the complaint goes (the county of sale, else the
// producer's), and who a key is to the desk. The rules live in
// engine/complaint.

import (
	"fmt"

	"tracecode/engine/complaint"
)

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

// ComplaintAbout is what a report form shows of the code complained
// about, and where the complaint goes.
type ComplaintAbout struct {
	Code       string
	Product    string
	ProductEN  string
	Producer   string
	ProducerEN string
	Lot        string
	Seller     string
	SellerEN   string
	Subject    complaint.Subject
}

// countyOf returns the county-level division of a division code (a
// 9-digit township's county).
func countyOf(r uint32) uint32 {
	if r > 999999 {
		return r / 1000
	}
	return r
}

// ComplaintAbout resolves code for a complaint: the product, lot and
// producer, and the seller — the organisation holding the item now, when
// custody moved from the producer. The complaint goes to the county of
// the seller, else the producer's.
func (e *Engine) ComplaintAbout(code string) (ComplaintAbout, error) {
	c, err := e.Resolve(code)
	if err != nil {
		return ComplaintAbout{}, fmt.Errorf("%w: code: %v", complaint.ErrInvalid, err)
	}
	if c.Org == nil || c.Org.ID == 0 {
		return ComplaintAbout{}, fmt.Errorf("%w: code: %q is not a code of a registered product", complaint.ErrInvalid, code)
	}
	a := ComplaintAbout{Code: code, Producer: c.Org.Name, ProducerEN: c.Org.NameEN}
	a.Subject = complaint.Subject{Code: code, Producer: c.Org.ID, Region: countyOf(c.Org.Region)}
	if len(c.DigitalLink) > 0 {
		a.Code, a.Subject.Code = string(c.DigitalLink), string(c.DigitalLink)
	}
	if c.Product != nil {
		a.Product, a.ProductEN, a.Subject.Product = c.Product.NameZH, c.Product.NameEN, c.Product.ID
	}
	if c.Lot != nil {
		a.Lot, a.Subject.Lot = c.Lot.Number, c.Lot.ID
	}
	if h := c.Holder.Org; h != 0 && h != c.Org.ID {
		if o, err := e.Org(h); err == nil {
			a.Seller, a.SellerEN, a.Subject.Seller = o.Name, o.NameEN, o.ID
			if o.Region != 0 {
				a.Subject.Region = countyOf(o.Region)
			}
		}
	}
	return a, nil
}

// SubmitComplaint files a consumer's complaint (no key: anyone may).
func (e *Engine) SubmitComplaint(in complaint.Input) (complaint.Complaint, error) {
	d, err := e.ComplaintDesk()
	if err != nil {
		return complaint.Complaint{}, err
	}
	if err := in.Check(); err != nil {
		return complaint.Complaint{}, err
	}
	a, err := e.ComplaintAbout(in.Code)
	if err != nil {
		return complaint.Complaint{}, err
	}
	return d.Submit(in, a.Subject, e.nowMillis())
}

// ComplaintStatus returns a complaint's status for its complainant.
func (e *Engine) ComplaintStatus(tracking, phone string) (complaint.Status, error) {
	d, err := e.ComplaintDesk()
	if err != nil {
		return complaint.Status{}, err
	}
	return d.Lookup(tracking, phone)
}

// complaintViewer is who key k is to the desk.
func complaintViewer(k APIKey) complaint.Viewer {
	v := complaint.Viewer{Org: k.Org, Covers: RegionCovers}
	switch {
	case k.Scopes.Has(ScopeRegulator) && k.Region != 0:
		v.Region = k.Region
	case k.Org == 0 && k.Scopes.Has(ScopeAdmin):
		v.Operator = true
	}
	return v
}

// ComplaintInbox returns the complaints key k sees: a regulator those
// routed to its region or below, an organisation those about it (without
// the complainant's name, phone or photos), the operator all.
func (e *Engine) ComplaintInbox(k APIKey) ([]complaint.Complaint, error) {
	d, err := e.ComplaintDesk()
	if err != nil {
		return nil, err
	}
	return d.Inbox(complaintViewer(k), 0)
}

// Complaint returns complaint tracking as key k sees it.
func (e *Engine) Complaint(k APIKey, tracking string) (complaint.Complaint, error) {
	d, err := e.ComplaintDesk()
	if err != nil {
		return complaint.Complaint{}, err
	}
	return d.Get(complaintViewer(k), tracking)
}

// ComplaintPhoto returns photo i (from 0) of complaint tracking and its
// type, for a regulator it is routed to or the operator.
func (e *Engine) ComplaintPhoto(k APIKey, tracking string, i int) ([]byte, string, error) {
	d, err := e.ComplaintDesk()
	if err != nil {
		return nil, "", err
	}
	return d.Photo(complaintViewer(k), tracking, i)
}

// ActOnComplaint records a regulator's accept, refuse or close.
func (e *Engine) ActOnComplaint(k APIKey, tracking string, a complaint.Action, note string) (complaint.Complaint, error) {
	d, err := e.ComplaintDesk()
	if err != nil {
		return complaint.Complaint{}, err
	}
	return d.Act(complaintViewer(k), keyCredential(k), tracking, a, note, e.nowMillis())
}
