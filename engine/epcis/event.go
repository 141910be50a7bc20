package epcis

import (
	"encoding/json"
	"time"
)

// EventType is the EPCIS 2.0 event type.
type EventType string

// The five EPCIS 2.0 event types.
const (
	ObjectEvent         EventType = "ObjectEvent"
	AggregationEvent    EventType = "AggregationEvent"
	TransformationEvent EventType = "TransformationEvent"
	TransactionEvent    EventType = "TransactionEvent"
	AssociationEvent    EventType = "AssociationEvent"
)

// Action says how an event changes the objects it names.
type Action string

// EPCIS actions. TransformationEvent has none (empty Action).
const (
	ActionAdd     Action = "ADD"
	ActionObserve Action = "OBSERVE"
	ActionDelete  Action = "DELETE"
)

// QuantityElement is an amount of an EPC class (a product, or a product
// lot): urn:epc:class:lgtin:4012345.012345.998877 or
// https://id.gs1.org/01/04012345123456/10/998877.
type QuantityElement struct {
	EPCClass Identifier
	// Quantity is the amount in UOM, or a count of instances when UOM is
	// empty. Meaningful only when HasQuantity; never negative.
	Quantity    float64
	HasQuantity bool
	// UOM is a UN/ECE Rec. 20 unit code of 2–3 upper-case letters or digits
	// ("KGM"); empty means a count. Only present with a quantity.
	UOM string
}

// PersistentDisposition sets or unsets dispositions that stay in force
// after the event (for example "recalled"). Both nil means absent.
type PersistentDisposition struct {
	Set   []Disposition
	Unset []Disposition
}

// IsZero reports whether the persistent disposition is absent.
func (p PersistentDisposition) IsZero() bool { return p.Set == nil && p.Unset == nil }

// Location is a read point or business location: an SGLN URN or a GS1
// Digital Link with AI 414 (and 254), or another URI (geo:…), with any
// extension fields kept verbatim. The zero Location means "absent".
type Location struct {
	ID         Identifier
	Extensions []Extension
}

// IsZero reports whether the location is absent.
func (l Location) IsZero() bool { return l.ID.IsZero() && l.Extensions == nil }

// BizTransaction names a business document: a purchase order, an invoice,
// an e-ticket, an inspection report.
type BizTransaction struct {
	Type BizTransactionType // optional
	ID   string             // a URI: urn:epcglobal:cbv:bt:…, a GDTI, a DL, …
}

// SourceDest is one source or destination of a business transfer.
type SourceDest struct {
	Type SourceDestType
	ID   Identifier // a PGLN/SGLN URN, a DL with AI 417 or 414, or a URI
}

// ErrorDeclaration marks an event as erroneous after the fact.
type ErrorDeclaration struct {
	DeclarationTime    time.Time // required
	Reason             ErrorReason
	CorrectiveEventIDs []string // URIs of the events that correct this one
	Extensions         []Extension
}

// Extension is one member the model does not interpret: its key as written
// (a namespaced key such as "example:myField" or a full IRI) and its JSON
// value byte for byte as received. Extensions are never dropped: they are
// written back by MarshalDocument and included in the event hash.
type Extension struct {
	Key   string
	Value json.RawMessage // compact JSON as received (whitespace removed)
}

// Event is one EPCIS 2.0 event, modelled so that it can be exported again
// without loss: every standard field is a typed field below, the parts we
// do not interpret (sensor data, ILMD, extensions) are kept verbatim.
//
// Slices are nil when the field is absent and non-nil (possibly empty) when
// it was present. Times keep the offset they were written with.
type Event struct {
	Type    EventType
	EventID string // optional URI, e.g. the ni:///sha-256;…?ver=CBV2.0 hash ID

	EventTime time.Time // required; its location is the offset written
	// EventTimeZoneOffset is the local offset of the event, "±HH:MM" with
	// HH:MM in -14:00..+14:00; required.
	EventTimeZoneOffset string
	RecordTime          time.Time // zero: absent (servers set it on capture)

	Action Action // required except for TransformationEvent, which has none

	EPCList       []Identifier // ObjectEvent, TransactionEvent
	ParentID      Identifier   // AggregationEvent, TransactionEvent, AssociationEvent
	ChildEPCs     []Identifier // AggregationEvent, AssociationEvent
	InputEPCList  []Identifier // TransformationEvent
	OutputEPCList []Identifier // TransformationEvent

	QuantityList       []QuantityElement // ObjectEvent, TransactionEvent
	ChildQuantityList  []QuantityElement // AggregationEvent, AssociationEvent
	InputQuantityList  []QuantityElement // TransformationEvent
	OutputQuantityList []QuantityElement // TransformationEvent

	TransformationID string // TransformationEvent; a URI

	BizStep               BizStep
	Disposition           Disposition
	PersistentDisposition PersistentDisposition // ObjectEvent, TransformationEvent
	ReadPoint             Location
	BizLocation           Location

	BizTransactionList []BizTransaction
	SourceList         []SourceDest
	DestinationList    []SourceDest

	// SensorElementList is the sensorElementList array verbatim (compact
	// JSON), nil when absent.
	SensorElementList json.RawMessage
	// ILMD (instance/lot master data, ObjectEvent ADD and
	// TransformationEvent) is the ilmd object verbatim, nil when absent.
	ILMD json.RawMessage

	CertificationInfo []string // URIs; one or more
	ErrorDeclaration  *ErrorDeclaration

	// Extensions holds every other member, sorted by key.
	Extensions []Extension
	// Context is an event-level "@context" verbatim, nil when absent.
	Context json.RawMessage
	// Namespaces maps the prefixes used in this event's extension keys and
	// values (for example "example") to the IRIs the document's (and the
	// event's) @context gave them. MarshalDocument declares them again.
	Namespaces map[string]string
}

// Document is a parsed EPCISDocument or EPCISQueryDocument.
type Document struct {
	Header Header
	Events []Event
}

// Header is everything in a document except its events.
type Header struct {
	// Type is "EPCISDocument" or "EPCISQueryDocument".
	Type string
	// SchemaVersion is "2.0" (checked on parse).
	SchemaVersion string
	CreationDate  time.Time
	// Context is the document's "@context" verbatim.
	Context json.RawMessage
	// Namespaces maps the prefixes the @context defines inline to IRIs.
	Namespaces map[string]string
	// QueryName and SubscriptionID come from an EPCISQueryDocument's
	// queryResults; QueryName is required there.
	QueryName      string
	SubscriptionID string
	// Extensions holds every other top-level member (id, sender, receiver,
	// instanceIdentifier, epcisHeader, namespaced keys…) verbatim, sorted
	// by key.
	Extensions []Extension
	// BodyExtensions holds other members of epcisBody (and of queryResults
	// and resultsBody, keyed "queryResults.KEY" / "resultsBody.KEY")
	// verbatim, sorted by key.
	BodyExtensions []Extension
}
