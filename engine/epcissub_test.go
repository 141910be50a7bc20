package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
	"tracecode/engine/epcissub"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/outbox"
)

// receiver is a subscriber's webhook: it answers with status(body) and
// records what it accepted (2xx), in order, and every attempt's delivery
// id.
type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	token  string
	mu     sync.Mutex
	status func(events int) int
	got    []string // accepted events' eventTime, in order
	docs   []int    // accepted documents' sizes (events)
	ids    []string // every attempt's delivery id
	seen   map[string]bool
}

func newReceiver(t testing.TB, token string) *receiver {
	r := &receiver{t: t, token: token, seen: map[string]bool{}, status: func(int) int { return 204 }}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if got, want := req.Header.Get("GS1-Signature"), outbox.GS1Signature(r.token, body); got != want {
			r.t.Errorf("GS1-Signature %q, want %q", got, want)
		}
		d, err := epcis.ParseDocument(bytes.NewReader(body), epcis.ParseOptions{})
		if err != nil {
			r.t.Errorf("delivery does not parse: %v\n%s", err, body)
			w.WriteHeader(400)
			return
		}
		if d.Header.Type != epcis.TypeEPCISQueryDocument || d.Header.SubscriptionID == "" || d.Header.QueryName == "" {
			r.t.Errorf("delivery header %+v", d.Header)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		id := req.Header.Get("Idempotency-Key")
		r.ids = append(r.ids, id)
		st := r.status(len(d.Events))
		if st/100 == 2 && !r.seen[id] {
			r.seen[id] = true
			r.docs = append(r.docs, len(d.Events))
			for _, ev := range d.Events {
				r.got = append(r.got, ev.EventTime.UTC().Format(time.RFC3339))
			}
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// subTest is an engine with notices whose outbox accepts http webhooks,
// and a sender on a clock the test moves.
type subTest struct {
	n     *Notices
	clock time.Time
	snd   *outbox.Sender
}

func openSubTest(t testing.TB, e *Engine) *subTest {
	t.Helper()
	n, err := e.OpenNotices(notice.Config{Outbox: outbox.Config{AllowHTTP: true, MaxAttempts: 3}})
	if err != nil {
		t.Fatal(err)
	}
	st := &subTest{n: n, clock: testClock}
	st.snd = n.Outbox.NewSender(nil, nil, func() time.Time { return st.clock })
	return st
}

// settle pumps and sends until nothing moves (at most rounds times),
// moving the sender's clock past every backoff.
func (st *subTest) settle(t testing.TB, rounds int) {
	t.Helper()
	for range rounds {
		staged, err := st.n.subs.Pump()
		if err != nil {
			t.Fatalf("pump: %v", err)
		}
		if _, err := st.snd.Round(context.Background()); err != nil {
			t.Fatalf("round: %v", err)
		}
		st.clock = st.clock.Add(5 * time.Hour)
		pending, _ := st.n.Outbox.PendingCount()
		if staged == 0 && pending == 0 {
			if again, _ := st.n.subs.Pump(); again == 0 {
				return
			}
		}
	}
}

// inspectAt is an inspection of code by its owner at the given time.
func inspectAt(at, code string) string {
	return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":%q,"eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":"inspecting"}`, at, code)
}

func utc(at string) string {
	t, _ := time.Parse(time.RFC3339, at)
	return t.UTC().Format(time.RFC3339)
}

const subToken = "0123456789abcdef-secret"

func subscribeStream(t testing.TB, e *Engine, k apikey.Key, dest string) epcissub.Subscription {
	t.Helper()
	if _, err := e.Queries().Create(k, "inspections", []epcisq.Param{{Name: "EQ_bizStep", Value: "inspecting"}}); err != nil {
		t.Fatal(err)
	}
	s, err := subsOf(t, e).Subscribe(k, "inspections", epcissub.Subscription{Dest: dest, Token: subToken, Stream: true}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSubscriptionStream: new inspections after the subscription reach
// the webhook, signed, in record order; earlier ones and other steps do
// not; the cursor advances only once the receiver answered 2xx.
func TestSubscriptionStream(t *testing.T) {
	f := queryFixture(t)
	st := openSubTest(t, f.e)
	r := newReceiver(t, subToken)
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	s := subscribeStream(t, f.e, a, r.srv.URL+"/hook")
	times := []string{"2026-03-01T14:00:00+08:00", "2026-03-01T14:10:00+08:00", "2026-03-01T14:20:00+08:00"}
	for i, at := range times {
		mustCapture(t, f, f.orgA, doc(inspectAt(at, f.code(f.items, uint64(5+i)))))
	}
	mustCapture(t, f, f.orgA, doc(shipToB("2026-03-01T14:30:00+08:00", f.code(f.items, 8))))
	// Before the first round nothing is delivered and the cursor stays.
	if _, err := st.n.subs.Pump(); err != nil {
		t.Fatal(err)
	}
	got, _, _ := subsOf(t, f.e).Subscription(a, "inspections", s.ID)
	if got.Cursor != s.Cursor || got.Inflight == 0 {
		t.Fatalf("after staging: cursor %d (was %d), in flight %d", got.Cursor, s.Cursor, got.Inflight)
	}
	st.settle(t, 10)
	want := []string{utc(times[0]), utc(times[1]), utc(times[2])}
	if ev := r.events(); !slices.Equal(ev, want) {
		t.Fatalf("delivered %v, want %v", ev, want)
	}
	got, _, _ = subsOf(t, f.e).Subscription(a, "inspections", s.ID)
	if got.Cursor <= s.Cursor || got.Inflight != 0 || got.Delivered != 1 {
		t.Errorf("after delivery: %+v", got)
	}
	// Nothing new: nothing sent.
	st.settle(t, 3)
	if len(r.ids) != 1 {
		t.Errorf("%d deliveries, want 1", len(r.ids))
	}
}

// TestSubscriptionRetryAnd413: a 500 is retried with the same delivery
// id; a 413 halves the document until the receiver takes it; every event
// arrives once, in order.
func TestSubscriptionRetryAnd413(t *testing.T) {
	f := queryFixture(t)
	st := openSubTest(t, f.e)
	r := newReceiver(t, subToken)
	fails := 1
	r.status = func(n int) int {
		switch {
		case fails > 0:
			fails--
			return 500
		case n > 2:
			return 413
		}
		return 200
	}
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	subscribeStream(t, f.e, a, r.srv.URL)
	var want []string
	for i := range 5 {
		at := fmt.Sprintf("2026-03-01T06:0%d:00Z", i+1)
		mustCapture(t, f, f.orgA, doc(inspectAt(at, f.code(f.items, uint64(4+i)))))
		want = append(want, utc(at))
	}
	st.settle(t, 30)
	if ev := r.events(); !slices.Equal(ev, want) {
		t.Fatalf("delivered %v, want %v", ev, want)
	}
	t.Logf("attempts %v, documents accepted %v", r.ids, r.docs)
	if len(r.docs) < 3 || len(r.ids) < len(r.docs)+2 {
		t.Errorf("want a 500 and a 413 before documents of at most 2 events: attempts %v, accepted %v", r.ids, r.docs)
	}
	if r.ids[0] != r.ids[1] {
		t.Errorf("the retry after a 500 changed the delivery id: %v", r.ids)
	}
	for _, n := range r.docs {
		if n > 2 {
			t.Errorf("a document of %d events was accepted past a 413: %v", n, r.docs)
		}
	}
}

// TestSubscriptionRestart: the engine closes while a document waits for
// a failing receiver; reopened, it delivers exactly the recorded events,
// once each, and nothing twice.
func TestSubscriptionRestart(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	f := &fixture{t: t, e: e}
	prod, err := e.Issuance().AddProduct(context.Background(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方奶粉",
		OrgName: "甲乳业有限公司", Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		t.Fatal(err)
	}
	f.orgA, f.items = prod.Org, mint(t, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: 100}).Block
	f.commission(f.items, 0, 49)
	st := openSubTest(t, e)
	r := newReceiver(t, subToken)
	down := true
	r.status = func(int) int {
		if down {
			return 503
		}
		return 200
	}
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	s := subscribeStream(t, e, a, r.srv.URL)
	var want []string
	for i := range 4 {
		at := fmt.Sprintf("2026-03-01T06:0%d:00Z", i+1)
		mustCapture(t, f, f.orgA, doc(inspectAt(at, f.code(f.items, uint64(i)))))
		want = append(want, utc(at))
	}
	if _, err := st.n.subs.Pump(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.snd.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := openTest(t, dir)
	st2 := openSubTest(t, e2)
	got, found, err := subsOf(t, e2).Subscription(a, "inspections", s.ID)
	if err != nil || !found || got.Inflight == 0 || got.Cursor != s.Cursor {
		t.Fatalf("after reopening: %+v %v %v", got, found, err)
	}
	f.e = e2
	mustCapture(t, f, f.orgA, doc(inspectAt("2026-03-01T07:00:00Z", f.code(f.items, 20))))
	want = append(want, utc("2026-03-01T07:00:00Z"))
	down = false
	st2.settle(t, 10)
	if ev := r.events(); !slices.Equal(ev, want) {
		t.Fatalf("delivered %v, want %v", ev, want)
	}
}

// TestSubscriptionHostile: another organisation neither reads nor
// deletes a subscription, and its own subscription carries none of the
// first organisation's events.
func TestSubscriptionHostile(t *testing.T) {
	f := queryFixture(t)
	st := openSubTest(t, f.e)
	ra, rb := newReceiver(t, subToken), newReceiver(t, subToken)
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	b := apikey.Key{ID: 2, Org: f.orgB, Scopes: apikey.ScopeEvents}
	sa := subscribeStream(t, f.e, a, ra.srv.URL)
	subscribeStream(t, f.e, b, rb.srv.URL)
	if _, found, err := subsOf(t, f.e).Subscription(b, "inspections", sa.ID); found || err != nil {
		t.Errorf("B reads A's subscription: %v %v", found, err)
	}
	if ok, err := subsOf(t, f.e).Unsubscribe(b, "inspections", sa.ID); ok || err != nil {
		t.Errorf("B deletes A's subscription: %v %v", ok, err)
	}
	if list, _ := subsOf(t, f.e).Subscriptions(b, "inspections"); len(list) != 1 || list[0].ID == sa.ID {
		t.Errorf("B lists %+v", list)
	}
	if _, err := subsOf(t, f.e).Subscribe(apikey.Key{ID: 3, Org: f.orgB, Scopes: apikey.ScopeMint}, "inspections",
		epcissub.Subscription{Dest: rb.srv.URL, Stream: true}, time.Time{}); err == nil {
		t.Error("a key without the events scope subscribes")
	}
	mustCapture(t, f, f.orgA, doc(inspectAt("2026-03-01T06:00:00Z", f.code(f.items, 9))))
	mustCapture(t, f, f.orgB, doc(inspectAt("2026-03-01T06:30:00Z", f.code(f.itemsB, 1))))
	st.settle(t, 10)
	if got := ra.events(); !slices.Equal(got, []string{"2026-03-01T06:00:00Z"}) {
		t.Errorf("A received %v", got)
	}
	if got := rb.events(); !slices.Equal(got, []string{"2026-03-01T06:30:00Z"}) {
		t.Errorf("B received %v", got)
	}
	// Deleting the named query drops its subscriptions.
	if ok, err := f.e.Queries().Delete(a, "inspections"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if list, _ := subsOf(t, f.e).Subscriptions(a, "inspections"); len(list) != 0 {
		t.Errorf("subscriptions outlive their query: %+v", list)
	}
}

// TestSubscriptionRefused: bad subscriptions are refused, naming the
// field, and write nothing.
func TestSubscriptionRefused(t *testing.T) {
	f := queryFixture(t)
	openSubTest(t, f.e)
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	if _, err := f.e.Queries().Create(a, "q", nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s    epcissub.Subscription
		want string
	}{
		{epcissub.Subscription{Dest: "http://127.0.0.1:1/x"}, "neither stream nor schedule"},
		{epcissub.Subscription{Dest: "http://127.0.0.1:1/x", Stream: true, Schedule: epcissub.Schedule{Minute: "5"}}, "stream and schedule"},
		{epcissub.Subscription{Dest: "ftp://x/", Stream: true}, "dest"},
		{epcissub.Subscription{Dest: "http://u:p@x/", Stream: true}, "credentials"},
		{epcissub.Subscription{Dest: "http://x/", Stream: true, Token: "short"}, "signatureToken"},
		{epcissub.Subscription{Dest: "http://x/", Schedule: epcissub.Schedule{Hour: "24"}}, "schedule.hour"},
		{epcissub.Subscription{Dest: "http://x/", Schedule: epcissub.Schedule{DayOfMonth: "31", Month: "2"}}, "never fires"},
	} {
		if _, err := subsOf(t, f.e).Subscribe(a, "q", c.s, time.Time{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	if _, err := subsOf(t, f.e).Subscribe(a, "nope", epcissub.Subscription{Dest: "http://x/", Stream: true}, time.Time{}); err == nil {
		t.Error("a subscription to no query")
	}
	if list, _ := subsOf(t, f.e).Subscriptions(a, "q"); len(list) != 0 {
		t.Errorf("refused subscriptions were stored: %+v", list)
	}
}
