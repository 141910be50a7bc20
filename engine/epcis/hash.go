package epcis

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file computes the EPCIS event hash ID of CBV 2.0 §8.9
// ("ni:///sha-256;…?ver=CBV2.0"): a SHA-256 over a canonical pre-hash
// string. The rules it follows, beyond the summary in standards.md, are
// those of the reference implementation (RalphTro/epcis-event-hash-generator,
// whose test vectors are in testdata/hash):
//
//   - the event is seen as a tree of (name, value, children) nodes in the
//     XML data model: list members become repeated children (epcList → epc,
//     quantityList → quantityElement, sensorElementList → sensorElement);
//   - the standard fields are concatenated in a fixed order (hashOrder) as
//     name=value, lists sorted as strings; the fields of readPoint,
//     bizLocation, sensorMetadata, sensorReport likewise;
//   - user extensions inside those (keys {namespace/}local) follow their
//     parent's standard fields, sorted;
//   - everything else — bizTransactionList, sourceList, destinationList,
//     ilmd, event-level extensions, unknown sensor fields — follows at the
//     end, sorted as strings at every level ("generic" part);
//   - values are normalised: times to UTC with milliseconds, CBV terms and
//     URNs to https://ref.gs1.org/cbv/… web URIs, numbers without trailing
//     zeros, EPC URNs and Digital Links to canonical https://id.gs1.org DLs,
//     compact IRIs ("prefix:x") expanded with the @context;
//   - eventID, recordTime, errorDeclaration and comments are left out.

// HashOptions tunes HashID. The zero value follows CBV 2.0 as is.
type HashOptions struct {
	// IgnoreFields lists extension members ("repository-x:hash") left out
	// of the hash, as a document's "…:ignoreFields" member asks.
	IgnoreFields []string
}

// HashID returns the CBV 2.0 event hash ID of ev, e.g.
// ni:///sha-256;6ae96341…?ver=CBV2.0. It never fails: a value the
// normalisation does not understand is hashed as written.
func HashID(ev *Event, opts *HashOptions) string {
	sum := sha256.Sum256([]byte(PreHash(ev, opts)))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
}

// PreHash returns the canonical pre-hash string of ev (what HashID hashes),
// for finding where two implementations diverge.
func PreHash(ev *Event, opts *HashOptions) string {
	h := hasher{ns: ev.Namespaces}
	if opts != nil {
		for _, f := range opts.IgnoreFields {
			h.ignore = append(h.ignore, h.key(f))
		}
	}
	kids := h.eventNodes(ev)
	var b strings.Builder
	b.WriteString("eventType=")
	b.WriteString(string(ev.Type))
	b.WriteString(h.ordered(&kids, hashOrder))
	b.WriteString(h.generic(kids))
	return b.String()
}

// hnode is one node of the hash tree. A pair node (a bizTransaction,
// source or destination entry) has no name and is written as its children.
type hnode struct {
	name  string
	value string
	kids  []*hnode
	pair  bool
}

// horder is the canonical order of a node's children; sub orders the
// grandchildren.
type horder []struct {
	name string
	sub  horder
}

var quantityOrder = horder{{"quantityElement", horder{{"epcClass", nil}, {"quantity", nil}, {"uom", nil}}}}

var hashOrder = horder{
	{"eventTime", nil},
	{"eventTimeZoneOffset", nil},
	{"certificationInfo", nil},
	{"parentID", nil},
	{"epcList", horder{{"epc", nil}}},
	{"inputEPCList", horder{{"epc", nil}}},
	{"childEPCs", horder{{"epc", nil}}},
	{"quantityList", quantityOrder},
	{"childQuantityList", quantityOrder},
	{"inputQuantityList", quantityOrder},
	{"outputEPCList", horder{{"epc", nil}}},
	{"outputQuantityList", quantityOrder},
	{"action", nil},
	{"transformationID", nil},
	{"bizStep", nil},
	{"disposition", nil},
	{"persistentDisposition", horder{{"set", nil}, {"unset", nil}}},
	{"readPoint", horder{{"id", nil}}},
	{"bizLocation", horder{{"id", nil}}},
	// bizTransactionList, sourceList and destinationList are hashed in
	// the generic part, as the reference implementation does.
	{"sensorElementList", horder{{"sensorElement", horder{
		{"sensorMetadata", horder{
			{"time", nil}, {"startTime", nil}, {"endTime", nil}, {"deviceID", nil},
			{"deviceMetadata", nil}, {"rawData", nil}, {"dataProcessingMethod", nil}, {"bizRules", nil},
		}},
		{"sensorReport", horder{
			{"type", nil}, {"exception", nil}, {"deviceID", nil}, {"deviceMetadata", nil},
			{"rawData", nil}, {"dataProcessingMethod", nil}, {"time", nil}, {"microorganism", nil},
			{"chemicalSubstance", nil}, {"value", nil}, {"component", nil}, {"stringValue", nil},
			{"booleanValue", nil}, {"hexBinaryValue", nil}, {"uriValue", nil}, {"minValue", nil},
			{"maxValue", nil}, {"meanValue", nil}, {"sDev", nil}, {"percRank", nil},
			{"percValue", nil}, {"uom", nil}, {"coordinateReferenceSystem", nil},
		}},
	}}}},
}

type hasher struct {
	ns     map[string]string
	ignore []string
}

// prefixIRI resolves a prefix with the event's namespaces, then those of
// the EPCIS context.
func (h *hasher) prefixIRI(p string) (string, bool) {
	if iri, ok := h.ns[p]; ok {
		return iri, true
	}
	iri, ok := standardPrefixes[p]
	return iri, ok
}

// key expands a member name "prefix:local" to "{iri}local".
func (h *hasher) key(k string) string {
	if p := curiePrefix(k); p != "" {
		if iri, ok := h.prefixIRI(p); ok {
			return "{" + iri + "}" + k[len(p)+1:]
		}
	}
	return k
}

// value expands a compact IRI value "prefix:x" to "iri" + "x".
func (h *hasher) value(v string) string {
	if p := curiePrefix(v); p != "" {
		if iri, ok := h.prefixIRI(p); ok {
			return iri + v[len(p)+1:]
		}
	}
	return v
}

func leaf(name, value string) *hnode { return &hnode{name: name, value: value} }

// eventNodes builds the children of the event node.
func (h *hasher) eventNodes(ev *Event) []*hnode {
	var n []*hnode
	if !ev.EventTime.IsZero() {
		n = append(n, leaf("eventTime", ev.EventTime.Format(time.RFC3339Nano)))
	}
	if ev.EventTimeZoneOffset != "" {
		n = append(n, leaf("eventTimeZoneOffset", ev.EventTimeZoneOffset))
	}
	for _, c := range ev.CertificationInfo {
		n = append(n, leaf("certificationInfo", h.value(c)))
	}
	if !ev.ParentID.IsZero() {
		n = append(n, leaf("parentID", h.value(ev.ParentID.Raw)))
	}
	epcs := func(name string, l []Identifier) {
		if l == nil {
			return
		}
		p := &hnode{name: name}
		for _, id := range l {
			p.kids = append(p.kids, leaf("epc", h.value(id.Raw)))
		}
		n = append(n, p)
	}
	qs := func(name string, l []QuantityElement) {
		if l == nil {
			return
		}
		p := &hnode{name: name}
		for _, q := range l {
			e := &hnode{name: "quantityElement"}
			e.kids = append(e.kids, leaf("epcClass", h.value(q.EPCClass.Raw)))
			if q.HasQuantity {
				e.kids = append(e.kids, leaf("quantity", pyNumber(q.Quantity)))
			}
			if q.UOM != "" {
				e.kids = append(e.kids, leaf("uom", q.UOM))
			}
			p.kids = append(p.kids, e)
		}
		n = append(n, p)
	}
	epcs("epcList", ev.EPCList)
	epcs("childEPCs", ev.ChildEPCs)
	epcs("inputEPCList", ev.InputEPCList)
	epcs("outputEPCList", ev.OutputEPCList)
	qs("quantityList", ev.QuantityList)
	qs("childQuantityList", ev.ChildQuantityList)
	qs("inputQuantityList", ev.InputQuantityList)
	qs("outputQuantityList", ev.OutputQuantityList)
	if ev.Action != "" {
		n = append(n, leaf("action", string(ev.Action)))
	}
	if ev.TransformationID != "" {
		n = append(n, leaf("transformationID", h.value(ev.TransformationID)))
	}
	if ev.BizStep != "" {
		n = append(n, leaf("bizStep", h.value(ev.BizStep.URI())))
	}
	if ev.Disposition != "" {
		n = append(n, leaf("disposition", h.value(ev.Disposition.URI())))
	}
	if pd := ev.PersistentDisposition; !pd.IsZero() {
		p := &hnode{name: "persistentDisposition"}
		for _, d := range pd.Set {
			p.kids = append(p.kids, leaf("set", h.value(d.URI())))
		}
		for _, d := range pd.Unset {
			p.kids = append(p.kids, leaf("unset", h.value(d.URI())))
		}
		n = append(n, p)
	}
	for _, l := range [...]struct {
		name string
		loc  Location
	}{{"readPoint", ev.ReadPoint}, {"bizLocation", ev.BizLocation}} {
		if l.loc.IsZero() {
			continue
		}
		p := &hnode{name: l.name}
		if !l.loc.ID.IsZero() {
			p.kids = append(p.kids, leaf("id", h.value(l.loc.ID.Raw)))
		}
		p.kids = append(p.kids, h.extNodes(l.loc.Extensions)...)
		n = append(n, p)
	}
	if len(ev.BizTransactionList) > 0 {
		p := &hnode{name: "bizTransactionList"}
		for _, bt := range ev.BizTransactionList {
			pr := &hnode{pair: true}
			if bt.Type != "" {
				pr.kids = append(pr.kids, leaf("type", h.value(bt.Type.URI())))
			}
			pr.kids = append(pr.kids, leaf("bizTransaction", h.value(bt.ID)))
			p.kids = append(p.kids, pr)
		}
		n = append(n, p)
	}
	for _, l := range [...]struct {
		name, id string
		list     []SourceDest
	}{{"sourceList", "source", ev.SourceList}, {"destinationList", "destination", ev.DestinationList}} {
		if len(l.list) == 0 {
			continue
		}
		p := &hnode{name: l.name}
		for _, sd := range l.list {
			pr := &hnode{pair: true}
			if sd.Type != "" {
				pr.kids = append(pr.kids, leaf("type", h.value(sd.Type.URI())))
			}
			pr.kids = append(pr.kids, leaf(l.id, h.value(sd.ID.Raw)))
			p.kids = append(p.kids, pr)
		}
		n = append(n, p)
	}
	if ev.SensorElementList != nil {
		n = append(n, h.jsonNodes("sensorElementList", ev.SensorElementList, "sensorElement")...)
	}
	if ev.ILMD != nil {
		n = append(n, h.jsonNodes("ilmd", ev.ILMD, "")...)
	}
	n = append(n, h.extNodes(ev.Extensions)...)
	return n
}

// extNodes converts extension members, skipping comments and ignored keys.
func (h *hasher) extNodes(x []Extension) []*hnode {
	var n []*hnode
	for _, m := range x {
		if m.Key == "rdfs:comment" || m.Key == "comment" {
			continue
		}
		k := h.key(m.Key)
		if slices.Contains(h.ignore, k) {
			continue
		}
		n = append(n, h.jsonNodes(k, m.Value, "")...)
	}
	return n
}

// jsonNodes converts the raw JSON value of member name into nodes. When
// item is set (a JSON list standing for an XML list element), the list
// becomes one node name whose children are named item.
func (h *hasher) jsonNodes(name string, raw []byte, item string) []*hnode {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return []*hnode{leaf(name, string(raw))}
	}
	if item != "" {
		p := &hnode{name: name}
		if l, ok := v.([]any); ok {
			for _, e := range l {
				p.kids = append(p.kids, h.toNodes(item, e, name)...)
			}
		}
		return []*hnode{p}
	}
	return h.toNodes(name, v, "")
}

// toNodes converts a decoded JSON value under name; parent names the
// enclosing standard structure (for the CBV terms sensor reports use).
func (h *hasher) toNodes(name string, v any, parent string) []*hnode {
	switch x := v.(type) {
	case string:
		if parent == "sensorReport" && !strings.Contains(x, ":") {
			switch name {
			case "type", "exception":
				x = "https://gs1.org/voc/" + x
			case "component":
				x = webCBV + "Comp-" + x
			}
		}
		return []*hnode{leaf(name, h.value(x))}
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return []*hnode{leaf(name, x.String())}
		}
		return []*hnode{leaf(name, pyNumber(f))}
	case bool:
		if x {
			return []*hnode{leaf(name, "True")}
		}
		return []*hnode{leaf(name, "False")}
	case nil:
		return []*hnode{leaf(name, "None")}
	case []any:
		var n []*hnode
		for _, e := range x {
			if inner, ok := e.([]any); ok {
				p := &hnode{name: name}
				for _, ie := range inner {
					p.kids = append(p.kids, h.toNodes("", ie, "")...)
				}
				n = append(n, p)
				continue
			}
			n = append(n, h.toNodes(name, e, parent)...)
		}
		return n
	case map[string]any:
		p := &hnode{name: name}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if k == "#text" || k == "rdfs:comment" || k == "comment" {
				continue
			}
			kk := h.key(k)
			if slices.Contains(h.ignore, kk) {
				continue
			}
			p.kids = append(p.kids, h.toNodes(kk, x[k], name)...)
		}
		return []*hnode{p}
	}
	return nil
}

// ordered writes the children of *kids named in order, in that order, and
// removes those fully consumed; what is left goes to the generic part.
func (h *hasher) ordered(kids *[]*hnode, order horder) string {
	ext := gatherUserExtensions(kids)
	var pre strings.Builder
	var vals []string
	for _, o := range order {
		vals = vals[:0]
		keep := (*kids)[:0]
		for _, c := range *kids {
			if c.pair || c.name != o.name {
				keep = append(keep, c)
				continue
			}
			if s := h.childString(c, o.sub); s != "" {
				vals = append(vals, s)
			}
			if len(c.kids) > 0 {
				keep = append(keep, c)
			}
		}
		*kids = keep
		slices.Sort(vals)
		for _, v := range vals {
			pre.WriteString(v)
		}
	}
	if len(ext) > 0 {
		pre.WriteString(h.generic(ext))
	}
	return pre.String()
}

// gatherUserExtensions takes the user extensions ({ns/}local) out of a
// child list that is not an event (no eventTime or action) and has more
// than one child.
func gatherUserExtensions(kids *[]*hnode) []*hnode {
	if len(*kids) <= 1 {
		return nil
	}
	for _, c := range *kids {
		if strings.Contains(c.name, "eventTime") || strings.Contains(c.name, "action") {
			return nil
		}
	}
	var ext []*hnode
	keep := (*kids)[:0]
	for _, c := range *kids {
		if strings.Contains(c.name, "{") && strings.Contains(c.name, "/}") {
			ext = append(ext, c)
		} else {
			keep = append(keep, c)
		}
	}
	*kids = keep
	return ext
}

func (h *hasher) childString(c *hnode, sub horder) string {
	var grand string
	if sub != nil {
		grand = h.ordered(&c.kids, sub)
	}
	var text string
	if c.value != "" {
		text = strings.TrimSpace(c.value)
		lower := strings.ToLower(c.name)
		if strings.Contains(lower, "time") && !strings.Contains(lower, "offset") {
			text = fixTime(text)
		} else {
			text = canonize(text)
		}
		if text != "" {
			text = "=" + text
		}
	}
	if text != "" || grand != "" {
		return c.name + text + grand
	}
	return ""
}

// generic writes nodes as name=value followed by their children, sorted
// as strings at each level except inside a (type, id) pair.
func (h *hasher) generic(kids []*hnode) string {
	vals := make([]string, 0, len(kids))
	sortable := true
	for _, c := range kids {
		switch c.name {
		case "bizTransaction", "source", "destination":
			sortable = false
		}
		if c.pair {
			vals = append(vals, h.generic(c.kids))
			continue
		}
		s := c.name
		if t := strings.TrimSpace(c.value); t != "" {
			s += "=" + canonize(t)
		}
		vals = append(vals, s+h.generic(c.kids))
	}
	if len(vals) > 1 && sortable {
		slices.Sort(vals)
	}
	return strings.Join(vals, "")
}

// cbvURNs maps CBV 1.x URN prefixes to their CBV 2.0 web URI prefixes.
var cbvURNs = strings.NewReplacer(
	"urn:epcglobal:cbv:bizstep:", webCBV+"BizStep-",
	"urn:epcglobal:cbv:disp:", webCBV+"Disp-",
	"urn:epcglobal:cbv:btt:", webCBV+"BTT-",
	"urn:epcglobal:cbv:sdt:", webCBV+"SDT-",
	"urn:epcglobal:cbv:er:", webCBV+"ER-",
)

// canonize normalises a value: CBV URNs to web URIs, numbers to their
// shortest form, GS1 identifiers to canonical Digital Links.
func canonize(s string) string {
	if strings.Contains(s, "urn:epcglobal:cbv:") {
		s = cbvURNs.Replace(s)
	}
	if f, ok := parsePyFloat(s); ok {
		s = pyNumber(f)
	}
	if dl, ok := canonicalDL(s); ok {
		return dl
	}
	return s
}

// fixTime writes an RFC 3339 time in UTC with exactly three fractional
// digits, rounding microseconds half to even as the reference does; text
// that is not a time is returned unchanged.
func fixTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return formatHashTime(t)
}

func formatHashTime(t time.Time) string {
	t = t.UTC()
	us := t.Nanosecond() / 1000
	ms, r := us/1000, us%1000
	if r > 500 || r == 500 && ms%2 == 1 {
		ms++
	}
	t = t.Truncate(time.Second).Add(time.Duration(ms) * time.Millisecond)
	return t.Format("2006-01-02T15:04:05.000Z")
}

// parsePyFloat accepts the decimal number syntax of Python's float():
// optional sign, digits with an optional fraction, optional exponent.
// Infinities and NaN are not numbers here (the reference leaves them).
func parsePyFloat(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	if math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// pyNumber formats f as the reference does (Python's str of the float, or
// of the integer when f is integral).
func pyNumber(f float64) string {
	if f == math.Trunc(f) && !math.IsInf(f, 0) {
		if f == 0 {
			return "0"
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	if a := math.Abs(f); a < 1e-4 {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// HashOptions returns the hash options a document asks for: the members
// listed in any "prefix:ignoreFields" array at the top level, in epcisBody
// or in queryResults (a convention of the reference implementation for
// repository-internal fields such as a stored hash or capture ID).
func (h *Header) HashOptions() *HashOptions {
	o := &HashOptions{}
	for _, l := range [...][]Extension{h.Extensions, h.BodyExtensions} {
		for _, x := range l {
			if !strings.HasSuffix(x.Key, ":ignoreFields") {
				continue
			}
			var fields []string
			if json.Unmarshal(x.Value, &fields) == nil {
				o.IgnoreFields = append(o.IgnoreFields, fields...)
			}
		}
	}
	return o
}

// HashDigest extracts the SHA-256 digest of a CBV event hash ID
// (ni:///sha-256;HEX?ver=CBV2.0).
func HashDigest(id string) ([32]byte, error) {
	var h [32]byte
	const pre = "ni:///sha-256;"
	if !strings.HasPrefix(id, pre) || len(id) < len(pre)+64 {
		return h, fmt.Errorf("epcis: %q is not a CBV event hash ID", id)
	}
	if _, err := hex.Decode(h[:], []byte(id[len(pre):len(pre)+64])); err != nil {
		return h, fmt.Errorf("epcis: event hash ID %q: %v", id, err)
	}
	return h, nil
}
