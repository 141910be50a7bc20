package alert

import (
	"tracecode/engine/epcis"
)

// Rule is one risk-warning rule. A rule is a small type: Info documents
// it, Apply looks at one fact and raises alerts through ev. Apply is
// called for every fact whose kind is in Info().Facts, under the caller's
// report transaction: it must not block, must not read the store beyond
// ev (marks are the rule's memory of earlier facts) and must return
// quickly — a capture of a million codes calls it once, with the runs.
type Rule interface {
	Info() RuleInfo
	Apply(ev *Eval, f *Fact) error
}

// RuleInfo documents a rule; docs/alerts.md shows the same text and
// GET /v1/alerts/rules lists it.
type RuleInfo struct {
	// Name is the rule's stable id ("drug-dispensed-twice"), stored in its
	// alerts, marks and due entries: never rename one.
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	// Facts are the kinds of fact the rule reads.
	Facts FactMask `json:"-"`
	// Trigger says, for people, what makes it fire; Routing whom its
	// alerts reach.
	Trigger string `json:"trigger"`
	Routing string `json:"routing"`
}

// FactKind says what was applied. Numeric values are not persisted.
type FactKind uint8

// The fact kinds.
const (
	// FactEvent: a report or captured event was applied (Seq is its
	// ledger record).
	FactEvent FactKind = 1
	// FactScan: a public scan was resolved.
	FactScan FactKind = 2
	// FactDue: a due date a rule scheduled has come (Due is set).
	FactDue FactKind = 3
	// FactRecall: a recall was created, acknowledged or progressed
	// (Recall is set).
	FactRecall FactKind = 4
)

// FactMask is a set of fact kinds.
type FactMask uint8

// Has reports whether k is in the set.
func (m FactMask) Has(k FactKind) bool { return m&(1<<k) != 0 }

// Facts returns the set of kinds ks.
func Facts(ks ...FactKind) FactMask {
	var m FactMask
	for _, k := range ks {
		m |= 1 << k
	}
	return m
}

// Fact is one thing applied to the chain, with what the rules need to
// judge it already looked up by the caller (the engine knows custody,
// expiry, recalls and holds; a rule does not ask).
type Fact struct {
	Kind FactKind
	Time int64  // unix ms: when it happened (event time, scan time, due date)
	Seq  uint64 // FactEvent: the ledger record

	// Org is who reported the event (FactEvent); Region its GB/T 2260
	// division, or the division a scan came from (FactScan, 0 unknown).
	Org    uint32
	Region uint32

	// The event's what and why (FactEvent).
	Action      epcis.Action
	BizStep     epcis.BizStep
	Disposition epcis.Disposition

	// Items are the codes the event named (runs of consecutive codes of
	// one block), or the code scanned.
	Items []Item
	// Dests are the event's destinations (a shipment's).
	Dests []Party

	// Scan (FactScan): whether the resolver judged the scan suspicious
	// (a clone: the same code seen far apart too quickly), and why.
	Suspicious bool
	Why        string

	// Due (FactDue): the entry that came due.
	Due *DueEntry

	// Recall (FactRecall): what happened to which recall.
	Recall *RecallFact

	// Detail is what the caller attached for rules of another package
	// (FactEvent): a category event's item and history (engine/sector's
	// *Staged, read by the category profiles' rules). Nil for the others.
	Detail any
}

// Item is a run of Count consecutive codes of one product (Count 1: one
// code; Product 0: an SSCC, Counter its number) and what the engine knows
// of them.
type Item struct {
	Product uint32
	Counter uint64
	Count   uint64
	Lot     uint32
	Code    string // the first code as people read it
	// Drug: the codes are NMPA drug trace codes (their sales settle with
	// medical insurance).
	Drug bool
	// Expiry is the lot's expiry date, unix ms at the end of that day in
	// the lot's zone (0: none recorded).
	Expiry int64
	// Recall is the recall that covers the codes (0: none); Held the hold
	// (stop-trade) of their lot.
	Recall uint64
	Held   bool
	// Holder is the organisation holding the codes before the event;
	// Pending the organisation they were shipped to and not yet received
	// by (0: none).
	Holder  uint32
	Pending uint32
	// Owner is the organisation that owns the product (its producer), and
	// OwnerRegion its division.
	Owner       uint32
	OwnerRegion uint32
}

// Party is a destination of a shipment: the organisation it names, if
// registered (Org 0: nobody registered has the identifier).
type Party struct {
	Type string // owning_party, possessing_party, location
	ID   string // the PGLN, SGLN or Digital Link as reported
	Org  uint32
}

// RecallFact is a step of a recall's life.
type RecallFact struct {
	ID   uint64
	Step RecallStep
	// Org is the recipient that acknowledged (RecallAcked) or the producer
	// (RecallCreated, RecallClosed), Region its division.
	Org    uint32
	Region uint32
	Lot    uint32 // a lot of the recall, for the subjects of its alerts
	// Recipients are the organisations that must acknowledge, each by its
	// deadline (RecallCreated, RecallClosed).
	Recipients []RecallParty
	// FinishBy is when the producer must have finished the recall
	// (RecallCreated; 0: no deadline).
	FinishBy int64
}

// RecallParty is a recipient of a recall and its acknowledgement deadline.
type RecallParty struct {
	Org    uint32
	Region uint32
	AckBy  int64 // unix ms
}

// RecallStep says what happened to a recall.
type RecallStep uint8

// The recall steps.
const (
	// RecallCreated: the recall was committed; its deadlines start.
	RecallCreated RecallStep = 1
	// RecallAcked: a recipient acknowledged it.
	RecallAcked RecallStep = 2
	// RecallClosed: the recall ended; its deadlines stop.
	RecallClosed RecallStep = 3
)

// Saleish reports whether a business step takes items out of the supply
// chain to a consumer or patient: retail selling or dispensing.
func Saleish(b epcis.BizStep) bool {
	return b == epcis.BizStepRetailSelling || b == epcis.BizStepDispensing
}

// Shipping reports whether a business step moves items to another party.
func Shipping(b epcis.BizStep) bool {
	return b == epcis.BizStepShipping || b == epcis.BizStepDeparting
}

// Receiving reports whether a business step takes items in.
func Receiving(b epcis.BizStep) bool {
	return b == epcis.BizStepReceiving || b == epcis.BizStepArriving || b == epcis.BizStepAccepting
}
