package outbox

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

const crashChildEnv = "TRACECODE_OUTBOX_CRASH_CHILD"

// TestCrashResume: a process commits 200 notifications and starts
// delivering them to a slow webhook; it is SIGKILLed mid-way. A new
// sender over the same store delivers every one — each id at least once,
// every copy byte-identical to what was recorded — and leaves none
// pending.
func TestCrashResume(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir, os.Getenv(crashChildEnv+"_URL"))
		return
	}
	if testing.Short() {
		t.Skip("crash subprocess test")
	}
	r := newReceiver(t, "crash-test-secret-0123")
	r.delay.Store(int64(5 * time.Millisecond))
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashResume$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashChildEnv+"_URL="+r.srv.URL, certEnv+"="+certPEM(r.srv.Certificate().Raw))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "committed" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q", sc.Text())
	}
	// Kill it once some, not all, were delivered.
	for {
		r.mu.Lock()
		n := len(r.got)
		r.mu.Unlock()
		if n >= 10 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	r.mu.Lock()
	before := len(r.got)
	r.mu.Unlock()
	if before >= 200 {
		t.Fatalf("the child delivered everything (%d) before it was killed", before)
	}

	db := openDB(t, dir)
	o, err := Open(db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	s := o.NewSender(r.srv.Client(), nil, nil)
	for {
		if _, err := s.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		if c, _ := o.PendingCount(); c == 0 {
			break
		}
	}
	ns, err := o.BySource(SourceRecall, 1)
	if err != nil || len(ns) != 200 {
		t.Fatalf("%d notifications recorded (%v)", len(ns), err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range ns {
		got, ok := r.got[strconv.FormatUint(n.ID, 10)]
		if !ok || string(got) != string(n.Payload) || n.State != Delivered {
			t.Errorf("notification %d: received %v %q, recorded %q, %s", n.ID, ok, got, n.Payload, n.State)
		}
	}
	if len(r.bad) != 0 {
		t.Errorf("bad signatures: %v", r.bad)
	}
	t.Logf("%d delivered before the kill, the rest after the restart (%d requests in all)", before, r.calls)
}

// crashChild commits the notifications, says so, and delivers them until
// it is killed.
func crashChild(dir, url string) {
	db, err := openChildDB(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	o, err := Open(db, Config{Workers: 2})
	if err == nil {
		_, err = o.SetWebhook(1, url, "crash-test-secret-0123", 0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	b := db.NewBatch()
	for i := range 200 {
		n := Notification{Source: SourceRecall, SourceID: 1, Channel: Webhook, Org: 1, Target: url,
			Payload: fmt.Appendf(nil, `{"recall":1,"n":%d}`, i)}
		if err := o.Stage(b, &n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if err := b.Commit(true); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("committed")
	tr := &http.Transport{TLSClientConfig: childTLS()}
	s := o.NewSender(&http.Client{Transport: tr, Timeout: 10 * time.Second}, nil, nil)
	s.Run(context.Background())
	select {}
}
