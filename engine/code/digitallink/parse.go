package digitallink

import (
	"errors"
	"fmt"
	"strings"

	"tracecode/engine/code/gs1"
)

// DL is a parsed GS1 Digital Link URI.
//
// Strings may share memory with the parsed URI. Key.AI is "" only in the
// zero value.
type DL struct {
	// Scheme is "http" or "https", lower-cased.
	Scheme string
	// Host is the authority as written (host name or address, and port).
	Host string
	// Stem is the custom path prefix before the primary key, without
	// leading or trailing slash, as written ("" for none).
	Stem string
	// Key is the primary key AI and its value (percent-decoded; a GTIN is
	// always 14 digits).
	Key gs1.Element
	// Qualifiers are the key qualifiers in path order; nil when none.
	Qualifiers []gs1.Element
	// Attrs are the AI data attributes from the query, in query order;
	// nil when none.
	Attrs []gs1.Element
	// Other holds the non-AI query parameters (linkType, context, vendor
	// keys, keys without '=') verbatim and in order; nil when none.
	Other []KV
}

// KV is a non-AI query parameter exactly as written in the URI: not
// percent-decoded. A parameter without '=' has Value "".
type KV struct {
	Key, Value string
}

// Options selects what ParseOptions accepts beyond the strict rules. The
// zero value is strict and is what Parse uses.
type Options struct {
	// AllowLegacy accepts the forms of GS1 Digital Link URI Syntax 1.2 that
	// the reference engine rejects by default: GTIN-8, -12 and -13 as the
	// value of AI (01), in the path or the query, left-padded with zeros to
	// 14 digits; and the short names (/gtin/, /lot/, /ser/, /sscc/, …; the
	// reference engine's list) in place of numeric AIs in the path. Parsed
	// values are always the normalised numeric forms. Default false.
	AllowLegacy bool
	// CheckAssociations also applies gs1.ValidateElements to the elements:
	// mandatory and exclusive AI pairings (req=, ex= in the Syntax
	// Dictionary), e.g. (17) without a GTIN. Default false, as in the
	// reference engine, whose Digital Link parser checks each AI alone; a
	// resolver turns it on to refuse data no barcode may carry. Errors wrap
	// ErrAssociation.
	CheckAssociations bool
}

// Parse parses a GS1 Digital Link URI with the strict rules (the zero
// Options). See the package documentation for the rules.
func Parse(uri string) (DL, error) {
	return ParseOptions(uri, Options{})
}

// ParseOptions parses a GS1 Digital Link URI. Errors are *Error values that
// give the 1-based byte position in uri and wrap a sentinel (ErrScheme,
// ErrNoPrimaryKey, ErrQualifierOrder, ErrDuplicateAI, ErrEncoding, ErrValue,
// …) and return the zero DL. It allocates one element slice, a string per
// percent-encoded value and a slice for non-AI parameters if there are any.
func ParseOptions(uri string, opt Options) (DL, error) {
	var d DL
	if i := BadURIChar(uri); i >= 0 {
		return DL{}, errAt(ErrCharacter, i, uri[i:i+1], fmt.Sprintf("%q may not appear in a URI; percent-encode it", uri[i]))
	}

	// Scheme: "http" or "https", all lower or all upper case.
	var off int
	switch {
	case strings.HasPrefix(uri, "https://") || strings.HasPrefix(uri, "HTTPS://"):
		d.Scheme, off = "https", len("https://")
	case strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "HTTP://"):
		d.Scheme, off = "http", len("http://")
	default:
		seg := uri
		if i := strings.Index(uri, "://"); i >= 0 {
			seg = uri[:i]
		}
		if uri == "" {
			return DL{}, errAt(ErrScheme, 0, "", "empty URI")
		}
		return DL{}, errAt(ErrScheme, 0, seg, "want http:// or https:// (all lower or all upper case)")
	}

	// Host: up to the first '/', which starts the path.
	slash := strings.IndexByte(uri[off:], '/')
	if slash < 0 {
		return DL{}, errAt(ErrHost, off, uri[off:], "no path after the host")
	}
	if slash == 0 {
		return DL{}, errAt(ErrHost, off, "", "empty host")
	}
	d.Host = uri[off : off+slash]
	for i := 0; i < len(d.Host); i++ {
		if badHostChar[d.Host[i]] {
			return DL{}, errAt(ErrHost, off+i, d.Host, fmt.Sprintf("%q is not allowed in a host", d.Host[i]))
		}
	}
	ps := off + slash // the path starts with the '/' at uri[ps]

	// The fragment ends the data; the query ends the path.
	end := len(uri)
	if i := strings.IndexByte(uri[ps:], '#'); i >= 0 {
		end = ps + i
	}
	pe, qe := end, end // path end; query start ('?' excluded)
	if i := strings.IndexByte(uri[ps:end], '?'); i >= 0 {
		pe, qe = ps+i, ps+i+1
	}

	var found pathAIs
	keyAt, err := findKey(uri, ps, pe, opt, &found)
	if err != nil {
		return DL{}, err
	}
	if keyAt > ps {
		d.Stem = uri[ps+1 : keyAt]
	}

	// One slice holds every element: key, qualifiers, attributes.
	n := strings.Count(uri[keyAt:pe], "/")/2 + strings.Count(uri[qe:end], "&") + 1
	els := make([]gs1.Element, 0, n)

	// Path pairs from the key on; findKey checked that they pair up and
	// that every AI segment is known. The qualifiers are checked as they
	// come, before their values.
	var (
		keyNum uint16
		qs     quals
	)
	for p := keyAt; p < pe; {
		a0 := p + 1
		a1 := a0 + strings.IndexByte(uri[a0:pe], '/')
		v0 := a1 + 1
		v1 := pe
		if i := strings.IndexByte(uri[v0:pe], '/'); i >= 0 {
			v1 = v0 + i
		}
		p = v1
		code, e := found.next(uri[a0:a1], opt)
		num, _ := aiNum(code)
		if len(els) == 0 {
			keyNum, qs = num, newQuals(keyOf(num))
		} else if reason, sentinel := qs.add(code, num); sentinel != nil {
			return DL{}, errAt(sentinel, a0, uri[a0:a1], reason)
		}
		el, err := parseValue(uri, a0, code, e, v0, v1, false, opt)
		if err != nil {
			return DL{}, err
		}
		els = append(els, el)
	}
	nPath := len(els)

	// Query: AI attributes and other parameters, separated by '&'.
	var numBuf [16]uint16
	attrNums := numBuf[:0]
	for p := qe; p < end; {
		if uri[p] == '&' {
			p++
			continue
		}
		p0 := p
		p1 := end
		if i := strings.IndexByte(uri[p0:end], '&'); i >= 0 {
			p1 = p0 + i
		}
		p = p1
		eq := strings.IndexByte(uri[p0:p1], '=')
		if eq < 0 {
			d.Other = append(d.Other, KV{Key: uri[p0:p1]})
			continue
		}
		k := uri[p0 : p0+eq]
		num, ok := aiNum(k)
		if !ok && !allDigits(k) {
			d.Other = append(d.Other, KV{Key: k, Value: uri[p0+eq+1 : p1]})
			continue
		}
		e := lookupAI(k)
		if e == nil {
			return DL{}, errAt(ErrUnknownAI, p0, uri[p0:p1], fmt.Sprintf("numeric parameter %s is not a GS1 AI", k))
		}
		el, err := parseValue(uri, p0, k, e, p0+eq+1, p1, true, opt)
		if err != nil {
			return DL{}, err
		}
		if reason, sentinel := checkAttr(keyNum, &qs, attrNums, el, e, num); sentinel != nil {
			return DL{}, errAt(sentinel, p0, uri[p0:p1], reason)
		}
		els = append(els, el)
		attrNums = append(attrNums, num)
	}

	if opt.CheckAssociations {
		if err := gs1.ValidateElements(els); err != nil {
			var ae *gs1.AIError
			at, seg := keyAt, ""
			if errors.As(err, &ae) {
				at, seg = locateAI(uri, keyAt, pe, qe, end, ae.AI)
			}
			return DL{}, &Error{Pos: at + 1, Segment: seg, Err: ErrAssociation, Cause: err, Reason: err.Error()}
		}
	}

	d.Key = els[0]
	if nPath > 1 {
		d.Qualifiers = els[1:nPath:nPath]
	}
	if len(els) > nPath {
		d.Attrs = els[nPath:]
	}
	return d, nil
}

// locateAI finds the AI segment or query parameter of ai in a parsed URI
// (path pairs from keyAt to pe, query from qs to end) and returns its
// 0-based offset and text; keyAt and "" if it is not there. Error path only.
func locateAI(uri string, keyAt, pe, qs, end int, ai string) (int, string) {
	for p := keyAt; p < pe; {
		a0 := p + 1
		a1 := a0 + strings.IndexByte(uri[a0:pe], '/')
		p = pe
		if i := strings.IndexByte(uri[a1+1:pe], '/'); i >= 0 {
			p = a1 + 1 + i
		}
		if code, _ := pathAI(uri[a0:a1], Options{AllowLegacy: true}); code == ai {
			return a0, uri[a0:a1]
		}
	}
	for p := qs; p < end; {
		p1 := end
		if i := strings.IndexByte(uri[p:end], '&'); i >= 0 {
			p1 = p + i
		}
		if k, _, _ := strings.Cut(uri[p:p1], "="); k == ai {
			return p, uri[p:p1]
		}
		p = p1 + 1
	}
	return keyAt, ""
}

// pathAIs remembers the AIs findKey resolved, so that the forward walk
// need not look them up again (callgrind: AI lookups were 8% of Parse).
type pathAIs struct {
	code [1 + maxQual]string
	e    [1 + maxQual]*gs1.AI
	n    int // entries recorded, last pair first
	used int // entries handed out by next
}

// next returns the AI of the next path pair of the forward walk.
func (f *pathAIs) next(seg string, opt Options) (string, *gs1.AI) {
	if f.used < f.n {
		f.used++
		return f.code[f.n-f.used], f.e[f.n-f.used]
	}
	return pathAI(seg, opt)
}

// findKey walks the path uri[ps:pe] (uri[ps] == '/') backwards in
// "/AI/value" pairs, as the reference engine does, and returns the offset
// of the '/' before the rightmost primary-key AI whose pairs to the end of
// the path are all known AIs. Everything before it is the stem. It records
// the AIs it resolves in found, if there are few enough.
func findKey(uri string, ps, pe int, opt Options, found *pathAIs) (int, error) {
	end := pe
	n := 0
	for {
		i := strings.LastIndexByte(uri[ps:end], '/')
		if i <= 0 { // no "/AI/value" pair left
			break
		}
		r := ps + i
		q := ps + strings.LastIndexByte(uri[ps:r], '/')
		code, e := pathAI(uri[q+1:r], opt)
		if e == nil {
			return 0, noKeyError(uri, ps, pe, q+1, r, opt)
		}
		if n < len(found.e) {
			found.code[n], found.e[n] = code, e
		}
		n++
		if e.DLPKey != nil {
			if n <= len(found.e) {
				found.n = n
			}
			return q, nil
		}
		end = q
	}
	return 0, noKeyError(uri, ps, pe, -1, -1, opt)
}

// noKeyError explains why the path uri[ps:pe] has no primary key; the
// backward walk stopped at the segment uri[s0:s1], which is not an AI
// (s0 < 0 if it ran out of pairs).
func noKeyError(uri string, ps, pe, s0, s1 int, opt Options) error {
	path := uri[ps:pe]
	if len(path) > 1 && path[len(path)-1] == '/' {
		return errAt(ErrTrailingSlash, pe-1, path, "a Digital Link path may not end in '/'")
	}
	// A key further left means the walk stopped at a bad AI segment.
	keyLeft := false
	for p := ps; p < s0-1; {
		a0 := p + 1
		a1 := s0 - 1
		if i := strings.IndexByte(uri[a0:a1], '/'); i >= 0 {
			a1 = a0 + i
		}
		p = a1
		if _, e := pathAI(uri[a0:a1], opt); e != nil && e.DLPKey != nil {
			keyLeft = true
			break
		}
	}
	if keyLeft && s0 == s1 {
		return &Error{Pos: s0 + 1, Segment: path, Err: ErrNoPrimaryKey, Cause: ErrEmptyValue,
			Reason: "empty path segment (//) where an AI or value should be"}
	}
	if keyLeft && allDigits(uri[s0:s1]) {
		return &Error{Pos: s0 + 1, Segment: uri[s0:s1], Err: ErrUnknownAI, Cause: ErrNoPrimaryKey,
			Reason: fmt.Sprintf("path segment %s after the primary key is not a GS1 AI", uri[s0:s1])}
	}
	if !opt.AllowLegacy {
		for p := ps; p < pe; {
			a0 := p + 1
			a1 := pe
			if i := strings.IndexByte(uri[a0:pe], '/'); i >= 0 {
				a1 = a0 + i
			}
			p = a1
			if ai := shortNameAI(uri[a0:a1]); ai != "" {
				return &Error{Pos: a0 + 1, Segment: uri[a0:a1], Err: ErrLegacy, Cause: ErrNoPrimaryKey,
					Reason: fmt.Sprintf("short name /%s/ is deprecated: write /%s/ (Options.AllowLegacy accepts it)", uri[a0:a1], ai)}
			}
		}
	}
	// A compressed Digital Link is one base64url segment after the stem,
	// not the value of an AI.
	cut := strings.LastIndexByte(path, '/')
	last, prev := path[cut+1:], path[:cut]
	prev = prev[strings.LastIndexByte(prev, '/')+1:]
	if looksCompressed(last) && lookupAI(prev) == nil && shortNameAI(prev) == "" {
		return &Error{Pos: pe - len(last) + 1, Segment: last, Err: ErrCompressed, Cause: ErrNoPrimaryKey,
			Reason: "no primary key in the path, and the last segment looks like a compressed Digital Link: Decompress gives the long form"}
	}
	return errAt(ErrNoPrimaryKey, ps, path, "no /{AI}/{value} pair with a GS1 primary key AI (01, 00, 414, 8004, …) in the path")
}

// pathAI resolves a path segment to an AI code and entry: a known numeric
// AI, or with AllowLegacy a short name. e is nil if neither.
func pathAI(seg string, opt Options) (code string, e *gs1.AI) {
	if opt.AllowLegacy {
		if ai := shortNameAI(seg); ai != "" {
			return ai, lookupAI(ai)
		}
	}
	if e = lookupAI(seg); e == nil { // lookupAI takes digits only
		return "", nil
	}
	return seg, e
}

// parseValue decodes and validates the value uri[v0:v1] of AI code (entry
// e, written at offset aiAt), from the query if query is set.
func parseValue(uri string, aiAt int, code string, e *gs1.AI, v0, v1 int, query bool, opt Options) (gs1.Element, error) {
	raw := uri[v0:v1]
	if raw == "" {
		where := "path"
		if query {
			where = "query"
		}
		return gs1.Element{}, errAt(ErrEmptyValue, aiAt, uri[aiAt:v0], fmt.Sprintf("AI (%s) has an empty value in the %s", code, where))
	}
	v, bad := unescape(raw, query)
	if bad >= 0 {
		return gs1.Element{}, errAt(ErrEncoding, v0+bad, raw, fmt.Sprintf("%%00 (NUL) in the value of AI (%s)", code))
	}
	pad := 0 // zeros put in front of a legacy GTIN
	if code == "01" && isZeroSuppressedGTIN(v) {
		if !opt.AllowLegacy {
			return gs1.Element{}, errAt(ErrLegacy, v0, raw, fmt.Sprintf(
				"GTIN-%d must be written as 14 digits (%s; Options.AllowLegacy pads it)", len(v), padGTIN(v)))
		}
		pad = 14 - len(v)
		v = padGTIN(v)
	}
	if err := e.Validate(v); err != nil {
		pos := v0
		var ae *gs1.AIError
		if errors.As(err, &ae) && ae.Pos-1-pad >= 0 {
			pos = v0 + rawOffset(raw, ae.Pos-1-pad)
		}
		return gs1.Element{}, &Error{Pos: pos + 1, Segment: raw, Err: ErrValue, Cause: err,
			Reason: fmt.Sprintf("AI (%s) %s: %v", code, e.Title, err)}
	}
	return gs1.Element{AI: code, Value: v}, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
