package epcis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// MarshalOptions controls MarshalDocument.
type MarshalOptions struct {
	// Header is written as the document header. Type "" means
	// EPCISDocument; SchemaVersion "" means "2.0"; a zero CreationDate
	// means time.Now(). Context nil means the EPCIS 2.0 context plus one
	// object declaring the events' Namespaces; a Context from a parsed
	// Header is written verbatim, with any prefix the events need and it
	// lacks added. QueryName "" in an EPCISQueryDocument means
	// "SimpleEventQuery".
	Header Header
}

// flushAt is the buffered size at which MarshalDocument writes to w.
const flushAt = 64 << 10

// MarshalDocument writes events as an EPCIS 2.0 JSON-LD document. Fields
// are written as the model holds them: identifiers as received, CBV values
// in their bare form, verbatim parts (sensor data, ILMD, extensions) byte
// for byte, so that ParseDocument gives the same events back.
//
// It fails when two events give one namespace prefix different IRIs, or
// when a value cannot be written as JSON (invalid UTF-8).
func MarshalDocument(w io.Writer, events []Event, opts *MarshalOptions) error {
	var h Header
	if opts != nil {
		h = opts.Header
	}
	if h.Type == "" {
		h.Type = TypeEPCISDocument
	}
	if h.Type != TypeEPCISDocument && h.Type != TypeEPCISQueryDocument {
		return fmt.Errorf("epcis: cannot marshal a document of type %q", h.Type)
	}
	if h.SchemaVersion == "" {
		h.SchemaVersion = "2.0"
	}
	if h.CreationDate.IsZero() {
		h.CreationDate = time.Now()
	}
	ctx, err := marshalContext(&h, events)
	if err != nil {
		return err
	}

	// A one-event document (what capture stores for every event) is a
	// few hundred bytes: allocating the whole flush buffer for it cost
	// 68 KiB per captured event (574 MB over 8,000 captures in Verify's
	// profile). Size the buffer from the event count, up to flushAt.
	b := make([]byte, 0, min(flushAt+4096, 2048+1024*len(events)))
	b = append(b, `{"@context":`...)
	b = append(b, ctx...)
	b = append(b, `,"type":`...)
	b, _ = jsontext.AppendQuote(b, h.Type)
	b = append(b, `,"schemaVersion":`...)
	if b, err = jsontext.AppendQuote(b, h.SchemaVersion); err != nil {
		return fmt.Errorf("epcis: schemaVersion: %w", err)
	}
	b = append(b, `,"creationDate":`...)
	b = appendTime(b, h.CreationDate)
	if b, err = appendExtensions(b, h.Extensions); err != nil {
		return err
	}
	var bodyExt, qrExt, rbExt []Extension
	for _, x := range h.BodyExtensions {
		switch {
		case strings.HasPrefix(x.Key, "queryResults."):
			qrExt = append(qrExt, Extension{Key: x.Key[len("queryResults."):], Value: x.Value})
		case strings.HasPrefix(x.Key, "resultsBody."):
			rbExt = append(rbExt, Extension{Key: x.Key[len("resultsBody."):], Value: x.Value})
		default:
			bodyExt = append(bodyExt, x)
		}
	}
	b = append(b, `,"epcisBody":{`...)
	if h.Type == TypeEPCISQueryDocument {
		name := h.QueryName
		if name == "" {
			name = "SimpleEventQuery"
		}
		b = append(b, `"queryResults":{"queryName":`...)
		if b, err = jsontext.AppendQuote(b, name); err != nil {
			return fmt.Errorf("epcis: queryName: %w", err)
		}
		if h.SubscriptionID != "" {
			b = append(b, `,"subscriptionID":`...)
			if b, err = jsontext.AppendQuote(b, h.SubscriptionID); err != nil {
				return fmt.Errorf("epcis: subscriptionID: %w", err)
			}
		}
		if b, err = appendExtensions(b, qrExt); err != nil {
			return err
		}
		b = append(b, `,"resultsBody":{`...)
	}
	b = append(b, `"eventList":[`...)
	for i := range events {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = AppendEvent(b, &events[i]); err != nil {
			return fmt.Errorf("epcis: event %d: %w", i, err)
		}
		if len(b) >= flushAt {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, ']')
	if h.Type == TypeEPCISQueryDocument {
		if b, err = appendExtensions(b, rbExt); err != nil {
			return err
		}
		b = append(b, "}}"...)
	}
	if b, err = appendExtensions(b, bodyExt); err != nil {
		return err
	}
	b = append(b, "}}\n"...)
	_, err = w.Write(b)
	return err
}

// standardContextJSON is the @context of a document whose header has none
// and whose events use no prefixes: the standard context alone. Read only.
var standardContextJSON = []byte(`["` + StandardContext + `"]`)

// anyNamespaces reports whether an event uses a prefix.
func anyNamespaces(events []Event) bool {
	for i := range events {
		if len(events[i].Namespaces) > 0 {
			return true
		}
	}
	return false
}

// marshalContext returns the @context to write: the header's verbatim, or
// the standard one, plus an object with the prefixes the events use and the
// context does not define.
func marshalContext(h *Header, events []Event) ([]byte, error) {
	if len(bytes.TrimSpace(h.Context)) == 0 && !anyNamespaces(events) {
		return standardContextJSON, nil // what capture stores for every event
	}
	have := h.Namespaces
	if h.Context != nil && have == nil {
		have, _ = parseContext(h.Context, false)
	}
	need := map[string]string{}
	for i := range events {
		var own map[string]string // declared by the event's own @context
		if events[i].Context != nil {
			own, _ = parseContext(events[i].Context, false)
		}
		for pre, iri := range events[i].Namespaces {
			if _, ok := own[pre]; ok {
				continue
			}
			if got, ok := have[pre]; ok {
				if got != iri {
					return nil, fmt.Errorf("epcis: event %d uses prefix %q for %q but the document header defines it as %q", i, pre, iri, got)
				}
				continue
			}
			if got, ok := need[pre]; ok && got != iri {
				return nil, fmt.Errorf("epcis: event %d uses prefix %q for %q but another event uses it for %q", i, pre, iri, got)
			}
			need[pre] = iri
		}
	}
	obj, err := prefixObject(need)
	if err != nil {
		return nil, err
	}
	raw := bytes.TrimSpace(h.Context)
	switch {
	case len(raw) == 0:
		out := append([]byte(`["`), StandardContext...)
		out = append(out, '"')
		if obj != nil {
			out = append(out, ',')
			out = append(out, obj...)
		}
		return append(out, ']'), nil
	case obj == nil:
		return raw, nil
	case raw[0] == '[':
		out := append([]byte(nil), raw[:len(raw)-1]...)
		if len(bytes.TrimSpace(out)) > 1 {
			out = append(out, ',')
		}
		out = append(out, obj...)
		return append(out, ']'), nil
	default:
		out := append([]byte{'['}, raw...)
		out = append(out, ',')
		out = append(out, obj...)
		return append(out, ']'), nil
	}
}

// prefixObject is the @context object declaring the prefixes ns (sorted),
// nil when ns is empty.
func prefixObject(ns map[string]string) ([]byte, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(ns))
	for k := range ns {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	obj := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			obj = append(obj, ',')
		}
		var err error
		if obj, err = jsontext.AppendQuote(obj, k); err != nil {
			return nil, err
		}
		obj = append(obj, ':')
		if obj, err = jsontext.AppendQuote(obj, ns[k]); err != nil {
			return nil, err
		}
	}
	return append(obj, '}'), nil
}

// AppendEvent appends ev as one EPCIS 2.0 JSON event object (compact) to
// dst. Absent fields are left out; nil and empty slices differ: an empty
// non-nil slice is written as []. Prefixes the event's extensions use must
// be declared by the enclosing document (MarshalDocument does that).
func AppendEvent(dst []byte, ev *Event) ([]byte, error) {
	e := enc{b: dst}
	e.b = append(e.b, '{')
	if ev.Context != nil {
		e.key("@context")
		e.b = append(e.b, ev.Context...)
	}
	e.str("type", string(ev.Type))
	e.str("eventID", ev.EventID)
	if !ev.EventTime.IsZero() {
		e.key("eventTime")
		e.b = appendTime(e.b, ev.EventTime)
	}
	e.str("eventTimeZoneOffset", ev.EventTimeZoneOffset)
	if !ev.RecordTime.IsZero() {
		e.key("recordTime")
		e.b = appendTime(e.b, ev.RecordTime)
	}
	if ed := ev.ErrorDeclaration; ed != nil {
		e.key("errorDeclaration")
		e.b = append(e.b, '{')
		if !ed.DeclarationTime.IsZero() {
			e.key("declarationTime")
			e.b = appendTime(e.b, ed.DeclarationTime)
		}
		e.str("reason", string(ed.Reason))
		if ed.CorrectiveEventIDs != nil {
			e.strs("correctiveEventIDs", ed.CorrectiveEventIDs)
		}
		e.ext(ed.Extensions)
		e.b = append(e.b, '}')
	}
	switch len(ev.CertificationInfo) {
	case 0:
		if ev.CertificationInfo != nil {
			e.strs("certificationInfo", ev.CertificationInfo)
		}
	case 1:
		e.str("certificationInfo", ev.CertificationInfo[0])
	default:
		e.strs("certificationInfo", ev.CertificationInfo)
	}
	e.ids("epcList", ev.EPCList)
	if !ev.ParentID.IsZero() {
		e.str("parentID", ev.ParentID.Raw)
	}
	e.ids("childEPCs", ev.ChildEPCs)
	e.ids("inputEPCList", ev.InputEPCList)
	e.ids("outputEPCList", ev.OutputEPCList)
	e.quantities("quantityList", ev.QuantityList)
	e.quantities("childQuantityList", ev.ChildQuantityList)
	e.quantities("inputQuantityList", ev.InputQuantityList)
	e.quantities("outputQuantityList", ev.OutputQuantityList)
	e.str("action", string(ev.Action))
	e.str("transformationID", ev.TransformationID)
	e.str("bizStep", string(ev.BizStep))
	e.str("disposition", string(ev.Disposition))
	if pd := ev.PersistentDisposition; !pd.IsZero() {
		e.key("persistentDisposition")
		e.b = append(e.b, '{')
		if pd.Set != nil {
			e.disps("set", pd.Set)
		}
		if pd.Unset != nil {
			e.disps("unset", pd.Unset)
		}
		e.b = append(e.b, '}')
	}
	e.location("readPoint", ev.ReadPoint)
	e.location("bizLocation", ev.BizLocation)
	if ev.BizTransactionList != nil {
		e.key("bizTransactionList")
		e.b = append(e.b, '[')
		for i, bt := range ev.BizTransactionList {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = append(e.b, '{')
			e.str("type", string(bt.Type))
			e.str("bizTransaction", bt.ID)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.sourceDests("sourceList", "source", ev.SourceList)
	e.sourceDests("destinationList", "destination", ev.DestinationList)
	if ev.SensorElementList != nil {
		e.key("sensorElementList")
		e.b = append(e.b, ev.SensorElementList...)
	}
	if ev.ILMD != nil {
		e.key("ilmd")
		e.b = append(e.b, ev.ILMD...)
	}
	e.ext(ev.Extensions)
	e.b = append(e.b, '}')
	return e.b, e.err
}

// enc appends JSON members, remembering the first error.
type enc struct {
	b   []byte
	err error
}

func (e *enc) key(k string) {
	if n := len(e.b); n > 0 && e.b[n-1] != '{' && e.b[n-1] != '[' {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, '"')
	e.b = append(e.b, k...) // member names written here need no escaping
	e.b = append(e.b, '"', ':')
}

func (e *enc) quote(s string) {
	var err error
	e.b, err = jsontext.AppendQuote(e.b, s)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%q: %w", s, err)
	}
}

// str writes k: s unless s is empty.
func (e *enc) str(k, s string) {
	if s == "" {
		return
	}
	e.key(k)
	e.quote(s)
}

func (e *enc) strs(k string, l []string) {
	e.key(k)
	e.b = append(e.b, '[')
	for i, s := range l {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.quote(s)
	}
	e.b = append(e.b, ']')
}

func (e *enc) disps(k string, l []Disposition) {
	e.key(k)
	e.b = append(e.b, '[')
	for i, s := range l {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.quote(string(s))
	}
	e.b = append(e.b, ']')
}

func (e *enc) ids(k string, l []Identifier) {
	if l == nil {
		return
	}
	e.key(k)
	e.b = append(e.b, '[')
	for i := range l {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.quote(l[i].Raw)
	}
	e.b = append(e.b, ']')
}

func (e *enc) quantities(k string, l []QuantityElement) {
	if l == nil {
		return
	}
	e.key(k)
	e.b = append(e.b, '[')
	for i, q := range l {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, '{')
		e.str("epcClass", q.EPCClass.Raw)
		if q.HasQuantity {
			e.key("quantity")
			e.b = appendNumber(e.b, q.Quantity)
		}
		e.str("uom", q.UOM)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
}

func (e *enc) location(k string, l Location) {
	if l.IsZero() {
		return
	}
	e.key(k)
	e.b = append(e.b, '{')
	e.str("id", l.ID.Raw)
	e.ext(l.Extensions)
	e.b = append(e.b, '}')
}

func (e *enc) sourceDests(k, idKey string, l []SourceDest) {
	if l == nil {
		return
	}
	e.key(k)
	e.b = append(e.b, '[')
	for i, sd := range l {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, '{')
		e.str("type", string(sd.Type))
		e.str(idKey, sd.ID.Raw)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
}

func (e *enc) ext(x []Extension) {
	var err error
	e.b, err = appendExtensions(e.b, x)
	if err != nil && e.err == nil {
		e.err = err
	}
}

// appendExtensions appends ,"key":value for each extension (the comma is
// left out right after '{').
func appendExtensions(b []byte, x []Extension) ([]byte, error) {
	for _, m := range x {
		if n := len(b); n > 0 && b[n-1] != '{' && b[n-1] != '[' {
			b = append(b, ',')
		}
		var err error
		if b, err = jsontext.AppendQuote(b, m.Key); err != nil {
			return b, fmt.Errorf("epcis: extension key %q: %w", m.Key, err)
		}
		b = append(b, ':')
		v := jsontext.Value(m.Value)
		if !v.IsValid() {
			return b, errors.New("epcis: extension " + strconv.Quote(m.Key) + " is not valid JSON")
		}
		b = append(b, m.Value...)
	}
	return b, nil
}

// appendTime writes t as a quoted RFC 3339 time in its own offset, with
// the shortest fractional seconds that keep its precision.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendNumber writes f as a JSON number, in plain decimal notation for
// everyday magnitudes.
func appendNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-6 && a < 1e21) {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}
