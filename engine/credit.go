package engine

// The engine's facade over engine/credit: the credit book, opened on first
// use, as API keys use it (credit.Office), and the entries closed recalls
// and confirmed alerts add.

import (
	"sync"
	"sync/atomic"

	"tracecode/engine/alert"
	"tracecode/engine/complaint"
	"tracecode/engine/credit"
	"tracecode/engine/recall"
	"tracecode/engine/spotcheck"
)

// dutyBooks are the credit book, the complaint desk and the spot checks, opened on first
// use (they read their records into memory once).
type dutyBooks struct {
	mu         sync.Mutex // serialises opening
	credit     atomic.Pointer[credit.Office]
	complaints atomic.Pointer[complaint.Desk]
	spot       atomic.Pointer[spotcheck.Office]
}

// CreditView is an organisation's credit record as a key sees it (see
// credit.View).
type CreditView = credit.View

// Listing is a published entry of the public lists with its
// organisation's names (see credit.Listing).
type Listing = credit.Listing

// creditOffice returns the engine's credit office, opening the book on
// first use.
func (e *Engine) creditOffice() (*credit.Office, error) {
	if o := e.duties.credit.Load(); o != nil {
		return o, nil
	}
	e.duties.mu.Lock()
	defer e.duties.mu.Unlock()
	if o := e.duties.credit.Load(); o != nil {
		return o, nil
	}
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	b, err := credit.Open(e.db, credit.Config{Location: e.opts.Location})
	if err != nil {
		return nil, err
	}
	o := credit.NewOffice(b, parts{e})
	e.duties.credit.Store(o)
	return o, nil
}

// withCredit calls f with the credit office.
func withCredit[T any](e *Engine, f func(o *credit.Office) (T, error)) (T, error) {
	o, err := e.creditOffice()
	if err != nil {
		var zero T
		return zero, err
	}
	return f(o)
}

// CreditBook returns the engine's credit ledger, opening it on first use.
func (e *Engine) CreditBook() (*credit.Book, error) {
	return withCredit(e, func(o *credit.Office) (*credit.Book, error) { return o.Book, nil })
}

// checkOpen returns ErrClosed once the engine is closed.
func (e *Engine) checkOpen() error {
	if e.iss.Closed() {
		return ErrClosed
	}
	return nil
}

// keyCredential names key k in the records it writes (apikey.Key.Credential).
func keyCredential(k APIKey) string { return k.Credential() }

// AddCredit writes a credit entry about the organisation uscc names, as
// key k (credit.Office.Add).
func (e *Engine) AddCredit(k APIKey, uscc string, in credit.Input) (credit.Record, error) {
	return withCredit(e, func(o *credit.Office) (credit.Record, error) { return o.Add(k, uscc, in) })
}

// Credit returns the credit record of uscc for key k (credit.Office.View).
func (e *Engine) Credit(k APIKey, uscc string) (CreditView, error) {
	return withCredit(e, func(o *credit.Office) (CreditView, error) { return o.View(k, uscc) })
}

// ApplyCreditRepair files key k's organisation's application to repair
// entry seq (credit.Office.ApplyRepair).
func (e *Engine) ApplyCreditRepair(k APIKey, seq uint64, note, requestID string) (credit.Record, error) {
	return withCredit(e, func(o *credit.Office) (credit.Record, error) { return o.ApplyRepair(k, seq, note, requestID) })
}

// DecideCreditRepair records key k's decision on the repair application
// of entry seq (credit.Office.DecideRepair).
func (e *Engine) DecideCreditRepair(k APIKey, seq uint64, approve bool, note, requestID string) (credit.Record, error) {
	return withCredit(e, func(o *credit.Office) (credit.Record, error) { return o.DecideRepair(k, seq, approve, note, requestID) })
}

// CreditRepairsPending returns the entries with a repair application
// pending that key k decides (credit.Office.RepairsPending).
func (e *Engine) CreditRepairsPending(k APIKey) ([]credit.Entry, error) {
	return withCredit(e, func(o *credit.Office) ([]credit.Entry, error) { return o.RepairsPending(k), nil })
}

// CreditListed returns the organisations now on the serious violation
// list and the abnormal-operations list (public).
func (e *Engine) CreditListed() ([]Listing, error) {
	return withCredit(e, func(o *credit.Office) ([]Listing, error) { return o.Listed(), nil })
}

// CreditWarning returns the published serious-violation entry of
// organisation org, which the scan pages of its products show (ok false:
// none, or the organisation has no USCC).
func (e *Engine) CreditWarning(org uint32) (credit.Entry, bool) {
	o, err := e.creditOffice()
	if err != nil {
		return credit.Entry{}, false
	}
	return o.Warning(org)
}

// RiskClass returns the spot-check risk class of the organisation with
// USCC uscc now (credit.RiskLow when the book cannot be read).
func (e *Engine) RiskClass(uscc string) credit.RiskClass {
	o, err := e.creditOffice()
	if err != nil {
		return credit.RiskLow
	}
	return o.RiskClass(uscc)
}

// creditRecallClosed adds the recall-history entry of a closed recall.
func (e *Engine) creditRecallClosed(r *recall.Recall) {
	if o, err := e.creditOffice(); err == nil {
		o.RecallClosed(r)
	}
}

// creditAlertConfirmed adds the entry of an alert a regulator confirmed.
func (e *Engine) creditAlertConfirmed(a *alert.Alert) {
	if o, err := e.creditOffice(); err == nil {
		o.AlertConfirmed(a)
	}
}
