package loadtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"
)

// loopSupported: EngineLoop is available (Linux: epoll, timerless waits
// with epoll_pwait2).
const loopSupported = true

// loop is one event loop of EngineLoop: a goroutine that drives a share of
// the connections over non-blocking sockets and one epoll instance, as wrk's
// threads do.
//
// Why (profiled, docs/loadtest.md §4): with a goroutine per connection the
// generator spent ~12 CPU-µs per saturated request against wrk's ~8 — a netpoller
// park and wake-up, a timerfd, scheduler hand-offs (sysmon retaking Ps from
// goroutines in write(2), futex wake-ups of idle Ms) and the HostClient's
// pools and header writer per request. A loop instead makes per request one
// write(2) of a pre-built request, one read(2) of the answer and a share of
// one epoll_pwait2 — which also paces: its timeout is the next request's
// intended time, at nanosecond resolution, so one wake-up sends every
// request due by then.
//
// Open-loop timing is the same as the goroutine engine's: a loop claims the
// next request index only when one of its connections is free (the claim
// time is the request's "free" time), waits for its intended time and
// sends; requests that fall due while every connection is busy wait,
// unclaimed, and are timed from their intended time.
//
// The answers are parsed by fasthttp (Response.Read over the bytes
// received); a partial answer is parsed again when more bytes arrive.
//
// Everything but the meter is owned by the loop's goroutine.
type loop struct {
	meter
	r    *runner
	epfd int
	sa   unix.Sockaddr
	fam  int

	conns []lconn
	// free holds the connections without a request (idle or closed), as a
	// stack: the most recently used connection is reused first. Every other
	// connection has a request (dialing or busy): see busy.
	free []int32

	// pend is the claimed request waiting for its intended time (hasPend).
	// A loop claims only with a free connection, which stays free until
	// pend is sent.
	pend    pendingReq
	hasPend bool
	// done: no more claims (schedule exhausted, run stopped).
	done bool
	// claimed is the phase of the latest claim (len(phases) once done);
	// phases below flushed have been flushed. accs and inflight are per
	// phase: a loop has requests of several phases in flight at a phase
	// boundary, and flushes phase p once it has claimed beyond p and
	// recorded all of p's requests.
	claimed, flushed int
	accs             []*phaseAcc
	inflight         []int32
	spare            []*phaseAcc

	events    []unix.EpollEvent
	resp      fasthttp.Response
	src       sliceReader
	br        *bufio.Reader
	reqHead   []byte // " HTTP/1.1\r\nHost: …\r\nUser-Agent: …\r\nAccept: "
	timeout   int64
	scanEvery int64
	nextScan  int64
	// spin is how long to poll before sleeping while answers are
	// awaited (Config.Spin), ns.
	spin   int64
	pwait2 bool
}

// connState is where an lconn is in its life.
type connState uint8

const (
	connClosed  connState = iota // no socket; a request on it dials first
	connDialing                  // non-blocking connect in progress, request attached
	connIdle                     // connected, no request
	connBusy                     // request written (or being written), answer awaited
)

// lconn is one connection of a loop and the request on it.
type lconn struct {
	fd    int
	gen   int32 // bumped per socket: epoll events of an older socket are ignored
	state connState
	out   bool // EPOLLOUT registered
	req   pendingReq
	sent  int64
	// deadline is when the dial or the wait for the answer times out (ns
	// since the start).
	deadline int64
	wbuf     []byte
	woff     int
	rbuf     []byte
	// freeAt is when the connection's last request ended (ns since the
	// start; 0 before the first).
	freeAt int64
}

// pendingReq is a claimed request.
type pendingReq struct {
	i              int64
	phase          int
	pick           Pick
	intended, free int64
}

// maxResponse bounds an answer's size: more is an error (OutOther).
const maxResponse = 16 << 20

// targetSockaddr resolves t's address for connect(2).
func targetSockaddr(t target) (unix.Sockaddr, int, error) {
	ta, err := net.ResolveTCPAddr("tcp", t.addr)
	if err != nil {
		return nil, 0, fmt.Errorf("loadtest: resolving %s: %w", t.addr, err)
	}
	if ip4 := ta.IP.To4(); ip4 != nil {
		s4 := &unix.SockaddrInet4{Port: ta.Port}
		copy(s4.Addr[:], ip4)
		return s4, unix.AF_INET, nil
	}
	s6 := &unix.SockaddrInet6{Port: ta.Port}
	copy(s6.Addr[:], ta.IP.To16())
	return s6, unix.AF_INET6, nil
}

// newLoops builds cfg.Loops loops sharing cfg.Conns connections. Loop k
// connects to target k mod n, so with several targets there are at least
// as many loops as targets (and at most one per connection).
func (r *runner) newLoops() error {
	n := max(r.cfg.Loops, min(len(r.targets), r.cfg.Conns))
	timeout := int64(r.cfg.Timeout)
	for k := range n {
		t := r.targets[k%len(r.targets)]
		sa, fam, err := targetSockaddr(t)
		if err != nil {
			for _, l := range r.loops {
				unix.Close(l.epfd)
			}
			r.loops = nil
			return err
		}
		head := fmt.Appendf(nil, " HTTP/1.1\r\nHost: %s\r\nUser-Agent: tracecode-loadtest\r\nAccept: ", t.host)
		epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			for _, l := range r.loops {
				unix.Close(l.epfd)
			}
			r.loops = nil
			return fmt.Errorf("loadtest: epoll_create1: %w", err)
		}
		conns := r.cfg.Conns*(k+1)/n - r.cfg.Conns*k/n
		l := &loop{r: r, epfd: epfd, sa: sa, fam: fam, conns: make([]lconn, conns), free: make([]int32, 0, conns),
			accs: make([]*phaseAcc, len(r.cfg.Phases)), inflight: make([]int32, len(r.cfg.Phases)),
			events: make([]unix.EpollEvent, conns), reqHead: head, timeout: timeout, pwait2: true, spin: int64(r.cfg.Spin),
			// Timeouts are checked by a scan every 1/16 of the timeout
			// (1–50 ms): a request times out up to that much after it.
			scanEvery: min(max(timeout/16, int64(time.Millisecond)), int64(50*time.Millisecond)),
		}
		l.br = bufio.NewReaderSize(&l.src, 16<<10)
		l.init()
		for i := range l.conns {
			l.conns[i].fd = -1
			l.conns[i].wbuf = make([]byte, 0, 256)
			l.conns[i].rbuf = make([]byte, 0, 8<<10)
			l.free = append(l.free, int32(len(l.conns)-1-i))
		}
		r.loops = append(r.loops, l)
	}
	return nil
}

// run is the loop's goroutine.
func (l *loop) run() {
	r := l.r
	for {
		now := r.now()
		l.sendDue(now)
		if l.done && l.busy() == 0 && !l.hasPend {
			break
		}
		wait := int64(maxSleepChunk) // so that a stop is seen within that time
		if l.hasPend {
			wait = min(wait, l.pend.intended-now)
		}
		if l.busy() > 0 {
			wait = min(wait, l.nextScan-now)
		}
		n := 0
		if spin := min(l.spin, wait); spin > 0 && l.busy() > 0 {
			// Poll instead of sleeping while an answer is due soon: a
			// sleeping thread's wake-up costs tens of µs on a VM.
			for until := now + spin; n == 0 && now < until; now = r.now() {
				n = l.wait(0)
			}
			wait -= spin
		}
		if n == 0 {
			n = l.wait(max(wait, 0))
		}
		now = r.now()
		for _, ev := range l.events[:n] {
			l.event(ev, now)
		}
		if l.busy() > 0 && now >= l.nextScan {
			l.scan(now)
		}
	}
	// Every phase is flushed: done came with finishClaims, and each request
	// since ended in done1 or sendDue, which flush.
	for i := range l.conns {
		l.closeConn(int32(i))
	}
	unix.Close(l.epfd)
}

// sendDue claims requests while a connection is free and sends those whose
// intended time has come. After the drain deadline it claims the rest of
// the schedule and records it unsent.
func (l *loop) sendDue(now int64) {
	r := l.r
	for {
		if !l.hasPend {
			if l.done || len(l.free) == 0 && now <= r.deadline || !l.claim(now) {
				return
			}
		}
		p := &l.pend
		switch {
		case p.i >= r.limit.Load(): // stopped: the request is not sent
			l.hasPend = false
			l.inflight[p.phase]--
			l.finishClaims()
			return
		case now > r.deadline:
			l.hasPend = false
			r.recordUnsent(l.acc(p.phase), &l.meter, p.i, p.pick, p.intended, now)
			l.inflight[p.phase]--
			l.flushReady()
			continue
		case p.intended > now || len(l.free) == 0:
			return
		}
		l.hasPend = false
		l.send(p, now)
		now = r.now()
	}
}

// claim claims the next request index; false when the schedule is done.
func (l *loop) claim(now int64) bool {
	r := l.r
	i, p, ok := r.claim(l.claimed)
	if !ok {
		l.finishClaims()
		return false
	}
	if p != l.claimed {
		l.claimed = p
		l.flushReady()
	}
	l.inflight[p]++
	// free is when the connection the request will go on became free: if
	// the loop itself ran late since, that is generator lag, not a wait for
	// a connection. (After the drain deadline a claim needs no connection.)
	free := now
	if n := len(l.free); n > 0 {
		free = l.conns[l.free[n-1]].freeAt
	}
	l.pend = pendingReq{i: i, phase: p, pick: r.traffic.Pick(i), intended: r.sched.at(p, i), free: free}
	l.hasPend = true
	return true
}

func (l *loop) finishClaims() {
	l.done = true
	l.claimed = len(l.inflight)
	l.flushReady()
}

// busy returns the number of connections with a request.
func (l *loop) busy() int { return len(l.conns) - len(l.free) }

// acc returns phase p's accumulator.
func (l *loop) acc(p int) *phaseAcc {
	a := l.accs[p]
	if a == nil {
		if n := len(l.spare); n > 0 {
			a, l.spare = l.spare[n-1], l.spare[:n-1]
		} else {
			a = newPhaseAcc()
		}
		l.accs[p] = a
	}
	return a
}

// flushReady flushes, in order, every phase the loop has claimed beyond and
// has no request of in flight.
func (l *loop) flushReady() {
	for l.flushed < l.claimed && l.flushed < len(l.inflight) && l.inflight[l.flushed] == 0 {
		p := l.flushed
		a := l.accs[p]
		l.r.flushPhase(a, p)
		if a != nil {
			a.reset()
			l.spare = append(l.spare, a)
			l.accs[p] = nil
		}
		l.flushed++
	}
}

// send sends p on a free connection, dialing first if it is closed.
func (l *loop) send(p *pendingReq, now int64) {
	ci := l.free[len(l.free)-1]
	l.free = l.free[:len(l.free)-1]
	c := &l.conns[ci]
	c.req = *p
	c.wbuf = l.appendRequest(c.wbuf[:0], p.pick)
	c.woff = 0
	c.sent = now
	l.sent.Add(1)
	if c.state == connClosed {
		l.dial(ci, now)
		return
	}
	c.state = connBusy
	l.write(ci, now)
}

// appendRequest appends the GET request for pick.
func (l *loop) appendRequest(dst []byte, pick Pick) []byte {
	dst = append(dst, "GET "...)
	dst = l.r.traffic.Append(dst, pick)
	dst = append(dst, l.reqHead...)
	dst = append(dst, acceptValues[pick.Accept]...)
	return append(dst, "\r\n\r\n"...)
}

// dial starts a non-blocking connect for connection ci's request.
func (l *loop) dial(ci int32, now int64) {
	c := &l.conns[ci]
	fd, err := unix.Socket(l.fam, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		l.finish(ci, OutConnect, now)
		return
	}
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) // as wrk and Go's net do
	c.fd = fd
	c.gen++
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP, Fd: ci, Pad: c.gen}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		l.finish(ci, OutOther, now)
		return
	}
	c.out = true
	c.deadline = now + l.timeout
	switch err := unix.Connect(fd, l.sa); {
	case err == nil:
		c.state = connBusy
		l.write(ci, now)
	case errors.Is(err, unix.EINPROGRESS), errors.Is(err, unix.EINTR):
		c.state = connDialing
	default:
		l.finish(ci, OutConnect, now)
	}
}

// setOut turns EPOLLOUT interest on or off.
func (l *loop) setOut(ci int32, on bool) {
	c := &l.conns[ci]
	if c.out == on {
		return
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: ci, Pad: c.gen}
	if on {
		ev.Events |= unix.EPOLLOUT
	}
	if unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, c.fd, &ev) == nil {
		c.out = on
	}
}

// write writes what is left of connection ci's request. The answer's
// deadline runs from the send.
func (l *loop) write(ci int32, now int64) {
	c := &l.conns[ci]
	for c.woff < len(c.wbuf) {
		n, err := rawWrite(c.fd, c.wbuf[c.woff:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			l.setOut(ci, true) // the rest when the socket drains
			return
		case err != nil:
			l.finish(ci, errnoOutcome(err), now)
			return
		}
		c.woff += n
	}
	c.deadline = c.sent + l.timeout
	l.setOut(ci, false)
}

// event handles one epoll event.
func (l *loop) event(ev unix.EpollEvent, now int64) {
	ci := ev.Fd
	c := &l.conns[ci]
	if ev.Pad != c.gen || c.fd < 0 {
		return // a closed socket's
	}
	switch c.state {
	case connDialing:
		soErr, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil || soErr != 0 {
			l.finish(ci, OutConnect, now)
			return
		}
		if ev.Events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0 {
			c.state = connBusy
			l.write(ci, now)
		}
	case connBusy:
		if c.woff < len(c.wbuf) {
			if ev.Events&unix.EPOLLOUT != 0 {
				l.write(ci, now)
			}
			if c.state != connBusy || c.woff < len(c.wbuf) && ev.Events&(unix.EPOLLERR|unix.EPOLLHUP) == 0 {
				return
			}
		}
		l.read(ci, now)
	case connIdle:
		// The server closed an idle keep-alive connection (or sent bytes
		// nobody asked for): drop it; the next request on it dials again.
		l.closeConn(ci)
	}
}

// read reads connection ci's answer and records it once complete.
func (l *loop) read(ci int32, now int64) {
	c := &l.conns[ci]
	eof := false
	for {
		if cap(c.rbuf)-len(c.rbuf) < 4<<10 {
			if len(c.rbuf) >= maxResponse {
				l.finish(ci, OutOther, now)
				return
			}
			c.rbuf = append(c.rbuf[:cap(c.rbuf)], make([]byte, cap(c.rbuf))...)[:len(c.rbuf)]
		}
		room := c.rbuf[len(c.rbuf):cap(c.rbuf)]
		n, err := rawRead(c.fd, room)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			l.finish(ci, errnoOutcome(err), now)
			return
		}
		if n == 0 {
			eof = true
			break
		}
		c.rbuf = c.rbuf[:len(c.rbuf)+n]
		if n < len(room) {
			break // level-triggered: no need to read until EAGAIN
		}
	}
	if len(c.rbuf) == 0 {
		if eof {
			l.finish(ci, OutClosed, now) // closed before answering
		}
		return
	}
	out, complete, keep := l.parse(c.rbuf, eof, c.req.pick)
	if !complete {
		if eof {
			l.finish(ci, OutClosed, now)
		}
		return
	}
	c.rbuf = c.rbuf[:0]
	l.done1(ci, out, l.resp.StatusCode(), now)
	if eof || !keep {
		l.closeConn(ci)
	}
}

// parse parses an answer from b with fasthttp. complete is false when b
// holds only part of one (and the connection has not ended); keep is false
// when the connection must not be reused.
func (l *loop) parse(b []byte, eof bool, pick Pick) (out Outcome, complete, keep bool) {
	l.src.b, l.src.eof = b, false
	l.br.Reset(&l.src)
	l.resp.Reset()
	if err := l.resp.Read(l.br); err != nil {
		if l.src.eof && !eof {
			return 0, false, false
		}
		return OutOther, true, false
	}
	extra := len(l.src.b) + l.br.Buffered()
	if extra > 0 { // bytes after the answer to a request not pipelined
		return OutOther, true, false
	}
	return classifyResp(&l.resp, pick), true, !l.resp.ConnectionClose()
}

// finish ends connection ci's request with a transport outcome and closes
// the connection.
func (l *loop) finish(ci int32, out Outcome, now int64) {
	l.done1(ci, out, 0, now)
	l.closeConn(ci)
}

// done1 records connection ci's request and frees the connection.
func (l *loop) done1(ci int32, out Outcome, status int, now int64) {
	c := &l.conns[ci]
	q := &c.req
	l.r.record(l.acc(q.phase), &l.meter, q.i, q.pick, out, status, q.intended, q.free, c.sent, now)
	l.inflight[q.phase]--
	if c.state == connBusy || c.state == connDialing {
		c.state = connIdle
	}
	c.freeAt = now
	l.free = append(l.free, ci)
	l.flushReady()
}

// closeConn closes connection ci's socket (closing removes it from epoll);
// the connection keeps its place in free.
func (l *loop) closeConn(ci int32) {
	c := &l.conns[ci]
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
	c.state, c.out = connClosed, false
	c.rbuf = c.rbuf[:0]
}

// scan times out dials and answers past their deadline.
func (l *loop) scan(now int64) {
	l.nextScan = now + l.scanEvery
	for i := range l.conns {
		c := &l.conns[i]
		if c.deadline > now {
			continue
		}
		switch c.state {
		case connDialing:
			l.finish(int32(i), OutConnect, now)
		case connBusy:
			l.finish(int32(i), OutTimeout, now)
		}
	}
}

// wait waits up to d ns for events and returns how many arrived.
func (l *loop) wait(d int64) int {
	if l.pwait2 {
		n, err := epollPwait2(l.epfd, l.events, d)
		switch err {
		case nil:
			return n
		case unix.EINTR:
			return 0
		case unix.ENOSYS: // Linux < 5.11: millisecond waits below
			l.pwait2 = false
		}
	}
	ms := int((d + int64(time.Millisecond) - 1) / int64(time.Millisecond))
	n, err := unix.EpollWait(l.epfd, l.events, ms)
	if err != nil {
		return 0
	}
	return n
}

// errnoOutcome classifies a failed read or write.
func errnoOutcome(err error) Outcome {
	switch err {
	case unix.ECONNRESET, unix.EPIPE, unix.ECONNABORTED:
		return OutClosed
	case unix.ETIMEDOUT:
		return OutTimeout
	case unix.ECONNREFUSED:
		return OutConnect
	}
	return OutOther
}

// sliceReader reads a byte slice and notes whether a reader asked for more
// than it held (eof): a parse that failed for that is waiting for bytes.
type sliceReader struct {
	b   []byte
	eof bool
}

func (s *sliceReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		s.eof = true
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}
