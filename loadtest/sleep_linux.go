package loadtest

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// preciseTimer sleeps with microsecond precision: a timerfd read through
// the Go netpoller.
//
// Why not time.Sleep: when every goroutine is waiting, the Go runtime blocks
// in epoll_wait with a timeout in whole milliseconds, so a 300 µs sleep
// wakes ~770 µs late (p50, measured on the reference VM) — lateness the
// generator would charge to the server as latency. A timerfd registered with
// the same epoll makes epoll_wait return when the timer fires: ~7 µs late at
// p50. Unlike nanosleep(2), the read parks the goroutine, so the P stays free
// for the other workers (a blocking nanosleep held a P for up to a sysmon
// tick, which starved the in-process test server).
//
// A preciseTimer belongs to one goroutine.
type preciseTimer struct {
	f   *os.File // nil: fall back to time.Sleep
	fd  int
	buf [8]byte
}

// newPreciseTimer returns a timer; if the kernel refuses a timerfd it falls
// back to time.Sleep (the generator lag figures then show the cost).
func newPreciseTimer() *preciseTimer {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return &preciseTimer{}
	}
	return &preciseTimer{f: os.NewFile(uintptr(fd), "loadtest-timerfd"), fd: fd}
}

// sleep waits d (> 0).
func (t *preciseTimer) sleep(d time.Duration) {
	if t.f != nil {
		its := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
		if unix.TimerfdSettime(t.fd, 0, &its, nil) == nil {
			if _, err := t.f.Read(t.buf[:]); err == nil {
				return
			}
		}
	}
	time.Sleep(d)
}

// close releases the timerfd.
func (t *preciseTimer) close() {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}
