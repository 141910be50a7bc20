package alert

import (
	"fmt"

	"tracecode/engine/store"
)

// Get returns alert id if actor may see it (ErrNotFound otherwise: an
// alert another region owns is not disclosed).
func (x *Evaluator) Get(actor Actor, id uint64) (Alert, error) {
	a, found, err := x.load(id)
	if err != nil {
		return a, err
	}
	if !found || !actor.Sees(&a) {
		return Alert{}, fmt.Errorf("%w: alert %d", ErrNotFound, id)
	}
	return a, nil
}

func (x *Evaluator) load(id uint64) (Alert, bool, error) {
	var a Alert
	var derr error
	found, err := x.db.Get(Key(id), func(v []byte) error {
		a, derr = Decode(id, v)
		return nil
	})
	if err == nil {
		err = derr
	}
	return a, found, err
}

// Filter selects alerts for List. Zero fields select everything.
type Filter struct {
	Region uint32 // alerts routed to this division or inside it
	State  State
	Rule   string
	Org    uint32 // alerts about this organisation
	Limit  int    // at most this many, newest first (0: 1,000)
}

// List returns the alerts actor sees that match f, newest first. Alerts
// are few (they are exceptions), so it reads them newest first and stops
// at the limit.
func (x *Evaluator) List(actor Actor, f Filter) ([]Alert, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	it, err := x.db.NewIter(store.AlertKeys.Bounds())
	if err != nil {
		return nil, err
	}
	var out []Alert
	for ok := it.Last(); ok && len(out) < limit; ok = it.Prev() {
		id, err := store.DecodeAlertKey(it.Key())
		if err != nil {
			it.Close()
			return nil, err
		}
		v, err := it.Value()
		if err != nil {
			it.Close()
			return nil, err
		}
		a, err := Decode(id, v)
		if err != nil {
			it.Close()
			return nil, err
		}
		if !actor.Sees(&a) || (f.Region != 0 && !Covers(f.Region, a.Region)) ||
			(f.State != 0 && a.State != f.State) || (f.Rule != "" && a.Rule != f.Rule) ||
			(f.Org != 0 && a.Subject.Org != f.Org) {
			continue
		}
		out = append(out, a)
	}
	return out, it.Close()
}

// Acknowledge moves alert id from open to acknowledged: actor (the
// organisation concerned or a regulator who sees it) has seen it.
func (x *Evaluator) Acknowledge(actor Actor, id uint64, note string, now int64) (Alert, error) {
	return x.change(actor, id, Change{State: Acknowledged, Note: note, Time: now, By: actor.By})
}

// Close closes alert id with a note saying what was done and an outcome.
// Only a regulator who sees the alert, or the operator, closes it — and
// only they confirm or clear a suspicion; the organisation concerned
// acknowledges and explains in its note.
func (x *Evaluator) Close(actor Actor, id uint64, outcome Outcome, note string, now int64) (Alert, error) {
	if note == "" {
		return Alert{}, fmt.Errorf("%w: note: a closed alert says what was done", ErrInvalid)
	}
	if outcome > Cleared {
		return Alert{}, fmt.Errorf("%w: outcome %d", ErrInvalid, outcome)
	}
	return x.change(actor, id, Change{State: Closed, Outcome: outcome, Note: note, Time: now, By: actor.By})
}

func (x *Evaluator) change(actor Actor, id uint64, c Change) (Alert, error) {
	if err := checkText("note", c.Note, 2000); err != nil {
		return Alert{}, err
	}
	x.wakeMu.Lock() // serialises state changes of alerts
	defer x.wakeMu.Unlock()
	a, err := x.Get(actor, id)
	if err != nil {
		return a, err
	}
	switch {
	case c.State == Closed && !actor.Operator && actor.Region == 0:
		return Alert{}, fmt.Errorf("%w: alert %d: only a regulator of its region closes it", ErrForbidden, id)
	case a.State == Closed:
		return Alert{}, fmt.Errorf("%w: alert %d is closed", ErrState, id)
	case c.State == Acknowledged && a.State != Open:
		return Alert{}, fmt.Errorf("%w: alert %d is %s, not open", ErrState, id, a.State)
	}
	a.State = c.State
	a.Changes = append(a.Changes, c)
	b := x.db.NewBatch()
	defer b.Close()
	if err := b.Set(Key(id), a.AppendBinary(nil)); err != nil {
		return Alert{}, err
	}
	return a, b.Commit(true)
}
