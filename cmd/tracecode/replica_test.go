package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tracecode/engine"
	"tracecode/engine/alert"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/demo"
	"tracecode/engine/issue"
	"tracecode/engine/scanlog"
	"tracecode/replicate"
	"tracecode/replicate/natstest"
	"tracecode/server"
)

// startNATSCluster starts three JetStream nodes clustered on loopback
// ports in the test process and returns their client URLs, comma-joined.
func startNATSCluster(t testing.TB) (urls string, nodes []*natsserver.Server) {
	t.Helper()
	nodes = natstest.Cluster(t, 3)
	return natstest.URLs(nodes), nodes
}

// listen opens a loopback listener and returns it with its base URL.
func listen(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String()
}

// serveOn serves srv on ln until the test ends.
func serveOn(t *testing.T, srv *server.Server, ln net.Listener) {
	t.Helper()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
}

// TestReplicasServeTheLog: a writer on an R3 log of a three-node NATS
// cluster, and two replicas serving from the log. Codes minted and
// commissioned on the writer after the replicas started resolve on both
// (commissioned, as on the writer); a write sent to a replica is
// answered 307 to the writer; both replicas are ready.
func TestReplicasServeTheLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node NATS cluster, a writer and two replicas")
	}
	urls, _ := startNATSCluster(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	root := t.TempDir()

	wln, wbase := listen(t)
	var w *logWriter
	var err error
	for deadline := time.Now().Add(60 * time.Second); ; {
		// The cluster elects its JetStream leaders first.
		if w, err = startWriter(ctx, urls, "writer", wbase, replicate.Config{Replicas: 3, LeaseTTL: 2 * time.Second}, 0, log); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.close(false) })
	eo := &engine.Options{DLBase: wbase, ShortBase: wbase}
	eo.Store.Replicator = w.replicator()
	weng, err := engine.Open(filepath.Join(root, "writer"), eo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = weng.Close() })
	if err := w.check(weng); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, weng, weng.APIKeys(), filepath.Join(root, "writer"), wbase); err != nil {
		t.Fatal(err)
	}
	wsrv, err := server.New(weng, server.Config{Addr: wln.Addr().String(), PublicBase: wbase, RateLimit: -1, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	serveOn(t, wsrv, wln)
	// The writer merges the replicas' scans and runs the alert rules.
	t.Cleanup(startMergeScans(w.nc, replicate.Config{Replicas: 3, LeaseTTL: 2 * time.Second}, wsrv, weng, log))
	nctx, stopNotices := context.WithCancel(ctx)
	waitNotices := startNotices(nctx, weng, "", log)
	t.Cleanup(func() { stopNotices(); waitNotices() })

	var bases []string
	var reps []*servedReplica
	for i := range 2 {
		rep := startServedReplica(t, ctx, urls, filepath.Join(root, fmt.Sprintf("replica%d", i)), log)
		reps = append(reps, rep)
		bases = append(bases, rep.base)
	}

	// Mint and commission on the writer, after the replicas started.
	org := weng.Issuance().Orgs()[0].ID
	prod := weng.Issuance().Products(org)[0].ID
	res, err := weng.Issuance().Mint(ctx, issue.MintRequest{Org: org, Product: prod, Lot: "REPL", CreateLot: true, Count: 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := weng.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: org}, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: res.Block.ID, First: 0, Last: 9}}}}); err != nil {
		t.Fatal(err)
	}
	var codes bytes.Buffer
	if _, err := weng.Issuance().WriteCodes(ctx, &codes, res.Block.ID, issue.StreamOptions{Format: issue.FormatDL}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(codes.String())
	if len(lines) != 20 {
		t.Fatalf("the block streams %d codes, want 20", len(lines))
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, i := range []int{0, 9, 19} {
		path := strings.TrimPrefix(lines[i], wbase)
		wcode, wbody := get(wbase + path)
		if wcode != 200 {
			t.Fatalf("writer: GET %s: %d %s", path, wcode, wbody)
		}
		for _, base := range bases {
			// The replica follows: poll until it knows the code.
			var code int
			var body string
			for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if code, body = get(base + path); code == 200 && statusOf(body) == statusOf(wbody) {
					break
				}
			}
			if code != 200 || statusOf(body) != statusOf(wbody) {
				t.Errorf("replica %s: GET %s: %d, status %q; the writer answers status %q", base, path, code, statusOf(body), statusOf(wbody))
			}
		}
	}

	for _, base := range bases {
		req, _ := http.NewRequest("POST", base+"/v1/blocks?x=1", strings.NewReader(`{}`))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != wbase+"/v1/blocks?x=1" {
			t.Errorf("replica %s: POST /v1/blocks: %d Location %q, want 307 to %s", base, resp.StatusCode, resp.Header.Get("Location"), wbase+"/v1/blocks?x=1")
		}
		var code int
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if code, _ = get(base + "/readyz"); code == 200 {
				break
			}
		}
		if code != 200 {
			t.Errorf("replica %s: /readyz %d", base, code)
		}
	}

	// Scans are counted where they happen and add up on the writer: an
	// item scanned by five WeChat users on each replica (evidence 10, the
	// threshold 16) is not suspicious on either; merged on the writer it
	// has ten scans, evidence 20, is suspicious there, raises the
	// clone-scan alert, and the replicas show it once the counts come
	// back through the log.
	item := scanlog.Ref{Product: prod, Counter: res.Block.Start + 5}
	path := strings.TrimPrefix(lines[5], wbase)
	scan := func(base, addr string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone) MicroMessenger/8.0")
		req.Header.Set("X-Forwarded-For", addr)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s%s: %d %s", base, path, resp.StatusCode, b)
		}
		return string(b)
	}
	for i, rep := range reps {
		var body string
		for c := range 5 {
			body = scan(rep.base, fmt.Sprintf("10.%d.0.%d", i, c+1))
		}
		if !strings.Contains(body, `"count":`) || strings.Contains(body, `"suspicious":true`) {
			t.Fatalf("replica %d after its own five scans: %s", i+1, body)
		}
	}
	wl := wsrv.ScanLog()
	// mergedAll waits until the writer merged every scans message stored.
	ss, err := replicate.SetupScans(ctx, mustJS(t, w.nc), replicate.Config{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	mergedAll := func(min uint64) scanlog.Stats {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			info, ierr := ss.Info(ctx)
			pos, merr := wl.Merged()
			st, serr := wl.Stats(item)
			if ierr == nil && merr == nil && serr == nil && st.Count >= min && pos == info.State.LastSeq {
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("the writer did not merge the replicas' scans: %+v (%v) merged %d (%v), stream %v (%v)", st, serr, pos, merr, info, ierr)
			}
		}
	}
	if st := mergedAll(10); st.Count != 10 || !st.Suspicious || st.Evidence() != 20 {
		t.Fatalf("writer's stats of the item scanned on both replicas: %+v (evidence %d), want 10 scans, evidence 20, suspicious", st, st.Evidence())
	}
	op := apikey.Key{Scopes: apikey.ScopeAdmin}
	var raised bool
	for deadline := time.Now().Add(60 * time.Second); !raised && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		as, err := weng.Notices().AlertList(op, alert.Filter{Rule: "clone-scan"})
		if err != nil {
			t.Fatal(err)
		}
		raised = len(as) > 0
	}
	if !raised {
		t.Error("the scans on two replicas raised no clone-scan alert on the writer")
	}
	for i, rep := range reps {
		var st scanlog.Stats
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if st, err = rep.r.scans.fwd.Stats(item); err == nil && st.Count == 10 {
				break
			}
		}
		if st.Count != 10 || !st.Suspicious {
			t.Errorf("replica %d shows the merged item as %+v, want 10 scans, suspicious", i+1, st)
		}
	}
	// Restarting a replica sends nothing twice: one more scan after the
	// restart is the only one added.
	before := mergedAll(0).Count
	reps[0].stop()
	reps[0] = startServedReplica(t, ctx, urls, reps[0].dir, log)
	scan(reps[0].base, "10.7.7.7")
	if st := mergedAll(before + 1); st.Count != before+1 {
		t.Fatalf("after a replica's restart and one scan: %d scans on the writer, want %d", st.Count, before+1)
	}
}

// servedReplica is a replica serving on a loopback port; its public
// requests' client address is taken from X-Forwarded-For.
type servedReplica struct {
	r    *replicaNode
	srv  *server.Server
	base string
	dir  string
}

// startServedReplica opens a replica on dir and serves it until stop (or
// the test's end).
func startServedReplica(t *testing.T, ctx context.Context, urls, dir string, log *slog.Logger) *servedReplica {
	t.Helper()
	ln, base := listen(t)
	r, err := openReplica(ctx, urls, dir, &engine.Options{DLBase: base, ShortBase: base}, 10*time.Millisecond, log)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.config(time.Minute, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(r.eng, server.Config{Addr: ln.Addr().String(), PublicBase: base, RateLimit: -1, Logger: log,
		TrustForwarded: true, Replica: rc})
	if err != nil {
		t.Fatal(err)
	}
	r.serving(srv)
	go func() { _ = srv.Serve(ln) }()
	sr := &servedReplica{r: r, srv: srv, base: base, dir: dir}
	t.Cleanup(sr.stop)
	return sr
}

// stop shuts the replica down (its last scan counts sent); once only.
func (sr *servedReplica) stop() {
	if sr.r == nil {
		return
	}
	_ = sr.srv.Shutdown(context.Background())
	sr.r.close()
	_ = sr.r.eng.Close()
	sr.r = nil
}

// statusOf picks the "status" member of a resolver answer.
func statusOf(body string) string {
	i := strings.Index(body, `"status":"`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`"status":"`):]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return ""
}

// mustJS is nc's JetStream context.
func mustJS(t *testing.T, nc *nats.Conn) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}
