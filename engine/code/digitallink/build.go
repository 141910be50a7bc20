package digitallink

import (
	"fmt"

	"tracecode/engine/code/gs1"
)

// CanonicalBase is the base of the canonical Digital Link, used when a
// base argument is "".
const CanonicalBase = "https://id.gs1.org"

// Elements returns the element-string view: the key, the qualifiers and the
// attributes, in that order, in a new slice. Non-AI parameters are not
// elements.
func (d DL) Elements() []gs1.Element {
	els := make([]gs1.Element, 0, 1+len(d.Qualifiers)+len(d.Attrs))
	els = append(els, d.Key)
	els = append(els, d.Qualifiers...)
	return append(els, d.Attrs...)
}

// AppendCanonical appends the canonical URI of d to dst: base ("" means
// CanonicalBase; trailing slashes are dropped), then /key/value and
// /qualifier/value in order, then the attributes in the query with the
// predefined-length AIs first, each group in d's order. Non-AI parameters
// are dropped (AppendCanonicalWithParams keeps them). Values are
// percent-encoded with AppendEscape. It allocates only if dst must grow.
//
// For a DL from Parse or FromElements the result parses back to the same
// elements and is its own canonical form.
func (d DL) AppendCanonical(dst []byte, base string) []byte {
	dst = d.appendPath(appendBase(dst, base))
	dst, _ = d.appendAttrs(dst)
	return dst
}

// AppendCanonicalWithParams is AppendCanonical followed by the non-AI query
// parameters, verbatim and in order.
func (d DL) AppendCanonicalWithParams(dst []byte, base string) []byte {
	return d.appendQuery(d.appendPath(appendBase(dst, base)))
}

// String returns d in canonical order on its own scheme, host and stem
// (kept as written), with the non-AI parameters: the URI a resolver would
// redirect with. A DL without a host (FromElements) uses CanonicalBase.
func (d DL) String() string {
	if d.Host == "" {
		return string(d.AppendCanonicalWithParams(nil, ""))
	}
	b := make([]byte, 0, 64)
	b = append(b, d.Scheme...)
	b = append(b, "://"...)
	b = append(b, d.Host...)
	if d.Stem != "" {
		b = append(b, '/')
		b = append(b, d.Stem...)
	}
	return string(d.appendQuery(d.appendPath(b)))
}

// LinkType returns the percent-decoded value of the linkType parameter
// (e.g. "gs1:pip"), or "" if there is none.
func (d DL) LinkType() string {
	for _, kv := range d.Other {
		if kv.Key == "linkType" {
			v, bad := unescape(kv.Value, true)
			if bad >= 0 {
				return kv.Value
			}
			return v
		}
	}
	return ""
}

func appendBase(dst []byte, base string) []byte {
	if base == "" {
		base = CanonicalBase
	}
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return append(dst, base...)
}

func appendPair(dst []byte, el gs1.Element) []byte {
	dst = append(dst, '/')
	dst = append(dst, el.AI...)
	dst = append(dst, '/')
	return AppendEscape(dst, el.Value, false)
}

func (d DL) appendPath(dst []byte) []byte {
	if d.Key.AI == "" {
		return dst
	}
	dst = appendPair(dst, d.Key)
	for _, q := range d.Qualifiers {
		dst = appendPair(dst, q)
	}
	return dst
}

// appendAttrs appends the attributes, predefined-length AIs first (the
// reference engine's order), and returns the separator for a next
// parameter.
func (d DL) appendAttrs(dst []byte) ([]byte, byte) {
	sep := byte('?')
	for pass := 0; pass < 2; pass++ {
		fixed := pass == 0
		for _, a := range d.Attrs {
			e := lookupAI(a.AI)
			if (e != nil && e.Fixed) != fixed {
				continue
			}
			dst = append(dst, sep)
			sep = '&'
			dst = append(dst, a.AI...)
			dst = append(dst, '=')
			dst = AppendEscape(dst, a.Value, true)
		}
	}
	return dst, sep
}

// appendQuery appends the attributes and then the non-AI parameters.
func (d DL) appendQuery(dst []byte) []byte {
	dst, sep := d.appendAttrs(dst)
	for _, kv := range d.Other {
		dst = append(dst, sep)
		sep = '&'
		dst = append(dst, kv.Key...)
		if kv.Value != "" {
			dst = append(dst, '=')
			dst = append(dst, kv.Value...)
		}
	}
	return dst
}

// Build returns the canonical Digital Link URI (see AppendCanonical) for the
// primary key, its qualifiers and the attributes. Qualifiers may come in any
// order: they are put in the order of the key's qualifier path that holds
// them all. Every value is validated and every Digital Link rule applied,
// so the result always parses; errors are *Error with Pos 0 and the AI as
// Segment.
func Build(base string, key gs1.Element, qualifiers []gs1.Element, attrs []gs1.Element) (string, error) {
	var ebuf [8]gs1.Element
	els := append(ebuf[:0], key)
	els = append(els, qualifiers...)
	els = append(els, attrs...)
	d, err := assemble(els, len(qualifiers), true)
	if err != nil {
		return "", err
	}
	var buf [256]byte
	return string(d.AppendCanonical(buf[:0], base)), nil
}

// FromElements turns element strings into a Digital Link the way the
// reference engine does: the first element whose AI is a primary key is the
// key; of the key's qualifier paths the one matching most of the elements
// (the first on a tie) gives the qualifiers, in path order; every other
// element is an attribute, in the order given. An element repeated with the
// same value is kept once; with another value it is ErrDuplicateAI. The
// result has no Scheme, Host or Stem; format it with AppendCanonical.
func FromElements(els []gs1.Element) (DL, error) {
	uniq := make([]gs1.Element, 0, len(els))
	keyIdx := -1
	var key *gs1.AI
	for _, el := range els {
		seen := false
		for _, u := range uniq {
			if u.AI != el.AI {
				continue
			}
			if u.Value != el.Value {
				return DL{}, &Error{Segment: el.AI, Err: ErrDuplicateAI,
					Reason: fmt.Sprintf("AI (%s) appears with values %q and %q", el.AI, u.Value, el.Value)}
			}
			seen = true
		}
		if seen {
			continue
		}
		if keyIdx < 0 {
			if e := lookupAI(el.AI); e != nil && e.DLPKey != nil {
				keyIdx, key = len(uniq), e
			}
		}
		uniq = append(uniq, el)
	}
	if keyIdx < 0 {
		return DL{}, &Error{Err: ErrNoPrimaryKey, Reason: "no element has a GS1 Digital Link primary key AI (01, 00, 414, 8004, …)"}
	}

	// The qualifier path with the most elements present; the first on a tie.
	var best []string
	bestN := 0
	for _, path := range key.DLPKey {
		n := 0
		for _, q := range path {
			for _, u := range uniq {
				if u.AI == q {
					n++
				}
			}
		}
		if n > bestN {
			best, bestN = path, n
		}
	}

	// Reorder: key, qualifiers in path order, the rest in given order.
	out := make([]gs1.Element, 0, len(uniq))
	out = append(out, uniq[keyIdx])
	for _, q := range best {
		for _, u := range uniq {
			if u.AI == q {
				out = append(out, u)
			}
		}
	}
	nq := len(out) - 1
	for i, u := range uniq {
		if i != keyIdx && indexOf(best, u.AI) < 0 {
			out = append(out, u)
		}
	}
	return assemble(out, nq, false)
}

// assemble validates els = key, nq qualifiers, attributes and returns them
// as a DL sharing els. If sortQualifiers is set the qualifiers are first
// put into the order of the key path that holds them all.
func assemble(els []gs1.Element, nq int, sortQualifiers bool) (DL, error) {
	var d DL
	key := lookupAI(els[0].AI)
	if key == nil || key.DLPKey == nil {
		return d, &Error{Segment: els[0].AI, Err: ErrNoPrimaryKey,
			Reason: fmt.Sprintf("(%s) is not a GS1 Digital Link primary key AI", els[0].AI)}
	}
	var ebuf [16]*gs1.AI
	entries := ebuf[:0]
	if len(els) > len(ebuf) {
		entries = make([]*gs1.AI, 0, len(els))
	}
	entries = entries[:len(els)]
	entries[0] = key
	for i := 1; i < len(els); i++ {
		if entries[i] = lookupAI(els[i].AI); entries[i] == nil {
			return d, &Error{Segment: els[i].AI, Err: ErrUnknownAI, Reason: fmt.Sprintf("(%s) is not a GS1 AI", els[i].AI)}
		}
	}
	for i, el := range els {
		if err := entries[i].Validate(el.Value); err != nil {
			return d, &Error{Segment: el.AI, Err: ErrValue, Cause: err,
				Reason: fmt.Sprintf("AI (%s) %s: %v", el.AI, entries[i].Title, err)}
		}
	}
	if sortQualifiers {
		sortByPath(key, els[1:1+nq])
	}
	keyNum, _ := aiNum(key.Code)
	qs := newQuals(keyOf(keyNum))
	var nbuf [16]uint16
	nums := nbuf[:0]
	if len(els) > len(nbuf) {
		nums = make([]uint16, 0, len(els))
	}
	nums = nums[:len(els)]
	for i := 1; i < len(els); i++ {
		nums[i], _ = aiNum(els[i].AI) // known AIs: always numeric
		if i <= nq {
			if reason, sentinel := qs.add(els[i].AI, nums[i]); sentinel != nil {
				return d, &Error{Segment: els[i].AI, Err: sentinel, Reason: reason}
			}
			continue
		}
		if reason, sentinel := checkAttr(keyNum, &qs, nums[1+nq:i], els[i], entries[i], nums[i]); sentinel != nil {
			return d, &Error{Segment: els[i].AI, Err: sentinel, Reason: reason}
		}
	}
	d.Key = els[0]
	if nq > 0 {
		d.Qualifiers = els[1 : 1+nq : 1+nq]
	}
	if len(els) > 1+nq {
		d.Attrs = els[1+nq:]
	}
	return d, nil
}

// sortByPath orders qs by their position in the first of key's qualifier
// paths that holds them all; it leaves qs alone if none does (quals.add
// then says why).
func sortByPath(key *gs1.AI, qs []gs1.Element) {
	for _, path := range key.DLPKey {
		all := true
		for _, q := range qs {
			if indexOf(path, q.AI) < 0 {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		// Insertion sort: a handful of elements.
		for i := 1; i < len(qs); i++ {
			for j := i; j > 0 && indexOf(path, qs[j].AI) < indexOf(path, qs[j-1].AI); j-- {
				qs[j], qs[j-1] = qs[j-1], qs[j]
			}
		}
		return
	}
}

// AppendGTINSerial appends the canonical Digital Link of a GTIN with an
// optional lot (AI 10) and serial (AI 21) — base/01/{gtin}[/10/{lot}][/21/{serial}]
// — to dst; "" omits lot or serial, and base "" means CanonicalBase. It is
// the printing hot path: it allocates nothing when dst has room, and
// percent-encodes lot and serial correctly whatever they hold. It does not
// validate them: lot and serial must be CSET 82 and at most 20 characters
// for the URI to parse (Build checks everything).
func AppendGTINSerial(dst []byte, base string, gtin gs1.GTIN, lot, serial string) []byte {
	dst = appendBase(dst, base)
	dst = append(dst, "/01/"...)
	dst = append(dst, gtin[:]...)
	if lot != "" {
		dst = append(dst, "/10/"...)
		dst = AppendEscape(dst, lot, false)
	}
	if serial != "" {
		dst = append(dst, "/21/"...)
		dst = AppendEscape(dst, serial, false)
	}
	return dst
}
