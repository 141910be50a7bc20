package main

import (
	"fmt"
	"testing"
	"time"

	"tracecode/server"
)

// TestServeFlagDefaultsAreTheLibraryDefaults checks that `tracecode serve`
// shows, as each flag's default, the value the server applies to a zero
// Config (and the engine to zero scan-log options): one place decides
// each default, and --help tells the truth about it.
func TestServeFlagDefaultsAreTheLibraryDefaults(t *testing.T) {
	var c server.Config
	c.EnsureDefaults()
	scans := c.Scans
	scans.EnsureDefaults()
	for flag, want := range map[string]any{
		"read-timeout":       c.ReadTimeout,
		"write-timeout":      c.WriteTimeout,
		"stream-timeout":     c.StreamTimeout,
		"idle-timeout":       c.IdleTimeout,
		"shutdown-timeout":   c.ShutdownTimeout,
		"request-timeout":    c.RequestTimeout,
		"max-body":           c.MaxBodyBytes,
		"max-capture":        c.MaxCaptureBytes,
		"max-large-bodies":   c.MaxLargeBodies,
		"rate-burst":         c.RateBurst,
		"write-rate-burst":   c.WriteRateBurst,
		"cache-entries":      c.CacheEntries,
		"scan-flush":         scans.FlushInterval,
		"suspicious-score":   scans.SuspiciousScore,
		"suspicious-regions": scans.SuspiciousRegions,
	} {
		f := serveCmd.Flags().Lookup(flag)
		if f == nil {
			t.Errorf("--%s: no such flag", flag)
			continue
		}
		s := fmt.Sprint(want)
		if d, ok := want.(time.Duration); ok {
			s = d.String()
		}
		if f.DefValue != s {
			t.Errorf("--%s defaults to %s, the library to %s", flag, f.DefValue, s)
		}
	}
}
