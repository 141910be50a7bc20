package epcis

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"maps"
)

// DocumentWriter writes one EPCIS 2.0 document, JSON-LD or XML, event by
// event, so that an export of millions of events holds one event in
// memory. The root declares every namespace prefix the events may use,
// so they must be known before the first event: gather them with
// AddNamespaces in a first pass. MarshalDocument and MarshalXML write the
// same bytes for a whole slice (prefixes aside, which they gather
// themselves).
type DocumentWriter struct {
	w    *bufio.Writer
	xml  bool
	ns   map[string]string
	n    int
	tail []byte
	buf  []byte
	xbuf bytes.Buffer
}

// AddNamespaces adds the prefixes ev uses to ns; a prefix bound to two
// IRIs is an error. For XML (xml true) it adds the prefixes the XML
// writer makes up for extensions keyed by IRI as well.
func AddNamespaces(ns map[string]string, ev *Event, xml bool) error {
	for p, iri := range ev.Namespaces {
		if old, ok := ns[p]; ok && old != iri {
			return fmt.Errorf("epcis: prefix %q is %s in one event and %s in another", p, old, iri)
		}
		ns[p] = iri
	}
	if xml {
		xw := &xwriter{b: &bytes.Buffer{}, ns: ns}
		if err := xw.event(ev); err != nil {
			return err
		}
	}
	return nil
}

// NewDocumentWriter writes the document's header to w (XML when xml,
// else JSON-LD): h as MarshalOptions.Header takes it, with h.Namespaces
// every prefix the events use. Close writes the end.
func NewDocumentWriter(w io.Writer, xml bool, h Header) (*DocumentWriter, error) {
	d := &DocumentWriter{w: bufio.NewWriterSize(w, flushAt), xml: xml, ns: maps.Clone(h.Namespaces)}
	if d.ns == nil {
		d.ns = map[string]string{}
	}
	var whole bytes.Buffer
	var mark string
	if xml {
		if err := MarshalXML(&whole, nil, &MarshalOptions{Header: h}); err != nil {
			return nil, err
		}
		mark = "<EventList>\n"
	} else {
		if h.Context == nil && len(d.ns) > 0 {
			ctx, err := contextWith(d.ns)
			if err != nil {
				return nil, err
			}
			h.Context = ctx
		}
		if err := MarshalDocument(&whole, nil, &MarshalOptions{Header: h}); err != nil {
			return nil, err
		}
		mark = `"eventList":[`
	}
	b := whole.Bytes()
	i := bytes.Index(b, []byte(mark))
	if i < 0 {
		return nil, fmt.Errorf("BUG: epcis: no %q in an empty document", mark)
	}
	i += len(mark)
	d.tail = append([]byte(nil), b[i:]...)
	if _, err := d.w.Write(b[:i]); err != nil {
		return nil, err
	}
	return d, nil
}

// contextWith is the EPCIS 2.0 context with an object declaring ns.
func contextWith(ns map[string]string) ([]byte, error) {
	obj, err := prefixObject(ns)
	if err != nil {
		return nil, err
	}
	out := append([]byte(`["`), StandardContext...)
	out = append(out, `",`...)
	out = append(out, obj...)
	return append(out, ']'), nil
}

// Write writes one event. A prefix the header did not declare is an
// error (nothing is written).
func (d *DocumentWriter) Write(ev *Event) error {
	for p, iri := range ev.Namespaces {
		if d.ns[p] != iri {
			return fmt.Errorf("epcis: event %d uses prefix %q (%s), which the document does not declare", d.n, p, iri)
		}
	}
	if d.xml {
		d.xbuf.Reset()
		xw := &xwriter{b: &d.xbuf, ns: maps.Clone(d.ns)}
		if err := xw.event(ev); err != nil {
			return fmt.Errorf("epcis: event %d: %w", d.n, err)
		}
		if len(xw.ns) != len(d.ns) {
			return fmt.Errorf("epcis: event %d needs a namespace the document does not declare (an extension keyed by IRI)", d.n)
		}
		d.n++
		_, err := d.w.Write(d.xbuf.Bytes())
		return err
	}
	b := d.buf[:0]
	if d.n > 0 {
		b = append(b, ',')
	}
	b, err := AppendEvent(b, ev)
	if err != nil {
		return fmt.Errorf("epcis: event %d: %w", d.n, err)
	}
	d.buf = b
	d.n++
	_, err = d.w.Write(b)
	return err
}

// Events is how many events were written.
func (d *DocumentWriter) Events() int { return d.n }

// Close writes the end of the document and flushes it.
func (d *DocumentWriter) Close() error {
	if _, err := d.w.Write(d.tail); err != nil {
		return err
	}
	return d.w.Flush()
}
