package epcis

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// Defaults for ParseOptions fields left zero.
const (
	DefaultMaxEvents       = 100_000
	DefaultMaxEPCsPerEvent = 1_000_000
	DefaultMaxBytes        = 256 << 20
	DefaultMaxErrors       = 10_000
	DefaultMaxFutureSkew   = 10 * time.Minute
)

// ParseOptions controls ParseDocument. The zero value is usable: identifiers
// are syntax-checked only, there is no future-time check, and the limits
// take their defaults.
type ParseOptions struct {
	// Normalizer, if set, maps every identifier (EPCs, parentID, epcClass,
	// readPoint/bizLocation id, source/destination) to the caller's
	// canonical form, stored in Identifier.Canon; its errors become
	// EventErrors. Nil: Canon = Raw after the default syntax check
	// (urn:… or http(s)://…).
	Normalizer IDNormalizer

	// Now enables the future-time check: an eventTime later than
	// Now+MaxFutureSkew is an error. Zero: no check.
	Now time.Time
	// MaxFutureSkew is how far past Now an eventTime may be.
	// Zero: DefaultMaxFutureSkew (10 minutes). Used only when Now is set.
	MaxFutureSkew time.Duration

	// MaxEvents is the most events a document may hold.
	// Zero: DefaultMaxEvents (100,000).
	MaxEvents int
	// MaxEPCsPerEvent bounds each EPC list and each quantity list of one
	// event. Zero: DefaultMaxEPCsPerEvent (1,000,000).
	MaxEPCsPerEvent int
	// MaxBytes bounds the document size in bytes.
	// Zero: DefaultMaxBytes (256 MiB).
	MaxBytes int64
	// MaxErrors is how many EventErrors are kept; later ones are only
	// counted in DocumentError.Dropped. Zero: DefaultMaxErrors (10,000).
	MaxErrors int

	// XMLAnyOrder lets ParseXML accept the elements of an EPCIS 2.0 event
	// in any order (some exporters do not follow the XSD's sequence); the
	// meaning does not depend on it. False (the default): the XSD's order
	// is required. EPCIS 1.x documents are never held to an order.
	XMLAnyOrder bool

	// PersistentDispositionAnywhere lets ParseDocument accept
	// persistentDisposition in every event type, as the XSD does (the JSON
	// schema allows it in ObjectEvent and TransformationEvent only). The
	// ledger keeps an XML-captured AggregationEvent, TransactionEvent or
	// AssociationEvent with one as JSON-LD: its readers set it. False:
	// the JSON schema's rule.
	PersistentDispositionAnywhere bool
}

func (o *ParseOptions) ensureDefaults() {
	if o.MaxFutureSkew <= 0 {
		o.MaxFutureSkew = DefaultMaxFutureSkew
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = DefaultMaxEvents
	}
	if o.MaxEPCsPerEvent <= 0 {
		o.MaxEPCsPerEvent = DefaultMaxEPCsPerEvent
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = DefaultMaxErrors
	}
}

// Document types.
const (
	TypeEPCISDocument      = "EPCISDocument"
	TypeEPCISQueryDocument = "EPCISQueryDocument"
)

// StandardContext is the EPCIS 2.0 JSON-LD context every document must
// name in its @context.
const StandardContext = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

// acceptedContexts are the spellings of the EPCIS 2.0 context accepted as
// StandardContext: the versioned URL, the unversioned alias and GS1's
// development copy.
var acceptedContexts = []string{
	StandardContext,
	"https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
	"https://gs1.github.io/EPCIS/epcis-context.jsonld",
}

// fatal aborts parsing: the JSON is malformed or a limit makes going on
// pointless. The error is already recorded.
var errFatal = errors.New("epcis: fatal")

// ParseDocument reads an EPCIS 2.0 JSON(-LD) EPCISDocument or
// EPCISQueryDocument and validates it: the header (@context naming the
// EPCIS 2.0 context, type, schemaVersion "2.0", creationDate), every event
// (required fields per type, times, offsets, actions, CBV vocabularies,
// identifiers) and the size limits. It returns the document, or a
// *DocumentError listing everything wrong (all events, all fields) and no
// document: the caller applies all of it or nothing.
//
// ParseDocument reads r to the end or to the first malformed JSON; it does
// no other I/O.
func ParseDocument(r io.Reader, opts ParseOptions) (*Document, error) {
	opts.ensureDefaults()
	lr := &limitReader{r: r, n: opts.MaxBytes}
	p := &parser{opts: opts, lr: lr, idx: -1}
	if opts.PersistentDispositionAnywhere {
		p.extraAllowed = fPersistentDisposition
	}
	// Duplicate names are reported by object (with the path and without
	// stopping), not by the decoder, which would abort the whole parse.
	p.dec = jsontext.NewDecoder(lr, jsontext.AllowDuplicateNames(true))
	doc := p.document()
	if len(p.errs) > 0 {
		return nil, &DocumentError{Errors: p.errs, Dropped: p.dropped}
	}
	return doc, nil
}

// limitReader is io.LimitReader that remembers it hit the limit.
type limitReader struct {
	r   io.Reader
	n   int64
	hit bool
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.n <= 0 {
		l.hit = true
		return 0, errTooBig
	}
	if int64(len(b)) > l.n {
		b = b[:l.n]
	}
	n, err := l.r.Read(b)
	l.n -= int64(n)
	return n, err
}

var errTooBig = errors.New("document too large")

// parser holds the state of one ParseDocument call.
type parser struct {
	dec     *jsontext.Decoder
	lr      *limitReader
	opts    ParseOptions
	errs    []EventError
	dropped int

	// idx is the event being parsed (-1: the document); listPath is the
	// JSON path of the event list, evErr the index in errs of the current
	// event's first error.
	idx      int
	listPath string
	evErr    int

	// extraAllowed are fields allowed in every event type on top of the
	// JSON schema's table: the XSD allows persistentDisposition in all.
	extraAllowed field

	// strs interns short strings that repeat across events (member names,
	// offsets, CBV values, locations): profiling the 1,000-event benchmark
	// showed one allocation per member name and value otherwise.
	strs map[string]string
}

// maxIntern bounds the intern table (entries) and the interned length.
const (
	maxIntern    = 4096
	maxInternLen = 128
)

// intern returns the string of a string token, shared with earlier equal
// strings of this parse.
func (p *parser) intern(tok jsontext.Token) string {
	s := tok.String() // does not escape: converted without allocating when short
	if v, ok := p.strs[s]; ok {
		return v
	}
	v := strings.Clone(s)
	if len(v) <= maxInternLen && len(p.strs) < maxIntern {
		if p.strs == nil {
			p.strs = make(map[string]string, 64)
		}
		p.strs[v] = v
	}
	return v
}

// fail records an error at path (relative to the current event, or to the
// document when p.idx < 0).
func (p *parser) fail(path, format string, args ...any) {
	p.add(EventError{Index: p.idx, Field: p.absPath(path), Reason: fmt.Sprintf(format, args...)})
}

func (p *parser) add(e EventError) {
	if len(p.errs) >= p.opts.MaxErrors {
		p.dropped++
		return
	}
	p.errs = append(p.errs, e)
}

// absPath turns a path relative to the current event into a document path.
func (p *parser) absPath(rel string) string {
	if p.idx < 0 {
		return rel
	}
	base := p.listPath + "[" + strconv.Itoa(p.idx) + "]"
	if rel == "" {
		return base
	}
	return base + "." + rel
}

// syntax records a read error from the decoder and returns errFatal.
func (p *parser) syntax(err error) error {
	if p.lr.hit || errors.Is(err, errTooBig) {
		p.add(EventError{Index: p.idx, Reason: fmt.Sprintf("document is larger than %d bytes", p.opts.MaxBytes), limit: true})
		return errFatal
	}
	e := EventError{Index: p.idx, Reason: err.Error(), syntax: true}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		e.Field = pointerPath(se.JSONPointer)
		e.Reason = fmt.Sprintf("malformed JSON at byte %d: %v", se.ByteOffset, se.Err)
	} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		e.Reason = "malformed JSON: unexpected end of input"
	}
	p.add(e)
	return errFatal
}

// pointerPath turns a JSON pointer (/epcisBody/eventList/3) into the path
// notation of EventError.Field (epcisBody.eventList[3]).
func pointerPath(ptr jsontext.Pointer) string {
	var b strings.Builder
	for tok := range ptr.Tokens() {
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// document parses the top-level object.
func (p *parser) document() *Document {
	doc := &Document{}
	var haveCtx, haveType, haveVersion, haveDate, haveBody bool
	var listFrom string // where the event list came from
	err := p.object("", func(key string) error {
		switch key {
		case "@context":
			haveCtx = true
			v, err := p.rawValue()
			if err != nil {
				return err
			}
			doc.Header.Context = v
			ns, errMsg := parseContext(v, true)
			if errMsg != "" {
				p.fail("@context", "%s", errMsg)
			}
			doc.Header.Namespaces = ns
		case "type":
			haveType = true
			s, ok, err := p.str("type")
			if err != nil || !ok {
				return err
			}
			if s != TypeEPCISDocument && s != TypeEPCISQueryDocument {
				p.fail("type", "document type %q is neither EPCISDocument nor EPCISQueryDocument", s)
			}
			doc.Header.Type = s
		case "schemaVersion":
			haveVersion = true
			s, ok, err := p.str("schemaVersion")
			if err != nil || !ok {
				return err
			}
			if s != "2.0" && !strings.HasPrefix(s, "2.0.") {
				p.fail("schemaVersion", "schemaVersion %q is not 2.0", s)
			}
			doc.Header.SchemaVersion = s
		case "creationDate":
			haveDate = true
			doc.Header.CreationDate, _ = p.timeValue("creationDate")
		case "epcisBody":
			haveBody = true
			return p.body(doc, &listFrom)
		case "id", "sender", "receiver", "instanceIdentifier", "epcisHeader":
			return p.extension(&doc.Header.Extensions, key)
		default:
			if !isURI(key) {
				p.fail(key, "unknown document field %q (extensions need a namespace prefix, e.g. \"example:%s\")", key, key)
				return p.dec.SkipValue()
			}
			return p.extension(&doc.Header.Extensions, key)
		}
		return nil
	})
	if err != nil {
		if err != errFatal {
			p.syntax(err)
		}
		return nil
	}
	if _, err := p.dec.ReadToken(); err != io.EOF {
		p.fail("", "unexpected data after the document")
	}
	for _, m := range []struct {
		have bool
		name string
	}{{haveCtx, "@context"}, {haveType, "type"}, {haveVersion, "schemaVersion"}, {haveDate, "creationDate"}, {haveBody, "epcisBody"}} {
		if !m.have {
			p.fail(m.name, "required document field %q is missing", m.name)
		}
	}
	switch {
	case !haveBody:
	case listFrom == "":
		p.fail("epcisBody", "epcisBody has no eventList")
	case doc.Header.Type == TypeEPCISDocument && listFrom != "eventList":
		p.fail("epcisBody", "an EPCISDocument carries its events in epcisBody.eventList, not in queryResults")
	case doc.Header.Type == TypeEPCISQueryDocument && listFrom != "queryResults":
		p.fail("epcisBody", "an EPCISQueryDocument carries its events in epcisBody.queryResults.resultsBody.eventList")
	}
	sortExtensions(doc.Header.Extensions)
	sortExtensions(doc.Header.BodyExtensions)
	for i := range doc.Events {
		p.idx = i
		n := len(p.errs)
		p.finishNamespaces(&doc.Events[i], doc.Header.Namespaces)
		for j := n; j < len(p.errs); j++ {
			p.errs[j].EventID = doc.Events[i].EventID
		}
	}
	p.idx = -1
	return doc
}

// body parses epcisBody.
func (p *parser) body(doc *Document, listFrom *string) error {
	return p.object("epcisBody", func(key string) error {
		switch key {
		case "eventList":
			*listFrom = key
			p.listPath = "epcisBody.eventList"
			return p.eventList(doc)
		case "queryResults":
			*listFrom = key
			var haveName, haveResults bool
			err := p.object("epcisBody.queryResults", func(key string) error {
				switch key {
				case "queryName":
					haveName = true
					s, _, err := p.str("epcisBody.queryResults.queryName")
					doc.Header.QueryName = s
					return err
				case "subscriptionID":
					s, _, err := p.str("epcisBody.queryResults.subscriptionID")
					doc.Header.SubscriptionID = s
					return err
				case "resultsBody":
					haveResults = true
					haveList := false
					err := p.object("epcisBody.queryResults.resultsBody", func(key string) error {
						if key == "eventList" {
							haveList = true
							p.listPath = "epcisBody.queryResults.resultsBody.eventList"
							return p.eventList(doc)
						}
						return p.bodyExtension(doc, "epcisBody.queryResults.resultsBody", "resultsBody.", key)
					})
					if err == nil && !haveList {
						p.fail("epcisBody.queryResults.resultsBody", "resultsBody has no eventList")
					}
					return err
				}
				return p.bodyExtension(doc, "epcisBody.queryResults", "queryResults.", key)
			})
			if err == nil && !haveName {
				p.fail("epcisBody.queryResults.queryName", "required field queryName is missing")
			}
			if err == nil && !haveResults {
				p.fail("epcisBody.queryResults.resultsBody", "required field resultsBody is missing")
			}
			return err
		}
		return p.bodyExtension(doc, "epcisBody", "", key)
	})
}

func (p *parser) bodyExtension(doc *Document, path, prefix, key string) error {
	if !isURI(key) {
		p.fail(path+"."+key, "unknown field %q", key)
		return p.dec.SkipValue()
	}
	return p.extension(&doc.Header.BodyExtensions, prefix+key)
}

// eventList parses the array of events.
func (p *parser) eventList(doc *Document) error {
	path := p.listPath
	if k := p.peek(); k != '[' {
		if k == 0 {
			_, err := p.dec.ReadToken()
			return err
		}
		p.fail(path, "eventList must be an array")
		return p.dec.SkipValue()
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return err
	}
	if doc.Events == nil {
		doc.Events = []Event{}
	}
	for p.peek() != ']' {
		if len(doc.Events) >= p.opts.MaxEvents {
			p.add(EventError{Index: -1, Field: path, Reason: fmt.Sprintf("more than %d events in one document (ParseOptions.MaxEvents)", p.opts.MaxEvents), limit: true})
			return errFatal
		}
		doc.Events = append(doc.Events, Event{})
		p.idx = len(doc.Events) - 1
		p.evErr = len(p.errs)
		if err := p.event(&doc.Events[p.idx]); err != nil {
			return err
		}
		for i := p.evErr; i < len(p.errs); i++ {
			p.errs[i].EventID = doc.Events[p.idx].EventID
		}
		p.idx = -1
	}
	_, err := p.dec.ReadToken()
	return err
}

// object reads an object at path, calling member for each key with the
// decoder positioned at the value; member must consume the value.
// A value that is not an object is reported and skipped.
func (p *parser) object(path string, member func(key string) error) error {
	k := p.peek()
	if k != '{' {
		if k == 0 {
			_, err := p.dec.ReadToken()
			return err
		}
		if path == "" {
			p.fail("", "the document is not a JSON object")
			return errFatal
		}
		p.fail(path, "must be an object, not %s", kindName(k))
		return p.dec.SkipValue()
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return err
	}
	var seenBuf [32]string
	seen := seenBuf[:0]
	for p.peek() != '}' {
		tok, err := p.dec.ReadToken()
		if err != nil {
			return err
		}
		key := p.intern(tok)
		dup := false
		for _, k := range seen {
			if k == key {
				dup = true
				break
			}
		}
		if dup {
			rel := key
			if path != "" {
				rel = path + "." + key
			}
			p.fail(rel, "duplicate member %q: a JSON object must not repeat a name", key)
			if err := p.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		seen = append(seen, key)
		if err := member(key); err != nil {
			return err
		}
	}
	_, err := p.dec.ReadToken()
	return err
}

// str reads a string value that is likely to repeat across events (see
// intern); a value of another kind is reported (ok false) and skipped.
func (p *parser) str(path string) (s string, ok bool, err error) {
	return p.readString(path, true)
}

// strRaw is str for values that rarely repeat (IDs, times).
func (p *parser) strRaw(path string) (s string, ok bool, err error) {
	return p.readString(path, false)
}

func (p *parser) readString(path string, intern bool) (s string, ok bool, err error) {
	k := p.peek()
	if k != '"' {
		if k == 0 {
			_, err := p.dec.ReadToken()
			return "", false, err
		}
		p.fail(path, "must be a string, not %s", kindName(k))
		return "", false, p.dec.SkipValue()
	}
	tok, err := p.dec.ReadToken()
	if err != nil {
		return "", false, err
	}
	if intern {
		return p.intern(tok), true, nil
	}
	return tok.String(), true, nil
}

// rawValue reads any value and returns a compact copy of it.
func (p *parser) rawValue() ([]byte, error) {
	v, err := p.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	c := v.Clone()
	if err := c.Compact(); err != nil {
		return nil, err
	}
	return c, nil
}

// extension reads the value of key as a verbatim extension.
func (p *parser) extension(dst *[]Extension, key string) error {
	v, err := p.rawValue()
	if err != nil {
		return err
	}
	*dst = append(*dst, Extension{Key: key, Value: v})
	return nil
}

// timeValue reads an RFC 3339 date-time with optional fractional seconds
// and a zone (Z or ±hh:mm).
func (p *parser) timeValue(path string) (time.Time, bool) {
	s, ok, err := p.strRaw(path)
	if err != nil || !ok {
		return time.Time{}, false
	}
	t, perr := parseTime(s)
	if perr != nil {
		p.fail(path, "%v", perr)
		return time.Time{}, false
	}
	return t, true
}

// parseTime parses an RFC 3339 date-time. It keeps the offset written.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 date-time with a time zone (e.g. 2005-04-03T20:33:31.116-06:00)", s)
	}
	return t, nil
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "nothing"
}

// peek returns the kind of the next token, or 0 when the input there is
// not a JSON value (the next read then returns the syntax error).
func (p *parser) peek() jsontext.Kind {
	switch k := p.dec.PeekKind(); k {
	case '{', '}', '[', ']', '"', '0', 't', 'f', 'n':
		return k
	}
	return 0
}
