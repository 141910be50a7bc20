package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tracecode/engine/demo"
	"tracecode/engine/outbox"
)

// webhookSecret is every demo organisation's webhook secret here.
const webhookSecret = "recipient-secret-0123"

// hookReceiver is the recipients' HTTPS webhook. While holding, a request
// waits until released (a delivery in flight when the server dies);
// afterwards each is answered 200 and kept.
type hookReceiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	holding  bool
	release  chan struct{}
	inFlight map[string][]byte // delivery id → body, seen while holding
	got      map[string][]byte // delivery id → body, answered 200
	badSig   int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{holding: true, release: make(chan struct{}), inFlight: map[string][]byte{}, got: map[string][]byte{}}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		id := r.Header.Get("Idempotency-Key")
		h.mu.Lock()
		if r.Header.Get("X-Tracecode-Signature") != outbox.Signature(webhookSecret, b) {
			h.badSig++
		}
		if h.holding {
			h.inFlight[id] = b
			h.mu.Unlock()
			<-h.release
			http.Error(w, "the receiver was holding", http.StatusServiceUnavailable)
			return
		}
		h.got[id] = b
		h.mu.Unlock()
	}))
	t.Cleanup(func() {
		h.stopHolding()
		h.srv.Close()
	})
	return h
}

func (h *hookReceiver) stopHolding() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.holding {
		h.holding = false
		close(h.release)
	}
}

// serveChild is `tracecode serve` in a child process.
type serveChild struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
}

func startServe(t *testing.T, env []string, args ...string) *serveChild {
	t.Helper()
	raw, _ := json.Marshal(append([]string{"serve"}, args...))
	c := &serveChild{cmd: exec.Command(os.Args[0], "-test.run=^TestStoreCLIChild$")}
	c.cmd.Env = append(append(os.Environ(), storeCLIEnv+"="+string(raw)), env...)
	c.cmd.Stdout, c.cmd.Stderr = io.Discard, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	})
	return c
}

// TestServeKilledBeforeDelivery: the whole server, a child process, takes
// a recall (201: committed) and is SIGKILLed while its first webhook
// deliveries are in flight, before any was answered. Restarted on the same
// data directory, it delivers every webhook notification the recall
// recorded — each signed, each id once answered, byte-identical to the
// copy that was in flight when it died — and the notification list shows
// every one delivered.
func TestServeKilledBeforeDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-server crash test: skipped with -short")
	}
	hook := newHookReceiver(t)
	dir := t.TempDir()
	certFile := filepath.Join(dir, "receiver-ca.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hook.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	env := []string{"SSL_CERT_FILE=" + certFile}
	args := []string{"--data", data, "--addr", addr, "--demo"}

	client := &http.Client{Timeout: 60 * time.Second}
	call := func(method, path, key, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	waitReady := func(c *serveChild) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if c.cmd.ProcessState != nil {
				t.Fatalf("serve exited: %s", c.stderr.String())
			}
			if res, err := http.Get(base + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return
				}
			}
		}
		t.Fatalf("serve never became ready: %s", c.stderr.String())
	}

	first := startServe(t, env, args...)
	waitReady(first)
	info, ok, err := demo.Load(data)
	if err != nil || !ok {
		t.Fatalf("demo keys: %v %v", ok, err)
	}
	key := func(prefix string) string {
		for _, k := range info.Keys {
			if strings.HasPrefix(k.Name, prefix) {
				return k.Token
			}
		}
		t.Fatalf("no demo key %q", prefix)
		return ""
	}
	producer, operator := key("兰州陇原"), key("operator")
	var orgs struct {
		Orgs []struct {
			ID uint32 `json:"id"`
		} `json:"orgs"`
	}
	if st, b := call("GET", "/v1/orgs", operator, ""); st != 200 || json.Unmarshal(b, &orgs) != nil || len(orgs.Orgs) == 0 {
		t.Fatalf("orgs: %d %s", st, b)
	}
	for _, o := range orgs.Orgs {
		if st, b := call("PUT", fmt.Sprintf("/v1/orgs/%d/webhook", o.ID), operator, fmt.Sprintf(`{"url":%q,"secret":%q}`, hook.srv.URL, webhookSecret)); st != 200 {
			t.Fatalf("webhook of %d: %d %s", o.ID, st, b)
		}
	}
	// A shipped lot of the producer's: one whose forward trace names
	// recipients.
	var products struct {
		Products []struct {
			ID uint32 `json:"id"`
		} `json:"products"`
	}
	if st, b := call("GET", "/v1/products", producer, ""); st != 200 || json.Unmarshal(b, &products) != nil {
		t.Fatalf("products: %d %s", st, b)
	}
	var lot uint32
	for _, p := range products.Products {
		var lots struct {
			Lots []struct {
				ID uint32 `json:"id"`
			} `json:"lots"`
		}
		if st, b := call("GET", fmt.Sprintf("/v1/products/%d/lots", p.ID), producer, ""); st != 200 || json.Unmarshal(b, &lots) != nil {
			t.Fatalf("lots: %d %s", st, b)
		}
		for _, l := range lots.Lots {
			var tr struct {
				Recipients []json.RawMessage `json:"recipients"`
			}
			if st, b := call("GET", fmt.Sprintf("/v1/lots/%d/trace", l.ID), producer, ""); st == 200 && json.Unmarshal(b, &tr) == nil && len(tr.Recipients) > 0 {
				lot = l.ID
				break
			}
		}
		if lot != 0 {
			break
		}
	}
	if lot == 0 {
		t.Fatal("the demo has no shipped Lanzhou lot")
	}
	st, b := call("POST", "/v1/recalls", producer, fmt.Sprintf(`{"level":"I","lots":[{"lot":%d}],"reason_zh":"检出致病菌","reason_en":"pathogen found"}`, lot))
	if st != 201 {
		t.Fatalf("recall: %d %s", st, b)
	}
	var rc struct {
		ID         uint64 `json:"id"`
		Recipients []struct {
			Org uint32 `json:"org"`
		} `json:"recipients"`
	}
	if err := json.Unmarshal(b, &rc); err != nil || len(rc.Recipients) == 0 {
		t.Fatalf("recall answer: %v %s", err, b)
	}
	// The sender starts delivering: kill the server once a delivery is in
	// flight and before any was answered.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		hook.mu.Lock()
		n := len(hook.inFlight)
		hook.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivery started: %s", first.stderr.String())
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	hook.mu.Lock()
	inFlight := map[string][]byte{}
	for id, b := range hook.inFlight {
		inFlight[id] = b
	}
	if len(hook.got) != 0 {
		t.Fatalf("%d deliveries were answered before the kill", len(hook.got))
	}
	hook.mu.Unlock()
	hook.stopHolding()

	second := startServe(t, env, args...)
	waitReady(second)
	type note struct {
		ID      uint64 `json:"id"`
		Channel string `json:"channel"`
		Org     uint32 `json:"org"`
		State   string `json:"state"`
	}
	var webhooks []note
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var ns struct {
			Notifications []note `json:"notifications"`
		}
		st, b := call("GET", fmt.Sprintf("/v1/recalls/%d/notifications", rc.ID), producer, "")
		if st != 200 || json.Unmarshal(b, &ns) != nil {
			t.Fatalf("notifications: %d %s", st, b)
		}
		webhooks, ok = webhooks[:0], true
		for _, n := range ns.Notifications {
			if n.Channel == "webhook" {
				webhooks = append(webhooks, n)
				ok = ok && n.State == "delivered"
			}
		}
		if ok && len(webhooks) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every webhook delivered after the restart: %s\n%s", b, second.stderr.String())
		}
	}
	if len(webhooks) != len(rc.Recipients) {
		t.Errorf("%d webhook notifications for %d recipients", len(webhooks), len(rc.Recipients))
	}
	hook.mu.Lock()
	defer hook.mu.Unlock()
	if hook.badSig != 0 {
		t.Errorf("%d deliveries with a bad signature", hook.badSig)
	}
	for _, n := range webhooks {
		id := strconv.FormatUint(n.ID, 10)
		body, ok := hook.got[id]
		if !ok {
			t.Errorf("notification %d (org %d) listed delivered but never answered 200", n.ID, n.Org)
			continue
		}
		if prev, ok := inFlight[id]; ok && !bytes.Equal(prev, body) {
			t.Errorf("notification %d: the copy after the restart differs from the one in flight:\n%s\n%s", n.ID, prev, body)
		}
		var v struct {
			Recall    uint64 `json:"recall"`
			Recipient struct {
				Org uint32 `json:"org"`
			} `json:"recipient"`
			ReasonEN string `json:"reason_en"`
		}
		if err := json.Unmarshal(body, &v); err != nil || v.Recall != rc.ID || v.Recipient.Org != n.Org || v.ReasonEN != "pathogen found" {
			t.Errorf("notification %d body: %v %s", n.ID, err, body)
		}
	}
	// Other notifications reach the same webhooks (the alerts the
	// demo's due dates raise, for one): every recall notification
	// delivered must be one the recall lists.
	for id, body := range hook.got {
		var v struct {
			Type   string `json:"type"`
			Recall uint64 `json:"recall"`
		}
		if json.Unmarshal(body, &v) != nil || v.Type != "recall" {
			continue
		}
		found := false
		for _, n := range webhooks {
			found = found || strconv.FormatUint(n.ID, 10) == id
		}
		if !found {
			t.Errorf("delivery %s is a recall notification the recall does not list: %s", id, body)
		}
	}
	t.Logf("recall %d: %d webhook notifications, %d in flight at the kill, all delivered after the restart", rc.ID, len(webhooks), len(inFlight))
	_ = second.cmd.Process.Signal(syscall.SIGTERM)
	_ = second.cmd.Wait()
}
