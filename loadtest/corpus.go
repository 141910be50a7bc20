package loadtest

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Form is the URL form a scan is sent in.
type Form uint8

// The forms a resolver answers.
const (
	// FormDL is a GS1 Digital Link path: /01/{gtin}[/10/{lot}]/21/{serial}.
	FormDL Form = iota
	// FormShort is a short-code URL path: /c/{short}.
	FormShort
	// FormResolve is /resolve?code={any scanned string}.
	FormResolve
	numForms
)

// String returns the form's name as used in flags and results.json.
func (f Form) String() string {
	switch f {
	case FormDL:
		return "dl"
	case FormShort:
		return "short"
	case FormResolve:
		return "resolve"
	}
	return fmt.Sprintf("form(%d)", uint8(f))
}

// template is one request target stored in a Corpus arena: the bytes
// arena[off:off+n] are a path with query, ready to send.
type template struct {
	off, n uint32
	// mut is the offset, within the template, of the byte a forged request
	// changes: an alphanumeric byte of the serial (or of the code) that is not
	// part of a %XX escape. mut == n means "no safe byte" (never forged).
	mut uint32
}

// Corpus holds the codes a run scans, as ready-to-send request paths grouped
// by form. Codes are added once, before a run; a Corpus is read-only (and
// safe for concurrent use) afterwards.
//
// Every request path lives in one byte arena so that millions of codes cost
// the garbage collector nothing to scan.
type Corpus struct {
	arena []byte
	pools [numForms][]template
	// skipped counts lines that could not be turned into any request.
	skipped int
}

// Len returns the number of request templates of form f.
func (c *Corpus) Len(f Form) int { return len(c.pools[f]) }

// Skipped returns how many added lines were ignored (blank lines and
// comments are not counted).
func (c *Corpus) Skipped() int { return c.skipped }

// Add adds one scanned string:
//
//   - a Digital Link URI (http[s]://host/01/…) or path (/01/…): added as a
//     Digital Link path — the host is dropped, requests go to the target — and
//     also as /resolve?code= with the equivalent GS1 element string
//     (01)…(10)…(21)…, so one block of codes feeds both forms;
//   - a short-code URL (http[s]://host/c/X) or path (/c/X): a short code;
//   - anything else (element string, EPC, NMPA code, an unknown URL): sent
//     as-is to /resolve?code=.
//
// Blank lines and lines starting with # are ignored.
func (c *Corpus) Add(line string) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return
	}
	path, isURL := line, false
	if rest, ok := cutScheme(line); ok {
		isURL = true
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			path = rest[i:]
		} else {
			path = "/"
		}
	}
	switch {
	case strings.HasPrefix(path, "/c/") && len(path) > 3:
		c.addTemplate(FormShort, path, len("/c/"), len(path))
		return
	case path != "" && path[0] == '/' && isDigitalLinkPath(path):
		start, end := dlSerialSpan(path)
		c.addTemplate(FormDL, path, start, end)
		if es, ok := elementString(path); ok {
			c.addResolve(es)
		}
		return
	case strings.HasPrefix(line, "/") && !isURL:
		c.skipped++ // a path we do not know how to send
		return
	}
	c.addResolve(line)
}

// addFrom adds every line of r; it returns the number of lines read.
func (c *Corpus) addFrom(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		c.Add(sc.Text())
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("line %d: %w", n+1, err)
	}
	return n, nil
}

// addResolve adds /resolve?code=<code> with the code query-escaped; a forged
// copy changes the last alphanumeric character of the serial (AI 21) when the
// code has one, else of the code.
func (c *Corpus) addResolve(code string) {
	const prefix = "/resolve?code="
	esc := url.QueryEscape(code)
	p := prefix + esc
	start, end := len(prefix), len(p)
	if i := strings.LastIndex(esc, "%2821%29"); i >= 0 { // "(21)" escaped
		start = len(prefix) + i + len("%2821%29")
		if j := strings.Index(p[start:], "%28"); j >= 0 {
			end = start + j
		}
	}
	c.addTemplate(FormResolve, p, start, end)
}

// addTemplate appends p to the arena; the forgeable byte is searched in
// p[start:end].
func (c *Corpus) addTemplate(f Form, p string, start, end int) {
	if len(c.arena)+len(p) > 1<<32-1 {
		c.skipped++
		return
	}
	t := template{off: uint32(len(c.arena)), n: uint32(len(p)), mut: uint32(len(p))}
	if m := forgeableByte(p, start, end); m >= 0 {
		t.mut = uint32(m)
	}
	c.arena = append(c.arena, p...)
	c.pools[f] = append(c.pools[f], t)
}

// cutScheme strips http:// or https:// (any case) from s.
func cutScheme(s string) (rest string, ok bool) {
	for _, p := range [...]string{"https://", "http://"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return s[len(p):], true
		}
	}
	return s, false
}

// isDigitalLinkPath reports whether p starts with a GS1 primary key segment:
// /01/, /00/, /414/, /8003/, /8004/ … — a slash, 2–4 digits, a slash.
func isDigitalLinkPath(p string) bool {
	i := 1
	for i < len(p) && i <= 5 && p[i] >= '0' && p[i] <= '9' {
		i++
	}
	return i >= 3 && i <= 5 && i < len(p) && p[i] == '/'
}

// dlSerialSpan returns the byte span of the serial (the /21/ segment) in a
// Digital Link path, or of the last path segment when there is none.
func dlSerialSpan(p string) (start, end int) {
	if q := strings.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	if i := strings.Index(p, "/21/"); i >= 0 {
		start = i + len("/21/")
		end = len(p)
		if j := strings.IndexByte(p[start:], '/'); j >= 0 {
			end = start + j
		}
		return start, end
	}
	return strings.LastIndexByte(p, '/') + 1, len(p)
}

// elementString converts a Digital Link path's AI segments to a GS1 element
// string in the human-readable form "(01)…(21)…". It reports false when the
// path has an odd number of segments or a segment does not unescape.
func elementString(p string) (string, bool) {
	if q := strings.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs)%2 != 0 {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(segs); i += 2 {
		v, err := url.PathUnescape(segs[i+1])
		if err != nil || v == "" {
			return "", false
		}
		b.WriteByte('(')
		b.WriteString(segs[i])
		b.WriteByte(')')
		b.WriteString(v)
	}
	return b.String(), true
}

// forgeableByte returns the offset of the last alphanumeric byte in
// p[start:end] that is not part of a %XX escape, or −1.
func forgeableByte(p string, start, end int) int {
	for i := end - 1; i >= start; i-- {
		if !isAlnum(p[i]) {
			continue
		}
		if (i >= 1 && p[i-1] == '%') || (i >= 2 && p[i-2] == '%') {
			continue
		}
		return i
	}
	return -1
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

// forge rotates an alphanumeric byte within its class (0–9, A–Z, a–z), so a
// forged code keeps its shape and alphabet but names a serial that was never
// issued (or fails its check character).
func forge(b byte) byte {
	switch {
	case b >= '0' && b <= '9':
		return '0' + (b-'0'+1)%10
	case b >= 'A' && b <= 'Z':
		return 'A' + (b-'A'+1)%26
	case b >= 'a' && b <= 'z':
		return 'a' + (b-'a'+1)%26
	}
	return b
}
