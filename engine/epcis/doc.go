// Package epcis models supply-chain events on EPCIS 2.0 and CBV 2.0, reads
// and writes them as EPCIS 2.0 JSON-LD documents, and computes their CBV 2.0
// event hash IDs. It is pure: no I/O beyond the io.Reader and io.Writer it is
// handed, no storage.
//
// # Model
//
// Event holds the five EPCIS event types (ObjectEvent, AggregationEvent,
// TransformationEvent, TransactionEvent, AssociationEvent) with every
// standard field typed: what (EPC lists, parent, quantity lists of EPC
// classes), when (event time with its offset, eventTimeZoneOffset, record
// time), where (read point, business location), why (CBV bizStep,
// disposition, persistent disposition), business documents, sources and
// destinations, certification info and error declaration. What the engine
// does not interpret is kept verbatim so that an event exports without
// loss: sensorElementList and ilmd as raw JSON, and every namespaced member
// (at event level, in readPoint, bizLocation and errorDeclaration, in the
// document header) as an Extension of key and raw JSON value. A member that
// is neither standard nor namespaced is refused with a message, never
// dropped.
//
// CBV values are typed strings (BizStep, Disposition, BizTransactionType,
// SourceDestType, ErrorReason) in their bare JSON form ("shipping"); the
// URN (urn:epcglobal:cbv:bizstep:shipping), web URI
// (https://ref.gs1.org/cbv/BizStep-shipping) and cbv: CURIE spellings are
// accepted and normalised to it. Custom values must be URIs and may not use
// a CBV namespace.
//
// Identifiers (EPCs, parent, EPC classes, locations, sources and
// destinations) are Identifier values holding the string as received (Raw,
// what is exported) and the caller's canonical form (Canon) from an
// IDNormalizer. Without a normaliser they are only syntax-checked: an EPC
// URN (urn:…) or a GS1 Digital Link URI (http(s)://host/…).
//
// # Parsing
//
// ParseDocument validates a whole EPCISDocument or EPCISQueryDocument and
// returns either all of it or a *DocumentError listing every problem, each
// with the event index, its eventID and the JSON path of the offending
// value (epcisBody.eventList[3].epcList[12]), so that a capture is applied
// whole or not at all. Documents are read as a token stream in one pass;
// size limits (events, identifiers per list, bytes, errors kept) are in
// ParseOptions, as is the check that rejects an event time too far in the
// future. Duplicate member names are refused: an event whose eventID
// appears twice cannot be held to account.
//
// # Writing
//
// MarshalDocument writes events back as an EPCIS 2.0 document; AppendEvent
// appends one event's JSON object to a buffer. Parse → marshal → parse
// gives equal events, and marshalling those again gives the same bytes.
// The namespace prefixes an event's extensions use travel with the event
// (Event.Namespaces), so events from different documents can be exported
// together; two events giving one prefix different IRIs is an error.
//
// # Event hash ID
//
// HashID implements the event hash of CBV 2.0 §8.9 as the GS1 reference
// implementation computes it (see hash.go for the rules), including the
// EPC URN → canonical Digital Link conversion it needs (dl.go, private to
// this package). It matches all 43 events of the reference implementation's
// JSON-LD test vectors.
package epcis
