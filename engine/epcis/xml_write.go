package epcis

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// MarshalXML writes events as an EPCIS 2.0 XML EPCISDocument (or
// EPCISQueryDocument, per opts.Header.Type), elements in the XSD's order:
// CBV terms in their URN form (urn:epcglobal:cbv:bizstep:shipping, as CBV
// 2.0 writes them in XML), identifiers as received, extensions, ILMD and
// sensor data converted back from their JSON form (object members become
// child elements, arrays repeated elements, sensorMetadata and sensorReport
// members attributes), with each prefix declared on the root element.
// ParseXML reads the result back to equal events (hash IDs included).
//
// It fails, writing nothing, when an event cannot be written as XML: more
// than one certificationInfo (the XSD allows one), an extension key that is
// neither prefix:local with a known prefix nor an absolute IRI, or two
// events giving one prefix different IRIs.
func MarshalXML(w io.Writer, events []Event, opts *MarshalOptions) error {
	var h Header
	if opts != nil {
		h = opts.Header
	}
	if h.Type == "" {
		h.Type = TypeEPCISDocument
	}
	if h.Type != TypeEPCISDocument && h.Type != TypeEPCISQueryDocument {
		return fmt.Errorf("epcis: cannot write a document of type %q as XML", h.Type)
	}
	if h.CreationDate.IsZero() {
		h.CreationDate = time.Now()
	}
	xw := &xwriter{ns: map[string]string{}}
	for k, v := range h.Namespaces {
		xw.ns[k] = v
	}
	for i := range events {
		for k, v := range events[i].Namespaces {
			if old, ok := xw.ns[k]; ok && old != v {
				return fmt.Errorf("epcis: event %d: prefix %q is %s here and %s in another event", i, k, v, old)
			}
			xw.ns[k] = v
		}
	}
	var body bytes.Buffer
	xw.b = &body
	for i := range events {
		if err := xw.event(&events[i]); err != nil {
			return fmt.Errorf("epcis: event %d: %w", i, err)
		}
	}
	root, bodyName := "epcis:EPCISDocument", "EventList"
	rootNS := `xmlns:epcis="` + NSEPCIS2 + `"`
	if h.Type == TypeEPCISQueryDocument {
		root, rootNS = "epcisq:EPCISQueryDocument", `xmlns:epcisq="`+NSQuery2+`"`
	}
	var out bytes.Buffer
	out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<" + root + " " + rootNS +
		` xmlns:xsi="` + nsXSI + `" xmlns:xsd="` + nsXSD + `"`)
	prefixes := make([]string, 0, len(xw.ns))
	for p := range xw.ns {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		if p == "epcis" || p == "epcisq" || p == "xsi" || p == "xsd" || strings.HasPrefix(strings.ToLower(p), "xml") {
			continue
		}
		fmt.Fprintf(&out, ` xmlns:%s="%s"`, p, escAttr(xw.ns[p]))
	}
	fmt.Fprintf(&out, ` schemaVersion="2.0" creationDate="%s">`+"\n<EPCISBody>\n", h.CreationDate.Format(time.RFC3339Nano))
	if h.Type == TypeEPCISQueryDocument {
		name := h.QueryName
		if name == "" {
			name = "SimpleEventQuery"
		}
		out.WriteString("<epcisq:QueryResults><queryName>" + escText(name) + "</queryName>")
		if h.SubscriptionID != "" {
			out.WriteString("<subscriptionID>" + escText(h.SubscriptionID) + "</subscriptionID>")
		}
		out.WriteString("<resultsBody>")
	}
	out.WriteString("<" + bodyName + ">\n")
	out.Write(body.Bytes())
	out.WriteString("</" + bodyName + ">")
	if h.Type == TypeEPCISQueryDocument {
		out.WriteString("</resultsBody></epcisq:QueryResults>")
	}
	out.WriteString("\n</EPCISBody>\n</" + root + ">\n")
	_, err := w.Write(out.Bytes())
	return err
}

// xwriter writes events as XML into b; ns holds the prefixes declared on
// the root, to which IRI-keyed extensions add made-up ones.
type xwriter struct {
	b  *bytes.Buffer
	ns map[string]string
}

func escText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func escAttr(s string) string { return escText(s) }

func (xw *xwriter) leaf(name, v string) {
	if v == "" {
		return
	}
	xw.b.WriteString("<" + name + ">" + escText(v) + "</" + name + ">")
}

// cbvURN writes a CBV 2.0 term in its CBV 1.x URN form and a custom URI as
// it is.
func cbvURN(v *vocab, s string) string {
	if v.isCBV(s) {
		return v.urn + s
	}
	return s
}

// event writes one event, its fields in the XSD's order.
func (xw *xwriter) event(ev *Event) error {
	if len(ev.CertificationInfo) > 1 {
		return fmt.Errorf("%d certificationInfo values: EPCIS XML holds one", len(ev.CertificationInfo))
	}
	b := xw.b
	b.WriteString("<" + string(ev.Type) + ">")
	xw.leaf("eventTime", ev.EventTime.Format(time.RFC3339Nano))
	if !ev.RecordTime.IsZero() {
		xw.leaf("recordTime", ev.RecordTime.Format(time.RFC3339Nano))
	}
	xw.leaf("eventTimeZoneOffset", ev.EventTimeZoneOffset)
	xw.leaf("eventID", ev.EventID)
	if ed := ev.ErrorDeclaration; ed != nil {
		b.WriteString("<errorDeclaration>")
		xw.leaf("declarationTime", ed.DeclarationTime.Format(time.RFC3339Nano))
		xw.leaf("reason", cbvURN(vocabErrReasons, string(ed.Reason)))
		if ed.CorrectiveEventIDs != nil {
			b.WriteString("<correctiveEventIDs>")
			for _, id := range ed.CorrectiveEventIDs {
				xw.leaf("correctiveEventID", id)
			}
			b.WriteString("</correctiveEventIDs>")
		}
		if err := xw.extensions(ed.Extensions); err != nil {
			return err
		}
		b.WriteString("</errorDeclaration>")
	}
	for _, c := range ev.CertificationInfo {
		xw.leaf("certificationInfo", c)
	}
	var err error
	switch ev.Type {
	case ObjectEvent:
		xw.epcs("epcList", ev.EPCList)
		xw.why(ev)
		xw.bizTransactions(ev.BizTransactionList)
		xw.quantities("quantityList", ev.QuantityList)
		err = xw.tail(ev, true)
	case AggregationEvent:
		xw.ident("parentID", ev.ParentID)
		xw.epcs("childEPCs", ev.ChildEPCs)
		xw.why(ev)
		xw.bizTransactions(ev.BizTransactionList)
		xw.quantities("childQuantityList", ev.ChildQuantityList)
		err = xw.tail(ev, false)
	case TransactionEvent:
		xw.bizTransactions(ev.BizTransactionList)
		xw.ident("parentID", ev.ParentID)
		xw.epcs("epcList", ev.EPCList)
		xw.why(ev)
		xw.quantities("quantityList", ev.QuantityList)
		err = xw.tail(ev, false)
	case TransformationEvent:
		xw.epcs("inputEPCList", ev.InputEPCList)
		xw.quantities("inputQuantityList", ev.InputQuantityList)
		xw.epcs("outputEPCList", ev.OutputEPCList)
		xw.quantities("outputQuantityList", ev.OutputQuantityList)
		xw.leaf("transformationID", ev.TransformationID)
		xw.why(ev)
		xw.bizTransactions(ev.BizTransactionList)
		err = xw.tail(ev, true)
	case AssociationEvent:
		xw.ident("parentID", ev.ParentID)
		xw.epcs("childEPCs", ev.ChildEPCs)
		xw.quantities("childQuantityList", ev.ChildQuantityList)
		xw.why(ev)
		xw.bizTransactions(ev.BizTransactionList)
		err = xw.tail(ev, false)
	default:
		return fmt.Errorf("unknown event type %q", ev.Type)
	}
	if err != nil {
		return err
	}
	b.WriteString("</" + string(ev.Type) + ">\n")
	return nil
}

func (xw *xwriter) ident(name string, id Identifier) { xw.leaf(name, id.Raw) }

func (xw *xwriter) epcs(name string, l []Identifier) {
	if l == nil {
		return
	}
	xw.b.WriteString("<" + name + ">")
	for _, id := range l {
		xw.leaf("epc", id.Raw)
	}
	xw.b.WriteString("</" + name + ">")
}

// why writes action, bizStep, disposition, readPoint and bizLocation.
func (xw *xwriter) why(ev *Event) {
	xw.leaf("action", string(ev.Action))
	xw.leaf("bizStep", cbvURN(vocabBizStep, string(ev.BizStep)))
	xw.leaf("disposition", cbvURN(vocabDisp, string(ev.Disposition)))
	xw.location("readPoint", ev.ReadPoint)
	xw.location("bizLocation", ev.BizLocation)
}

func (xw *xwriter) location(name string, l Location) {
	if l.IsZero() {
		return
	}
	xw.b.WriteString("<" + name + ">")
	xw.leaf("id", l.ID.Raw)
	_ = xw.extensions(l.Extensions)
	xw.b.WriteString("</" + name + ">")
}

func (xw *xwriter) bizTransactions(l []BizTransaction) {
	if l == nil {
		return
	}
	xw.b.WriteString("<bizTransactionList>")
	for _, bt := range l {
		xw.b.WriteString("<bizTransaction")
		if bt.Type != "" {
			xw.b.WriteString(` type="` + escAttr(cbvURN(vocabBTT, string(bt.Type))) + `"`)
		}
		xw.b.WriteString(">" + escText(bt.ID) + "</bizTransaction>")
	}
	xw.b.WriteString("</bizTransactionList>")
}

func (xw *xwriter) quantities(name string, l []QuantityElement) {
	if l == nil {
		return
	}
	xw.b.WriteString("<" + name + ">")
	for _, q := range l {
		xw.b.WriteString("<quantityElement>")
		xw.leaf("epcClass", q.EPCClass.Raw)
		if q.HasQuantity {
			xw.leaf("quantity", string(appendNumber(nil, q.Quantity)))
			xw.leaf("uom", q.UOM)
		}
		xw.b.WriteString("</quantityElement>")
	}
	xw.b.WriteString("</" + name + ">")
}

func (xw *xwriter) sourceDests(list, elem string, l []SourceDest) {
	if l == nil {
		return
	}
	xw.b.WriteString("<" + list + ">")
	for _, sd := range l {
		xw.b.WriteString("<" + elem + ` type="` + escAttr(cbvURN(vocabSDT, string(sd.Type))) + `">` + escText(sd.ID.Raw) + "</" + elem + ">")
	}
	xw.b.WriteString("</" + list + ">")
}

// tail writes sourceList … ilmd and the event's extensions.
func (xw *xwriter) tail(ev *Event, ilmd bool) error {
	xw.sourceDests("sourceList", "source", ev.SourceList)
	xw.sourceDests("destinationList", "destination", ev.DestinationList)
	if ev.SensorElementList != nil {
		if err := xw.sensors(ev.SensorElementList); err != nil {
			return err
		}
	}
	if !ev.PersistentDisposition.IsZero() {
		xw.b.WriteString("<persistentDisposition>")
		for _, d := range ev.PersistentDisposition.Unset {
			xw.leaf("unset", cbvURN(vocabDisp, string(d)))
		}
		for _, d := range ev.PersistentDisposition.Set {
			xw.leaf("set", cbvURN(vocabDisp, string(d)))
		}
		xw.b.WriteString("</persistentDisposition>")
	}
	if ev.ILMD != nil {
		if !ilmd {
			return fmt.Errorf("%s cannot carry ilmd", ev.Type)
		}
		xw.b.WriteString("<ilmd>")
		if err := xw.members(ev.ILMD); err != nil {
			return fmt.Errorf("ilmd: %w", err)
		}
		xw.b.WriteString("</ilmd>")
	}
	return xw.extensions(ev.Extensions)
}

// extensions writes extension members as elements.
func (xw *xwriter) extensions(exts []Extension) error {
	for _, x := range exts {
		if err := xw.element(x.Key, x.Value, 0); err != nil {
			return err
		}
	}
	return nil
}

// elementName turns a JSON key into an XML element name: "prefix:local"
// with a declared prefix, an unprefixed local name, or an absolute IRI
// split into a namespace (declared under a made-up prefix) and local name.
func (xw *xwriter) elementName(key string) (string, error) {
	if p := curiePrefix(key); p != "" {
		if _, ok := xw.ns[p]; ok {
			return key, nil
		}
		if _, ok := standardPrefixes[p]; ok {
			xw.ns[p] = standardPrefixes[p]
			return key, nil
		}
		return "", fmt.Errorf("extension key %q uses the undeclared prefix %q", key, p)
	}
	if i := strings.LastIndexAny(key, "/#"); i > 0 && strings.Contains(key, "://") && i < len(key)-1 {
		iri, local := key[:i+1], key[i+1:]
		for p, v := range xw.ns {
			if v == iri {
				return p + ":" + local, nil
			}
		}
		p := "ext" + strconv.Itoa(len(xw.ns)+1)
		xw.ns[p] = iri
		return p + ":" + local, nil
	}
	if strings.ContainsAny(key, ":/# ") || key == "" {
		return "", fmt.Errorf("extension key %q is not an XML name", key)
	}
	return key, nil
}

// element writes key: value as XML: a scalar as text, an object as child
// elements ("@value" as text), an array as the element repeated.
func (xw *xwriter) element(key string, raw []byte, depth int) error {
	if depth > maxXMLDepth {
		return fmt.Errorf("extension %q nested more than %d levels deep", key, maxXMLDepth)
	}
	name, err := xw.elementName(key)
	if err != nil {
		return err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return err
		}
		for _, it := range items {
			if err := xw.element(key, it, depth+1); err != nil {
				return err
			}
		}
		return nil
	case '{':
		xw.b.WriteString("<" + name + ">")
		if err := xw.membersDepth(raw, depth+1); err != nil {
			return err
		}
		xw.b.WriteString("</" + name + ">")
		return nil
	}
	typ := ""
	switch raw[0] {
	case 't', 'f':
		typ = ` xsi:type="xsd:boolean"`
	case 'n':
	case '"':
	default:
		typ = ` xsi:type="xsd:decimal"`
	}
	xw.b.WriteString("<" + name + typ + ">" + escText(scalarText(raw)) + "</" + name + ">")
	return nil
}

func (xw *xwriter) members(raw []byte) error { return xw.membersDepth(raw, 1) }

// membersDepth writes the members of a JSON object as elements, "@value"
// as text.
func (xw *xwriter) membersDepth(raw []byte, depth int) error {
	d := jsontext.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '{' {
		return fmt.Errorf("not a JSON object")
	}
	for d.PeekKind() == '"' {
		k, err := d.ReadToken()
		if err != nil {
			return err
		}
		key := k.String()
		v, err := d.ReadValue()
		if err != nil {
			return err
		}
		if key == "@value" {
			xw.b.WriteString(escText(scalarText(v)))
			continue
		}
		if err := xw.element(key, bytes.Clone(v), depth); err != nil {
			return err
		}
	}
	return nil
}

// scalarText is the text of a JSON scalar: a string unquoted, a number or
// boolean as written, null empty.
func scalarText(raw []byte) string {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}

// sensors writes sensorElementList from its JSON form.
func (xw *xwriter) sensors(raw []byte) error {
	var elems []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return fmt.Errorf("sensorElementList: %w", err)
	}
	xw.b.WriteString("<sensorElementList>")
	for _, el := range elems {
		xw.b.WriteString("<sensorElement>")
		if m, ok := el["sensorMetadata"]; ok {
			if err := xw.attrElement("sensorMetadata", m); err != nil {
				return err
			}
		}
		if r, ok := el["sensorReport"]; ok {
			var reports []json.RawMessage
			if err := json.Unmarshal(r, &reports); err != nil {
				return fmt.Errorf("sensorReport: %w", err)
			}
			for _, rep := range reports {
				if err := xw.attrElement("sensorReport", rep); err != nil {
					return err
				}
			}
		}
		keys := make([]string, 0, len(el))
		for k := range el {
			if k != "sensorMetadata" && k != "sensorReport" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := xw.element(k, el[k], 1); err != nil {
				return err
			}
		}
		xw.b.WriteString("</sensorElement>")
	}
	xw.b.WriteString("</sensorElementList>")
	return nil
}

// attrElement writes a sensorMetadata or sensorReport object as an empty
// element with its members as attributes.
func (xw *xwriter) attrElement(name string, raw []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	xw.b.WriteString("<" + name)
	var text string
	for _, k := range keys {
		if k == "@value" {
			text = scalarText(m[k])
			continue
		}
		an := k
		if strings.Contains(k, ":") {
			n, err := xw.elementName(k)
			if err != nil {
				return err
			}
			an = n
		}
		xw.b.WriteString(" " + an + `="` + escAttr(scalarText(m[k])) + `"`)
	}
	xw.b.WriteString(">" + escText(text) + "</" + name + ">")
	return nil
}
