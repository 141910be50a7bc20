package loadtest

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The event loop's system calls, without the runtime's syscall hooks.
//
// Rule that makes them valid: rawRead and rawWrite are only called on
// non-blocking sockets, so they return at once and may bypass
// entersyscall/exitsyscall (profiled: the hooks, and sysmon retaking the P
// of a goroutine "in a syscall" during a loopback write, cost the generator
// more than the reads and writes themselves). epollPwait2 blocks, so it
// goes through the hooks. Each pointer passed is to memory the caller keeps
// alive across the call.

// rawRead is read(2) on a non-blocking fd.
func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawWrite is write(2) on a non-blocking fd.
func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// epollPwait2 is epoll_pwait2(2) (Linux ≥ 5.11): epoll_wait with a
// nanosecond timeout, so that waiting for the next request's time needs no
// timer of its own.
func epollPwait2(epfd int, events []unix.EpollEvent, timeoutNs int64) (int, error) {
	ts := unix.NsecToTimespec(timeoutNs)
	n, _, e := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(unsafe.Pointer(&ts)), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
