package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrRemoteTarget is returned (wrapped) for a target that is not on this
// machine when remote targets were not allowed.
var ErrRemoteTarget = errors.New("loadtest: target is not a loopback address (pass --allow-remote to load another machine)")

// target is a parsed --target URL.
type target struct {
	tls  bool
	addr string // host:port to dial
	host string // Host header
	base string // scheme://host[:port], no trailing slash
}

// parseTargets parses a --target value: one base URL, or several separated
// by commas (a writer and its replicas). Each is checked by parseTarget; a
// target given twice is refused.
func parseTargets(ctx context.Context, raw string, allowRemote bool) ([]target, error) {
	var ts []target
	seen := map[string]bool{}
	for _, one := range strings.Split(raw, ",") {
		one = strings.TrimSpace(one)
		t, err := parseTarget(ctx, one, allowRemote)
		if err != nil {
			return nil, err
		}
		if seen[t.base] {
			return nil, fmt.Errorf("loadtest: --target %s is given twice", t.base)
		}
		seen[t.base] = true
		ts = append(ts, t)
	}
	return ts, nil
}

// parseTarget checks raw is an http(s) URL with no path beyond "/" and,
// unless allowRemote, that every address its host resolves to is loopback.
func parseTarget(ctx context.Context, raw string, allowRemote bool) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("loadtest: --target %q: %w", raw, err)
	}
	var t target
	switch strings.ToLower(u.Scheme) {
	case "http":
	case "https":
		t.tls = true
	default:
		return target{}, fmt.Errorf("loadtest: --target %q: scheme must be http or https", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return target{}, fmt.Errorf("loadtest: --target %q: no host", raw)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return target{}, fmt.Errorf("loadtest: --target %q: give the server's base URL only (no path or query)", raw)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if t.tls {
			port = "443"
		}
	}
	t.host = u.Host
	t.addr = net.JoinHostPort(u.Hostname(), port)
	t.base = strings.ToLower(u.Scheme) + "://" + u.Host
	if !allowRemote {
		if err := checkLoopback(ctx, u.Hostname()); err != nil {
			return target{}, err
		}
	}
	return t, nil
}

// checkLoopback resolves host and fails unless every address is loopback.
func checkLoopback(ctx context.Context, host string) error {
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("%w: %s", ErrRemoteTarget, host)
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("loadtest: resolving target host %q: %w", host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("loadtest: target host %q resolves to no address", host)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return fmt.Errorf("%w: %s resolves to %s", ErrRemoteTarget, host, a.IP)
		}
	}
	return nil
}
