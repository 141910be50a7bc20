package recall

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/outbox"
	"tracecode/engine/store"
)

// Book keeps the recalls of a store: it creates them with their
// recipients and notifications in one batch, records acknowledgements,
// progress and closing, and answers which recalls cover a lot.
type Book struct {
	db     *store.DB
	ob     *outbox.Outbox
	ax     *alert.Evaluator // nil: no deadline alerts
	clocks Clocks
	nextID atomic.Uint64

	mu     sync.Mutex          // serialises changes of recalls
	lotsMu sync.RWMutex        // guards byLot
	byLot  map[uint32][]uint64 // active (or closing) recalls per lot; GUARDED_BY(lotsMu)
	holds  sync.Map            // lot → Hold in force
	links  Links               // set once, before use (SetLinks)
	bySeq  sync.Map            // ledger sequence of the recall record → recall id
}

// SetLinks enables the acknowledgement links notifications carry. Call it
// once, right after Open, before the book is shared.
func (bk *Book) SetLinks(l Links) { bk.links = l }

// Links returns the book's acknowledgement links.
func (bk *Book) Links() *Links { return &bk.links }

// Open opens the recall book of db. ob stages notifications; ax, if not
// nil, gets each recall's steps (its deadline rule schedules alerts).
func Open(db *store.DB, ob *outbox.Outbox, ax *alert.Evaluator, clocks Clocks) (*Book, error) {
	bk := &Book{db: db, ob: ob, ax: ax, clocks: clocks, byLot: map[uint32][]uint64{}}
	err := db.ScanPrefix(store.RecallObjectKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeRecallObjectKey(k)
		if err != nil {
			return err
		}
		r, err := Decode(id, v)
		if err != nil {
			return err
		}
		bk.nextID.Store(max(bk.nextID.Load(), r.ID))
		if r.LedgerSeq != 0 {
			bk.bySeq.Store(r.LedgerSeq, r.ID)
		}
		if r.State != Closed {
			bk.index(&r)
		}
		return nil
	})
	if err == nil {
		err = bk.loadHolds()
	}
	return bk, err
}

// Clocks returns the deadline tables.
func (bk *Book) Clocks() *Clocks { return &bk.clocks }

// index adds r under each lot it recalls whole (a recall of single codes
// does not stand over the rest of their lots).
func (bk *Book) index(r *Recall) {
	bk.lotsMu.Lock()
	defer bk.lotsMu.Unlock()
	for _, l := range r.Scope.Lots {
		if !slices.Contains(bk.byLot[l], r.ID) {
			bk.byLot[l] = append(bk.byLot[l], r.ID)
		}
	}
}

func (bk *Book) unindex(r *Recall) {
	bk.lotsMu.Lock()
	defer bk.lotsMu.Unlock()
	for _, l := range r.Scope.Lots {
		ids := slices.DeleteFunc(bk.byLot[l], func(id uint64) bool { return id == r.ID })
		if len(ids) == 0 {
			delete(bk.byLot, l)
		} else {
			bk.byLot[l] = ids
		}
	}
}

// ForLot returns the ids of the recalls in force over the whole of lot
// (newest last).
func (bk *Book) ForLot(lot uint32) []uint64 {
	bk.lotsMu.RLock()
	defer bk.lotsMu.RUnlock()
	return slices.Clone(bk.byLot[lot])
}

// Request is a recall to create, checked by the engine (who may, which
// lots) before it gets here.
type Request struct {
	Level          Level
	Sector         Sector
	Producer       uint32
	ProducerName   string
	ProducerRegion uint32
	Ordered        bool
	OrderedBy      string
	OrderRegion    uint32
	Scope          Scope
	ReasonZH       string
	ReasonEN       string
	ActionZH       string
	ActionEN       string
	LedgerSeq      uint64
	Now            int64
	// Product names the goods in the notification; Lots their lot numbers.
	Product string
	Lots    []string
}

// Check checks the request's own fields.
func (q *Request) Check() error {
	switch {
	case q.Level < LevelI || q.Level > LevelIII:
		return fmt.Errorf("%w: level %d: want I, II or III", ErrInvalid, q.Level)
	case q.Sector < SectorFood || q.Sector > SectorOther:
		return fmt.Errorf("%w: sector %d", ErrInvalid, q.Sector)
	case q.Producer == 0:
		return fmt.Errorf("%w: producer: none", ErrInvalid)
	}
	if q.ReasonZH == "" && q.ReasonEN == "" {
		return fmt.Errorf("%w: reason: give it in Chinese (reason_zh), English (reason_en) or both", ErrInvalid)
	}
	for _, f := range [...]struct {
		name, v string
	}{{"reason_zh", q.ReasonZH}, {"reason_en", q.ReasonEN}, {"action_zh", q.ActionZH}, {"action_en", q.ActionEN}} {
		if err := checkText(f.name, f.v, 1000, false); err != nil {
			return err
		}
	}
	return nil
}

// Party is what the book needs to know of a recipient organisation.
type Party struct {
	Name   string
	Region uint32
}

// notice is the JSON body of a recall notification.
type notice struct {
	Type      string    `json:"type"`
	Recall    uint64    `json:"recall"`
	Level     Level     `json:"level"`
	Sector    Sector    `json:"sector"`
	Ordered   bool      `json:"ordered"`
	Producer  orgRef    `json:"producer"`
	Product   string    `json:"product"`
	Lots      []string  `json:"lots"`
	ReasonZH  string    `json:"reason_zh"`
	ReasonEN  string    `json:"reason_en"`
	ActionZH  string    `json:"action_zh,omitzero"`
	ActionEN  string    `json:"action_en,omitzero"`
	Created   time.Time `json:"created"`
	StartBy   time.Time `json:"start_by"`
	AckBy     time.Time `json:"ack_by"`
	FinishBy  time.Time `json:"finish_by,omitzero"`
	Recipient orgRef    `json:"recipient"`
	Quantity  Figures   `json:"quantity"`
	Ack       string    `json:"ack"`
	AckLink   string    `json:"ack_link,omitzero"`
}

type orgRef struct {
	Org    uint32 `json:"org"`
	Name   string `json:"name"`
	Region uint32 `json:"region"`
}

func ms(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.UnixMilli(t).UTC()
}

// Create writes a recall, its recipients (from moves: the forward trace
// of its lots), a webhook notification to every recipient with a webhook
// and a JetStream notification to every recipient, and its deadlines'
// due entries — all in one synced batch. A request whose LedgerSeq names
// a recall already created (the retry of an order with the same
// idempotency key) answers that recall and writes nothing.
func (bk *Book) Create(q *Request, moves []Move, party func(org uint32) Party) (*Recall, []Recipient, error) {
	if err := q.Check(); err != nil {
		return nil, nil, err
	}
	bk.mu.Lock()
	defer bk.mu.Unlock()
	// A retried order (the same idempotency key) finds the same ledger
	// record: answer the recall it created, write nothing again.
	if id, ok := bk.bySeq.Load(q.LedgerSeq); ok && q.LedgerSeq != 0 {
		r, err := bk.Get(id.(uint64))
		if err != nil {
			return nil, nil, err
		}
		recips, err := bk.Recipients(r.ID)
		return &r, recips, err
	}
	r := &Recall{ID: bk.nextID.Load() + 1, Level: q.Level, Sector: q.Sector, State: Active, Producer: q.Producer,
		ProducerRegion: q.ProducerRegion, Ordered: q.Ordered, OrderedBy: q.OrderedBy, OrderRegion: q.OrderRegion,
		Scope: q.Scope, ReasonZH: q.ReasonZH, ReasonEN: q.ReasonEN, ActionZH: q.ActionZH, ActionEN: q.ActionEN,
		Created: q.Now, LedgerSeq: q.LedgerSeq}
	bk.clocks.Deadlines(r)
	recips := Recipients(q.Producer, moves)
	b := bk.db.NewBatch()
	defer b.Close()
	if err := b.Set(Key(r.ID), r.AppendBinary(nil)); err != nil {
		return nil, nil, err
	}
	fact := &alert.RecallFact{ID: r.ID, Step: alert.RecallCreated, Org: r.Producer, Region: r.ProducerRegion, FinishBy: r.FinishBy}
	if lots := r.Lots(); len(lots) > 0 {
		fact.Lot = lots[0]
	}
	for i := range recips {
		p := &recips[i]
		p.Recall = r.ID
		pi := party(p.Org)
		p.Name, p.Region, p.AckBy = pi.Name, pi.Region, r.AckBy
		if err := b.Set(RecipientKey(r.ID, p.Org), p.AppendBinary(nil)); err != nil {
			return nil, nil, err
		}
		fact.Recipients = append(fact.Recipients, alert.RecallParty{Org: p.Org, Region: p.Region, AckBy: p.AckBy})
		body, err := json.Marshal(notice{Type: "recall", Recall: r.ID, Level: r.Level, Sector: r.Sector, Ordered: r.Ordered,
			Producer: orgRef{r.Producer, q.ProducerName, r.ProducerRegion}, Product: q.Product, Lots: q.Lots,
			ReasonZH: r.ReasonZH, ReasonEN: r.ReasonEN, ActionZH: r.ActionZH, ActionEN: r.ActionEN,
			Created: ms(r.Created), StartBy: ms(r.StartBy), AckBy: ms(r.AckBy), FinishBy: ms(r.FinishBy),
			Recipient: orgRef{p.Org, p.Name, p.Region}, Quantity: p.AtStart,
			Ack: fmt.Sprintf("/v1/recalls/%d/ack", r.ID), AckLink: bk.links.URL(r.ID, p.Org)})
		if err != nil {
			return nil, nil, err
		}
		if err := bk.stageNotices(b, r, p, body); err != nil {
			return nil, nil, err
		}
	}
	var ev *alert.Eval
	if bk.ax != nil {
		ev = bk.ax.Begin(b, q.Now)
		if err := ev.Apply(&alert.Fact{Kind: alert.FactRecall, Time: q.Now, Recall: fact}); err != nil {
			return nil, nil, err
		}
	}
	if err := b.Commit(true); err != nil {
		return nil, nil, err
	}
	bk.nextID.Store(r.ID)
	if r.LedgerSeq != 0 {
		bk.bySeq.Store(r.LedgerSeq, r.ID)
	}
	bk.index(r)
	if ev != nil {
		ev.Committed()
	}
	bk.ob.Kick()
	return r, recips, nil
}

// stageNotices stages p's notifications: its webhook (if it has one) and
// its JetStream subject.
func (bk *Book) stageNotices(b *store.Batch, r *Recall, p *Recipient, body []byte) error {
	e, found, err := bk.ob.Endpoint(p.Org)
	if err != nil {
		return err
	}
	if found && e.Webhook != "" {
		n := outbox.Notification{Source: outbox.SourceRecall, SourceID: r.ID, Channel: outbox.Webhook, Org: p.Org,
			Region: p.Region, Target: e.Webhook, Payload: body, Created: r.Created}
		if err := bk.ob.Stage(b, &n); err != nil {
			return err
		}
	}
	n := outbox.Notification{Source: outbox.SourceRecall, SourceID: r.ID, Channel: outbox.JetStream, Org: p.Org,
		Region: p.Region, Target: outbox.RecallSubject(p.Region, p.Org), Payload: body, Created: r.Created}
	return bk.ob.Stage(b, &n)
}

// Get returns recall id.
func (bk *Book) Get(id uint64) (Recall, error) {
	var r Recall
	var derr error
	found, err := bk.db.Get(Key(id), func(v []byte) error { r, derr = Decode(id, v); return nil })
	if err == nil {
		err = derr
	}
	if err == nil && !found {
		err = fmt.Errorf("%w: recall %d", ErrNotFound, id)
	}
	return r, err
}

// Recipients returns the recipients of recall id, by organisation.
func (bk *Book) Recipients(id uint64) ([]Recipient, error) {
	var out []Recipient
	err := bk.db.Scan(RecipientKey(id, 0), RecipientKey(id+1, 0), func(k, v []byte) error {
		p, err := DecodeRecipient(k, v)
		if err == nil {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

// List returns the recalls match accepts, newest first.
func (bk *Book) List(match func(r *Recall) bool) ([]Recall, error) {
	var out []Recall
	err := bk.db.ScanPrefix(store.RecallObjectKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeRecallObjectKey(k)
		if err != nil {
			return err
		}
		r, err := Decode(id, v)
		if err != nil {
			return err
		}
		if match(&r) {
			out = append(out, r)
		}
		return nil
	})
	slices.Reverse(out)
	return out, err
}

// Ack records organisation org's acknowledgement of recall id (a second
// one is refused: the first time counts). An organisation that is not a
// recipient gets ErrNotFound.
func (bk *Book) Ack(id uint64, org uint32, by, note string, now int64) (Recipient, error) {
	if err := checkText("note", note, 1000, false); err != nil {
		return Recipient{}, err
	}
	bk.mu.Lock()
	defer bk.mu.Unlock()
	r, err := bk.Get(id)
	if err != nil {
		return Recipient{}, err
	}
	if r.State == Closed {
		return Recipient{}, fmt.Errorf("%w: recall %d is closed", ErrState, id)
	}
	k := RecipientKey(id, org)
	var p Recipient
	var derr error
	found, err := bk.db.Get(k, func(v []byte) error { p, derr = DecodeRecipient(k, v); return nil })
	if err == nil {
		err = derr
	}
	if err != nil {
		return p, err
	}
	if !found {
		return p, fmt.Errorf("%w: organisation %d is not a recipient of recall %d", ErrNotFound, org, id)
	}
	if p.Acked != 0 {
		return p, fmt.Errorf("%w: organisation %d acknowledged recall %d already", ErrState, org, id)
	}
	p.Acked, p.AckedBy, p.AckNote = now, by, note
	b := bk.db.NewBatch()
	defer b.Close()
	if err := b.Set(k, p.AppendBinary(nil)); err != nil {
		return p, err
	}
	var ev *alert.Eval
	if bk.ax != nil {
		ev = bk.ax.Begin(b, now)
		if err := ev.Apply(&alert.Fact{Kind: alert.FactRecall, Time: now, Recall: &alert.RecallFact{ID: id, Step: alert.RecallAcked, Org: org}}); err != nil {
			return p, err
		}
	}
	if err := b.Commit(true); err != nil {
		return p, err
	}
	if ev != nil {
		ev.Committed()
	}
	return p, nil
}

// Actor is who changes a recall: the producer's key, a regulator's key
// (Region set) or the operator.
type Actor struct {
	Org      uint32
	Region   uint32
	Operator bool
	By       string
}

// Report files a progress report of the producer.
func (bk *Book) Report(id uint64, x Actor, note string, now int64) (Recall, error) {
	if err := checkText("note", note, 2000, true); err != nil {
		return Recall{}, err
	}
	return bk.update(id, func(r *Recall) error {
		if x.Org != r.Producer && !x.Operator {
			return fmt.Errorf("%w: only the producer files progress on recall %d", ErrForbidden, id)
		}
		if r.State == Closed {
			return fmt.Errorf("%w: recall %d is closed", ErrState, id)
		}
		r.Progress = append(r.Progress, Progress{Time: now, Note: note})
		return nil
	}, now)
}

// Close closes recall id. The producer closes a recall it started; one a
// regulator ordered the producer can only ask to close (state closing),
// and a regulator of the producer's division (or the operator) confirms.
// covers reports whether a regulator's division covers another.
func (bk *Book) Close(id uint64, x Actor, note string, now int64, covers func(region, code uint32) bool) (Recall, error) {
	if err := checkText("note", note, 2000, true); err != nil {
		return Recall{}, err
	}
	return bk.update(id, func(r *Recall) error {
		regulator := x.Operator || (x.Region != 0 && covers(x.Region, r.ProducerRegion))
		switch {
		case r.State == Closed:
			return fmt.Errorf("%w: recall %d is closed", ErrState, id)
		case x.Org == r.Producer && r.Ordered && !regulator:
			r.State, r.CloseAsk, r.CloseNote = Closing, now, note
			return nil
		case x.Org != r.Producer && !regulator:
			return fmt.Errorf("%w: only the producer or a regulator of its division closes recall %d", ErrForbidden, id)
		}
		r.State, r.Closed, r.CloseNote = Closed, now, note
		return nil
	}, now)
}

// update applies fn to recall id and stores it; a recall that becomes
// closed leaves the lot index and cancels its deadlines.
func (bk *Book) update(id uint64, fn func(r *Recall) error, now int64) (Recall, error) {
	bk.mu.Lock()
	defer bk.mu.Unlock()
	r, err := bk.Get(id)
	if err != nil {
		return r, err
	}
	was := r.State
	if err := fn(&r); err != nil {
		return r, err
	}
	b := bk.db.NewBatch()
	defer b.Close()
	if err := b.Set(Key(id), r.AppendBinary(nil)); err != nil {
		return r, err
	}
	var ev *alert.Eval
	if r.State == Closed && was != Closed && bk.ax != nil {
		ps, err := bk.Recipients(id)
		if err != nil {
			return r, err
		}
		f := &alert.RecallFact{ID: id, Step: alert.RecallClosed}
		for _, p := range ps {
			f.Recipients = append(f.Recipients, alert.RecallParty{Org: p.Org})
		}
		ev = bk.ax.Begin(b, now)
		if err := ev.Apply(&alert.Fact{Kind: alert.FactRecall, Time: now, Recall: f}); err != nil {
			return r, err
		}
	}
	if err := b.Commit(true); err != nil {
		return r, err
	}
	if r.State == Closed {
		bk.unindex(&r)
	}
	return r, nil
}
