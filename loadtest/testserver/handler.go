package testserver

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

var (
	ctJSON    = []byte("application/json")
	ctProblem = []byte("application/problem+json")
	ctHTML    = []byte("text/html; charset=utf-8")
	ctText    = []byte("text/plain; charset=utf-8")
	acceptKey = []byte("Accept")
	htmlWord  = []byte("text/html")
)

func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	path := ctx.Path()
	switch {
	case bytes.Equal(path, []byte("/readyz")), bytes.Equal(path, []byte("/healthz")):
		ctx.SetContentTypeBytes(ctText)
		ctx.SetBodyString("ok\n")
		return
	case bytes.HasPrefix(path, []byte("/v1/")):
		s.api(ctx)
		return
	}
	s.pause()
	if s.cfg.Constant {
		ctx.SetContentTypeBytes(ctJSON)
		ctx.SetBody(s.cbody)
		return
	}
	if f := s.cfg.FailEvery; f > 0 && s.n.Load()%int64(f) == 0 {
		ctx.SetStatusCode(s.cfg.FailStatus)
		ctx.SetContentTypeBytes(ctProblem)
		ctx.SetBodyString(`{"title":"injected failure"}`)
		return
	}
	i, ok := s.lookup(ctx, path)
	html := bytes.Contains(ctx.Request.Header.PeekBytes(acceptKey), htmlWord)
	if !ok {
		ctx.SetStatusCode(fasthttp.StatusNotFound)
		if html {
			ctx.SetContentTypeBytes(ctHTML)
			ctx.SetBodyString("<!doctype html><title>Not found</title><p>This code was never issued: the item may not be genuine.</p>")
		} else {
			ctx.SetContentTypeBytes(ctProblem)
			ctx.SetBodyString(`{"title":"code not issued","status":404}`)
		}
		return
	}
	c := s.codes[i]
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	buf := (*bp)[:0]
	defer func() { *bp = buf[:0] }()
	if html {
		ctx.SetContentTypeBytes(ctHTML)
		buf = append(buf, "<!doctype html><title>"...)
		buf = append(buf, c.serial...)
		buf = append(buf, "</title><p>genuine</p><!--"...)
		buf = append(buf, s.pad...)
		buf = append(buf, "-->"...)
		ctx.SetBody(buf) // copies
		return
	}
	ctx.SetContentTypeBytes(ctJSON)
	buf = s.jsonBody(buf, c)
	ctx.SetBody(buf) // copies
}

// pause applies the configured delay and any server-wide stall.
func (s *Server) pause() {
	n := s.n.Add(1)
	now := int64(time.Since(s.start))
	if at := s.stall.at.Load(); at > 0 && n == at {
		d := s.stall.dur.Load()
		s.stall.until.Store(now + d)
		s.stall.mu.Lock()
		s.stall.start = s.start.Add(time.Duration(now))
		s.stall.end = s.stall.start.Add(time.Duration(d))
		s.stall.mu.Unlock()
	}
	if until := s.stall.until.Load(); now < until {
		time.Sleep(time.Duration(until - now))
	}
	if s.cfg.Delay > 0 {
		time.Sleep(s.cfg.Delay)
	}
}

// jsonBody appends a chain-like JSON answer for c.
func (s *Server) jsonBody(dst []byte, c code) []byte {
	dst = append(dst, `{"gtin":"`...)
	dst = append(dst, c.gtin...)
	dst = append(dst, `","lot":"`...)
	dst = append(dst, c.lot...)
	dst = append(dst, `","serial":"`...)
	dst = append(dst, c.serial...)
	dst = append(dst, `","status":"genuine","chain":[{"event":"commissioning"}],"pad":"`...)
	dst = append(dst, s.pad...)
	return append(dst, `"}`...)
}

// lookup finds the code a resolver path names.
func (s *Server) lookup(ctx *fasthttp.RequestCtx, path []byte) (int32, bool) {
	switch {
	case bytes.HasPrefix(path, []byte("/c/")):
		i, ok := s.byShrt[string(path[3:])]
		return i, ok
	case bytes.Equal(path, []byte("/resolve")):
		return s.lookupCode(string(ctx.QueryArgs().Peek("code")))
	case bytes.HasPrefix(path, []byte("/01/")):
		return s.lookupDL(path)
	}
	return 0, false
}

// lookupDL checks /01/{gtin}[/10/{lot}]/21/{serial}.
func (s *Server) lookupDL(path []byte) (int32, bool) {
	j := bytes.Index(path, []byte("/21/"))
	if j < 0 {
		return 0, false
	}
	ser := path[j+4:]
	if k := bytes.IndexByte(ser, '/'); k >= 0 {
		ser = ser[:k]
	}
	i, ok := s.bySer[string(ser)]
	if !ok {
		return 0, false
	}
	c := s.codes[i]
	if !bytes.HasPrefix(path, []byte("/01/"+c.gtin)) {
		return 0, false
	}
	return i, true
}

// lookupCode reads an element string "(01)…(21)…", a Digital Link URI or a
// short-code URL.
func (s *Server) lookupCode(code string) (int32, bool) {
	if k := strings.Index(code, "(21)"); k >= 0 {
		ser := code[k+4:]
		if e := strings.IndexByte(ser, '('); e >= 0 {
			ser = ser[:e]
		}
		i, ok := s.bySer[ser]
		return i, ok && strings.Contains(code, "(01)"+s.codes[i].gtin)
	}
	if k := strings.Index(code, "/c/"); k >= 0 {
		i, ok := s.byShrt[code[k+3:]]
		return i, ok
	}
	if k := strings.Index(code, "/01/"); k >= 0 {
		return s.lookupDL([]byte(code[k:]))
	}
	return 0, false
}

// api serves GET /v1/blocks and GET /v1/blocks/{id}/codes, and the write
// routes (writes.go).
func (s *Server) api(ctx *fasthttp.RequestCtx) {
	if string(ctx.Request.Header.Peek("Authorization")) != "Bearer "+s.cfg.APIKey {
		ctx.SetStatusCode(fasthttp.StatusUnauthorized)
		ctx.SetContentTypeBytes(ctProblem)
		ctx.SetBodyString(`{"title":"missing or wrong API key"}`)
		return
	}
	path := string(ctx.Path())
	if ctx.IsPost() {
		switch path {
		case "/v1/blocks":
			s.mint(ctx)
		case "/v1/reports/line":
			s.reportLine(ctx)
		default:
			writeProblem(ctx, fasthttp.StatusNotFound, "no route POST "+path)
		}
		return
	}
	per := (len(s.codes) + s.cfg.Blocks - 1) / s.cfg.Blocks
	block := func(k int) string { // block k (1-based) as the real API lists it
		return `{"id":"B` + strconv.Itoa(k) + `","state":"active","level":"item","gtin":"` + s.codes[0].gtin +
			`","formats":["dl","short"],"count":` +
			strconv.Itoa(min(per, len(s.codes)-(k-1)*per)) + `}`
	}
	if path == "/v1/blocks" {
		var b strings.Builder
		b.WriteString(`{"blocks":[`)
		for k := 1; k <= s.cfg.Blocks; k++ {
			if k > 1 {
				b.WriteByte(',')
			}
			b.WriteString(block(k))
		}
		b.WriteString("]}")
		ctx.SetContentTypeBytes(ctJSON)
		ctx.SetBodyString(b.String())
		return
	}
	rest, ok := strings.CutPrefix(path, "/v1/blocks/B")
	id, tail, ok2 := strings.Cut(rest, "/")
	k, err := strconv.Atoi(id)
	if ok && !ok2 && err == nil && k >= 1 && k <= s.cfg.Blocks {
		ctx.SetContentTypeBytes(ctJSON)
		ctx.SetBodyString(block(k))
		return
	}
	if !ok || !ok2 || tail != "codes" || err != nil || k < 1 || k > s.cfg.Blocks {
		ctx.SetStatusCode(fasthttp.StatusNotFound)
		ctx.SetContentTypeBytes(ctProblem)
		ctx.SetBodyString(`{"title":"no such block"}`)
		return
	}
	args := ctx.QueryArgs()
	format := string(args.Peek("format"))
	if format != "dl" && format != "short" {
		ctx.SetStatusCode(fasthttp.StatusBadRequest)
		ctx.SetContentTypeBytes(ctProblem)
		ctx.SetBodyString(`{"title":"format must be dl or short"}`)
		return
	}
	off, _ := strconv.Atoi(string(args.Peek("offset")))
	lim, err := strconv.Atoi(string(args.Peek("limit")))
	if err != nil || lim <= 0 {
		lim = per
	}
	lo := (k-1)*per + max(off, 0)
	hi := min(lo+lim, k*per, len(s.codes))
	var b []byte
	for i := lo; i < hi; i++ {
		if format == "short" {
			b = append(b, "https://"+s.cfg.Host+"/c/"+s.codes[i].short...)
		} else {
			b = s.appendDL(b, s.codes[i])
		}
		b = append(b, '\n')
	}
	ctx.SetContentTypeBytes(ctText)
	ctx.SetBody(b)
}
