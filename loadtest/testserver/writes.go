package testserver

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/valyala/fasthttp"
)

// The write API, as far as loadtest's write traffic uses it:
//
//	POST /v1/blocks        {"gtin","lot","createLot","count"} → 201 block (200 "replayed" for a repeated Idempotency-Key)
//	POST /v1/reports/line  {"action":"commission","items":{"ranges":[{"block","first","last"}]}}
//	                        → 201 {"codes": n}; 422 for offsets beyond the block or already commissioned
//
// Blocks minted here have numeric ids from 1001 (the canned read-only blocks
// are "B1", …). Unlike tracecode's, minting is not durable: it is state in
// memory, for tests of the load generator.

// mintedBlock is a block minted through the API.
type mintedBlock struct {
	id    uint64
	gtin  string
	lot   string
	count uint64
	done  []bool // commissioned offsets
}

// WriteCounts is what the write API has done.
type WriteCounts struct {
	// Mints and Reports count applied (not replayed) requests;
	// CodesMinted and CodesCommissioned the codes they covered.
	Mints, Reports                 int64
	CodesMinted, CodesCommissioned int64
	// Replays counts answers to a repeated Idempotency-Key.
	Replays int64
}

// Writes returns the write API's counts so far.
func (s *Server) Writes() WriteCounts {
	s.w.Lock()
	defer s.w.Unlock()
	return s.w.counts
}

func writeProblem(ctx *fasthttp.RequestCtx, status int, detail string) {
	ctx.SetStatusCode(status)
	ctx.SetContentTypeBytes(ctProblem)
	b, _ := json.Marshal(map[string]any{"title": fasthttp.StatusMessage(status), "status": status, "detail": detail})
	ctx.SetBody(b)
}

func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	b, _ := json.Marshal(v)
	ctx.SetStatusCode(status)
	ctx.SetContentTypeBytes(ctJSON)
	ctx.SetBody(b)
}

// mint serves POST /v1/blocks.
func (s *Server) mint(ctx *fasthttp.RequestCtx) {
	var in struct {
		GTIN      string `json:"gtin"`
		Lot       string `json:"lot"`
		CreateLot bool   `json:"createLot"`
		Count     uint64 `json:"count"`
	}
	if err := json.Unmarshal(ctx.PostBody(), &in); err != nil {
		writeProblem(ctx, fasthttp.StatusBadRequest, "body: "+err.Error())
		return
	}
	switch {
	case in.GTIN != s.codes[0].gtin && (len(s.codes) < 2 || in.GTIN != s.codes[1].gtin):
		writeProblem(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no product with gtin %q visible to this API key", in.GTIN))
		return
	case in.Count == 0 || in.Count > 10_000_000:
		writeProblem(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("count %d not in 1..10000000", in.Count))
		return
	case in.Lot != "" && !in.CreateLot && !strings.HasPrefix(in.Lot, "L"):
		writeProblem(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no lot %q", in.Lot))
		return
	}
	idem := string(ctx.Request.Header.Peek("Idempotency-Key"))
	s.w.Lock()
	if id, ok := s.w.idem[idem]; ok && idem != "" {
		b := s.w.blocks[id]
		s.w.counts.Replays++
		s.w.Unlock()
		writeJSON(ctx, fasthttp.StatusOK, map[string]any{"id": b.id, "gtin": b.gtin, "lot": b.lot, "count": b.count, "state": "active",
			"codes": fmt.Sprintf("/v1/blocks/%d/codes", b.id), "replayed": true})
		return
	}
	s.w.next++
	b := &mintedBlock{id: 1000 + s.w.next, gtin: in.GTIN, lot: in.Lot, count: in.Count, done: make([]bool, in.Count)}
	s.w.blocks[b.id] = b
	if idem != "" {
		s.w.idem[idem] = b.id
	}
	s.w.counts.Mints++
	s.w.counts.CodesMinted += int64(in.Count)
	s.w.Unlock()
	// As tracecode's: "codes" is the block's codes URL.
	writeJSON(ctx, fasthttp.StatusCreated, map[string]any{"id": b.id, "gtin": b.gtin, "lot": b.lot, "count": b.count, "state": "active",
		"codes": fmt.Sprintf("/v1/blocks/%d/codes", b.id)})
}

// reportLine serves POST /v1/reports/line (commission only).
func (s *Server) reportLine(ctx *fasthttp.RequestCtx) {
	var in struct {
		Action string `json:"action"`
		Items  struct {
			Ranges []struct {
				Block       uint64 `json:"block"`
				First, Last uint64
			} `json:"ranges"`
		} `json:"items"`
	}
	if err := json.Unmarshal(ctx.PostBody(), &in); err != nil {
		writeProblem(ctx, fasthttp.StatusBadRequest, "body: "+err.Error())
		return
	}
	if in.Action != "commission" {
		writeProblem(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("action %q: this test server commissions only", in.Action))
		return
	}
	idem := string(ctx.Request.Header.Peek("Idempotency-Key"))
	s.w.Lock()
	defer s.w.Unlock()
	if n, ok := s.w.reports[idem]; ok && idem != "" {
		s.w.counts.Replays++
		writeJSON(ctx, fasthttp.StatusOK, map[string]any{"codes": n, "replayed": true})
		return
	}
	var n uint64
	for _, r := range in.Items.Ranges {
		b := s.w.blocks[r.Block]
		if b == nil {
			writeProblem(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no block %d visible to this API key", r.Block))
			return
		}
		if r.Last < r.First || r.Last >= b.count {
			writeProblem(ctx, fasthttp.StatusUnprocessableEntity, fmt.Sprintf("block %d offsets %d..%d: beyond its %d codes", r.Block, r.First, r.Last, b.count))
			return
		}
		for o := r.First; o <= r.Last; o++ {
			if b.done[o] {
				writeProblem(ctx, fasthttp.StatusUnprocessableEntity, fmt.Sprintf("block %d offset %d: already commissioned", r.Block, o))
				return
			}
		}
		n += r.Last - r.First + 1
	}
	for _, r := range in.Items.Ranges {
		b := s.w.blocks[r.Block]
		for o := r.First; o <= r.Last; o++ {
			b.done[o] = true
		}
	}
	if idem != "" {
		s.w.reports[idem] = n
	}
	s.w.counts.Reports++
	s.w.counts.CodesCommissioned += int64(n)
	writeJSON(ctx, fasthttp.StatusCreated, map[string]any{"records": 1, "codes": n, "replayed": false})
}
