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

	"tracecode/engine"
	"tracecode/engine/demo"
	"tracecode/replicate"
	"tracecode/replicate/natstest"
	"tracecode/server"
)

// startNATSCluster starts three JetStream nodes clustered on loopback
// ports in the test process and returns their client URLs, comma-joined.
func startNATSCluster(t *testing.T) (urls string, nodes []*natsserver.Server) {
	t.Helper()
	nodes = natstest.Cluster(t, 3)
	return natstest.URLs(nodes), nodes
}

// listen opens a loopback listener and returns it with its base URL.
func listen(t *testing.T) (net.Listener, string) {
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

	var bases []string
	for i := range 2 {
		ln, base := listen(t)
		r, err := openReplica(ctx, urls, filepath.Join(root, fmt.Sprintf("replica%d", i)), &engine.Options{DLBase: base, ShortBase: base}, 10*time.Millisecond, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.eng.Close() })
		t.Cleanup(r.close)
		srv, err := server.New(r.eng, server.Config{Addr: ln.Addr().String(), PublicBase: base, RateLimit: -1, Logger: log,
			Replica: r.config(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		r.serving(srv)
		serveOn(t, srv, ln)
		bases = append(bases, base)
	}

	// Mint and commission on the writer, after the replicas started.
	org := weng.Orgs()[0].ID
	prod := weng.Products(org)[0].ID
	res, err := weng.Mint(ctx, engine.MintRequest{Org: org, Product: prod, Lot: "REPL", CreateLot: true, Count: 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := weng.ReportLine(ctx, &engine.LineReport{ReportMeta: engine.ReportMeta{Org: org}, Action: engine.LineCommission,
		Items: engine.Items{Ranges: []engine.BlockRange{{Block: res.Block.ID, First: 0, Last: 9}}}}); err != nil {
		t.Fatal(err)
	}
	var codes bytes.Buffer
	if _, err := weng.WriteCodes(ctx, &codes, res.Block.ID, engine.StreamOptions{Format: engine.FormatDL}); err != nil {
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
