package epcisq

import (
	"bytes"
	"fmt"
	"io"

	"tracecode/engine/epcis"
)

// MarshalJSON writes events as an EPCIS 2.0 JSON-LD document, as
// epcis.MarshalDocument writes their parsed events with opts: an event
// left unparsed (Found.Raw, RawJSON) is copied as stored, its bytes
// those MarshalDocument wrote at capture. A page with an event that is
// not raw is marshalled whole.
func MarshalJSON(w io.Writer, events []Found, opts *epcis.MarshalOptions) error {
	raw := true
	for i := range events {
		if events[i].Raw == nil {
			raw = false
			break
		}
	}
	if !raw {
		evs, err := Parsed(events)
		if err != nil {
			return err
		}
		return epcis.MarshalDocument(w, evs, opts)
	}
	// The document without events: raw events declare no prefixes, so
	// its @context is theirs; they go into its empty eventList.
	var frame bytes.Buffer
	if err := epcis.MarshalDocument(&frame, nil, opts); err != nil {
		return err
	}
	b := frame.Bytes()
	i := bytes.LastIndex(b, []byte(`"eventList":[]`))
	if i < 0 {
		return fmt.Errorf("epcisq: the query document has no eventList")
	}
	i += len(`"eventList":[`)
	n := len(b)
	for _, f := range events {
		n += len(f.Raw) + 1
	}
	out := make([]byte, 0, n)
	out = append(out, b[:i]...)
	for k, f := range events {
		if k > 0 {
			out = append(out, ',')
		}
		out = append(out, f.Raw...)
	}
	out = append(out, b[i:]...)
	_, err := w.Write(out)
	return err
}

// Parsed returns the parsed events of found (Found.Parsed).
func Parsed(found []Found) ([]epcis.Event, error) {
	evs := make([]epcis.Event, len(found))
	for i := range found {
		ev, err := found[i].Parsed()
		if err != nil {
			return nil, err
		}
		evs[i] = *ev
	}
	return evs, nil
}
