package epcis

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// XML namespaces of the EPCIS document schemas. EPCIS 1.0–1.2 documents use
// the ":1" namespaces, EPCIS 2.0 the ":2" ones.
const (
	NSEPCIS2      = "urn:epcglobal:epcis:xsd:2"
	NSEPCIS1      = "urn:epcglobal:epcis:xsd:1"
	NSQuery2      = "urn:epcglobal:epcis-query:xsd:2"
	NSQuery1      = "urn:epcglobal:epcis-query:xsd:1"
	NSMasterData2 = "urn:epcglobal:epcis-masterdata:xsd:2"
	NSMasterData1 = "urn:epcglobal:epcis-masterdata:xsd:1"
	nsXSI         = "http://www.w3.org/2001/XMLSchema-instance"
	nsXMLNS       = "xmlns"
)

// TypeEPCISMasterDataDocument is the Header.Type of an XML
// EPCISMasterDataDocument: no events, its vocabulary list in
// Header.BodyExtensions under "vocabularyList".
const TypeEPCISMasterDataDocument = "EPCISMasterDataDocument"

// maxXMLDepth bounds the nesting of extension elements, so that a hostile
// document cannot exhaust the stack.
const maxXMLDepth = 64

// ParseXML reads an EPCIS XML document — EPCIS 2.0 (urn:epcglobal:epcis:xsd:2)
// or EPCIS 1.0–1.2 (urn:epcglobal:epcis:xsd:1) EPCISDocument,
// EPCISQueryDocument or EPCISMasterDataDocument — into the same Document
// ParseDocument gives for JSON-LD, so that capture, hashing and export do
// not care which syntax a document came in. It applies the same checks as
// ParseDocument and the XSDs' rules (root element and namespace,
// schemaVersion and creationDate, required and allowed elements per event
// type, value types) and returns either the whole document or a
// *DocumentError naming every problem with its event, element path and
// line.
//
// The EPCIS 1.x layout is read as what it means in 2.0: the <extension>
// and <baseExtension> wrappers are transparent (quantityList, sourceList,
// ilmd, eventID, errorDeclaration… inside them are the event's own
// fields), and a TransformationEvent inside the EventList's <extension> is
// an event like the others. The deprecated 1.x QuantityEvent is refused.
//
// Values that the model keeps verbatim as JSON are converted the way EPCIS
// 2.0 maps XML to JSON-LD: an extension element with only text becomes a
// string, one with attributes or child elements an object whose members
// are the attributes and children ("prefix:local" keys, repeated names
// becoming arrays); sensorMetadata and sensorReport attributes become
// members with numbers and booleans typed as the JSON schema types them.
// Prefixes keep the ones the XML declared, recorded in Event.Namespaces.
//
// ParseXML reads r as a token stream in one pass (encoding/xml), with the
// size limits of opts; it does no other I/O. Only UTF-8 is accepted.
func ParseXML(r io.Reader, opts ParseOptions) (*Document, error) {
	opts.ensureDefaults()
	lr := &limitReader{r: r, n: opts.MaxBytes}
	x := &xparser{parser: parser{opts: opts, lr: lr, idx: -1, extraAllowed: fPersistentDisposition}}
	x.dec = xml.NewDecoder(lr)
	x.dec.Strict = true
	x.prefixOf = make(map[string]string, 8)
	x.nsOf = make(map[string]string, 8)
	doc := x.document()
	if len(x.errs) > 0 {
		return nil, &DocumentError{Errors: x.errs, Dropped: x.dropped}
	}
	return doc, nil
}

// xparser holds the state of one ParseXML call. It shares error
// collection and the value checks with the JSON parser.
type xparser struct {
	parser
	dec *xml.Decoder
	// prefixOf maps a namespace IRI to the prefix the document declared
	// for it (the first declaration wins); nsOf is the reverse. Prefixes
	// the document did not declare (a default namespace) are made up as
	// ns1, ns2…
	prefixOf map[string]string
	nsOf     map[string]string
	made     int
	// used collects the prefixes the current event uses (reset per event:
	// a slice, not a map, to allocate nothing per event).
	used []string
	// v1 is set for an EPCIS 1.x document.
	v1 bool
	// seqLast and seqLastName are the furthest XSD sequence position an
	// EPCIS 2.0 event's elements reached so far, seqOther the first
	// extension element seen (see checkSequence).
	seqLast     int
	seqLastName string
	seqOther    string
}

// errXMLFatal stops parsing after a malformed-XML or limit error.
var errXMLFatal = errors.New("epcis: fatal XML error")

// line returns the current input line.
func (x *xparser) line() int {
	l, _ := x.dec.InputPos()
	return l
}

// failAt records an error at path with the line of the element.
func (x *xparser) failAt(line int, path, format string, args ...any) {
	x.add(EventError{Index: x.idx, Field: x.absPath(path), Reason: fmt.Sprintf(format, args...) + " (line " + strconv.Itoa(line) + ")"})
}

// readErr records a read error and returns errXMLFatal.
func (x *xparser) readErr(err error) error {
	if err == errXMLFatal {
		return err
	}
	if x.lr.hit || errors.Is(err, errTooBig) {
		x.add(EventError{Index: x.idx, Reason: fmt.Sprintf("document is larger than %d bytes", x.opts.MaxBytes), limit: true})
		return errXMLFatal
	}
	reason := "malformed XML: " + err.Error()
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		reason = "malformed XML: unexpected end of input"
	}
	x.add(EventError{Index: x.idx, Reason: reason, syntax: true})
	return errXMLFatal
}

// declare records the xmlns declarations of an element.
func (x *xparser) declare(se *xml.StartElement) {
	for _, a := range se.Attr {
		if a.Name.Space == nsXMLNS {
			if _, ok := x.prefixOf[a.Value]; !ok {
				p := a.Name.Local
				if def, prot := protectedTerms[p]; prot && def != a.Value {
					// The EPCIS JSON-LD context protects this name (the
					// XML's xmlns:cbvmda="urn:epcglobal:cbv:mda" lacks the
					// context's final colon): the JSON form uses another
					// prefix for the same namespace.
					p = x.freePrefix(p)
				}
				if _, taken := x.nsOf[p]; !taken {
					x.prefixOf[a.Value] = p
					x.nsOf[p] = a.Value
				}
			}
		}
	}
}

// qname returns the JSON-LD key of an XML name: "prefix:local" for a
// namespaced name, the local name otherwise. It records the prefix as used.
func (x *xparser) qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	p, ok := x.prefixOf[n.Space]
	if !ok {
		p = x.freePrefix("ns")
		x.prefixOf[n.Space] = p
		x.nsOf[p] = n.Space
	}
	return p + ":" + n.Local
}

// next returns the next start element, end element or non-blank text of the
// current element's content, skipping comments, processing instructions
// and blank text. A start element has its namespaces declared.
func (x *xparser) next() (xml.Token, error) {
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return nil, x.readErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			x.declare(&t)
			t.Name.Space = unqualify(t.Name.Space)
			return t, nil
		case xml.EndElement:
			return t, nil
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				return t.Copy(), nil
			}
		}
	}
}

// freePrefix returns base followed by the first number that makes a
// prefix neither declared nor a protected EPCIS term.
func (x *xparser) freePrefix(base string) string {
	for {
		x.made++
		p := base + strconv.Itoa(x.made)
		_, taken := x.nsOf[p]
		_, prot := protectedTerms[p]
		if !taken && !prot {
			return p
		}
	}
}

// unqualify maps the EPCIS namespaces to "": the schemas' elements below
// the root are unqualified, but some exporters declare the EPCIS namespace
// as the default one, which qualifies them all.
func unqualify(ns string) string {
	switch ns {
	case NSEPCIS2, NSEPCIS1, NSQuery2, NSQuery1, NSMasterData2, NSMasterData1:
		return ""
	}
	return ns
}

// children calls elem for each child element of the element just started
// (path names it), which must hold elements only; elem must consume the
// child whole. Text among the children is an error.
func (x *xparser) children(path string, elem func(se xml.StartElement) error) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			x.failAt(x.line(), path, "unexpected text %q: %s holds elements only", clip(string(t)), lastName(path))
		case xml.StartElement:
			if err := elem(t); err != nil {
				return err
			}
		}
	}
}

// text reads the text content of the element just started, trimmed of
// surrounding white space. A child element is an error (and skipped).
func (x *xparser) text(path string) (string, error) {
	var b []byte
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return "", x.readErr(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return strings.TrimSpace(string(b)), nil
		case xml.CharData:
			b = append(b, t...)
		case xml.StartElement:
			x.failAt(x.line(), path, "element <%s> is not allowed here: %s holds text only", t.Name.Local, lastName(path))
			if err := x.skip(); err != nil {
				return "", err
			}
		}
	}
}

// skip consumes the rest of the element just started.
func (x *xparser) skip() error {
	if err := x.dec.Skip(); err != nil {
		return x.readErr(err)
	}
	return nil
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func lastName(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return "the element"
	}
	return path
}

// attr returns the value of the unqualified attribute name.
func attr(se *xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// document parses the root element.
func (x *xparser) document() *Document {
	var root xml.StartElement
	for {
		tok, err := x.dec.Token()
		if err != nil {
			if err == io.EOF {
				x.add(EventError{Index: -1, Reason: "empty document: no root element", syntax: true})
			} else {
				_ = x.readErr(err)
			}
			return nil
		}
		if se, ok := tok.(xml.StartElement); ok {
			x.declare(&se)
			root = se
			break
		}
		if cd, ok := tok.(xml.CharData); ok && len(strings.Trim(string(cd), " \t\r\n\ufeff")) > 0 {
			x.add(EventError{Index: -1, Reason: "text before the root element", syntax: true})
			return nil
		}
	}
	doc := &Document{}
	switch {
	case root.Name.Local == TypeEPCISDocument && (root.Name.Space == NSEPCIS2 || root.Name.Space == NSEPCIS1),
		root.Name.Local == TypeEPCISQueryDocument && (root.Name.Space == NSQuery2 || root.Name.Space == NSQuery1),
		root.Name.Local == TypeEPCISMasterDataDocument && (root.Name.Space == NSMasterData2 || root.Name.Space == NSMasterData1):
		doc.Header.Type = root.Name.Local
	case root.Name.Local == "EPCISCaptureJob":
		x.add(EventError{Index: -1, Field: root.Name.Local, Reason: "an EPCISCaptureJob is the status of a capture, not an EPCIS document (read it with ParseCaptureJob)"})
		return nil
	default:
		x.add(EventError{Index: -1, Field: root.Name.Local, Reason: fmt.Sprintf(
			"root element {%s}%s is not an EPCIS 2.0 or 1.x EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument", root.Name.Space, root.Name.Local)})
		return nil
	}
	x.v1 = strings.HasSuffix(root.Name.Space, ":1")
	x.rootAttrs(&root, doc)
	if err := x.rootContent(doc); err != nil {
		return nil
	}
	// Anything after the root element but comments and blanks is an error.
	for {
		tok, err := x.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			_ = x.readErr(err)
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			x.failAt(x.line(), "", "unexpected element <%s> after the root element", t.Name.Local)
			return doc
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				x.failAt(x.line(), "", "unexpected text after the root element")
				return doc
			}
		}
	}
	x.finishHeader(doc)
	return doc
}

// rootAttrs reads schemaVersion and creationDate.
func (x *xparser) rootAttrs(root *xml.StartElement, doc *Document) {
	line := x.line()
	v, ok := attr(root, "schemaVersion")
	// The XSDs type schemaVersion as xsd:decimal: 1.x documents say 1.0,
	// 1.1 or 1.2, and some 1.x-layout exporters already say 2.0.
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case !ok:
		x.failAt(line, "schemaVersion", "required attribute schemaVersion is missing")
	case err != nil:
		x.failAt(line, "schemaVersion", "schemaVersion %q is not a decimal number", v)
	case x.v1 && (f < 1 || f >= 3):
		x.failAt(line, "schemaVersion", "schemaVersion %q is not an EPCIS 1.x or 2.0 version", v)
	case !x.v1 && (f < 2 || f >= 3):
		x.failAt(line, "schemaVersion", "schemaVersion %q is not 2.x, as the namespace %s requires", v, root.Name.Space)
	}
	// The events are read into the EPCIS 2.0 model whatever the version.
	doc.Header.SchemaVersion = "2.0"
	if s, ok := attr(root, "creationDate"); !ok {
		x.failAt(line, "creationDate", "required attribute creationDate is missing")
	} else if t, err := parseTime(s); err != nil {
		x.failAt(line, "creationDate", "%v", err)
	} else {
		doc.Header.CreationDate = t
	}
	for _, a := range root.Attr {
		if a.Name.Space == "" && a.Name.Local != "schemaVersion" && a.Name.Local != "creationDate" {
			x.failAt(line, a.Name.Local, "unknown attribute %q on %s", a.Name.Local, root.Name.Local)
		}
	}
}

// rootContent reads EPCISHeader, EPCISBody and extensions of the root.
func (x *xparser) rootContent(doc *Document) error {
	haveBody := false
	err := x.children("", func(se xml.StartElement) error {
		switch {
		case se.Name.Space == "" && se.Name.Local == "EPCISHeader":
			return x.header(doc)
		case se.Name.Space == "" && se.Name.Local == "EPCISBody":
			haveBody = true
			return x.body(doc)
		case se.Name.Space == "" && se.Name.Local == "extension":
			return x.children("extension", func(c xml.StartElement) error {
				return x.headerExtension(&doc.Header.Extensions, c)
			})
		case se.Name.Space != "":
			return x.headerExtension(&doc.Header.Extensions, se)
		}
		x.failAt(x.line(), se.Name.Local, "unknown element <%s> in %s", se.Name.Local, doc.Header.Type)
		return x.skip()
	})
	if err != nil {
		return err
	}
	if !haveBody {
		x.failAt(x.line(), "EPCISBody", "required element EPCISBody is missing")
	}
	return nil
}

// headerExtension converts a document-level extension element. An
// "…:ignoreFields" element lists the fields the event hash leaves out, as
// element names; it becomes the JSON array of those names.
func (x *xparser) headerExtension(dst *[]Extension, se xml.StartElement) error {
	key := x.qname(se.Name)
	if se.Name.Local == "ignoreFields" {
		var names []string
		err := x.children(key, func(c xml.StartElement) error {
			names = append(names, x.qname(c.Name))
			return x.skip()
		})
		if err != nil {
			return err
		}
		v, _ := json.Marshal(names)
		*dst = append(*dst, Extension{Key: key, Value: v})
		return nil
	}
	v, err := x.anyValue(key, se, 0)
	if err != nil {
		return err
	}
	*dst = append(*dst, Extension{Key: key, Value: v})
	return nil
}

// header reads EPCISHeader: the SBDH and other namespaced elements become
// header extensions; master data becomes the JSON "epcisHeader" member
// ({"epcisMasterData":{"vocabularyList":[…]}}).
func (x *xparser) header(doc *Document) error {
	var vocab json.RawMessage
	err := x.children("EPCISHeader", func(se xml.StartElement) error {
		if se.Name.Space != "" {
			return x.headerExtension(&doc.Header.Extensions, se)
		}
		if se.Name.Local != "extension" {
			x.failAt(x.line(), "EPCISHeader."+se.Name.Local, "unknown element <%s> in EPCISHeader", se.Name.Local)
			return x.skip()
		}
		return x.children("EPCISHeader.extension", func(c xml.StartElement) error {
			if c.Name.Space == "" && c.Name.Local == "EPCISMasterData" {
				return x.children("EPCISHeader.extension.EPCISMasterData", func(m xml.StartElement) error {
					if m.Name.Space == "" && m.Name.Local == "VocabularyList" {
						v, err := x.vocabularyList("EPCISHeader.extension.EPCISMasterData.VocabularyList")
						vocab = v
						return err
					}
					return x.skip()
				})
			}
			if c.Name.Space != "" {
				return x.headerExtension(&doc.Header.Extensions, c)
			}
			return x.skip()
		})
	})
	if err != nil {
		return err
	}
	if vocab != nil {
		v := append([]byte(`{"epcisMasterData":{"vocabularyList":`), vocab...)
		v = append(v, "}}"...)
		doc.Header.Extensions = append(doc.Header.Extensions, Extension{Key: "epcisHeader", Value: v})
	}
	return nil
}

// body reads EPCISBody of the three document types.
func (x *xparser) body(doc *Document) error {
	err := x.children("EPCISBody", func(se xml.StartElement) error {
		switch {
		case se.Name.Space == "" && se.Name.Local == "EventList" && doc.Header.Type == TypeEPCISDocument:
			x.listPath = "EPCISBody.EventList"
			return x.eventList(doc, "EPCISBody.EventList")
		case se.Name.Local == "QueryResults" && doc.Header.Type == TypeEPCISQueryDocument:
			return x.queryResults(doc)
		case se.Name.Space == "" && se.Name.Local == "VocabularyList" && doc.Header.Type == TypeEPCISMasterDataDocument:
			v, err := x.vocabularyList("EPCISBody.VocabularyList")
			if err == nil {
				doc.Header.BodyExtensions = append(doc.Header.BodyExtensions, Extension{Key: "vocabularyList", Value: v})
			}
			return err
		case se.Name.Space == "" && se.Name.Local == "extension":
			return x.children("EPCISBody.extension", func(c xml.StartElement) error {
				return x.headerExtension(&doc.Header.BodyExtensions, c)
			})
		case se.Name.Space != "":
			return x.headerExtension(&doc.Header.BodyExtensions, se)
		}
		x.failAt(x.line(), "EPCISBody."+se.Name.Local, "unknown element <%s> in the EPCISBody of an %s", se.Name.Local, doc.Header.Type)
		return x.skip()
	})
	if err != nil {
		return err
	}
	// EventList and VocabularyList are optional in the XSDs: a body
	// without one holds no events.
	if doc.Events == nil {
		doc.Events = []Event{}
	}
	return nil
}

// queryResults reads QueryResults {queryName, subscriptionID?, resultsBody}.
func (x *xparser) queryResults(doc *Document) error {
	const path = "EPCISBody.QueryResults"
	haveName := false
	err := x.children(path, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "queryName":
			haveName = true
			s, err := x.text(path + ".queryName")
			doc.Header.QueryName = s
			return err
		case "subscriptionID":
			s, err := x.text(path + ".subscriptionID")
			doc.Header.SubscriptionID = s
			return err
		case "resultsBody":
			return x.children(path+".resultsBody", func(c xml.StartElement) error {
				if c.Name.Local == "EventList" {
					x.listPath = path + ".resultsBody.EventList"
					return x.eventList(doc, x.listPath)
				}
				x.failAt(x.line(), path+".resultsBody."+c.Name.Local, "%s results are not events: only an EventList can be read", c.Name.Local)
				return x.skip()
			})
		case "extension":
			return x.skip()
		}
		if se.Name.Space != "" && se.Name.Space != NSQuery2 && se.Name.Space != NSQuery1 {
			return x.headerExtension(&doc.Header.BodyExtensions, se)
		}
		x.failAt(x.line(), path+"."+se.Name.Local, "unknown element <%s> in QueryResults", se.Name.Local)
		return x.skip()
	})
	if err == nil && !haveName {
		x.failAt(x.line(), path+".queryName", "required element queryName is missing")
	}
	return err
}

// eventList reads the events; an <extension> inside (EPCIS 1.x's place for
// TransformationEvent) is read as more events.
func (x *xparser) eventList(doc *Document, path string) error {
	if doc.Events == nil {
		doc.Events = []Event{}
	}
	return x.children(path, func(se xml.StartElement) error {
		if se.Name.Space != "" {
			x.failAt(x.line(), path, "element <%s> from namespace %s is not an event", se.Name.Local, se.Name.Space)
			return x.skip()
		}
		switch EventType(se.Name.Local) {
		case ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent, AssociationEvent:
		default:
			switch se.Name.Local {
			case "extension":
				return x.eventList(doc, path)
			case "QuantityEvent":
				x.failAt(x.line(), path, "QuantityEvent (EPCIS 1.x, deprecated) is not supported: send an ObjectEvent with a quantityList")
				return x.skip()
			}
			x.failAt(x.line(), path, "<%s> is not an event type (ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent, AssociationEvent)", se.Name.Local)
			return x.skip()
		}
		if len(doc.Events) >= x.opts.MaxEvents {
			x.add(EventError{Index: -1, Field: path, Reason: fmt.Sprintf("more than %d events in one document (ParseOptions.MaxEvents)", x.opts.MaxEvents), limit: true})
			return errXMLFatal
		}
		doc.Events = append(doc.Events, Event{Type: EventType(se.Name.Local)})
		x.idx = len(doc.Events) - 1
		x.evErr = len(x.errs)
		ev := &doc.Events[x.idx]
		if err := x.event(ev, se); err != nil {
			return err
		}
		for i := x.evErr; i < len(x.errs); i++ {
			x.errs[i].EventID = ev.EventID
		}
		x.idx = -1
		return nil
	})
}

// finishHeader builds the JSON-LD @context of a document read from XML:
// the EPCIS 2.0 context and one object declaring the namespaces its
// header and events use, so that it marshals as valid JSON-LD.
func (x *xparser) finishHeader(doc *Document) {
	ns := map[string]string{}
	add := func(m map[string]string) {
		for k, v := range m {
			if _, std := standardPrefixes[k]; !std {
				ns[k] = v
			}
		}
	}
	for i := range doc.Events {
		add(doc.Events[i].Namespaces)
	}
	hdr := map[string]string{}
	for _, l := range [...][]Extension{doc.Header.Extensions, doc.Header.BodyExtensions} {
		for _, e := range l {
			use := func(s string) {
				if p := curiePrefix(s); p != "" {
					if iri, ok := x.nsOf[p]; ok {
						hdr[p] = iri
					}
				}
			}
			use(e.Key)
			walkJSON(e.Value, use)
		}
	}
	add(hdr)
	if len(hdr) > 0 {
		doc.Header.Namespaces = hdr
	}
	ctx := []any{StandardContext}
	if len(ns) > 0 {
		ctx = append(ctx, ns)
	}
	doc.Header.Context, _ = json.Marshal(ctx)
	sortExtensions(doc.Header.Extensions)
	sortExtensions(doc.Header.BodyExtensions)
}
