package alert

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Evaluator holds the rules and applies facts to them. It is safe for
// concurrent use; each Eval belongs to one goroutine (one report, one
// scan, one due date).
type Evaluator struct {
	db     *store.DB
	cfg    Config
	rules  []Rule
	byKind [FactRecall + 1][]Rule
	names  map[string]Rule
	nextID atomic.Uint64

	// OnRaise, if set, is called for every alert raised, with the batch
	// that will commit it: the outbox stages its notifications there, so
	// an alert and its notifications commit together.
	OnRaise func(b *store.Batch, a *Alert) error

	wakeMu sync.Mutex
	wake   func(due int64) // the scheduler's, once it runs
}

// New returns an evaluator of rules over db with configuration cfg
// (defaults filled for zero fields). Rule names must be unique.
func New(db *store.DB, cfg Config, rules ...Rule) (*Evaluator, error) {
	cfg.EnsureDefaults()
	x := &Evaluator{db: db, cfg: cfg, names: map[string]Rule{}}
	for _, r := range rules {
		in := r.Info()
		if in.Name == "" || len(in.Name) > 64 {
			return nil, fmt.Errorf("%w: rule name %q: want 1 to 64 bytes", ErrInvalid, in.Name)
		}
		if _, dup := x.names[in.Name]; dup {
			return nil, fmt.Errorf("%w: two rules named %q", ErrInvalid, in.Name)
		}
		x.names[in.Name] = r
		x.rules = append(x.rules, r)
		for k := FactEvent; k <= FactRecall; k++ {
			if in.Facts.Has(k) {
				x.byKind[k] = append(x.byKind[k], r)
			}
		}
	}
	last, err := lastID(db)
	if err != nil {
		return nil, err
	}
	x.nextID.Store(last)
	return x, nil
}

// lastID returns the largest alert id stored (0: none).
func lastID(db *store.DB) (uint64, error) {
	it, err := db.NewIter(store.AlertKeys.Bounds())
	if err != nil {
		return 0, err
	}
	var id uint64
	if it.Last() {
		if id, err = store.DecodeAlertKey(it.Key()); err != nil {
			it.Close()
			return 0, err
		}
	}
	return id, it.Close()
}

// Rules returns the rules' documentation, in the order they were given.
func (x *Evaluator) Rules() []RuleInfo {
	out := make([]RuleInfo, len(x.rules))
	for i, r := range x.rules {
		out[i] = r.Info()
	}
	return out
}

// Config returns the configuration, defaults filled.
func (x *Evaluator) Config() *Config { return &x.cfg }

// Wants reports whether any rule reads facts of kind k: a caller skips
// building facts nobody reads.
func (x *Evaluator) Wants(k FactKind) bool { return k <= FactRecall && len(x.byKind[k]) > 0 }

// Begin starts an evaluation whose writes go into b, at time now (unix
// ms; it stamps the alerts raised). After b commits, call Committed.
func (x *Evaluator) Begin(b *store.Batch, now int64) *Eval {
	return &Eval{x: x, b: b, now: now, firstDue: math.MaxInt64}
}

// Eval is one evaluation: the facts of one report, scan or due date, and
// what the rules wrote for them, staged in the caller's batch.
type Eval struct {
	x        *Evaluator
	b        *store.Batch
	now      int64
	rule     string            // the rule being applied
	marks    map[string][]byte // marks written by this evaluation (nil value: deleted)
	raised   []Alert
	firstDue int64
}

// Apply gives f to every rule that reads its kind.
func (ev *Eval) Apply(f *Fact) error {
	if f.Kind > FactRecall {
		return fmt.Errorf("%w: fact kind %d", ErrInvalid, f.Kind)
	}
	for _, r := range ev.x.byKind[f.Kind] {
		ev.rule = r.Info().Name
		if err := r.Apply(ev, f); err != nil {
			return fmt.Errorf("alert: rule %s: %w", ev.rule, err)
		}
	}
	ev.rule = ""
	return nil
}

// applyDue gives a due entry to the rule that scheduled it.
func (ev *Eval) applyDue(d *DueEntry) error {
	r := ev.x.names[d.Rule]
	if r == nil {
		return nil // a rule that no longer exists: its entries lapse
	}
	ev.rule = d.Rule
	defer func() { ev.rule = "" }()
	return r.Apply(ev, &Fact{Kind: FactDue, Time: d.Due, Due: d})
}

// Config returns the evaluator's configuration (the rules' thresholds).
func (ev *Eval) Config() *Config { return &ev.x.cfg }

// Now returns the evaluation's time, unix ms.
func (ev *Eval) Now() int64 { return ev.now }

// Raised returns the alerts raised so far.
func (ev *Eval) Raised() []Alert { return ev.raised }

// Committed tells the scheduler of the due dates the evaluation staged;
// call it after the batch committed.
func (ev *Eval) Committed() {
	if ev.firstDue == math.MaxInt64 {
		return
	}
	ev.x.wakeMu.Lock()
	w := ev.x.wake
	ev.x.wakeMu.Unlock()
	if w != nil {
		w(ev.firstDue)
	}
}

// Raise raises an alert of the rule being applied: it gets an id, the
// rule's name and severity (unless a.Severity is set), the state open and
// the evaluation's time (unless a.Time is set), and is staged in the
// batch with its notifications.
func (ev *Eval) Raise(a Alert) error {
	if ev.rule == "" {
		return fmt.Errorf("%w: Raise outside a rule", ErrInvalid)
	}
	a.ID = ev.x.nextID.Add(1)
	a.Rule = ev.rule
	if a.Severity == 0 {
		a.Severity = ev.x.names[ev.rule].Info().Severity
	}
	if a.Time == 0 {
		a.Time = ev.now
	}
	a.State = Open
	if err := ev.b.Set(Key(a.ID), a.AppendBinary(nil)); err != nil {
		return err
	}
	if ev.x.OnRaise != nil {
		if err := ev.x.OnRaise(ev.b, &a); err != nil {
			return err
		}
	}
	ev.raised = append(ev.raised, a)
	return nil
}

// Mark is what a rule remembers of a subject: the record (or scan time)
// and time it first saw, and how often it saw it since.
type Mark struct {
	Seq  uint64
	Time int64
	N    uint64 // times marked, from 1
}

const markVersion = 1

func markKey(rule string, subject []byte) []byte {
	return store.AlertMarkKey(rule, subject)
}

// Mark records that the rule being applied saw subject (a key of the
// rule's own making: a code's product and counter, a lot) in record seq
// at time t, and returns what it remembered before (had false: nothing).
// The first sighting is kept; N counts them.
func (ev *Eval) Mark(subject []byte, seq uint64, t int64) (prev Mark, had bool, err error) {
	prev, had, err = ev.Marked(subject)
	if err != nil {
		return prev, had, err
	}
	m := Mark{Seq: seq, Time: t, N: 1}
	if had {
		m = prev
		m.N++
	}
	return prev, had, ev.putMark(markKey(ev.rule, subject), &m)
}

// AppendBinary appends the stored value of m.
func (m *Mark) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(markVersion)
	w.Uvarint(m.Seq)
	w.Varint(m.Time)
	w.Uvarint(m.N)
	return w.B
}

func (ev *Eval) putMark(k []byte, m *Mark) error {
	v := m.AppendBinary(nil)
	if ev.marks == nil {
		ev.marks = map[string][]byte{}
	}
	ev.marks[string(k)] = v
	return ev.b.Set(k, v)
}

// Marked returns the rule's mark of subject, if any.
func (ev *Eval) Marked(subject []byte) (Mark, bool, error) {
	return ev.markAt(markKey(ev.rule, subject))
}

func (ev *Eval) markAt(k []byte) (Mark, bool, error) {
	var m Mark
	if v, ok := ev.marks[string(k)]; ok {
		if v == nil {
			return m, false, nil
		}
		m, err := decodeMark(v)
		return m, err == nil, err
	}
	var derr error
	found, err := ev.x.db.Get(k, func(v []byte) error {
		m, derr = decodeMark(v)
		return nil
	})
	if err != nil {
		return m, false, err
	}
	return m, found && derr == nil, derr
}

// Unmark forgets the rule's mark of subject.
func (ev *Eval) Unmark(subject []byte) error {
	k := markKey(ev.rule, subject)
	if ev.marks == nil {
		ev.marks = map[string][]byte{}
	}
	ev.marks[string(k)] = nil
	return ev.b.Delete(k)
}

func decodeMark(v []byte) (Mark, error) {
	d := wire.NewReader("alert mark", v)
	d.Version(markVersion)
	var m Mark
	d.Field = "seq"
	m.Seq = d.Uvarint()
	d.Field = "time"
	m.Time = d.Varint()
	d.Field = "n"
	m.N = d.Uvarint()
	return m, d.Done()
}

// ApplyRule gives f to the one rule named name (a refused report's facts
// go only to the rule that judges the refusal: the others must not
// remember a sale that did not happen).
func (ev *Eval) ApplyRule(name string, f *Fact) error {
	r := ev.x.names[name]
	if r == nil {
		return fmt.Errorf("%w: no rule %q", ErrInvalid, name)
	}
	ev.rule = name
	defer func() { ev.rule = "" }()
	return r.Apply(ev, f)
}
