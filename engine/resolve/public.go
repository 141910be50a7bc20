package resolve

import (
	"fmt"

	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/scanlog"
)

// PublicStatus is what a consumer is told about a scanned code: one
// verdict, true for the level scanned (product, lot, item or container).
// The scan page, the public JSON and the linkset render it; none of them
// derives it. Numeric values are not persisted.
type PublicStatus uint8

// The public statuses, worst first.
const (
	PublicBadCode    PublicStatus = 1 // not a valid code at all
	PublicNotGenuine PublicStatus = 2 // never issued: the item may be fake
	PublicVoided     PublicStatus = 3 // rejected at printing
	PublicReleased   PublicStatus = 4 // returned unused, never printed
	PublicRecalled   PublicStatus = 5 // the code, a container it was in, its lot or product was recalled
	PublicDestroyed  PublicStatus = 6
	PublicExpired    PublicStatus = 7 // its lot is past its expiry date in the business-day clock
	// PublicSuspicious: a genuine code scanned too often or in too many
	// regions (see ScanStats.Suspicious): the label may be a copy.
	PublicSuspicious PublicStatus = 8
	PublicDispensed  PublicStatus = 9  // dispensed to a patient by a pharmacy
	PublicSold       PublicStatus = 10 // sold at retail
	PublicInTransit  PublicStatus = 11
	PublicGenuine    PublicStatus = 12 // printed by its producer and in the supply chain
	// PublicDecommissioned: taken out of the supply chain otherwise.
	PublicDecommissioned PublicStatus = 13
	// PublicNotPrinted: issued to the producer's printing line but never
	// reported printed; nothing vouches for a product carrying it.
	PublicNotPrinted PublicStatus = 14
	// PublicRegistered: a product- or lot-level code (a bare GTIN, a
	// GTIN with a lot) of a registered product: it names the product or
	// lot, and says nothing about whether one item is genuine.
	PublicRegistered PublicStatus = 15
	numPublic        PublicStatus = 16
)

var publicNames = [numPublic]string{"", "bad_code", "not_genuine", "voided", "released", "recalled", "destroyed", "expired",
	"suspicious", "dispensed", "sold", "in_transit", "genuine", "decommissioned", "not_printed", "registered"}

// String returns the status's name in the public JSON ("genuine",
// "in_transit", "not_printed", …).
func (s PublicStatus) String() string {
	if s >= 1 && s < numPublic {
		return publicNames[s]
	}
	return fmt.Sprintf("public(%d)", uint8(s))
}

// PublicStatuses lists every public status, worst first.
func PublicStatuses() []PublicStatus {
	out := make([]PublicStatus, 0, numPublic-1)
	for s := PublicStatus(1); s < numPublic; s++ {
		out = append(out, s)
	}
	return out
}

// Suspectable reports whether s gives way to PublicSuspicious when the
// scan counts say the label was copied: a code that is genuine and still
// (or last) in a consumer's hands. A recalled, expired or withdrawn code
// keeps its own, stronger warning.
func (s PublicStatus) Suspectable() bool {
	switch s {
	case PublicGenuine, PublicSold, PublicDispensed, PublicInTransit:
		return true
	}
	return false
}

// WithScans returns the status a scan is answered with, given the code's
// scan statistics: PublicSuspicious for a suspectable status whose counts
// say the label was copied, s otherwise.
func (s PublicStatus) WithScans(st *scanlog.Stats) PublicStatus {
	if st != nil && st.Suspicious && s.Suspectable() {
		return PublicSuspicious
	}
	return s
}

// Public returns what a consumer is told about the resolved code, before
// its scan counts (see WithScans).
func (c *Chain) Public() PublicStatus {
	switch c.Status {
	case StatusNeverIssued:
		return PublicNotGenuine
	case StatusVoided:
		return PublicVoided
	case StatusReleased:
		return PublicReleased
	case StatusRecalled, StatusContainsRecalled:
		// A container holding recalled codes warns like a recalled code.
		return PublicRecalled
	case StatusDestroyed:
		return PublicDestroyed
	case StatusSold:
		return PublicSold
	case StatusDispensed:
		return PublicDispensed
	case StatusDecommissioned:
		return PublicDecommissioned
	case StatusExpired:
		return PublicExpired
	case StatusInTransit:
		return PublicInTransit
	case StatusIssued:
		return PublicNotPrinted
	case StatusActive:
		return PublicGenuine
	}
	return PublicNotGenuine
}

// ClassStatus is the public status of a lot or a whole product (a scan of
// a lot- or product-level code), with the recall that decides it, if any.
type ClassStatus struct {
	// Status is PublicRecalled, PublicExpired or PublicRegistered.
	Status PublicStatus
	// Recall is the lot's (or its product's) recall; Seq 0 if none.
	Recall ledger.Recall
	// RecallReason is the reason given with the recall.
	RecallReason string
	// RecallOfProduct: the whole product was recalled, not only the lot.
	RecallOfProduct bool
}

// LotStatus returns the public status of lot l: recalled (the lot or its
// whole product), expired (past its expiry date in the business-day
// clock, the source's DayOf), or registered. A product's status is
// ClassStatus(0, product).
func (r *Resolver) LotStatus(l *model.Lot) (ClassStatus, error) {
	cs, err := r.ClassStatus(l.ID, l.Product)
	if err == nil && cs.Status == PublicRegistered && l.Expiry != 0 && r.src.DayOf(r.src.NowMillis()) > l.Expiry {
		cs.Status = PublicExpired
	}
	return cs, err
}

// ClassStatus returns the public status of a lot (0: none) or of its
// product from their recalls: recalled, or registered (expiry is the
// caller's to judge).
func (r *Resolver) ClassStatus(lot, product uint32) (ClassStatus, error) {
	cs := ClassStatus{Status: PublicRegistered}
	rc, ok := r.src.RecallOf(lot, product)
	if !ok {
		return cs, nil
	}
	cs.Status, cs.Recall = PublicRecalled, rc
	if lot != 0 {
		_, lotRecalled := r.src.RecallOf(lot, 0)
		cs.RecallOfProduct = !lotRecalled
	} else {
		cs.RecallOfProduct = true
	}
	p, found, err := r.led.Payload(rc.Seq)
	if err != nil {
		return cs, err
	}
	if found {
		cs.RecallReason = string(p.Body)
	}
	return cs, nil
}
