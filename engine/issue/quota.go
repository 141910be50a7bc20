package issue

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

// SharedSpaces reports the spaces every organisation draws from: the
// engine-wide short-code space ("short") and the lot and product id
// spaces ("lot", "product"; 32 bits each). Product counter spaces are
// each one product's, and so one organisation's; block ids (64 bits) and
// organisations (created by the operator) need no quota.
func (e *Book) SharedSpaces() []SpaceUsage {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	short := SpaceUsage{Space: "short", Cap: serial.CapShort, Issued: st.shortHW, QuotaPerOrg: e.opts.ShortQuotaPerOrg}
	for _, n := range st.shortByOrg {
		short.MaxOrgIssued = max(short.MaxOrgIssued, n)
	}
	const ids = 1<<32 - 2 // ids 1..2^32-2
	lot := SpaceUsage{Space: "lot", Cap: ids, Issued: uint64(st.nextLot - 1), QuotaPerOrg: e.opts.MaxLotsPerOrg}
	for _, n := range st.lotsByOrg {
		lot.MaxOrgIssued = max(lot.MaxOrgIssued, uint64(n))
	}
	product := SpaceUsage{Space: "product", Cap: ids, Issued: uint64(st.nextProduct - 1), QuotaPerOrg: e.opts.MaxProductsPerOrg}
	for _, n := range st.productsByOrg {
		product.MaxOrgIssued = max(product.MaxOrgIssued, uint64(n))
	}
	return []SpaceUsage{short, lot, product}
}
