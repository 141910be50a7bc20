package digitallink

import (
	"fmt"
	"strings"
	"sync"

	"tracecode/engine/code/gs1"
)

// Decompress returns the long form of a compressed Digital Link URI (see
// AppendDecompressed). Errors are *Error values giving the 1-based
// character position in uri and, for the bit stream, the bit offset within
// the segment.
func Decompress(uri string) (string, error) {
	var buf [256]byte
	b, err := AppendDecompressed(buf[:0], uri)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// AppendDecompressed appends the long form of the compressed Digital Link
// uri — {scheme}://{host}[/{stem}]/{segment}[?{query}][#{fragment}], the
// segment being the base64url bit stream that AppendCompressed writes — to
// dst and returns it.
//
// The long form has the scheme in lower case, the host and stem as written
// (as DL.String writes them) and lists the
// primary key, its qualifiers in path order (the key's qualifier path that
// holds most of the decoded AIs, the first on a tie, as FromElements), the
// AI attributes in the query with the predefined-length AIs first, each
// group in lexical AI order, then the
// non-AI parameters packed in the segment (percent-encoded), then the
// parameters of uri's own query: AI attributes join the decoded ones, the
// others are copied verbatim ("k=" as "k"). The fragment is dropped. Every value is
// validated and every Digital Link rule applied, so the result passes
// Parse. A value the prototype would decode with its leading zeros lost (a
// variable-length number "0012") keeps them here.
//
// Errors are *Error values wrapping ErrBadCompressed (not base64url,
// truncated or malformed stream), ErrUnknownAI, ErrValue (a bad check digit
// or syntax after decoding), ErrDuplicateAI, ErrNoPrimaryKey, … It
// allocates nothing when dst has room and no query value needs
// percent-decoding.
func AppendDecompressed(dst []byte, uri string) ([]byte, error) {
	z := getDecompressor()
	out, err := z.run(dst, uri)
	putDecompressor(z)
	return out, err
}

// Bounds of one compressed link: AIs and packed non-AI parameters.
const (
	maxDecEls   = 32
	maxDecPairs = 16
)

// decEl is one AI decoded from the stream or read from the query.
type decEl struct {
	ai     *gs1.AI
	num    uint16
	v0, v1 int    // value span in the scratch (stream)
	val    string // the value; for the stream valid until the decompressor is reused
	at     int    // bit offset of its AI or optimisation code; -1 for the query
	qpos   int    // 0-based offset in the URI of a query parameter
}

type span struct{ i, j int }

// decompressor is the pooled state of AppendDecompressed.
type decompressor struct {
	els     [maxDecEls]decEl
	nEls    int
	pairs   [maxDecPairs][2]span // key and value spans in the scratch
	nPairs  int
	other   []span // verbatim query parameters, as spans of the URI
	scratch []byte // decoded values

	// The arrangement: the key's index, the qualifiers in path order.
	ki     int
	nq     int
	qord   [maxQual]int
	isQual [maxDecEls]bool
}

// arrange makes els[ki] the key (k), the decoded AIs on its qualifier path
// p (if p ≥ 0 and the key has paths) its qualifiers, and checks every other
// AI as an attribute.
func (z *decompressor) arrange(ki int, k *keyInfo, p, seg0 int, seg string) error {
	key := &z.els[ki]
	z.ki, z.nq = ki, 0
	z.isQual = [maxDecEls]bool{}
	qs := newQuals(k)
	if p >= 0 && int(k.lens[p]) > 0 {
		for j := 0; j < int(k.lens[p]); j++ {
			for i := 0; i < z.nEls; i++ {
				if e := &z.els[i]; e.at >= 0 && e.num == k.paths[p][j] {
					if reason, sentinel := qs.add(e.ai.Code, e.num); sentinel != nil {
						return bitErr(sentinel, seg0, seg, e.at, "%s", reason)
					}
					z.isQual[i] = true
					z.qord[z.nq] = i
					z.nq++
				}
			}
		}
	}
	var nbuf [maxDecEls]uint16
	nums := nbuf[:0]
	for i := 0; i < z.nEls; i++ {
		e := &z.els[i]
		if i == ki || z.isQual[i] {
			continue
		}
		if reason, sentinel := checkAttr(key.num, &qs, nums, gs1.Element{AI: e.ai.Code, Value: e.val}, e.ai, e.num); sentinel != nil {
			if e.at < 0 {
				return errAt(sentinel, e.qpos, e.ai.Code, reason)
			}
			return bitErr(sentinel, seg0, seg, e.at, "%s", reason)
		}
		nums = append(nums, e.num)
	}
	return nil
}

var decompressorPool = sync.Pool{New: func() any { return &decompressor{scratch: make([]byte, 0, 256)} }}

func getDecompressor() *decompressor {
	z := decompressorPool.Get().(*decompressor)
	z.nEls, z.nPairs = 0, 0
	z.other = z.other[:0]
	z.scratch = z.scratch[:0]
	return z
}

func putDecompressor(z *decompressor) {
	for i := 0; i < z.nEls; i++ {
		z.els[i].val = "" // drop views of the scratch and of the URI
	}
	if cap(z.scratch) > 4096 {
		z.scratch = make([]byte, 0, 256)
	}
	decompressorPool.Put(z)
}

// bitErr is an error in the stream at bit offset bit of the segment that
// starts at offset seg0 of the URI.
func bitErr(sentinel error, seg0 int, seg string, bit int, format string, args ...any) *Error {
	ch := bit / 6
	if ch >= len(seg) && len(seg) > 0 {
		ch = len(seg) - 1
	}
	return &Error{Pos: seg0 + ch + 1, Segment: seg, Err: sentinel,
		Reason: fmt.Sprintf(format, args...) + fmt.Sprintf(" (bit %d of the segment, character %d)", bit, ch+1)}
}

func (z *decompressor) run(dst []byte, uri string) ([]byte, error) {
	if i := BadURIChar(uri); i >= 0 {
		return dst, errAt(ErrCharacter, i, uri[i:i+1], fmt.Sprintf("%q may not appear in a URI; percent-encode it", uri[i]))
	}
	var off int
	switch {
	case strings.HasPrefix(uri, "https://") || strings.HasPrefix(uri, "HTTPS://"):
		off = len("https://")
	case strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "HTTP://"):
		off = len("http://")
	default:
		return dst, errAt(ErrScheme, 0, uri[:min(len(uri), 8)], "want http:// or https:// (all lower or all upper case)")
	}
	slash := strings.IndexByte(uri[off:], '/')
	if slash <= 0 {
		return dst, errAt(ErrHost, off, uri[off:], "want a host and a path")
	}
	for i := off; i < off+slash; i++ {
		if badHostChar[uri[i]] {
			return dst, errAt(ErrHost, i, uri[off:off+slash], fmt.Sprintf("%q is not allowed in a host", uri[i]))
		}
	}
	ps := off + slash
	end := len(uri)
	if i := strings.IndexByte(uri[ps:], '#'); i >= 0 {
		end = ps + i
	}
	pe, qs := end, end
	if i := strings.IndexByte(uri[ps:end], '?'); i >= 0 {
		pe, qs = ps+i, ps+i+1
	}
	seg0 := ps + strings.LastIndexByte(uri[ps:pe], '/') + 1
	seg := uri[seg0:pe]
	if seg == "" {
		return dst, errAt(ErrBadCompressed, pe-1, uri[ps:pe], "the path ends in '/': no compressed segment")
	}
	for i := 0; i < len(seg); i++ {
		if base64Val[seg[i]] == 0xFF {
			return dst, errAt(ErrBadCompressed, seg0+i, seg, fmt.Sprintf("%q is not a base64url character (A-Z a-z 0-9 - _)", seg[i]))
		}
	}
	if err := z.decode(seg0, seg); err != nil {
		return dst, err
	}
	for i := 0; i < z.nEls; i++ {
		e := &z.els[i]
		e.val = b2s(z.scratch[e.v0:e.v1])
		if err := e.ai.Validate(e.val); err != nil {
			return dst, &Error{Pos: seg0 + e.at/6 + 1, Segment: seg, Err: ErrValue, Cause: err,
				Reason: fmt.Sprintf("AI (%s) %s decoded from bit %d: %v", e.ai.Code, e.ai.Title, e.at, err)}
		}
	}
	if err := z.readQuery(uri, qs, end); err != nil {
		return dst, err
	}

	// The key: the first decoded primary-key AI.
	ki := -1
	for i := 0; i < z.nEls && ki < 0; i++ {
		if z.els[i].at >= 0 && z.els[i].ai.DLPKey != nil {
			ki = i
		}
	}
	if ki < 0 {
		return dst, &Error{Pos: seg0 + 1, Segment: seg, Err: ErrNoPrimaryKey,
			Reason: "the compressed data holds no GS1 Digital Link primary key AI (01, 00, 414, 8004, …)"}
	}
	key := &z.els[ki]
	k := keyOf(key.num)
	// The qualifier path holding most decoded AIs first (the first on a
	// tie, as FromElements); if the others do not fit as attributes with
	// it, the next path: /01/…/235/… with ?10= needs the second path.
	var counts [maxPaths]int
	for p := 0; p < int(k.n); p++ {
		for i := 0; i < z.nEls; i++ {
			if z.els[i].at >= 0 && k.index(p, z.els[i].num) >= 0 {
				counts[p]++
			}
		}
	}
	var firstErr error
	if k.n == 0 {
		firstErr = z.arrange(ki, k, -1, seg0, seg)
	}
	tried := [maxPaths]bool{}
	for range int(k.n) {
		best := -1
		for p := 0; p < int(k.n); p++ {
			if !tried[p] && (best < 0 || counts[p] > counts[best]) {
				best = p
			}
		}
		tried[best] = true
		err := z.arrange(ki, k, best, seg0, seg)
		if err == nil {
			firstErr = nil
			break
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return dst, firstErr
	}
	ki, nq, qord, isQual := z.ki, z.nq, &z.qord, &z.isQual

	// Write the long form.
	if off == len("https://") {
		dst = append(dst, "https://"...)
	} else {
		dst = append(dst, "http://"...)
	}
	dst = append(dst, uri[off:ps]...)
	if stem := uri[ps+1 : max(ps+1, seg0-1)]; stem != "" {
		dst = append(dst, '/')
		dst = append(dst, stem...)
	}
	dst = appendPair(dst, gs1.Element{AI: key.ai.Code, Value: key.val})
	for j := 0; j < nq; j++ {
		e := &z.els[qord[j]]
		dst = appendPair(dst, gs1.Element{AI: e.ai.Code, Value: e.val})
	}
	// Attributes in lexical AI order, so that the long form does not
	// depend on the order of the stream (optimisation codes reorder it).
	var ord [maxDecEls]int
	na := 0
	for i := 0; i < z.nEls; i++ {
		if i == ki || isQual[i] {
			continue
		}
		ord[na] = i
		for j := na; j > 0 && z.els[ord[j]].ai.Code < z.els[ord[j-1]].ai.Code; j-- {
			ord[j], ord[j-1] = ord[j-1], ord[j]
		}
		na++
	}
	sep := byte('?')
	for pass := 0; pass < 2; pass++ {
		fixed := pass == 0
		for _, i := range ord[:na] {
			e := &z.els[i]
			if e.ai.Fixed != fixed {
				continue
			}
			dst = append(dst, sep)
			sep = '&'
			dst = append(dst, e.ai.Code...)
			dst = append(dst, '=')
			dst = AppendEscape(dst, e.val, true)
		}
	}
	for i := 0; i < z.nPairs; i++ {
		p := z.pairs[i]
		dst = append(dst, sep)
		sep = '&'
		dst = append(dst, z.scratch[p[0].i:p[0].j]...)
		if p[1].j > p[1].i {
			dst = append(dst, '=')
			dst = AppendEscape(dst, b2s(z.scratch[p[1].i:p[1].j]), true)
		}
	}
	for _, o := range z.other {
		kv := uri[o.i:o.j]
		if kv[len(kv)-1] == '=' && strings.IndexByte(kv, '=') == len(kv)-1 {
			kv = kv[:len(kv)-1] // "k=" is "k", as DL.String writes it
		}
		if kv == "" {
			continue
		}
		dst = append(dst, sep)
		sep = '&'
		dst = append(dst, kv...)
	}
	return dst, nil
}

// readQuery reads the query uri[qs:end] of the compressed URI: AI
// attributes join the decoded elements, other parameters are kept as
// spans.
func (z *decompressor) readQuery(uri string, qs, end int) error {
	for p := qs; p < end; {
		if uri[p] == '&' {
			p++
			continue
		}
		p0, p1 := p, end
		if i := strings.IndexByte(uri[p0:end], '&'); i >= 0 {
			p1 = p0 + i
		}
		p = p1
		eq := strings.IndexByte(uri[p0:p1], '=')
		if eq < 0 {
			z.other = append(z.other, span{p0, p1})
			continue
		}
		k := uri[p0 : p0+eq]
		num, ok := aiNum(k)
		if !ok && !allDigits(k) {
			z.other = append(z.other, span{p0, p1})
			continue
		}
		a := lookupAI(k)
		if a == nil {
			return errAt(ErrUnknownAI, p0, uri[p0:p1], fmt.Sprintf("numeric parameter %s is not a GS1 AI", k))
		}
		el, err := parseValue(uri, p0, k, a, p0+eq+1, p1, true, Options{})
		if err != nil {
			return err
		}
		for i := 0; i < z.nEls; i++ {
			if z.els[i].num == num {
				return errAt(ErrDuplicateAI, p0, uri[p0:p1], fmt.Sprintf("AI (%s) is also in the compressed data", k))
			}
		}
		if z.nEls == maxDecEls {
			return errAt(ErrCompress, p0, uri[p0:p1], fmt.Sprintf("more than %d AIs", maxDecEls))
		}
		z.els[z.nEls] = decEl{ai: a, num: num, val: el.Value, at: -1, qpos: p0}
		z.nEls++
	}
	return nil
}

// decode reads the bit stream of seg (at offset seg0 of the URI) into
// z.els and z.pairs. Like the prototype it stops when 8 bits or fewer are
// left: the padding of the last character.
func (z *decompressor) decode(seg0 int, seg string) error {
	r := bitReader{s: seg}
	for r.left() > 8 {
		at := r.pos
		h, _ := r.read(8)
		h1, h2 := h>>4, h&15
		switch {
		case h1 <= 9 && h2 <= 9:
			prefix := int(h1*10 + h2)
			n := int(compPrefixLen[prefix])
			if n == 0 {
				return bitErr(ErrUnknownAI, seg0, seg, at, "no GS1 AI starts with %02d", prefix)
			}
			code := prefix
			for i := 2; i < n; i++ {
				d, ok := r.read(4)
				if !ok {
					return bitErr(ErrBadCompressed, seg0, seg, r.pos, "the stream ends inside an AI that starts with %02d", prefix)
				}
				if d > 9 {
					return bitErr(ErrBadCompressed, seg0, seg, r.pos-4, "AI digit %X after %d is not decimal", d, code)
				}
				code = code*10 + int(d)
			}
			num := uint16(code)
			switch n {
			case 3:
				num += 100
			case 4:
				num += 1100
			}
			f := compFormatOf(num)
			if f == nil {
				return bitErr(ErrUnknownAI, seg0, seg, at, "AI (%0*d) is not in the GS1 table", n, code)
			}
			if err := z.readValue(&r, f, num, at, seg0, seg); err != nil {
				return err
			}
		case compOptIndex[h] != 0:
			for _, ai := range compOpts[compOptIndex[h]-1].ais {
				num, _ := aiNum(ai)
				if err := z.readValue(&r, compFormatOf(num), num, at, seg0, seg); err != nil {
					return err
				}
			}
		case h1 == 0xF:
			if err := z.readPair(&r, at, seg0, seg); err != nil {
				return err
			}
		default:
			return bitErr(ErrBadCompressed, seg0, seg, at, "hex code %02X is neither an AI nor an optimisation code", h)
		}
	}
	return nil
}

// readValue decodes the value of the AI with layout f and number num,
// whose AI or optimisation code starts at bit at, into the scratch.
func (z *decompressor) readValue(r *bitReader, f *compFormat, num uint16, at, seg0 int, seg string) error {
	code := f.ai.Code
	for i := 0; i < z.nEls; i++ {
		if z.els[i].num == num {
			return bitErr(ErrDuplicateAI, seg0, seg, at, "AI (%s) appears twice in the compressed data", code)
		}
	}
	if z.nEls == maxDecEls {
		return bitErr(ErrBadCompressed, seg0, seg, at, "more than %d AIs", maxDecEls)
	}
	short := func() error {
		return bitErr(ErrBadCompressed, seg0, seg, r.pos, "the stream ends inside the value of AI (%s)", code)
	}
	v0 := len(z.scratch)
	for i := 0; i < int(f.np); i++ {
		p := f.parts[i]
		var enc uint64
		if !p.num {
			var ok bool
			if enc, ok = r.read(3); !ok {
				return short()
			}
		}
		n := int(p.n)
		if !p.fixed {
			l, ok := r.read(lengthBits(n))
			if !ok {
				return short()
			}
			n = int(l)
		}
		if p.num {
			enc = encDigits
		}
		var err error
		if z.scratch, err = z.readChars(r, enc, n, seg0, seg, code); err != nil {
			return err
		}
	}
	z.els[z.nEls] = decEl{ai: f.ai, num: num, v0: v0, v1: len(z.scratch), at: at}
	z.nEls++
	return nil
}

// readChars decodes n characters in encoding enc and appends them to the
// scratch.
func (z *decompressor) readChars(r *bitReader, enc uint64, n, seg0 int, seg, ai string) ([]byte, error) {
	b := z.scratch

	at := r.pos
	var width int
	var alphabet string
	switch enc {
	case encDigits:
		out, ok, tooLarge := r.readNumber(b, int(valueBits[n]), n)
		if tooLarge {
			return b, bitErr(ErrBadCompressed, seg0, seg, at, "the %d-digit number of %s has more than %d digits", n, label(ai), n)
		}
		if !ok {
			return b, bitErr(ErrBadCompressed, seg0, seg, r.pos, "the stream ends inside the value of %s", label(ai))
		}
		return out, nil
	case encHexLower:
		width, alphabet = 4, "0123456789abcdef"
	case encHexUpper:
		width, alphabet = 4, "0123456789ABCDEF"
	case encBase64:
		width, alphabet = 6, base64URL
	case encASCII:
		width = 7
	default:
		return b, bitErr(ErrBadCompressed, seg0, seg, at-3, "encoding %d of %s is not defined (0–4)", enc, label(ai))
	}
	if r.left() < width*n {
		return b, bitErr(ErrBadCompressed, seg0, seg, r.pos, "the stream ends inside the value of %s (%d characters of %d bits)", label(ai), n, width)
	}
	for i := 0; i < n; i++ {
		v, _ := r.read(width)
		if alphabet != "" {
			b = append(b, alphabet[v])
		} else {
			b = append(b, byte(v))
		}
	}
	return b, nil
}

// label names the AI ai in an error, or a non-AI parameter for "".
func label(ai string) string {
	if ai == "" {
		return "a non-AI parameter"
	}
	return "AI (" + ai + ")"
}

// readPair decodes a non-AI parameter whose 'F' nibble starts at bit at.
func (z *decompressor) readPair(r *bitReader, at, seg0 int, seg string) error {
	r.pos = at + 4
	kl, ok := r.read(7)
	if !ok {
		return bitErr(ErrBadCompressed, seg0, seg, r.pos, "the stream ends inside a non-AI parameter")
	}
	if kl == 0 {
		return bitErr(ErrBadCompressed, seg0, seg, at, "non-AI parameter with an empty key")
	}
	if z.nPairs == maxDecPairs {
		return bitErr(ErrBadCompressed, seg0, seg, at, "more than %d non-AI parameters", maxDecPairs)
	}
	var err error
	k0 := len(z.scratch)
	if z.scratch, err = z.readChars(r, encBase64, int(kl), seg0, seg, ""); err != nil {
		return err
	}
	k1 := len(z.scratch)
	if allDigits(b2s(z.scratch[k0:k1])) {
		return bitErr(ErrBadCompressed, seg0, seg, at, "non-AI parameter key %s is all digits, which reads as an AI", z.scratch[k0:k1])
	}
	enc, ok := r.read(3)
	if !ok {
		return bitErr(ErrBadCompressed, seg0, seg, r.pos, "the stream ends inside a non-AI parameter")
	}
	n, ok := r.read(7)
	if !ok {
		return bitErr(ErrBadCompressed, seg0, seg, r.pos, "the stream ends inside a non-AI parameter")
	}
	v0 := len(z.scratch)
	if z.scratch, err = z.readChars(r, enc, int(n), seg0, seg, ""); err != nil {
		return err
	}
	for i := v0; i < len(z.scratch); i++ {
		if z.scratch[i] == 0 {
			return bitErr(ErrBadCompressed, seg0, seg, at, "the value of a non-AI parameter holds NUL")
		}
	}
	z.pairs[z.nPairs] = [2]span{{k0, k1}, {v0, len(z.scratch)}}
	z.nPairs++
	return nil
}
