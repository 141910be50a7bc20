package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"tracecode/engine/store"
)

func openDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(dir, &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// receiver is a TLS webhook receiver that checks signatures and records
// what it got by delivery id.
type receiver struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	got    map[string][]byte
	bad    []string
	fail   int // answer 500 to the first fail requests
	calls  int
	// delay, in nanoseconds, slows every answer (set at any time: the
	// handler reads it atomically before taking mu).
	delay atomic.Int64
}

func newReceiver(t testing.TB, secret string) *receiver {
	r := &receiver{secret: secret, got: map[string][]byte{}}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		time.Sleep(time.Duration(r.delay.Load()))
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls++
		if r.calls <= r.fail {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		id := req.Header.Get("X-Tracecode-Delivery")
		if req.Method != http.MethodPost || req.Header.Get("X-Tracecode-Signature") != Signature(r.secret, body) ||
			req.Header.Get("Idempotency-Key") != id || req.Header.Get("Content-Type") != "application/json" {
			r.bad = append(r.bad, id)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		r.got[id] = body
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// snapshot returns what the receiver got so far and how many calls it
// answered, under its lock (the handler runs on the server's goroutines).
func (r *receiver) snapshot() (map[string][]byte, []string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := make(map[string][]byte, len(r.got))
	for k, v := range r.got {
		got[k] = v
	}
	return got, append([]string(nil), r.bad...), r.calls
}

func stage(t testing.TB, o *Outbox, ns ...Notification) []uint64 {
	t.Helper()
	b := o.db.NewBatch()
	defer b.Close()
	var ids []uint64
	for i := range ns {
		if err := o.Stage(b, &ns[i]); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ns[i].ID)
	}
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	o.Kick()
	return ids
}

func TestNotificationRoundTrip(t *testing.T) {
	n := Notification{ID: 3, Source: SourceRecall, SourceID: 9, Channel: Webhook, Org: 4, Region: 620102, Target: "https://x/y",
		Payload: []byte(`{"a":1}`), Created: 5, State: Pending, Attempts: 2, NextTry: 7, LastError: "e", Delivered: 0}
	v := n.AppendBinary(nil)
	got, err := Decode(3, v)
	if err != nil || !reflect.DeepEqual(got, n) {
		t.Fatalf("%v\n got %+v\nwant %+v", err, got, n)
	}
	for i := range len(v) {
		if _, err := Decode(3, v[:i]); !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, store.ErrVersion) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
	e := Endpoint{Name: "张", Phone: "+86 931 1234567", Email: "a@b.cn", Webhook: "https://h/", Secret: "s", Updated: 1}
	ge, err := DecodeEndpoint(e.AppendBinary(nil))
	if err != nil || ge != e {
		t.Fatalf("endpoint: %v %+v", err, ge)
	}
}

func FuzzDecode(f *testing.F) {
	n := Notification{Source: SourceAlert, Channel: JetStream, Target: "tracecode.alert.620000", Payload: []byte("{}"), State: Pending}
	f.Add(n.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := Decode(1, v)
		if err != nil {
			return
		}
		again, err := Decode(1, got.AppendBinary(nil))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

// TestWebhookDelivery: a staged notification reaches the organisation's
// webhook signed with its secret and carrying its id, and is recorded
// delivered; a notification for an organisation without a secret is not
// sent anywhere and retries.
func TestWebhookDelivery(t *testing.T) {
	db := openDB(t, t.TempDir())
	o, err := Open(db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := newReceiver(t, "0123456789abcdef-secret")
	if _, err := o.SetWebhook(1, r.srv.URL+"/hook", r.secret, 1); err != nil {
		t.Fatal(err)
	}
	ids := stage(t, o, Notification{Source: SourceRecall, SourceID: 7, Channel: Webhook, Org: 1, Target: r.srv.URL + "/hook", Payload: []byte(`{"recall":7}`), Created: 0},
		Notification{Source: SourceRecall, SourceID: 7, Channel: Webhook, Org: 2, Target: r.srv.URL + "/hook", Payload: []byte(`{"recall":7}`)})
	s := o.NewSender(r.srv.Client(), nil, nil)
	next, err := s.Round(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, bad, _ := r.snapshot()
	if string(got[strconv.FormatUint(ids[0], 10)]) != `{"recall":7}` || len(got) != 1 || len(bad) != 0 {
		t.Fatalf("received %q, bad %v", got, bad)
	}
	ns, err := o.BySource(SourceRecall, 7)
	if err != nil || len(ns) != 2 {
		t.Fatal(err, ns)
	}
	if ns[0].State != Delivered || ns[0].Attempts != 1 || ns[0].Delivered == 0 {
		t.Errorf("delivered one: %+v", ns[0])
	}
	if ns[1].State != Pending || ns[1].LastError == "" || ns[1].NextTry <= 0 || next != ns[1].NextTry {
		t.Errorf("one without a secret: %+v (next %d)", ns[1], next)
	}
	if c, _ := o.PendingCount(); c != 1 {
		t.Errorf("pending %d", c)
	}
	if other, _ := o.BySource(SourceRecall, 8); len(other) != 0 {
		t.Errorf("recall 8 has %d", len(other))
	}
}

// TestBackoffDeadLetter: a failing receiver is retried after waits that
// double (within the jitter's [d/2, d]) and, after MaxAttempts, dead-
// lettered; it is then never tried again.
func TestBackoffDeadLetter(t *testing.T) {
	db := openDB(t, t.TempDir())
	o, _ := Open(db, Config{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 3 * time.Second})
	r := newReceiver(t, "0123456789abcdef")
	r.mu.Lock()
	r.fail = 100
	r.mu.Unlock()
	o.SetWebhook(1, r.srv.URL, r.secret, 0)
	stage(t, o, Notification{Source: SourceAlert, SourceID: 1, Channel: Webhook, Org: 1, Target: r.srv.URL, Payload: []byte(`{}`)})
	clock := time.UnixMilli(0)
	s := o.NewSender(r.srv.Client(), nil, func() time.Time { return clock })
	wants := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	for i, d := range wants {
		next, err := s.Round(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wait := time.Duration(next-clock.UnixMilli()) * time.Millisecond
		if wait < d/2 || wait > d {
			t.Fatalf("wait after failure %d: %v, want [%v, %v]", i+1, wait, d/2, d)
		}
		// Not due yet: nothing is tried.
		clock = time.UnixMilli(next - 1)
		_, _, calls := r.snapshot()
		_, err = s.Round(context.Background())
		if _, _, now := r.snapshot(); err != nil || now != calls {
			t.Fatalf("tried before due: %v", err)
		}
		clock = time.UnixMilli(next)
	}
	if _, err := s.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, _ := o.Get(1)
	if _, _, calls := r.snapshot(); n.State != Dead || n.Attempts != 4 || calls != 4 || n.LastError == "" {
		t.Fatalf("after 4 failures: %+v, %d calls", n, calls)
	}
	clock = clock.Add(24 * time.Hour)
	next, _ := s.Round(context.Background())
	if _, _, calls := r.snapshot(); calls != 4 || next != 1<<63-1 {
		t.Errorf("a dead notification was retried (%d calls, next %d)", calls, next)
	}
}

func TestSetWebhookChecks(t *testing.T) {
	o, _ := Open(openDB(t, t.TempDir()), Config{})
	for _, c := range []struct{ url, secret, want string }{
		{"http://example.com/h", "0123456789abcdef", "scheme"},
		{"https://user:pw@example.com/h", "0123456789abcdef", "credentials"},
		{"https:///h", "0123456789abcdef", "host"},
		{"https://example.com/h", "short", "secret"},
		{"::", "0123456789abcdef", "url"},
	} {
		if _, err := o.SetWebhook(1, c.url, c.secret, 0); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %q: %v, want %q", c.url, c.secret, err, c.want)
		}
	}
	if _, err := o.SetContact(1, Endpoint{Email: "not an address"}, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad e-mail: %v", err)
	}
	if _, err := o.SetContact(1, Endpoint{Phone: "call me"}, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad phone: %v", err)
	}
	e, err := o.SetContact(1, Endpoint{Name: "质量部", Phone: "0931-1234567", Email: "qa@example.cn"}, 5)
	if err != nil || e.Name != "质量部" {
		t.Fatal(err)
	}
	e, _ = o.SetWebhook(1, "https://example.com/h", "0123456789abcdef", 6)
	if e.Name != "质量部" || e.Webhook != "https://example.com/h" {
		t.Errorf("webhook lost the contact: %+v", e)
	}
	if e, _, _ := o.Endpoint(2); e.Webhook != "" {
		t.Error("organisation 2 has an endpoint")
	}
}

// startNATS starts an embedded NATS server with JetStream.
func startNATS(t testing.TB) *nats.Conn {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(30 * time.Second) {
		t.Fatal("nats server not ready")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// TestJetStreamDelivery: notifications are published on their subjects
// and stored by the stream; a second publication of one id (a retry after
// a lost acknowledgement) is dropped as a duplicate.
func TestJetStreamDelivery(t *testing.T) {
	nc := startNATS(t)
	ctx := context.Background()
	js, err := NewJetStream(ctx, nc)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := nc.SubscribeSync("tracecode.>")
	if err != nil {
		t.Fatal(err)
	}
	o, _ := Open(openDB(t, t.TempDir()), Config{})
	ids := stage(t, o, Notification{Source: SourceRecall, SourceID: 1, Channel: JetStream, Org: 5, Target: RecallSubject(620102, 5), Payload: []byte(`{"recall":1}`)},
		Notification{Source: SourceAlert, SourceID: 2, Channel: JetStream, Target: AlertSubject(620000), Payload: []byte(`{"alert":2}`)})
	if _, err := o.NewSender(nil, js, nil).Round(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for range 2 {
		m, err := sub.NextMsg(30 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got[m.Subject] = string(m.Data)
		if m.Header.Get("Nats-Msg-Id") == "" {
			t.Errorf("%s without a message id", m.Subject)
		}
	}
	if got["tracecode.recall.620102.5"] != `{"recall":1}` || got["tracecode.alert.620000"] != `{"alert":2}` {
		t.Fatalf("published %v", got)
	}
	// A retry of the same id is a duplicate the stream drops.
	if err := js.Publish(ctx, RecallSubject(620102, 5), []byte(`{"recall":1}`), "tracecode-"+strconv.FormatUint(ids[0], 10)); err != nil {
		t.Fatal(err)
	}
	jsc, _ := nc.JetStream()
	info, err := jsc.StreamInfo(StreamName)
	if err != nil || info.State.Msgs != 2 {
		t.Fatalf("stream holds %v messages (%v), want 2", info.State.Msgs, err)
	}
	for _, id := range ids {
		if n, _ := o.Get(id); n.State != Delivered {
			t.Errorf("notification %d %s", id, n.State)
		}
	}
	var body map[string]int
	if json.Unmarshal([]byte(got["tracecode.alert.620000"]), &body) != nil {
		t.Error("payload is not JSON")
	}
}
