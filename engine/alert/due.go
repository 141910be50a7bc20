package alert

import (
	"context"
	"math"
	"time"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// DueEntry is a date a rule asked to be woken at, about a subject of its
// own making, with a payload it reads back (a recall's recipient and
// region, a cylinder's next inspection).
//
// # Representation (key 0xAA | due u64 | len u8 | rule | subject, value version 1)
//
//	ver=1 | payload (the rest of the value)
//
// The rule also keeps a mark under "due:"+rule and the subject holding
// the due time, so Cancel finds the entry without a scan.
type DueEntry struct {
	Due     int64 // unix ms
	Rule    string
	Subject []byte
	Payload []byte
}

func dueKey(due int64, rule string, subject []byte) []byte {
	return store.AlertDueKey(due, rule, subject)
}

// dueValue is the stored value of a due entry carrying payload.
func dueValue(payload []byte) []byte {
	w := wire.Writer{B: make([]byte, 0, 1+len(payload))}
	w.Version(1)
	w.Raw(payload)
	return w.B
}

func decodeDue(k, v []byte) (DueEntry, error) {
	var d DueEntry
	due, rule, subject, err := store.DecodeAlertDueKey(k)
	if err != nil {
		return d, err
	}
	d.Due, d.Rule, d.Subject = due, string(rule), append([]byte(nil), subject...)
	r := wire.NewReader("alert due entry", v)
	r.Version(1)
	d.Payload = append([]byte(nil), r.Raw(len(v)-r.Off)...)
	return d, r.Done()
}

// Schedule asks for the rule being applied to get a FactDue for subject
// at due (unix ms), carrying payload. A subject has one due entry per
// rule: scheduling again moves it.
func (ev *Eval) Schedule(subject []byte, due int64, payload []byte) error {
	if err := ev.Cancel(subject); err != nil {
		return err
	}
	if err := ev.b.Set(dueKey(due, ev.rule, subject), dueValue(payload)); err != nil {
		return err
	}
	ev.firstDue = min(ev.firstDue, due)
	return ev.putMark(markKey("due:"+ev.rule, subject), &Mark{Time: due, N: 1})
}

// Cancel removes the rule's due entry for subject, if any.
func (ev *Eval) Cancel(subject []byte) error {
	mk := markKey("due:"+ev.rule, subject)
	m, had, err := ev.markAt(mk)
	if err != nil || !had {
		return err
	}
	if err := ev.b.Delete(dueKey(m.Time, ev.rule, subject)); err != nil {
		return err
	}
	if ev.marks == nil {
		ev.marks = map[string][]byte{}
	}
	ev.marks[string(mk)] = nil
	return ev.b.Delete(mk)
}

// Scheduled reports when the rule's due entry for subject is (ok false:
// none).
func (ev *Eval) Scheduled(subject []byte) (due int64, ok bool, err error) {
	m, had, err := ev.markAt(markKey("due:"+ev.rule, subject))
	return m.Time, had, err
}

// Scheduler fires due entries when their date comes. It sleeps on a timer
// set to the earliest entry (re-armed when an evaluation schedules an
// earlier one), never polling the store.
type Scheduler struct {
	x      *Evaluator
	now    func() time.Time
	commit func(b *store.Batch, ev *Eval) error
	wakeC  chan int64
}

// NewScheduler returns the scheduler of x. now is the clock (nil:
// time.Now). commit commits a batch of fired entries and what their rules
// wrote (nil: a synced commit); the engine passes one that takes its
// report lock.
func (x *Evaluator) NewScheduler(now func() time.Time, commit func(b *store.Batch, ev *Eval) error) *Scheduler {
	if now == nil {
		now = time.Now
	}
	if commit == nil {
		commit = func(b *store.Batch, _ *Eval) error { return b.Commit(true) }
	}
	s := &Scheduler{x: x, now: now, commit: commit, wakeC: make(chan int64, 1)}
	x.wakeMu.Lock()
	x.wake = s.poke
	x.wakeMu.Unlock()
	return s
}

// poke tells the loop of a due date (it keeps the earliest pending).
func (s *Scheduler) poke(due int64) {
	for {
		select {
		case s.wakeC <- due:
			return
		default:
		}
		select {
		case old := <-s.wakeC:
			due = min(due, old)
		default:
		}
	}
}

// Run fires due entries until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		next, err := s.FireDue()
		if err != nil {
			return err
		}
		wait := time.Duration(math.MaxInt64)
		if next != math.MaxInt64 {
			wait = time.Duration(next-s.now().UnixMilli()) * time.Millisecond
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		if wait < 0 {
			wait = 0
		}
		t.Reset(min(wait, 24*time.Hour))
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wakeC:
		}
	}
}

// FireDue fires every entry due by now, each rule's writes committed
// with the entry's removal, and returns the next due date
// (math.MaxInt64: none).
func (s *Scheduler) FireDue() (next int64, err error) {
	now := s.now().UnixMilli()
	lo, hi := store.AlertDueBefore(now + 1)
	for {
		var batch []DueEntry
		err := s.x.db.Scan(lo, hi, func(k, v []byte) error {
			d, err := decodeDue(k, v)
			if err != nil {
				return err
			}
			batch = append(batch, d)
			if len(batch) == 256 {
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			return 0, err
		}
		if len(batch) == 0 {
			break
		}
		b := s.x.db.NewBatch()
		ev := s.x.Begin(b, now)
		for i := range batch {
			d := &batch[i]
			ev.rule = d.Rule
			if err := ev.Cancel(d.Subject); err != nil {
				b.Close()
				return 0, err
			}
			// An entry without its mark (written by a crashed build) goes too.
			if err := b.Delete(dueKey(d.Due, d.Rule, d.Subject)); err != nil {
				b.Close()
				return 0, err
			}
			if err := ev.applyDue(d); err != nil {
				b.Close()
				return 0, err
			}
		}
		if err := s.commit(b, ev); err != nil {
			b.Close()
			return 0, err
		}
		b.Close()
	}
	next = math.MaxInt64
	it, err := s.x.db.NewIter(store.AlertDueKeys.Bounds())
	if err != nil {
		return 0, err
	}
	if it.First() {
		if d, derr := decodeDue(it.Key(), []byte{1}); derr == nil {
			next = d.Due
		}
	}
	return next, it.Close()
}

type stopErr struct{}

func (stopErr) Error() string { return "stop" }

var errStop error = stopErr{}
