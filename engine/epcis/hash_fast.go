package epcis

import (
	"crypto/sha256"
	"slices"
	"strings"
	"time"
)

// The capture path hashes every event of a document; the general PreHash
// builds a node tree and concatenates strings at every level (62 % of the
// allocations of a 500-event capture in BenchmarkCapture500's profile,
// 2026-12-07). The events a line sends carry only standard fields, so
// HashSum writes their pre-hash string straight into a buffer in the
// order PreHash produces, and falls back to PreHash for anything it does
// not cover (certification, business transactions, sources and
// destinations, sensor data, ILMD, extensions). TestHashSumMatchesPreHash
// and FuzzParseDocument hold the two to the same bytes.

// HashSum returns the SHA-256 digest of ev's CBV 2.0 pre-hash string: the
// digest HashID writes in hex. buf is scratch space (may be nil); the
// grown buffer is returned for reuse.
func HashSum(ev *Event, opts *HashOptions, buf []byte) ([32]byte, []byte) {
	var h Hasher
	h.buf = buf
	return h.Sum(ev, opts), h.buf
}

// Hasher computes event hashes (Sum) with reusable scratch space and a
// memo of normalised values that repeat from event to event (business
// steps, dispositions, locations, time-zone offsets). Not safe for
// concurrent use; the zero value is ready.
type Hasher struct {
	buf   []byte
	memo  map[string]string // value → its normalised form
	terms map[string]string // "name\x00term" → its leaf's normalised value
}

// maxHashMemo bounds Hasher's memo; it starts over when full.
const maxHashMemo = 4096

// Sum returns the SHA-256 digest of ev's CBV 2.0 pre-hash string.
func (x *Hasher) Sum(ev *Event, opts *HashOptions) [32]byte {
	b, ok := x.appendPreHashFast(x.buf[:0], ev)
	if !ok {
		b = append(x.buf[:0], PreHash(ev, opts)...)
	}
	x.buf = b
	return sha256.Sum256(b)
}

// canon is normalised through the memo.
func (x *Hasher) canon(v string) string {
	if c, ok := x.memo[v]; ok {
		return c
	}
	c := canonize(v)
	if x.memo == nil || len(x.memo) >= maxHashMemo {
		x.memo = make(map[string]string, 64)
	}
	x.memo[v] = c
	return c
}

func appendPreHashFast(dst []byte, ev *Event) ([]byte, bool) {
	var x Hasher
	return x.appendPreHashFast(dst, ev)
}

// appendPreHashFast appends ev's pre-hash string when ev has only the
// fields it covers; ok is false otherwise (dst's content is then
// undefined).
func (x *Hasher) appendPreHashFast(dst []byte, ev *Event) (_ []byte, ok bool) {
	if ev.CertificationInfo != nil || ev.BizTransactionList != nil || ev.SourceList != nil || ev.DestinationList != nil ||
		ev.SensorElementList != nil || ev.ILMD != nil || ev.Extensions != nil ||
		ev.ReadPoint.Extensions != nil || ev.BizLocation.Extensions != nil {
		return dst, false
	}
	if y := ev.EventTime.UTC().Year(); !ev.EventTime.IsZero() && (y < 1 || y > 9999) {
		return dst, false
	}
	h := hasher{ns: ev.Namespaces}
	dst = append(dst, "eventType="...)
	dst = append(dst, ev.Type...)
	if !ev.EventTime.IsZero() {
		dst = append(dst, "eventTime="...)
		dst = appendHashTime(dst, ev.EventTime)
	}
	dst = x.appendLeaf(dst, "eventTimeZoneOffset", ev.EventTimeZoneOffset)
	if !ev.ParentID.IsZero() {
		dst = x.appendLeaf(dst, "parentID", h.value(ev.ParentID.Raw))
	}
	dst = h.appendEPCs(dst, "epcList", ev.EPCList)
	dst = h.appendEPCs(dst, "inputEPCList", ev.InputEPCList)
	dst = h.appendEPCs(dst, "childEPCs", ev.ChildEPCs)
	dst = h.appendQuantities(dst, "quantityList", ev.QuantityList)
	dst = h.appendQuantities(dst, "childQuantityList", ev.ChildQuantityList)
	dst = h.appendQuantities(dst, "inputQuantityList", ev.InputQuantityList)
	dst = h.appendEPCs(dst, "outputEPCList", ev.OutputEPCList)
	dst = h.appendQuantities(dst, "outputQuantityList", ev.OutputQuantityList)
	dst = x.appendLeaf(dst, "action", string(ev.Action))
	if ev.TransformationID != "" {
		dst = x.appendLeaf(dst, "transformationID", h.value(ev.TransformationID))
	}
	if ev.BizStep != "" {
		dst = x.appendMemoLeaf(dst, "bizStep", string(ev.BizStep), func() string { return h.value(ev.BizStep.URI()) }, len(ev.Namespaces) > 0)
	}
	if ev.Disposition != "" {
		dst = x.appendMemoLeaf(dst, "disposition", string(ev.Disposition), func() string { return h.value(ev.Disposition.URI()) }, len(ev.Namespaces) > 0)
	}
	if pd := ev.PersistentDisposition; !pd.IsZero() {
		var vals []string
		for _, l := range [...]struct {
			name string
			ds   []Disposition
		}{{"set", pd.Set}, {"unset", pd.Unset}} {
			first := len(vals)
			for _, d := range l.ds {
				if s := hashLeafString(l.name, h.value(d.URI())); s != "" {
					vals = append(vals, s)
				}
			}
			slices.Sort(vals[first:])
		}
		if len(vals) > 0 {
			dst = append(dst, "persistentDisposition"...)
			for _, v := range vals {
				dst = append(dst, v...)
			}
		}
	}
	for _, l := range [...]struct {
		name string
		id   Identifier
	}{{"readPoint", ev.ReadPoint.ID}, {"bizLocation", ev.BizLocation.ID}} {
		if l.id.IsZero() {
			continue
		}
		if v := x.canon(strings.TrimSpace(h.value(l.id.Raw))); v != "" {
			dst = append(dst, l.name...)
			dst = append(dst, "id="...)
			dst = append(dst, v...)
		}
	}
	return dst, true
}

// hashLeafString is childString of a leaf: name=value with the value
// trimmed and normalised, or "" when nothing is left of it.
func hashLeafString(name, value string) string {
	text := strings.TrimSpace(value)
	if text == "" {
		return ""
	}
	lower := strings.ToLower(name)
	if strings.Contains(lower, "time") && !strings.Contains(lower, "offset") {
		text = fixTime(text)
	} else {
		text = canonize(text)
	}
	if text == "" {
		return ""
	}
	return name + "=" + text
}

// appendLeaf appends a leaf as hashLeafString writes it (not for time
// leaves), its value normalised through the memo.
func (x *Hasher) appendLeaf(dst []byte, name, value string) []byte {
	text := strings.TrimSpace(value)
	if text == "" {
		return dst
	}
	if text = x.canon(text); text == "" {
		return dst
	}
	dst = append(dst, name...)
	dst = append(dst, '=')
	return append(dst, text...)
}

// appendMemoLeaf appends the leaf name=value of a vocabulary term, whose
// value (uri) and normal form the memo keeps under "name\x00term" when
// the event declares no namespaces of its own (uri then depends on the
// term alone).
func (x *Hasher) appendMemoLeaf(dst []byte, name, term string, uri func() string, ownNS bool) []byte {
	if term == "" {
		return dst
	}
	var kb [64]byte
	k := append(append(append(kb[:0], name...), 0), term...)
	c, ok := x.terms[string(k)]
	if !ok || ownNS {
		c = ""
		if v := strings.TrimSpace(uri()); v != "" {
			c = canonize(v)
		}
		if !ownNS {
			if x.terms == nil || len(x.terms) >= maxHashMemo {
				x.terms = make(map[string]string, 16)
			}
			x.terms[string(k)] = c
		}
	}
	if c == "" {
		return dst
	}
	dst = append(dst, name...)
	dst = append(dst, '=')
	return append(dst, c...)
}

// appendHashTime appends formatHashTime(t).
func appendHashTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	us := t.Nanosecond() / 1000
	ms, r := us/1000, us%1000
	if r > 500 || r == 500 && ms%2 == 1 {
		ms++
	}
	t = t.Truncate(time.Second).Add(time.Duration(ms) * time.Millisecond)
	return t.AppendFormat(dst, "2006-01-02T15:04:05.000Z")
}

// appendEPCs appends an EPC list node: its name, then its epc leaves
// sorted as strings; nothing when no leaf has a value.
func (h *hasher) appendEPCs(dst []byte, name string, l []Identifier) []byte {
	switch len(l) {
	case 0:
		return dst
	case 1:
		if v := strings.TrimSpace(h.value(l[0].Raw)); v != "" {
			if c := canonize(v); c != "" {
				dst = append(dst, name...)
				dst = append(dst, "epc="...)
				dst = append(dst, c...)
			}
		}
		return dst
	}
	vals := make([]string, 0, len(l))
	for _, id := range l {
		if s := hashLeafString("epc", h.value(id.Raw)); s != "" {
			vals = append(vals, s)
		}
	}
	return appendSortedNode(dst, name, vals)
}

// appendQuantities appends a quantity list node: its name, then each
// quantityElement (epcClass, quantity, uom) sorted as strings.
func (h *hasher) appendQuantities(dst []byte, name string, l []QuantityElement) []byte {
	if len(l) == 0 {
		return dst
	}
	vals := make([]string, 0, len(l))
	for _, q := range l {
		s := hashLeafString("epcClass", h.value(q.EPCClass.Raw))
		if q.HasQuantity {
			s += hashLeafString("quantity", pyNumber(q.Quantity))
		}
		if q.UOM != "" {
			s += hashLeafString("uom", q.UOM)
		}
		if s != "" {
			vals = append(vals, "quantityElement"+s)
		}
	}
	return appendSortedNode(dst, name, vals)
}

// appendSortedNode appends name and vals sorted, or nothing for no vals.
func appendSortedNode(dst []byte, name string, vals []string) []byte {
	if len(vals) == 0 {
		return dst
	}
	slices.Sort(vals)
	dst = append(dst, name...)
	for _, v := range vals {
		dst = append(dst, v...)
	}
	return dst
}
