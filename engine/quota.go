package engine

import "tracecode/engine/serial"

// SpaceUsage is how much of a space shared by every organisation is
// taken, for the remaining-space metric and capacity alerts.
type SpaceUsage struct {
	// Space names it: "short", the engine-wide short-code space.
	Space string
	// Cap is the most codes the space may issue; Issued those taken.
	Cap, Issued uint64
	// QuotaPerOrg is the most one organisation may take
	// (Options.ShortQuotaPerOrg); MaxOrgIssued the most any one took.
	QuotaPerOrg, MaxOrgIssued uint64
}

// Remaining returns the codes the space may still issue.
func (u SpaceUsage) Remaining() uint64 { return u.Cap - min(u.Cap, u.Issued) }

// SharedSpaces reports the spaces every organisation draws from. Product
// counter spaces are each one product's, and so one organisation's; the
// short-code space is the one shared.
func (e *Engine) SharedSpaces() []SpaceUsage {
	e.mu.RLock()
	defer e.mu.RUnlock()
	u := SpaceUsage{Space: "short", Cap: serial.CapShort, Issued: e.st.shortHW, QuotaPerOrg: e.opts.ShortQuotaPerOrg}
	for _, n := range e.st.shortByOrg {
		u.MaxOrgIssued = max(u.MaxOrgIssued, n)
	}
	return []SpaceUsage{u}
}
