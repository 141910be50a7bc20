package server

import (
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Hand-written JSON appenders for the resolver's hot path: encoding/json
// reflects and allocates per value; these append to a pooled buffer and
// allocate nothing.

// fastPool is a typed sync.Pool.
type fastPool[T any] struct{ p sync.Pool }

// Get returns a pooled *T or a new one. The caller resets it.
func (p *fastPool[T]) Get() *T {
	if v := p.p.Get(); v != nil {
		return v.(*T)
	}
	return new(T)
}

// Put returns v to the pool.
func (p *fastPool[T]) Put(v *T) { p.p.Put(v) }

// bufPool holds response buffers; a buffer grows to the largest answer it
// served (a few KiB), which is not a leak.
var bufPool = fastPool[[]byte]{}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string with quotes, escaping what
// JSON requires and the HTML-sensitive <, >, & (as encoding/json does).
func appendJSONString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jw is a tiny JSON object writer that tracks commas.
type jw struct {
	b     []byte
	first bool
}

func (w *jw) open()     { w.b = append(w.b, '{'); w.first = true }
func (w *jw) close()    { w.b = append(w.b, '}'); w.first = false }
func (w *jw) openArr()  { w.b = append(w.b, '['); w.first = true }
func (w *jw) closeArr() { w.b = append(w.b, ']'); w.first = false }

// key writes "k": (with a comma when needed). k must need no escaping.
func (w *jw) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

// elem prepares an array element.
func (w *jw) elem() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

func (w *jw) str(k, v string) { w.key(k); w.b = appendJSONString(w.b, v) }
func (w *jw) bytes(k string, v []byte) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

// strOpt writes k only when v is not empty.
func (w *jw) strOpt(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}
func (w *jw) uint(k string, v uint64) { w.key(k); w.b = strconv.AppendUint(w.b, v, 10) }
func (w *jw) bool(k string, v bool)   { w.key(k); w.b = strconv.AppendBool(w.b, v) }

// raw writes k with an already-encoded value.
func (w *jw) raw(k string, v []byte) { w.key(k); w.b = append(w.b, v...) }

// timeMS writes a unix-millisecond time as RFC 3339 in China Standard
// Time.
func (w *jw) timeMS(k string, ms int64) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = time.UnixMilli(ms).In(cst).AppendFormat(w.b, time.RFC3339)
	w.b = append(w.b, '"')
}

// date writes a yyyymmdd date as "yyyy-mm-dd".
func (w *jw) date(k string, d uint32) {
	w.key(k)
	w.b = appendDate(append(w.b, '"'), d)
	w.b = append(w.b, '"')
}

func appendDate(dst []byte, d uint32) []byte {
	y, m, day := d/10000, d/100%100, d%100
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	dst = append(dst, byte('0'+m/10), byte('0'+m%10), '-')
	return append(dst, byte('0'+day/10), byte('0'+day%10))
}
