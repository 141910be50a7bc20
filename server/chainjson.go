package server

import (
	"strconv"
	"sync"

	"github.com/valyala/fasthttp"

	"tracecode/engine/code/digitallink"
	"tracecode/engine/code/epc"
	"tracecode/engine/model"
	"tracecode/engine/scanlog"
	"tracecode/engine/serial"
)

// appendItemDL appends the canonical Digital Link of v's code on base:
// base/01/GTIN[/10/LOT]/21/SERIAL for GTIN codes, base/c/CODE for short
// codes; nothing for codes without either (NMPA-only products).
func appendItemDL(dst []byte, base string, v *chainView) []byte {
	p := &v.res.Product
	switch {
	case v.res.Scheme == serial.Short:
		return append(append(append(dst, base...), "/c/"...), v.res.Serial...)
	case !p.GTIN.IsZero() && v.res.Scheme != serial.NMPA:
		return digitallink.AppendGTINSerial(dst, base, p.GTIN, v.res.Lot.Number, v.res.Serial)
	}
	return dst
}

// appendLotDL and appendGTINDL append the lot- and product-level URIs.
func appendLotDL(dst []byte, base string, v *chainView) []byte {
	return digitallink.AppendGTINSerial(dst, base, v.res.Product.GTIN, v.res.Lot.Number, "")
}

func appendGTINDL(dst []byte, base string, v *chainView) []byte {
	return digitallink.AppendGTINSerial(dst, base, v.res.Product.GTIN, "", "")
}

// writeChainJSON writes the public JSON answer: status, the code in its
// canonical forms, product, producer, lot, the chain and the scan counts.
func (s *Server) writeChainJSON(ctx *fasthttp.RequestCtx, r *publicReq, v *chainView) {
	bp := bufPool.Get()
	w := jw{b: (*bp)[:0], loc: s.eng.Location()}
	from, to := s.appendChain(&w, r, v, false)
	if s.cache != nil && v.found && v.level == levelItem && v.scanned && v.gen != 0 {
		s.cache.put(r.input, &respEntry{gen: v.gen, day: v.today, ref: v.ref, status: v.baseStatus,
			frag: append([]byte(nil), w.b[from:to]...)})
	}
	ctx.SetStatusCode(v.httpStatus())
	ctx.Response.Header.SetContentTypeBytes(ctJSON)
	ctx.Response.Header.SetCanonical(hdrCacheControl, valNoStore)
	if v.found && v.level == levelItem {
		s.setLinksetHeader(ctx)
	}
	ctx.SetBody(w.b)
	*bp = w.b
	bufPool.Put(bp)
}

var (
	ctJSON = []byte("application/json")
	// The JSON chain carries scan counts: no shared cache may keep it.
	hdrCacheControl = []byte("Cache-Control")
	valNoStore      = []byte("no-store")
)

// writeCachedJSON answers a JSON scan from a cached entry: status, the
// cached members, fresh scan counts.
func (s *Server) writeCachedJSON(ctx *fasthttp.RequestCtx, e *respEntry, st scanlog.Stats, scanned bool) {
	bp := bufPool.Get()
	w := jw{b: (*bp)[:0], loc: s.eng.Location()}
	w.open()
	status := e.status
	if scanned {
		status = status.WithScans(&st)
	}
	w.str("status", status.String())
	w.b = append(w.b, e.frag...)
	if scanned {
		appendScans(&w, &st, false)
	}
	w.close()
	w.b = append(w.b, '\n')
	s.m.scanStatus(status).Inc()
	ctx.SetStatusCode(httpStatus(status))
	ctx.Response.Header.SetContentTypeBytes(ctJSON)
	ctx.Response.Header.SetCanonical(hdrCacheControl, valNoStore)
	s.setLinksetHeader(ctx)
	ctx.SetBody(w.b)
	*bp = w.b
	bufPool.Put(bp)
}

// appendChain appends the chain object. private adds what only the
// owner and regulators see (block, counter, scan regions). It returns the
// span of w.b between the status member and the scans member, which the
// response cache keeps.
func (s *Server) appendChain(w *jw, r *publicReq, v *chainView, private bool) (from, to int) {
	base := s.cfg.PublicBase
	w.open()
	w.str("status", v.status.String())
	from = len(w.b)
	if v.reason != "" {
		w.str("reason", v.reason)
	}
	w.str("level", levelNames[v.level])
	if len(r.input) > 0 || len(r.key) > 0 {
		w.key("code")
		w.open()
		if r.kind == kindGTIN || r.kind == kindSSCC {
			w.key("uri")
			w.b = append(w.b, '"')
			w.b = append(w.b, base...)
			w.b = append(w.b, r.input[len("https://r"):]...)
			w.b = append(w.b, '"')
		} else {
			w.bytes("input", r.key)
		}
		if v.found && v.level == levelItem {
			s.appendIdentity(w, v)
		}
		w.close()
	}
	// Product, producer and lot never change once created: their JSON is
	// encoded once and copied (the profile showed string escaping of the
	// Chinese names as the largest cost of the answer).
	if v.res.Product.ID != 0 {
		w.b = s.frags.product(w.b, &v.res.Product, &v.res.Org, !w.first)
		w.first = false
	}
	if v.hasLot {
		w.b = s.frags.lot(w.b, &v.res.Lot)
	}
	if v.found && v.level == levelItem {
		w.key("item")
		w.open()
		w.str("packaging", v.res.Block.Level.String())
		w.str("state", v.engineStatus)
		if private {
			w.uint("block", v.res.Block.ID)
			w.uint("counter", v.res.Counter)
			w.uint("offset", v.res.Offset)
			w.str("scheme", v.res.Scheme.String())
			// Custody: who holds the item now (docs/chain.md "Custody").
			if h := v.ch.Holder; h.Org != 0 {
				w.uint("holder", uint64(h.Org))
				if h.Pending != 0 {
					w.uint("shippedTo", uint64(h.Pending))
				}
			}
		}
		w.close()
	}
	s.appendChainExtra(w, v, private)
	to = len(w.b)
	if v.scanned {
		appendScans(w, &v.stats, private)
	}
	w.close()
	w.b = append(w.b, '\n')
	return from, to
}

// appendScans writes the scans member.
func appendScans(w *jw, st *scanlog.Stats, private bool) {
	{
		w.key("scans")
		w.open()
		w.uint("count", st.Count)
		if st.First != 0 {
			w.timeMS("first", st.First)
			w.timeMS("last", st.Last)
		}
		w.uint("regions", uint64(st.NRegion))
		w.bool("suspicious", st.Suspicious)
		if private && st.NRegion > 0 {
			w.key("regionCodes")
			w.openArr()
			for _, reg := range st.Regions[:st.NRegion] {
				w.elem()
				w.b = strconv.AppendUint(append(w.b, '"'), uint64(reg), 10)
				w.b = append(w.b, '"')
			}
			w.closeArr()
		}
		w.close()
	}
}

var levelNames = [...]string{levelProduct: "product", levelLot: "lot", levelItem: "item"}

// appendIdentity writes the item's code in every canonical form it has.
func (s *Server) appendIdentity(w *jw, v *chainView) {
	p := &v.res.Product
	w.str("format", v.res.Format.String())
	w.str("serial", v.res.Serial)
	switch v.res.Scheme {
	case serial.Short:
		w.key("short")
		w.b = appendItemDL(append(w.b, '"'), s.cfg.PublicBase, v)
		w.b = append(w.b, '"')
		return
	case serial.NMPA:
		w.key("nmpa")
		w.b = append(append(append(append(w.b, '"'), p.DrugID...), v.res.Serial...), '"')
		return
	}
	if p.GTIN.IsZero() {
		return
	}
	// Percent-encoded Digital Links hold no character JSON escapes.
	w.key("digitalLink")
	w.b = appendItemDL(append(w.b, '"'), s.cfg.PublicBase, v)
	w.b = append(w.b, '"')
	w.key("elementString")
	w.b = append(w.b, `"(01)`...)
	w.b = append(w.b, p.GTIN[:]...)
	if v.hasLot {
		w.b = append(w.b, "(10)"...)
		w.b = appendJSONEscapedInner(w.b, v.res.Lot.Number)
	}
	w.b = append(w.b, "(21)"...)
	w.b = appendJSONEscapedInner(w.b, v.res.Serial)
	w.b = append(w.b, '"')
	if p.GCPLength > 0 {
		if sg, err := epc.SGTINFromGTIN(p.GTIN, v.res.Serial, int(p.GCPLength)); err == nil {
			w.key("epcURN")
			w.b = sg.AppendURN(append(w.b, '"'))
			w.b = append(w.b, '"')
		}
	}
}

// appendJSONEscapedInner appends s escaped for the inside of a JSON
// string (without quotes).
func appendJSONEscapedInner(dst []byte, s string) []byte {
	n := len(dst)
	dst = appendJSONString(dst, s)
	// Drop the quotes appendJSONString added.
	copy(dst[n:], dst[n+1:len(dst)-1])
	return dst[:len(dst)-2]
}

// fragCache (one per Server: ids and revisions are its engine's) holds the encoded JSON of master data: ",\"product\":{…},\"producer\":{…}"
// by product and ",\"lot\":{…}" by lot. Entries are keyed by id and
// revision (engine/amend raises a record's revision with every rewrite,
// and the store keeps it, so an amended record is encoded again — on a
// replica too, which learns of the amendment only from the store); a
// product's key holds its producer's id, whose fields never change. A
// hit is one map read: the fields of the record are not compared.
type fragCache struct {
	mu   sync.RWMutex
	prod map[fragKey][]byte // GUARDED_BY(mu)
	lots map[fragKey][]byte // GUARDED_BY(mu)
}

// fragKey names one revision of a record (a product with its producer,
// or a lot).
type fragKey struct {
	id, org, rev uint32
}

func newFragCache() *fragCache {
	return &fragCache{prod: map[fragKey][]byte{}, lots: map[fragKey][]byte{}}
}

const maxFrags = 1 << 16

// product appends the product and producer members (with a leading comma
// if comma).
func (f *fragCache) product(dst []byte, p *model.Product, o *model.Org, comma bool) []byte {
	b := f.cached(f.prod, fragKey{id: p.ID, org: o.ID, rev: p.Revision}, func() []byte {
		w := jw{first: true}
		w.key("product")
		w.open()
		if !p.GTIN.IsZero() {
			w.key("gtin")
			w.b = append(append(append(w.b, '"'), p.GTIN[:]...), '"')
		}
		w.strOpt("drugId", p.DrugID)
		w.strOpt("ownCode", p.OwnCode)
		w.str("name", p.NameZH)
		w.strOpt("nameEN", p.NameEN)
		w.str("category", p.Category.String())
		objArr(&w, "links", p.Links, func(l *model.Link) {
			w.str("type", l.Type)
			w.str("href", l.URL)
		})
		w.close()
		if o.ID != 0 {
			w.key("producer")
			w.open()
			w.str("name", o.Name)
			w.strOpt("nameEN", o.NameEN)
			if o.Region != 0 {
				w.key("region")
				w.b = append(strconv.AppendUint(append(w.b, '"'), uint64(o.Region), 10), '"')
				w.regionName("regionName", o.Region, true)
			}
			w.strOpt("uscc", o.USCC)
			w.close()
		}
		return w.b
	})
	if comma {
		dst = append(dst, ',')
	}
	return append(dst, b...)
}

// lot appends the lot member with a leading comma.
func (f *fragCache) lot(dst []byte, l *model.Lot) []byte {
	b := f.cached(f.lots, fragKey{id: l.ID, rev: l.Revision}, func() []byte {
		w := jw{}
		w.key("lot")
		w.open()
		w.str("number", l.Number)
		if l.Produced != 0 {
			w.date("produced", l.Produced)
		}
		if l.Expiry != 0 {
			w.date("expiry", l.Expiry)
		}
		w.strOpt("site", l.Site)
		w.close()
		return w.b
	})
	return append(dst, b...)
}

// cached returns m's fragment under k, encoding it with build (outside
// the lock) and keeping it when it is missing; a full map starts over.
func (f *fragCache) cached(m map[fragKey][]byte, k fragKey, build func() []byte) []byte {
	f.mu.RLock()
	b, ok := m[k]
	f.mu.RUnlock()
	if ok {
		return b
	}
	b = build()
	f.mu.Lock()
	if len(m) >= maxFrags {
		clear(m)
	}
	m[k] = b
	f.mu.Unlock()
	return b
}
