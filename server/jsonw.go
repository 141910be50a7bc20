package server

import (
	"strconv"
	"sync"
	"time"

	"tracecode/engine/config"
	"tracecode/engine/jsonstr"
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

// appendJSONString appends s as an escaped JSON string (see jsonstr.Append).
func appendJSONString[S ~string | ~[]byte](dst []byte, s S) []byte { return jsonstr.Append(dst, s) }

// jw is a tiny JSON object writer that tracks commas.
type jw struct {
	b     []byte
	first bool
	// loc is the zone times are written in: the engine's business-day
	// clock (engine.Options.Location); nil means engine.DefaultLocation.
	loc *time.Location
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

// objArr writes k as an array of one object per row, whose members
// member writes (to w); nothing at all when rows is empty. member does
// not escape, so a function literal passed here allocates nothing; it
// captures w rather than taking it as an argument, which would make w
// escape (the pooled writer of writeChainJSON would go to the heap).
func objArr[T any](w *jw, k string, rows []T, member func(r *T)) {
	if len(rows) == 0 {
		return
	}
	w.key(k)
	w.openArr()
	for i := range rows {
		w.elem()
		w.open()
		member(&rows[i])
		w.close()
	}
	w.closeArr()
}

func (w *jw) str(k, v string) { w.key(k); w.b = appendJSONString(w.b, v) }
func (w *jw) bytes(k string, v []byte) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

// regionName writes k as the Chinese full name of division code (see
// regionName), without allocating; opt leaves k out when there is no name.
func (w *jw) regionName(k string, code uint32, opt bool) {
	var buf [192]byte
	name := appendRegionName(buf[:0], code, "zh")
	if len(name) > 0 || !opt {
		w.bytes(k, name)
	}
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

// timeMS writes a unix-millisecond time as RFC 3339 in w.loc.
func (w *jw) timeMS(k string, ms int64) {
	w.key(k)
	w.b = append(w.b, '"')
	loc := w.loc
	if loc == nil {
		loc = config.DefaultLocation
	}
	w.b = time.UnixMilli(ms).In(loc).AppendFormat(w.b, time.RFC3339)
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
