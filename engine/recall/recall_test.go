package recall

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/outbox"
	"tracecode/engine/store"
)

func TestRecallRoundTrip(t *testing.T) {
	r := Recall{ID: 4, Level: LevelII, Sector: SectorDrug, State: Closing, Producer: 1, ProducerRegion: 620100, Ordered: true,
		OrderedBy: "key1", OrderRegion: 620000, Scope: Scope{Lots: []uint32{3, 4}, Products: []uint32{9}, Codes: []string{"c"}, CodeLots: []uint32{5},
			Window: &Window{Product: 9, From: 20260101, To: 20260131}}, ReasonZH: "原因", ReasonEN: "why", ActionZH: "停售", ActionEN: "stop",
		Created: 1, AckBy: 2, StartBy: 3, FinishBy: 4, LedgerSeq: 77, CloseAsk: 5, CloseNote: "done", Progress: []Progress{{6, "half"}}}
	v := r.AppendBinary(nil)
	got, err := Decode(4, v)
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("%v\n got %+v\nwant %+v", err, got, r)
	}
	for i := range len(v) {
		if _, err := Decode(4, v[:i]); !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrVersion) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
	p := Recipient{Recall: 4, Org: 7, Name: "药房", Region: 620102, AtStart: Figures{Received: 10, Cases: 1, Held: 4, Sold: 6}, AckBy: 9, Acked: 10, AckedBy: "k", AckNote: "ok"}
	gp, err := DecodeRecipient(RecipientKey(4, 7), p.AppendBinary(nil))
	if err != nil || !reflect.DeepEqual(gp, p) {
		t.Fatalf("recipient: %v %+v", err, gp)
	}
}

func FuzzDecode(f *testing.F) {
	r := Recall{Level: LevelI, Sector: SectorFood, State: Active, Scope: Scope{Lots: []uint32{1}}, ReasonZH: "x"}
	f.Add(r.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := Decode(1, v)
		if err != nil {
			return
		}
		if again, err := Decode(1, got.AppendBinary(nil)); err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

// TestClocks: the food table's deadlines, working days skipping weekends
// and configured holidays.
func TestClocks(t *testing.T) {
	c := DefaultClocks()
	c.Location = time.FixedZone("CST", 8*3600)
	// Friday 2026-12-04 10:00 CST.
	from := time.Date(2026, 12, 4, 10, 0, 0, 0, c.Location)
	if got := c.AddWorkingDays(from, 10); !got.Equal(time.Date(2026, 12, 18, 23, 59, 59, int(999*time.Millisecond), c.Location)) {
		t.Errorf("10 working days from Fri 4 Dec: %v", got)
	}
	c.Holidays = map[uint32]bool{20261207: true}
	if got := c.AddWorkingDays(from, 1); got.Day() != 8 {
		t.Errorf("1 working day over a weekend and a Monday holiday: %v", got)
	}
	r := Recall{Level: LevelI, Sector: SectorFood, Created: from.UnixMilli()}
	c.Deadlines(&r)
	if r.StartBy-r.Created != 24*3600*1000 || r.AckBy != r.StartBy || r.FinishBy == 0 {
		t.Errorf("food level I: %+v", r)
	}
	r = Recall{Level: LevelIII, Sector: SectorDrug, Created: from.UnixMilli()}
	c.Deadlines(&r)
	if r.AckBy-r.Created != 7*24*3600*1000 || r.FinishBy != 0 {
		t.Errorf("drug level III: %+v", r)
	}
	if _, err := ParseLevel("IV"); !errors.Is(err, ErrInvalid) {
		t.Error("level IV parsed")
	}
}

func TestTally(t *testing.T) {
	f := Tally([]Move{{Org: 2, Kind: MoveReceived, Items: 100, Cases: 10}, {Org: 2, Kind: MoveSold, Items: 30},
		{Org: 2, Kind: MoveShipped, Items: 20}, {Org: 3, Kind: MoveReceived, Items: 20}, {Org: 3, Kind: MoveDestroyed, Items: 5},
		{Org: 1, Kind: MoveReturned, Items: 7}, {Org: 2, Kind: MoveRemoved, Items: 10}})
	if g := f[2]; g.Received != 100 || g.Held != 40 || g.Sold != 30 || g.Shipped != 20 || g.Recovered() != 10 {
		t.Errorf("org 2: %+v", g)
	}
	if g := f[3]; g.Held != 15 || g.Recovered() != 5 {
		t.Errorf("org 3: %+v", g)
	}
	if g := f[1]; g.Returned != 7 || g.Recovered() != 7 {
		t.Errorf("producer: %+v", g)
	}
}

type hook struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	bodies [][]byte
}

func newHook(t *testing.T, secret string) *hook {
	h := &hook{secret: secret}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Tracecode-Signature") != outbox.Signature(h.secret, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// TestRecallLifecycle: an ordered level-I recall reaches two recipients'
// webhooks, signed, with their quantities; one acknowledges, the other
// is overdue at the deadline and raises an alert; the producer can only
// ask to close an ordered recall, the regulator confirms.
func TestRecallLifecycle(t *testing.T) {
	db, err := store.Open(t.TempDir(), &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ob, _ := outbox.Open(db, outbox.Config{})
	ax, _ := alert.New(db, alert.Config{}, alert.Builtin()...)
	bk, err := Open(db, ob, ax, DefaultClocks())
	if err != nil {
		t.Fatal(err)
	}
	h1, h2 := newHook(t, "secret-of-the-distributor"), newHook(t, "secret-of-the-pharmacy-1")
	ob.SetWebhook(20, h1.srv.URL, h1.secret, 0)
	ob.SetWebhook(30, h2.srv.URL, h2.secret, 0)
	moves := []Move{{Org: 1, Kind: MoveShipped, Items: 1000}, {Org: 20, Kind: MoveReceived, Items: 1000, Cases: 100},
		{Org: 20, Kind: MoveShipped, Items: 300}, {Org: 30, Kind: MoveReceived, Items: 300, Cases: 30}, {Org: 30, Kind: MoveSold, Items: 12}}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).UnixMilli()
	party := func(org uint32) Party {
		return map[uint32]Party{20: {"Distributor", 620102}, 30: {"Pharmacy", 620103}}[org]
	}
	r, recips, err := bk.Create(&Request{Level: LevelI, Sector: SectorFood, Producer: 1, ProducerName: "Dairy", ProducerRegion: 620100,
		Ordered: true, OrderedBy: "reg-key", OrderRegion: 620100, Scope: Scope{Lots: []uint32{5}}, ReasonZH: "检出致病菌", ReasonEN: "pathogen found",
		Now: now, Product: "婴幼儿配方奶粉", Lots: []string{"L1"}}, moves, party)
	if err != nil {
		t.Fatal(err)
	}
	if len(recips) != 2 || recips[0].AtStart.Held != 700 || recips[1].AtStart.Held != 288 || recips[1].AtStart.Sold != 12 {
		t.Fatalf("recipients %+v", recips)
	}
	if got := bk.ForLot(5); len(got) != 1 || got[0] != r.ID {
		t.Errorf("ForLot(5) = %v", got)
	}
	s := ob.NewSender(h1.srv.Client(), nil, func() time.Time { return time.UnixMilli(now) })
	// Both test servers share the httptest CA: one client trusts both.
	if _, err := s.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		h    *hook
		org  uint32
		held uint64
	}{{h1, 20, 700}, {h2, 30, 288}} {
		c.h.mu.Lock()
		defer c.h.mu.Unlock()
		if len(c.h.bodies) != 1 {
			t.Fatalf("org %d received %d notifications", c.org, len(c.h.bodies))
		}
		var n struct {
			Recall    uint64 `json:"recall"`
			Level     string `json:"level"`
			ReasonEN  string `json:"reason_en"`
			Recipient struct{ Org uint32 }
			Quantity  Figures
		}
		if err := json.Unmarshal(c.h.bodies[0], &n); err != nil {
			t.Fatal(err)
		}
		if n.Recall != r.ID || n.Level != "I" || n.ReasonEN != "pathogen found" || n.Recipient.Org != c.org || n.Quantity.Held != c.held {
			t.Errorf("org %d got %s", c.org, c.h.bodies[0])
		}
	}
	ns, _ := ob.BySource(outbox.SourceRecall, r.ID)
	if len(ns) != 4 { // two webhooks, two JetStream subjects (waiting for a publisher)
		t.Errorf("%d notifications", len(ns))
	}
	if _, err := bk.Ack(r.ID, 20, "k20", "stopped sales", now+3600_000); err != nil {
		t.Fatal(err)
	}
	if _, err := bk.Ack(r.ID, 20, "k20", "", now+3600_000); !errors.Is(err, ErrState) {
		t.Errorf("second ack: %v", err)
	}
	if _, err := bk.Ack(r.ID, 99, "k99", "", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("ack by a stranger: %v", err)
	}
	clock := time.UnixMilli(r.AckBy)
	sch := ax.NewScheduler(func() time.Time { return clock }, nil)
	if _, err := sch.FireDue(); err != nil {
		t.Fatal(err)
	}
	al, _ := ax.List(alert.Actor{Region: 620103}, alert.Filter{Rule: "recall-overdue"})
	if len(al) != 1 || al[0].Subject.Org != 30 || al[0].Subject.Recall != r.ID {
		t.Fatalf("overdue alerts seen by the pharmacy's county: %+v", al)
	}
	if al, _ := ax.List(alert.Actor{Region: 620102}, alert.Filter{Rule: "recall-overdue"}); len(al) != 0 {
		t.Errorf("the acknowledging distributor's county sees %d overdue alerts", len(al))
	}
	covers := alert.Covers
	if _, err := bk.Close(r.ID, Actor{Org: 20}, "x", now, covers); !errors.Is(err, ErrForbidden) {
		t.Errorf("a recipient closed the recall: %v", err)
	}
	got, err := bk.Close(r.ID, Actor{Org: 1}, "all recovered", now, covers)
	if err != nil || got.State != Closing {
		t.Fatalf("producer closes an ordered recall: %v %s", err, got.State)
	}
	if _, err := bk.Close(r.ID, Actor{Region: 630000}, "ok", now, covers); !errors.Is(err, ErrForbidden) {
		t.Errorf("another province's regulator closed it: %v", err)
	}
	got, err = bk.Close(r.ID, Actor{Region: 620000, By: "prov"}, "confirmed", now, covers)
	if err != nil || got.State != Closed || len(bk.ForLot(5)) != 0 {
		t.Fatalf("regulator confirms: %v %+v", err, got)
	}
	// Reopened, the book knows the id and no active recall.
	bk2, err := Open(db, ob, ax, DefaultClocks())
	if err != nil || bk2.nextID.Load() != r.ID || len(bk2.ForLot(5)) != 0 {
		t.Fatalf("reopen: %v", err)
	}
}
