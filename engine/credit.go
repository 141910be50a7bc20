package engine

// The engine's credit book, opened on first use, as API keys use it
// (credit.Office); the entries closed recalls and confirmed alerts add
// come through the notice office (noticeParts, notice.go).

import (
	"sync"
	"sync/atomic"

	"tracecode/engine/complaint"
	"tracecode/engine/credit"
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

// Credit returns the engine's credit office (the credit ledger as keys
// use it, its public lists and risk classes), opening the book on first
// use.
func (e *Engine) Credit() (*credit.Office, error) {
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
	o := credit.NewOffice(b, parts{e, e.iss})
	e.duties.credit.Store(o)
	return o, nil
}

// checkOpen returns ErrClosed once the engine is closed.
func (e *Engine) checkOpen() error {
	if e.iss.Closed() {
		return ErrClosed
	}
	return nil
}
