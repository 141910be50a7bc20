package alert

import (
	"fmt"
	"time"
)

// Config holds the rules' thresholds. The zero value of a field means its
// default; docs/alerts.md lists them with their sources.
type Config struct {
	// ExpiryGrace is how long after a lot's expiry a sale, dispensing or
	// shipment is still not an alert (default 0: from the first
	// millisecond after the expiry day ends). Negative: 0.
	ExpiryGrace time.Duration
	// ShipExpired: a shipment after expiry is an alert too (default true;
	// set DisableShipExpired to turn it off, as for a return to the
	// producer of an expired lot, which is legitimate).
	DisableShipExpired bool
	// RecallAckGrace is how long after its deadline a recipient's missing
	// acknowledgement waits before it is an alert (default 0).
	RecallAckGrace time.Duration
	// SuspiciousSeverity is the severity of a clone-scan alert (default
	// Warning: a regulator confirms or clears it).
	SuspiciousSeverity Severity
	// CloneMarkWindow is how long one code's clone alerts are merged into
	// the open one (default 24 h): a cloned label scanned a thousand times
	// raises one alert a day, not a thousand.
	CloneMarkWindow time.Duration
}

// EnsureDefaults fills zero fields with their defaults.
func (c *Config) EnsureDefaults() {
	c.ExpiryGrace = max(c.ExpiryGrace, 0)
	c.RecallAckGrace = max(c.RecallAckGrace, 0)
	if c.SuspiciousSeverity == 0 {
		c.SuspiciousSeverity = Warning
	}
	if c.CloneMarkWindow <= 0 {
		c.CloneMarkWindow = 24 * time.Hour
	}
}

// Validate reports a field out of range.
func (c *Config) Validate() error {
	if c.SuspiciousSeverity > Critical {
		return fmt.Errorf("%w: SuspiciousSeverity %d", ErrInvalid, c.SuspiciousSeverity)
	}
	return nil
}
