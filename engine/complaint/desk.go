package complaint

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/store"
)

// Config holds the desk's rules. Zero fields get the defaults.
type Config struct {
	// AcceptDays is the acceptance decision's deadline in working days
	// after the day of receipt: 7 (总局令第20号 [S]).
	AcceptDays int
	// DuplicateWindow: the same phone filing the same text about the same
	// code within it is refused as a duplicate (24 hours).
	DuplicateWindow time.Duration
	// Calendar is the working-day calendar (nil: DefaultCalendar).
	Calendar *Calendar
}

func (c *Config) fill() {
	if c.AcceptDays <= 0 {
		c.AcceptDays = 7
	}
	if c.DuplicateWindow <= 0 {
		c.DuplicateWindow = 24 * time.Hour
	}
	if c.Calendar == nil {
		c.Calendar = DefaultCalendar()
	}
}

// Desk is the complaint desk. It is safe for concurrent use.
type Desk struct {
	db  *store.DB
	cfg Config
	// alerts, once set (SetAlerts), get the acceptance deadline of every
	// complaint (rule complaint-acceptance-overdue), staged in the
	// complaint's batch and cancelled by the decision.
	alerts atomic.Pointer[alert.Evaluator]

	mu     sync.Mutex          // serialises writes; guards the fields below
	recent map[[32]byte]dupRef // duplicate key → the complaint, within the window
	byReq  map[string]string   // request id → tracking
}

type dupRef struct {
	tracking string
	time     int64
}

// Open opens the desk of db.
func Open(db *store.DB, cfg Config) (*Desk, error) {
	cfg.fill()
	d := &Desk{db: db, cfg: cfg, recent: map[[32]byte]dupRef{}, byReq: map[string]string{}}
	err := db.ScanPrefix(store.ComplaintKeys.Prefix(), func(k, v []byte) error {
		tracking, err := store.DecodeComplaintKey(k)
		if err != nil {
			return err
		}
		c, err := Decode(tracking, v)
		if err != nil {
			return err
		}
		d.remember(&c)
		return nil
	})
	return d, err
}

// SetAlerts gives the desk the alert evaluator its deadlines go to (it
// must have OverdueRule).
func (d *Desk) SetAlerts(x *alert.Evaluator) { d.alerts.Store(x) }

// Config returns the desk's rules.
func (d *Desk) Config() Config { return d.cfg }

func dupKey(phone, code, text string) [32]byte {
	return sha256.Sum256([]byte(phone + "\x00" + code + "\x00" + strings.TrimSpace(text)))
}

// remember indexes c for duplicates and retries. REQUIRES d.mu held (or Open).
func (d *Desk) remember(c *Complaint) {
	if c.Phone != "" {
		d.recent[dupKey(c.Phone, c.Code, c.Text)] = dupRef{c.Tracking, c.Created}
	}
	if c.RequestID != "" {
		d.byReq[c.RequestID] = c.Tracking
	}
}

// Subject is what the engine found of the code complained about: the
// product, lot, producer and seller, and the county it is routed to.
type Subject struct {
	Code     string
	Product  uint32
	Lot      uint32
	Producer uint32
	Seller   uint32
	Region   uint32 // the county of sale, else the producer's
}

// trackingAlphabet is Crockford's base32 (no I, L, O, U).
const trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newTracking returns "TS" and 12 random base32 characters (60 bits): a
// number the complainant can read out, not guessable.
func newTracking() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	v := binary.BigEndian.Uint64(b[:])
	out := []byte("TS")
	for i := 0; i < 12; i++ {
		out = append(out, trackingAlphabet[v&31])
		v >>= 5
	}
	return string(out), nil
}

// Submit files complaint in about s at now (unix ms): it is stored with
// its photos in one synced batch, with its acceptance deadline, and the
// deadline's alert is scheduled. A retry with the same request id returns
// the first complaint; the same phone, code and text within the duplicate
// window is ErrDuplicate.
func (d *Desk) Submit(in Input, s Subject, now int64) (Complaint, error) {
	if err := in.Check(); err != nil {
		return Complaint{}, err
	}
	if s.Region == 0 {
		return Complaint{}, fmt.Errorf("%w: code: no regulator to route the complaint to (the code's producer has no region)", ErrInvalid)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.byReq[in.RequestID]; ok && in.RequestID != "" {
		return d.get(t)
	}
	if in.Phone != "" {
		if r, ok := d.recent[dupKey(in.Phone, s.Code, in.Text)]; ok && now-r.time < d.cfg.DuplicateWindow.Milliseconds() {
			return Complaint{}, fmt.Errorf("%w: this phone filed the same report about this code at %s: tracking number %s", ErrDuplicate,
				time.UnixMilli(r.time).In(d.cfg.Calendar.Loc).Format("2006-01-02 15:04"), r.tracking)
		}
	}
	tr, err := newTracking()
	if err != nil {
		return Complaint{}, err
	}
	c := Complaint{Tracking: tr, Created: now, Code: s.Code, Product: s.Product, Lot: s.Lot, Producer: s.Producer,
		Seller: s.Seller, Region: s.Region, Anonymous: in.Anonymous, Name: in.Name, Phone: in.Phone, Text: strings.TrimSpace(in.Text),
		RequestID: in.RequestID, State: Received,
		Due: d.cfg.Calendar.Deadline(time.UnixMilli(now), d.cfg.AcceptDays).UnixMilli()}
	if c.Anonymous {
		c.Name = ""
	}
	b := d.db.NewBatch()
	defer b.Close()
	for _, p := range in.Photos {
		sum := photoSum(p)
		c.Photos = append(c.Photos, sum)
		if err := b.Set(PhotoKey(sum), append([]byte{1, photoTypeByte(p)}, p...)); err != nil {
			return Complaint{}, err
		}
	}
	if err := b.Set(Key(tr), c.AppendBinary(nil)); err != nil {
		return Complaint{}, err
	}
	var ev *alert.Eval
	if ax := d.alerts.Load(); ax != nil {
		ev = ax.Begin(b, now)
		if err := ev.ScheduleFor(RuleOverdue, []byte(tr), c.Due, overduePayload(&c)); err != nil {
			return Complaint{}, err
		}
	}
	if err := b.Commit(true); err != nil {
		return Complaint{}, err
	}
	if ev != nil {
		ev.Committed()
	}
	d.remember(&c)
	return c, nil
}

// get reads complaint tracking.
func (d *Desk) get(tracking string) (Complaint, error) {
	var c Complaint
	var derr error
	found, err := d.db.Get(Key(tracking), func(v []byte) error {
		c, derr = Decode(tracking, v)
		return nil
	})
	if err == nil {
		err = derr
	}
	if err == nil && !found {
		err = fmt.Errorf("%w: tracking number %s", ErrNotFound, truncate(tracking, 20))
	}
	return c, err
}

// Status is what the complainant sees of a complaint.
type Status struct {
	Tracking  string   `json:"tracking"`
	Created   int64    `json:"created"`
	Code      string   `json:"code"`
	Anonymous bool     `json:"anonymous"`
	State     State    `json:"state"`
	Due       int64    `json:"due"`
	Steps     []Change `json:"steps"`
	// Result is the regulator's result (closed) or reasons (refused).
	Result string `json:"result,omitempty"`
}

// Lookup returns complaint tracking's status for its complainant: phone
// must be the one filed (an anonymous complaint filed without a phone
// needs none). A wrong phone is answered as not found.
func (d *Desk) Lookup(tracking, phone string) (Status, error) {
	if len(tracking) != 14 || !strings.HasPrefix(tracking, "TS") {
		return Status{}, fmt.Errorf("%w: tracking: %q is not a tracking number (TS and 12 characters)", ErrInvalid, truncate(tracking, 20))
	}
	c, err := d.get(tracking)
	if err != nil {
		return Status{}, err
	}
	if c.Phone != "" && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(phone)), []byte(c.Phone)) != 1 {
		return Status{}, fmt.Errorf("%w: tracking number %s with this phone", ErrNotFound, tracking)
	}
	st := Status{Tracking: c.Tracking, Created: c.Created, Code: c.Code, Anonymous: c.Anonymous, State: c.State, Due: c.Due}
	st.Steps = append(st.Steps, Change{State: Received, Time: c.Created})
	for _, ch := range c.Changes {
		st.Steps = append(st.Steps, Change{State: ch.State, Time: ch.Time, Note: ch.Note})
		if ch.State == Closed || ch.State == Refused {
			st.Result = ch.Note
		}
	}
	return st, nil
}

// Viewer is who reads the inbox: a regulator (Region), an organisation
// (Org: complaints about its products or sales, without the
// complainant's identity), or the operator.
type Viewer struct {
	Region   uint32
	Org      uint32
	Operator bool
	Covers   func(region, code uint32) bool
}

// sees reports whether v sees c, and whether with the complainant's data.
func (v *Viewer) sees(c *Complaint) (sees, personal bool) {
	switch {
	case v.Operator:
		return true, true
	case v.Region != 0 && v.Covers != nil && v.Covers(v.Region, c.Region):
		return true, true
	case v.Org != 0 && (c.Producer == v.Org || c.Seller == v.Org):
		return true, false
	}
	return false, false
}

// Redact removes what identifies the complainant.
func (c *Complaint) Redact() {
	c.Name, c.Phone, c.Photos, c.RequestID = "", "", nil, ""
	for i := range c.Changes {
		c.Changes[i].By = ""
	}
}

// Inbox returns the complaints v sees, open ones (received, accepted)
// first by deadline, then the others newest first; at most limit (0:
// 500).
func (d *Desk) Inbox(v Viewer, limit int) ([]Complaint, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	var out []Complaint
	err := d.db.ScanPrefix(store.ComplaintKeys.Prefix(), func(k, val []byte) error {
		tracking, err := store.DecodeComplaintKey(k)
		if err != nil {
			return err
		}
		c, err := Decode(tracking, val)
		if err != nil {
			return err
		}
		ok, personal := v.sees(&c)
		if !ok {
			return nil
		}
		if !personal {
			c.Redact()
		}
		out = append(out, c)
		return nil
	})
	open := func(c *Complaint) bool { return c.State == Received || c.State == Accepted }
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if open(a) != open(b) {
			return open(a)
		}
		if open(a) {
			return a.Due < b.Due
		}
		return a.Created > b.Created
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// Get returns complaint tracking if v sees it (redacted for an
// organisation).
func (d *Desk) Get(v Viewer, tracking string) (Complaint, error) {
	c, err := d.get(tracking)
	if err != nil {
		return c, err
	}
	ok, personal := v.sees(&c)
	if !ok {
		return Complaint{}, fmt.Errorf("%w: tracking number %s", ErrNotFound, tracking)
	}
	if !personal {
		c.Redact()
	}
	return c, nil
}

// Photo returns a photo of complaint tracking (index i, from 0) and its
// type, for a viewer who sees the complainant's data.
func (d *Desk) Photo(v Viewer, tracking string, i int) ([]byte, string, error) {
	c, err := d.get(tracking)
	if err != nil {
		return nil, "", err
	}
	if ok, personal := v.sees(&c); !ok || !personal || i < 0 || i >= len(c.Photos) {
		return nil, "", fmt.Errorf("%w: photo %d of %s", ErrNotFound, i+1, tracking)
	}
	var b []byte
	var typ string
	found, err := d.db.Get(PhotoKey(c.Photos[i]), func(val []byte) error {
		if len(val) < 2 || val[0] != 1 || int(val[1]) >= len(photoTypes) {
			return fmt.Errorf("%w: complaint photo", store.ErrCorrupt)
		}
		typ = photoTypes[val[1]]
		b = append([]byte(nil), val[2:]...)
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: complaint photo missing", store.ErrCorrupt)
	}
	return b, typ, err
}

// Action is a regulator's step.
type Action string

// The actions: accept (received → accepted), refuse (received → refused,
// with reasons), close (accepted → closed, with the result).
const (
	Accept Action = "accept"
	Refuse Action = "refuse"
	Close  Action = "close"
)

// Act records a regulator's step on complaint tracking. by names the
// credential; v must be a regulator whose region covers the complaint's
// county, or the operator.
func (d *Desk) Act(v Viewer, by, tracking string, a Action, note string, now int64) (Complaint, error) {
	if err := checkText("note", note, 2000); err != nil {
		return Complaint{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := d.get(tracking)
	if err != nil {
		return c, err
	}
	if ok, personal := v.sees(&c); !ok || !personal {
		if ok {
			return Complaint{}, fmt.Errorf("%w: only the regulator the complaint is routed to handles it", ErrForbidden)
		}
		return Complaint{}, fmt.Errorf("%w: tracking number %s", ErrNotFound, tracking)
	}
	var to State
	switch {
	case a == Accept && c.State == Received:
		to = Accepted
	case a == Refuse && c.State == Received:
		to = Refused
	case a == Close && c.State == Accepted:
		to = Closed
	case a != Accept && a != Refuse && a != Close:
		return Complaint{}, fmt.Errorf("%w: action %q: want accept, refuse or close", ErrInvalid, truncate(string(a), 20))
	default:
		return Complaint{}, fmt.Errorf("%w: complaint %s is %s: cannot %s it", ErrState, tracking, c.State, a)
	}
	if to != Accepted && strings.TrimSpace(note) == "" {
		return Complaint{}, fmt.Errorf("%w: note: a refusal gives its reasons, a closing its result", ErrInvalid)
	}
	c.State = to
	c.Changes = append(c.Changes, Change{State: to, Time: now, By: by, Note: note})
	b := d.db.NewBatch()
	defer b.Close()
	if err := b.Set(Key(tracking), c.AppendBinary(nil)); err != nil {
		return Complaint{}, err
	}
	if ax := d.alerts.Load(); ax != nil && (to == Accepted || to == Refused) {
		if err := ax.Begin(b, now).CancelFor(RuleOverdue, []byte(tracking)); err != nil {
			return Complaint{}, err
		}
	}
	return c, b.Commit(true)
}
