package server

import (
	"fmt"
	"time"

	"github.com/valyala/fasthttp"
)

// maxContentsCodes bounds the codes one contents answer lists; the runs
// beyond still give their product and count.
const maxContentsCodes = 10_000

type heldRunJSON struct {
	Product      uint32   `json:"product"`
	ProductName  string   `json:"productName,omitempty"`
	Count        uint64   `json:"count"`
	Since        string   `json:"since"`
	PackRecord   uint64   `json:"packRecord"`
	Until        string   `json:"until,omitempty"`
	UnpackRecord uint64   `json:"unpackRecord,omitempty"`
	Codes        []string `json:"codes"`
}

type heldJSON struct {
	Container string        `json:"container"`
	From      string        `json:"from"`
	To        string        `json:"to"`
	Count     uint64        `json:"count"`
	Runs      []heldRunJSON `json:"runs"`
	Truncated bool          `json:"truncated"`
}

// apiContents serves GET /v1/contents/{code}?at= (or ?from=&to=): the
// children a container (case, pallet, SSCC unit) held at an instant or at
// any moment of a window, present now or taken out since — "what was on
// this pallet on day D". Who sees the container's private chain
// (engine.TraceAccessOf) sees its contents; anyone else gets 404.
func (s *Server) apiContents(c *call) {
	input, ok := pathCode(c, "/v1/contents/")
	if !ok {
		return
	}
	from, to, ok := contentsWindow(c)
	if !ok {
		return
	}
	v, _, ok := s.privateChain(c, input)
	if !ok {
		return
	}
	ch := &v.ch
	h, err := s.eng.Reports().ContentsDuring(ch.Node, from, to)
	if err != nil {
		engineError(c, err)
		return
	}
	out := heldJSON{Container: s.nodeCode(ch.Node), From: msTime(h.From), To: msTime(h.To), Count: h.Count, Runs: []heldRunJSON{}}
	listed := 0
	for i := range h.Runs {
		r := &h.Runs[i]
		rj := heldRunJSON{Product: r.Product, Count: r.Len(), Since: msTime(r.Since), PackRecord: r.PackSeq,
			Until: msTime(r.Until), UnpackRecord: r.UnpackSeq, Codes: []string{}}
		if p, err := s.eng.Issuance().Product(r.Product); r.Product != 0 && err == nil {
			rj.ProductName = p.NameZH
		}
		for j := uint64(0); j < r.Len(); j++ {
			if listed == maxContentsCodes {
				out.Truncated = true
				break
			}
			rj.Codes = append(rj.Codes, s.nodeCode(r.Node(j)))
			listed++
		}
		out.Runs = append(out.Runs, rj)
	}
	writeJSON(c, fasthttp.StatusOK, out)
}

// contentsWindow reads ?at= (one instant) or ?from=&to= (a window), RFC
// 3339 with a zone offset; none means now.
func contentsWindow(c *call) (from, to time.Time, ok bool) {
	args := c.ctx.QueryArgs()
	at, f, t := string(args.Peek("at")), string(args.Peek("from")), string(args.Peek("to"))
	parse := func(name, v string) (time.Time, bool) {
		tm, err := time.Parse(time.RFC3339, v)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("%s %q is not RFC 3339 with a zone offset (2026-11-28T09:30:00+08:00)", name, v))
			return tm, false
		}
		return tm, true
	}
	switch {
	case at != "" && (f != "" || t != ""):
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "give either at or from and to, not both")
	case at != "":
		from, ok = parse("at", at)
		return from, from, ok
	case f != "" && t != "":
		if from, ok = parse("from", f); !ok {
			return
		}
		to, ok = parse("to", t)
		return from, to, ok
	case f != "" || t != "":
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "a window needs both from and to")
	default:
		now := time.Now()
		return now, now, true
	}
	return from, to, false
}
