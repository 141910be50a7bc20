package loadtest

import (
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/valyala/fasthttp"
)

func resp(status int, ct, body string) *fasthttp.Response {
	r := &fasthttp.Response{}
	r.SetStatusCode(status)
	if ct != "" {
		r.Header.SetContentType(ct)
	}
	r.SetBodyString(body)
	return r
}

func TestClassifyResp(t *testing.T) {
	json, html := Pick{Accept: AcceptJSON}, Pick{Accept: AcceptHTML}
	forged := Pick{Accept: AcceptJSON, Forged: true}
	for _, c := range []struct {
		name string
		r    *fasthttp.Response
		p    Pick
		want Outcome
	}{
		{"json ok", resp(200, "application/json", ` {"chain":[]}`), json, OutOK},
		{"linkset json ok", resp(200, "application/linkset+json", `[1]`), json, OutOK},
		{"html ok", resp(200, "text/html; charset=utf-8", "\n<!doctype html>"), html, OutOK},
		{"redirect ok", resp(307, "", ""), json, OutOK},
		{"json asked, html given", resp(200, "text/html", "<html>"), json, OutBody},
		{"json type, not json", resp(200, "application/json", "OK"), json, OutBody},
		{"empty 200", resp(200, "application/json", ""), json, OutBody},
		{"html asked, json given", resp(200, "application/json", "{}"), html, OutBody},
		{"valid code 404", resp(404, "application/problem+json", "{}"), json, OutHTTP4xx},
		{"429", resp(429, "", ""), json, OutHTTP4xx},
		{"503", resp(503, "", ""), json, OutHTTP5xx},
		{"forged 404", resp(404, "text/html", "<p>not genuine"), forged, OutForgedRejected},
		{"forged 400 bad check", resp(400, "", ""), forged, OutForgedRejected},
		{"forged 410", resp(410, "", ""), forged, OutForgedRejected},
		{"forged 200", resp(200, "application/json", "{}"), forged, OutForgedAccepted},
		{"forged 302", resp(302, "", ""), forged, OutForgedAccepted},
		{"forged 403", resp(403, "", ""), forged, OutHTTP4xx},
		{"forged 500", resp(500, "", ""), forged, OutHTTP5xx},
	} {
		if got := classifyResp(c.r, c.p); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestClassifyErr(t *testing.T) {
	for _, c := range []struct {
		err  error
		want Outcome
	}{
		{fasthttp.ErrTimeout, OutTimeout},
		{fmt.Errorf("read: %w", os.ErrDeadlineExceeded), OutTimeout},
		{fasthttp.ErrDialTimeout, OutConnect},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, OutConnect},
		{&net.OpError{Op: "dial", Err: fmt.Errorf("no route")}, OutConnect},
		{fasthttp.ErrConnectionClosed, OutClosed},
		{io.EOF, OutClosed},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, OutClosed},
		{fmt.Errorf("error when reading response headers: %w", fasthttp.ErrBodyTooLarge), OutOther},
	} {
		if got := classifyErr(c.err); got != c.want {
			t.Errorf("%v: %s, want %s", c.err, got, c.want)
		}
	}
}

func TestClassifyRespAllocs(t *testing.T) {
	r := resp(200, "application/json", `{"chain":[]}`)
	p := Pick{Accept: AcceptJSON}
	if n := testing.AllocsPerRun(100, func() { classifyResp(r, p) }); n != 0 {
		t.Errorf("classifyResp allocates %v times", n)
	}
}
