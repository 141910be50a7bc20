package resolve

import (
	"fmt"

	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Status is what a resolved code is now, most severe first in the order
// Resolve decides it.
type Status uint8

// The statuses. Numeric values are not persisted.
const (
	StatusNeverIssued Status = 1 // no block holds it: possibly counterfeit
	StatusVoided      Status = 2 // its block was voided, or the line rejected it
	StatusReleased    Status = 3 // returned unused by the line: never printed
	StatusRecalled    Status = 4 // the code, a parent it was in, its lot or its product was recalled
	// StatusContainsRecalled: a container that is not recalled itself (it
	// would be active, in transit or expired) holds recalled codes at some
	// depth; Chain.RecalledInside counts them.
	StatusContainsRecalled Status = 5
	StatusDestroyed        Status = 6  // destroyed or disposed of
	StatusSold             Status = 7  // sold at retail
	StatusDispensed        Status = 8  // dispensed to a patient (a drug's end of the chain)
	StatusDecommissioned   Status = 9  // taken out of the supply chain otherwise
	StatusExpired          Status = 10 // its lot is past its expiry date
	StatusInTransit        Status = 11 // last seen shipped (disposition in_transit)
	StatusActive           Status = 12 // commissioned, in the supply chain
	StatusIssued           Status = 13 // issued to a line but not reported printed yet
	numStatuses                   = 14
)

var statusNames = [numStatuses]string{"", "never-issued", "voided", "released", "recalled", "contains-recalled", "destroyed",
	"sold", "dispensed", "decommissioned", "expired", "in-transit", "active", "issued"}

// String returns the status name ("active", "in-transit", "recalled", …).
func (s Status) String() string {
	if s >= 1 && s < numStatuses {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Genuine reports whether the code was issued and printed (whatever
// happened to it since).
func (s Status) Genuine() bool { return s >= StatusRecalled && s <= StatusActive }

// Via says how an event reaches a resolved code.
type Via uint8

// The ways an event applies to a code.
const (
	ViaSelf      Via = 1 // recorded on the code itself
	ViaContainer Via = 2 // recorded on a parent the code was in at the time
	ViaLot       Via = 3 // recorded on the code's lot
	ViaProduct   Via = 4 // recorded on the code's whole product
	ViaPacking   Via = 5 // the report that packed the code into a parent
	ViaUnpacking Via = 6 // the report that took the code out of a parent
)

var viaNames = [...]string{"", "self", "container", "lot", "product", "packing", "unpacking"}

// String returns the name of v.
func (v Via) String() string {
	if int(v) < len(viaNames) && v != 0 {
		return viaNames[v]
	}
	return fmt.Sprintf("via(%d)", uint8(v))
}

// Entry is one event of a code's timeline.
type Entry struct {
	// Event is the ledger record's summary, shared and read-only.
	Event *ledger.Summary
	Via   Via
	// Node is the code (or parent) the event was recorded on, for
	// ViaContainer, ViaPacking and ViaUnpacking: the parent.
	Node  agg.Node
	Depth uint8 // nesting depth of Node above the code (1 = direct parent)
	// ErroneousBy is the record of the error declaration that declared
	// this event erroneous, 0 if none. Such an entry (and an error
	// declaration itself, Event.Flags) is shown but decides no status.
	ErroneousBy uint64
}

// ParentLink is one level of present containment.
type ParentLink struct {
	Parent agg.Node
	Level  model.Level
	Since  int64  // packing time, unix ms
	Seq    uint64 // the packing record
}

// PastLink is a parent the code was in and left.
type PastLink struct {
	Parent             agg.Node
	Since, Until       int64
	PackSeq, UnpackSeq uint64
}

// ChildGroup counts a container's present children of one block.
type ChildGroup struct {
	Block   uint64 // 0 for SSCC children
	Product uint32
	Count   uint64
}

// LotLink is an upstream source lot reached through transformations.
type LotLink struct {
	Lot     uint32
	Product uint32
	Depth   uint8  // 1 = a direct input of the code's lot
	Seq     uint64 // the transformation record
}

// Handler is an organisation or location that handled the code, from its
// timeline (the code's downstream recipients).
type Handler struct {
	Org      uint32
	Location string // business location or destination id, may be empty
	Party    string // destination party id, may be empty
	PartyOrg uint32 // the registered organisation Party names through its company prefix; 0 if none
	Time     int64
	BizStep  string
}

// Chain is everything known about one code: identity, product, producer,
// lot, status, containment now and over time, the timeline of events
// inherited through containment and lot, upstream source lots and
// downstream handlers.
//
// A Chain may be reused across ResolveInto calls; it then allocates
// nothing once its slices have grown. Byte slices, and the pointers to
// master data and summaries, are read-only and valid until the next
// ResolveInto on the same Chain (master data and summaries stay valid
// longer; they are never modified).
type Chain struct {
	Input  string
	Status Status
	// Reason says why the status is what it is (the lookup failure of a
	// never-issued code, what was recalled), empty for active codes.
	Reason string
	// RecallSeq is the recall record when Status is recalled (0 when
	// only an ancestor's recalled flag is known); RecallTime its event
	// time (unix ms) and RecallReason the reason given with it (empty for
	// a recall captured as an EPCIS event).
	RecallSeq    uint64
	RecallTime   int64
	RecallReason string
	// Intact is how many of Parents still hold the code physically:
	// Parents[:Intact]. A code, or a container below, that was shipped,
	// received, sold, dispensed, destroyed or decommissioned on its own
	// after it was packed has left the parents above it, though no
	// unpacking was reported (a case shipped out of an unopened pallet, a
	// sold tin). The public containment shows Parents[:Intact].
	Intact int
	// TimelineTruncated: the code's lot or product has more records than
	// Options.MaxTimeline; Timeline holds the newest of them (and every
	// record of the code itself and of its containers).
	TimelineTruncated bool

	Node    agg.Node
	IsUnit  bool
	Org     *model.Org // the producer (the code's owner)
	Product *model.Product
	Lot     *model.Lot
	Block   *model.Block
	Offset  uint64
	Level   model.Level
	State   itemstate.State

	// Identity in every canonical form the code has (nil when it has not).
	DigitalLink, ElementString, EPCURN, Serial, NMPA, Short []byte

	// Holder is who holds the code now (docs/chain.md "Custody"): its
	// owner (Seq 0) until a shipment to another organisation is received,
	// then the receiver; Pending is set while a shipment is not received.
	Holder agg.Custody

	// Associations are what is associated with the code now (EPCIS
	// AssociationEvent ADD not deleted since): sensors, loggers, parts.
	// They imply no containment.
	Associations []agg.Association

	Parents  []ParentLink // present containment, nearest parent first
	Past     []PastLink   // parents the code was in before
	Children []ChildGroup
	// Inside counts the codes a container holds now at every depth (up to
	// MaxDepth levels), RecalledInside those of them that are recalled
	// (their own flag, or their lot's or product's recall).
	Inside, RecalledInside uint64
	Timeline               []Entry // by event time, then log order
	Upstream               []LotLink
	Handlers               []Handler

	buf  []byte
	kb   []byte // scratch: custody and association keys
	ag   agg.Reader
	ix   ledger.IndexReader
	iter store.Iter
	rs   resolver
}

// reset empties c keeping its capacity.
func (c *Chain) reset(input string) {
	*c = Chain{Input: input, Parents: c.Parents[:0], Past: c.Past[:0], Children: c.Children[:0],
		Timeline: c.Timeline[:0], Upstream: c.Upstream[:0], Handlers: c.Handlers[:0], buf: c.buf[:0],
		Associations: c.Associations[:0], kb: c.kb[:0],
		ag: c.ag, ix: c.ix, rs: c.rs}
}
