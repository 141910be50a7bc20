package server

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// countingConn counts the bytes the server reads from a connection.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	k, err := c.Conn.Read(p)
	c.n.Add(int64(k))
	return k, err
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.n}, nil
}

// rawRequest is one request on its own connection to env's server, whose
// reads from that connection are counted.
type rawRequest struct {
	conn net.Conn
	read *atomic.Int64 // bytes the server read from conn
	sent chan int64    // body bytes written, once the writer stops
}

// startRaw sends head (the request line and headers, without the blank
// line) and then up to body bytes of ' ' (or of chunked data when body
// is negative: -body bytes in 64 KiB chunks), until the server closes the
// connection.
func startRaw(t *testing.T, env *testEnv, head string, body int) *rawRequest {
	t.Helper()
	ln := fasthttputil.NewInmemoryListener()
	rr := &rawRequest{read: new(atomic.Int64), sent: make(chan int64, 1)}
	go env.srv.Serve(countingListener{ln, rr.read}) //nolint:errcheck // ends at Shutdown
	conn, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	rr.conn = conn
	t.Cleanup(func() { conn.Close() })
	go func() {
		var sent int64
		defer func() { rr.sent <- sent }()
		if _, err := conn.Write([]byte(head + "\r\n")); err != nil {
			return
		}
		chunked := body < 0
		n := int64(body)
		if chunked {
			n = -n
		}
		buf := []byte(strings.Repeat(" ", 64<<10))
		for sent < n {
			k := min(int64(len(buf)), n-sent)
			p := buf[:k]
			if chunked {
				p = append(fmt.Appendf(nil, "%x\r\n", k), append(p, "\r\n"...)...)
			}
			if _, err := conn.Write(p); err != nil {
				return
			}
			sent += k
		}
		if chunked {
			conn.Write([]byte("0\r\n\r\n")) //nolint:errcheck
		}
	}()
	return rr
}

// response reads the answer.
func (rr *rawRequest) response(t *testing.T) *fasthttp.Response {
	t.Helper()
	res := &fasthttp.Response{}
	if err := res.Read(bufio.NewReader(rr.conn)); err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	return res
}

// TestBodyNotReadBeforeAuth: a /v1 request whose key is missing or lacks
// the route's scope, or whose declared body is over the route's limit, or
// whose path has a dot-segment, is answered after its headers: the server
// reads at most a few KiB of the 16 MiB offered, and closes the connection.
func TestBodyNotReadBeforeAuth(t *testing.T) {
	env := newTestEnv(t, nil)
	const offered = 16 << 20
	for _, c := range []struct {
		name, head string
		status     int
	}{
		{"no key", "POST /v1/events HTTP/1.1\r\nHost: tc.test\r\nContent-Type: application/json\r\nContent-Length: 16777216\r\n", 401},
		{"bad key", "POST /v1/events HTTP/1.1\r\nHost: tc.test\r\nAuthorization: Bearer tck_0000000000000001_" + strings.Repeat("A", 43) +
			"\r\nContent-Length: 16777216\r\n", 401},
		{"no events scope", "POST /v1/events HTTP/1.1\r\nHost: tc.test\r\nAuthorization: Bearer " + env.key("兰州市市场监管") +
			"\r\nContent-Length: 16777216\r\n", 403},
		{"over the /v1 limit", "POST /v1/blocks HTTP/1.1\r\nHost: tc.test\r\nAuthorization: Bearer " + env.key("兰州陇原") +
			"\r\nContent-Type: application/json\r\nContent-Length: 16777216\r\n", 413},
		{"over the capture limit", "POST /v1/events HTTP/1.1\r\nHost: tc.test\r\nAuthorization: Bearer " + env.key("兰州陇原") +
			"\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n", 413},
		{"dot-segment", "POST /v1/events/../blocks HTTP/1.1\r\nHost: tc.test\r\nAuthorization: Bearer " + env.key("兰州陇原") +
			"\r\nContent-Type: application/json\r\nContent-Length: 16777216\r\n", 400},
		{"chunked, no key", "POST /v1/events HTTP/1.1\r\nHost: tc.test\r\nTransfer-Encoding: chunked\r\n", 401},
		{"a body to /metrics", "POST /metrics HTTP/1.1\r\nHost: tc.test\r\nContent-Length: 16777216\r\n", 405},
	} {
		body := offered
		if strings.Contains(c.head, "chunked") {
			body = -offered
		}
		rr := startRaw(t, env, c.head, body)
		res := rr.response(t)
		read := rr.read.Load()
		rr.conn.Close()
		<-rr.sent
		if res.StatusCode() != c.status || !res.ConnectionClose() || read > 64<<10 {
			t.Errorf("%s: %d (want %d), connection close %v, server read %d of %d bytes offered: %s",
				c.name, res.StatusCode(), c.status, res.ConnectionClose(), read, offered, res.Body())
		}
	}
}

// TestLargeBodiesCapped: while Config.MaxLargeBodies captures are being
// received, one more is answered 503 with Retry-After before its body is
// read; once the first ends, captures are taken again.
func TestLargeBodiesCapped(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.MaxLargeBodies = 1 })
	key := env.key("兰州陇原")
	head := "POST /v1/events HTTP/1.1\r\nHost: tc.test\r\nAuthorization: Bearer " + key +
		"\r\nContent-Type: application/json\r\nContent-Length: 8388608\r\n"
	// The first capture's body is sent slowly: the writer blocks once the
	// server stops reading, and the server reads only inside the handler,
	// which holds the slot while it does.
	first := startRaw(t, env, head, 4<<20)
	for first.read.Load() < 1<<20 {
		waitABit()
	}
	second := startRaw(t, env, head, 8<<20)
	res := second.response(t)
	if res.StatusCode() != 503 || string(res.Header.Peek("Retry-After")) != "1" || second.read.Load() > 64<<10 {
		t.Fatalf("second large capture: %d Retry-After %q, server read %d: %s",
			res.StatusCode(), res.Header.Peek("Retry-After"), second.read.Load(), res.Body())
	}
	second.conn.Close()
	first.conn.Close() // the first capture fails; its slot is given back
	<-first.sent
	<-second.sent
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-11-20T00:00:00Z","epcisBody":{"eventList":[]}}`
	big := strings.Repeat(" ", 2<<20) + doc // over MaxBodyBytes: a large body
	// Until the server has seen the first connection close, its slot is
	// still held and a capture is refused (and counted) again: on a
	// loaded machine that can take several tries.
	refused := 1 // the second capture's
	for {
		r := env.api("POST", "/v1/events", key, big)
		if r.status != 503 {
			if r.status >= 500 {
				t.Fatalf("capture after the slot was freed: %d %s", r.status, r.body)
			}
			break
		}
		refused++
		waitABit()
	}
	want := fmt.Sprintf("tracecode_large_bodies_refused_total %d\n", refused)
	if m := env.get("/metrics"); !strings.Contains(string(m.body), want) {
		t.Errorf("refusals not counted: want %q, got %d\n%s", want, m.status, grepLines(m.body, "large"))
	}
}

// TestCaptureChunkedOverLimit: a chunked capture (no Content-Length) is
// cut at MaxCaptureBytes and answered 413.
func TestCaptureChunkedOverLimit(t *testing.T) {
	env := newTestEnv(t, func(c *Config) { c.MaxCaptureBytes = 4 << 20 })
	head := "POST /v1/events HTTP/1.1\r\nHost: tc.test\r\nAuthorization: Bearer " + env.key("兰州陇原") +
		"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
	rr := startRaw(t, env, head, -(16 << 20))
	res := rr.response(t)
	read := rr.read.Load()
	rr.conn.Close()
	<-rr.sent
	if res.StatusCode() != 413 || read > 5<<20 {
		t.Fatalf("chunked 16 MiB capture: %d, server read %d: %s", res.StatusCode(), read, res.Body())
	}
}

// waitABit yields while a test waits for a condition another goroutine
// makes true; the condition, not the time, is what the test checks.
func waitABit() { time.Sleep(time.Millisecond) }
