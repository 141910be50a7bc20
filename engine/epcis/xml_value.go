package epcis

import (
	"encoding/json"
	"encoding/xml"
	"math"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// This file converts the parts of an XML event the model keeps verbatim as
// JSON (extensions, ILMD, sensor data, master data) the way EPCIS 2.0 maps
// XML to JSON-LD.

// member is one converted child: its JSON key and value.
type member struct {
	key string
	val []byte
}

// anyValue converts the element just started (key is its JSON key): text
// only → a JSON string; attributes or child elements → an object of them,
// with non-blank text alongside as "@value".
func (x *xparser) anyValue(key string, se xml.StartElement, depth int) ([]byte, error) {
	if depth >= maxXMLDepth {
		x.failAt(x.line(), key, "extension nested more than %d levels deep", maxXMLDepth)
		return []byte("null"), x.skip()
	}
	var ms []member
	for _, a := range se.Attr {
		if a.Name.Space == nsXMLNS || a.Name.Space == nsXSI || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		k := x.qname(a.Name)
		x.use(k)
		x.use(a.Value)
		ms = append(ms, member{k, quoteJSON(a.Value)})
	}
	var text []byte
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return nil, x.readErr(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			s := strings.TrimSpace(string(text))
			if len(ms) == 0 {
				if v, typed := x.typedValue(key, se, s); typed {
					return v, nil
				}
				x.use(s)
				return quoteJSON(s), nil
			}
			if s != "" {
				ms = append(ms, member{"@value", quoteJSON(s)})
			}
			return objectOf(ms), nil
		case xml.CharData:
			text = append(text, t...)
		case xml.StartElement:
			x.declare(&t)
			if len(ms) >= x.opts.MaxEPCsPerEvent {
				x.failAt(x.line(), key, "more than %d members in one extension element", x.opts.MaxEPCsPerEvent)
				return nil, errXMLFatal
			}
			t.Name.Space = unqualify(t.Name.Space)
			k := x.qname(t.Name)
			x.use(k)
			v, err := x.anyValue(key+"."+k, t, depth+1)
			if err != nil {
				return nil, err
			}
			ms = append(ms, member{k, v})
		}
	}
}

// object converts the children of the element just started into a JSON
// object (ILMD): each child a member; an unqualified <extension> (EPCIS
// 1.x) is transparent when flatten is set.
func (x *xparser) object(path string, depth int, flatten bool) ([]byte, error) {
	var ms []member
	var read func(wrap string, d int) error
	read = func(wrap string, d int) error {
		return x.children(wrap, func(se xml.StartElement) error {
			if flatten && se.Name.Space == "" && se.Name.Local == "extension" && d < 4 {
				return read(wrap+".extension", d+1)
			}
			k := x.qname(se.Name)
			x.use(k)
			v, err := x.anyValue(path+"."+k, se, depth+1)
			if err != nil {
				return err
			}
			ms = append(ms, member{k, v})
			return nil
		})
	}
	if err := read(path, 0); err != nil {
		return nil, err
	}
	return objectOf(ms), nil
}

// objectOf writes members as a JSON object in first-appearance order,
// repeated keys becoming one array.
func objectOf(ms []member) []byte {
	b := []byte{'{'}
	done := make([]bool, len(ms))
	first := true
	for i := range ms {
		if done[i] {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b, _ = jsontext.AppendQuote(b, ms[i].key)
		b = append(b, ':')
		n := 0
		for j := i; j < len(ms); j++ {
			if ms[j].key == ms[i].key {
				n++
			}
		}
		if n == 1 {
			b = append(b, ms[i].val...)
			continue
		}
		b = append(b, '[')
		k := 0
		for j := i; j < len(ms); j++ {
			if ms[j].key == ms[i].key {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, ms[j].val...)
				done[j] = true
				k++
			}
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func quoteJSON(s string) []byte {
	b, err := jsontext.AppendQuote(nil, s)
	if err != nil { // invalid UTF-8 cannot come out of encoding/xml
		return []byte(`""`)
	}
	return b
}

// sensorNumbers and sensorBools are the sensorMetadata and sensorReport
// attributes the JSON schema types as numbers and booleans; the others are
// strings.
var (
	sensorNumbers = [...]string{"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
	sensorBools   = [...]string{"booleanValue"}
)

// sensorElements reads sensorElementList into its JSON array.
func (x *xparser) sensorElements() ([]byte, error) {
	const key = "sensorElementList"
	var elems [][]byte
	err := x.children(key, func(se xml.StartElement) error {
		path := indexPath(key, len(elems))
		if se.Name.Space != "" || se.Name.Local != "sensorElement" {
			x.failAt(x.line(), path, "unexpected element <%s>: sensorElementList holds <sensorElement> elements", se.Name.Local)
			return x.skip()
		}
		var ms []member
		var reports [][]byte
		haveMeta := false
		start := x.line()
		var read func(wrap string, d int) error
		read = func(wrap string, d int) error {
			return x.children(wrap, func(c xml.StartElement) error {
				line := x.line()
				switch {
				case c.Name.Space == "" && c.Name.Local == "sensorMetadata":
					if haveMeta {
						x.failAt(line, path+".sensorMetadata", "duplicate <sensorMetadata>")
					}
					haveMeta = true
					v, err := x.sensorAttrs(path+".sensorMetadata", c, line)
					if err == nil {
						ms = append(ms, member{"sensorMetadata", v})
					}
					return err
				case c.Name.Space == "" && c.Name.Local == "sensorReport":
					v, err := x.sensorAttrs(indexPath(path+".sensorReport", len(reports)), c, line)
					reports = append(reports, v)
					return err
				case c.Name.Space == "" && c.Name.Local == "extension" && d < 4:
					return read(wrap+".extension", d+1)
				case c.Name.Space != "":
					k := x.qname(c.Name)
					x.use(k)
					v, err := x.anyValue(path+"."+k, c, 1)
					if err == nil {
						ms = append(ms, member{k, v})
					}
					return err
				}
				x.failAt(line, path+"."+c.Name.Local, "unknown element <%s> in sensorElement", c.Name.Local)
				return x.skip()
			})
		}
		if err := read(path, 0); err != nil {
			return err
		}
		if len(reports) == 0 {
			x.failAt(start, path+".sensorReport", "sensorElement requires at least one <sensorReport>")
		}
		arr := []byte{'['}
		for i, r := range reports {
			if i > 0 {
				arr = append(arr, ',')
			}
			arr = append(arr, r...)
		}
		arr = append(arr, ']')
		// sensorMetadata first, then sensorReport, then the extensions.
		out := make([]member, 0, len(ms)+1)
		rest := ms[:0:0]
		for _, m := range ms {
			if m.key == "sensorMetadata" {
				out = append(out, m)
			} else {
				rest = append(rest, m)
			}
		}
		out = append(out, member{"sensorReport", arr})
		out = append(out, rest...)
		elems = append(elems, objectOf(out))
		return nil
	})
	if err != nil {
		return nil, err
	}
	b := []byte{'['}
	for i, e := range elems {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, ']'), nil
}

// sensorAttrs converts a sensorMetadata or sensorReport element (data in
// attributes) into a JSON object, typing the numeric and boolean ones.
func (x *xparser) sensorAttrs(path string, se xml.StartElement, line int) ([]byte, error) {
	var ms []member
	for _, a := range se.Attr {
		if a.Name.Space == nsXMLNS || a.Name.Space == nsXSI || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		k := x.qname(a.Name)
		x.use(k)
		x.use(a.Value)
		v := quoteJSON(a.Value)
		if a.Name.Space == "" {
			for _, n := range sensorNumbers {
				if n == a.Name.Local {
					f, err := strconv.ParseFloat(strings.TrimSpace(a.Value), 64)
					if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
						x.failAt(line, path+"."+k, "%s %q is not a number", k, a.Value)
						v = []byte("0")
					} else {
						v = appendNumber(nil, f)
					}
				}
			}
			for _, n := range sensorBools {
				if n == a.Name.Local {
					switch strings.TrimSpace(a.Value) {
					case "true", "1":
						v = []byte("true")
					case "false", "0":
						v = []byte("false")
					default:
						x.failAt(line, path+"."+k, "%s %q is not a boolean", k, a.Value)
					}
				}
			}
		}
		ms = append(ms, member{k, v})
	}
	s, err := x.text(path)
	if err != nil {
		return nil, err
	}
	if s != "" {
		ms = append(ms, member{"@value", quoteJSON(s)})
	}
	return objectOf(ms), nil
}

// vocabularyList converts an XML VocabularyList into the JSON
// vocabularyList of EPCIS 2.0 master data:
// [{"type":…, "vocabularyElementList":[{"id":…, "attributes":[{"id":…,
// "attribute":…}], "children":[…]}]}].
func (x *xparser) vocabularyList(path string) ([]byte, error) {
	var vocabs [][]byte
	err := x.children(path, func(se xml.StartElement) error {
		vp := indexPath(path+".Vocabulary", len(vocabs))
		if se.Name.Local != "Vocabulary" {
			x.failAt(x.line(), vp, "unexpected element <%s>: VocabularyList holds <Vocabulary> elements", se.Name.Local)
			return x.skip()
		}
		typ, ok := attr(&se, "type")
		if !ok || checkURI(typ) != nil {
			x.failAt(x.line(), vp+".type", "Vocabulary requires a type attribute holding a URI")
		}
		var elems [][]byte
		err := x.children(vp, func(le xml.StartElement) error {
			if le.Name.Local != "VocabularyElementList" {
				return x.skip()
			}
			return x.children(vp+".VocabularyElementList", func(ve xml.StartElement) error {
				ep := indexPath(vp+".VocabularyElement", len(elems))
				if ve.Name.Local != "VocabularyElement" {
					x.failAt(x.line(), ep, "unexpected element <%s>", ve.Name.Local)
					return x.skip()
				}
				id, ok := attr(&ve, "id")
				if !ok || checkURI(id) != nil {
					x.failAt(x.line(), ep+".id", "VocabularyElement requires an id attribute holding a URI")
				}
				var attrs [][]byte
				var kids []string
				err := x.children(ep, func(c xml.StartElement) error {
					switch c.Name.Local {
					case "attribute":
						aid, _ := attr(&c, "id")
						v, err := x.anyValue(ep+".attribute", xml.StartElement{Name: c.Name}, 1)
						if err != nil {
							return err
						}
						a := []byte(`{"id":`)
						a = append(a, quoteJSON(aid)...)
						a = append(a, `,"attribute":`...)
						a = append(a, v...)
						attrs = append(attrs, append(a, '}'))
						return nil
					case "children":
						return x.children(ep+".children", func(k xml.StartElement) error {
							s, err := x.text(ep + ".children.id")
							kids = append(kids, s)
							return err
						})
					}
					return x.skip()
				})
				if err != nil {
					return err
				}
				e := []byte(`{"id":`)
				e = append(e, quoteJSON(id)...)
				if attrs != nil {
					e = append(e, `,"attributes":`...)
					e = append(e, joinArray(attrs)...)
				}
				if kids != nil {
					k, _ := json.Marshal(kids)
					e = append(e, `,"children":`...)
					e = append(e, k...)
				}
				elems = append(elems, append(e, '}'))
				return nil
			})
		})
		if err != nil {
			return err
		}
		v := []byte(`{"type":`)
		v = append(v, quoteJSON(typ)...)
		v = append(v, `,"vocabularyElementList":`...)
		v = append(v, joinArray(elems)...)
		vocabs = append(vocabs, append(v, '}'))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return joinArray(vocabs), nil
}

func joinArray(items [][]byte) []byte {
	b := []byte{'['}
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	return append(b, ']')
}

// nsXSD is the XML Schema namespace of xsi:type values.
const nsXSD = "http://www.w3.org/2001/XMLSchema"

// typedValue converts the text s of an element with an xsi:type of an XML
// Schema numeric or boolean type into a JSON number or boolean, as the
// JSON-LD form of the same extension writes it; typed is false for other
// elements (their text stays a string).
func (x *xparser) typedValue(key string, se xml.StartElement, s string) (v []byte, typed bool) {
	t, ok := attrNS(&se, nsXSI, "type")
	if !ok {
		return nil, false
	}
	prefix, local, found := strings.Cut(t, ":")
	if !found {
		prefix, local = "", t
	}
	if ns := x.nsOf[prefix]; ns != nsXSD && prefix != "xsd" && prefix != "xs" {
		return nil, false
	}
	switch local {
	case "boolean":
		switch s {
		case "true", "1":
			return []byte("true"), true
		case "false", "0":
			return []byte("false"), true
		}
		x.failAt(x.line(), key, "%q is not an xsd:boolean", s)
		return []byte("false"), true
	case "integer", "int", "long", "short", "byte", "decimal", "double", "float",
		"nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
		"unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			x.failAt(x.line(), key, "%q is not an xsd:%s", s, local)
			return []byte("0"), true
		}
		return appendNumber(nil, f), true
	}
	return nil, false
}
