package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

type blockJSON struct {
	ID           uint64   `json:"id"`
	Org          uint32   `json:"org"`
	Product      uint32   `json:"product"`
	GTIN         string   `json:"gtin,omitempty"`
	Lot          string   `json:"lot,omitempty"`
	LotID        uint32   `json:"lotId,omitempty"`
	Level        string   `json:"level"`
	Scheme       string   `json:"scheme"`
	State        string   `json:"state"`
	Start        uint64   `json:"start"`
	Count        uint64   `json:"count"`
	Requested    uint64   `json:"requested"`
	Released     uint64   `json:"released"`
	RequestID    string   `json:"requestId,omitempty"`
	Note         string   `json:"note,omitempty"`
	Created      string   `json:"created"`
	Updated      string   `json:"updated,omitempty"`
	Formats      []string `json:"formats,omitempty"`
	CodesURL     string   `json:"codes"`
	Partial      bool     `json:"partial,omitempty"`
	Replayed     bool     `json:"replayed,omitempty"`
	LotCreated   bool     `json:"lotCreated,omitempty"`
	PrintableEnd uint64   `json:"printable"`
	// FirstSSCC and LastSSCC are an sscc block's first and last SSCCs
	// (18 digits): its codes are logistic units, not items.
	FirstSSCC string `json:"firstSSCC,omitempty"`
	LastSSCC  string `json:"lastSSCC,omitempty"`
}

func (s *Server) blockOut(b model.Block) blockJSON {
	out := blockJSON{ID: b.ID, Org: b.Org, Product: b.Product, LotID: b.Lot, Level: b.Level.String(),
		Scheme: b.Scheme.String(), State: b.State.String(), Start: b.Start, Count: b.Count, Requested: b.Requested,
		Released: b.Released, RequestID: b.RequestID, Note: b.Note, Created: msTime(b.Created), Updated: msTime(b.Updated),
		CodesURL: fmt.Sprintf("/v1/blocks/%d/codes", b.ID), PrintableEnd: b.ReleasedFrom()}
	if p, err := s.eng.Issuance().Product(b.Product); err == nil && !p.GTIN.IsZero() {
		out.GTIN = p.GTIN.String()
	}
	if b.Lot != 0 {
		if l, err := s.eng.Issuance().Lot(b.Lot); err == nil {
			out.Lot = l.Number
		}
	}
	if first, ok := s.eng.Issuance().SSCCAt(&b, 0); ok {
		last, _ := s.eng.Issuance().SSCCAt(&b, b.Count-1)
		out.FirstSSCC, out.LastSSCC = first.String(), last.String()
	}
	if fs, err := s.eng.Issuance().Formats(b.ID); err == nil {
		for _, f := range fs {
			out.Formats = append(out.Formats, f.String())
		}
	}
	return out
}

// visibleBlock returns path parameter 0's block if the key's organisation
// owns it (or the key is the operator's). Regulators do not see blocks:
// unprinted codes are secrets.
func (s *Server) visibleBlock(c *call) (model.Block, bool) {
	id, ok := pathID(c, 0, "block")
	if !ok {
		return model.Block{}, false
	}
	b, err := s.eng.Issuance().Block(id)
	if err != nil || !ownsOrg(c.key, b.Org) {
		notVisible(c, "block", id)
		return model.Block{}, false
	}
	return b, true
}

func (s *Server) apiListBlocks(c *call) {
	f := issue.BlockFilter{Org: c.key.Org}
	for _, q := range []struct {
		name string
		dst  *uint32
	}{{"product", &f.Product}, {"lot", &f.Lot}} {
		v, ok := queryUint(c, q.name)
		if !ok {
			return
		}
		*q.dst = uint32(v)
	}
	if c.key.Org == 0 && !c.key.Scopes.Has(apikey.ScopeAdmin) {
		writeJSON(c, fasthttp.StatusOK, map[string]any{"blocks": []blockJSON{}})
		return
	}
	out := []blockJSON{}
	for _, b := range s.eng.Issuance().Blocks(f) {
		out = append(out, s.blockOut(b))
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"blocks": out})
}

func (s *Server) apiGetBlock(c *call) {
	if b, ok := s.visibleBlock(c); ok {
		writeJSON(c, fasthttp.StatusOK, s.blockOut(b))
	}
}

// apiMint serves POST /v1/blocks: a line's request for codes. The
// Idempotency-Key header makes a retry return the same block.
func (s *Server) apiMint(c *call) {
	var in struct {
		Product      uint32 `json:"product"`
		GTIN         string `json:"gtin"`
		Lot          string `json:"lot"`
		CreateLot    bool   `json:"createLot"`
		Level        string `json:"level"`
		Count        uint64 `json:"count"`
		Scheme       string `json:"scheme"`
		AllowPartial bool   `json:"allowPartial"`
	}
	if !readJSON(c, &in) {
		return
	}
	req := issue.MintRequest{Org: c.key.Org, Product: in.Product, Lot: in.Lot, CreateLot: in.CreateLot,
		Count: in.Count, AllowPartial: in.AllowPartial, RequestID: string(c.ctx.Request.Header.Peek("Idempotency-Key"))}
	if req.Product == 0 {
		if in.GTIN == "" {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "name the product: \"product\" (id) or \"gtin\"")
			return
		}
		g, err := gs1.ParseGTIN(in.GTIN)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "gtin: "+err.Error())
			return
		}
		p, err := s.eng.Issuance().ProductByGTIN(g)
		if err != nil {
			engineError(c, err)
			return
		}
		req.Product, req.GTIN = p.ID, g
	}
	if p, err := s.eng.Issuance().Product(req.Product); err != nil || !ownsOrg(c.key, p.Org) {
		notVisible(c, "product", uint64(req.Product))
		return
	}
	var err error
	if in.Level != "" {
		if req.Level, err = model.ParseLevel(in.Level); err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "level: "+err.Error())
			return
		}
	}
	if in.Scheme != "" {
		if req.Scheme, err = serial.ParseScheme(in.Scheme); err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "scheme: "+err.Error())
			return
		}
	}
	res, err := s.eng.Issuance().Mint(c.wctx, req)
	if err != nil {
		engineError(c, err)
		return
	}
	out := s.blockOut(res.Block)
	out.Partial, out.Replayed, out.LotCreated = res.Partial, res.Replayed, res.LotCreated
	status := fasthttp.StatusCreated
	if res.Replayed {
		status = fasthttp.StatusOK
	} else {
		s.m.mints.Inc()
		s.m.minted.Add(float64(res.Block.Count))
	}
	c.ctx.Response.Header.Set("Location", fmt.Sprintf("/v1/blocks/%d", res.Block.ID))
	writeJSON(c, status, out)
}

// bufferedCodes is the largest page written into memory first (so that
// any error still becomes a problem answer); larger requests stream.
const bufferedCodes = 100_000

// apiBlockCodes serves GET /v1/blocks/{id}/codes?format=&offset=&limit=:
// the block's codes one per line, compressed per Accept-Encoding (zstd
// preferred to gzip).
func (s *Server) apiBlockCodes(c *call) {
	b, ok := s.visibleBlock(c)
	if !ok {
		return
	}
	args := c.ctx.QueryArgs()
	fname := string(args.Peek("format"))
	if fname == "" {
		fname = "dl"
	}
	f, err := issue.ParseFormat(fname)
	if err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
		return
	}
	offset, ok := queryUint(c, "offset")
	if !ok {
		return
	}
	limit, ok := queryUint(c, "limit")
	if !ok {
		return
	}
	end := b.ReleasedFrom()
	if offset > end {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid",
			fmt.Sprintf("offset %d is beyond the %d printable codes of block %d", offset, end, b.ID))
		return
	}
	if limit == 0 || offset+limit > end {
		limit = end - offset // a short last page, as a resuming line expects
	}
	o := issue.StreamOptions{Format: f, Offset: offset, Limit: limit, DLBase: s.cfg.PublicBase, ShortBase: s.cfg.PublicBase,
		Compress: pickEncoding(c.ctx.Request.Header.Peek("Accept-Encoding"))}
	if limit == 0 {
		c.ctx.SetContentType(contentTypeOf(f))
		return
	}
	h := &c.ctx.Response.Header
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Codes-Offset", fmt.Sprint(offset))
	h.Set("X-Codes-Count", fmt.Sprint(limit))
	if limit <= bufferedCodes {
		var buf bytes.Buffer
		if _, err := s.eng.Issuance().WriteCodes(context.Background(), &buf, b.ID, o); err != nil {
			engineError(c, err)
			return
		}
		c.ctx.SetContentType(contentTypeOf(f))
		if o.Compress != "" {
			h.Set("Content-Encoding", o.Compress)
		}
		c.ctx.SetBody(buf.Bytes())
		return
	}
	// Check what WriteCodes would refuse before the status is sent.
	if b.State != model.BlockActive {
		problem(c.ctx, fasthttp.StatusConflict, "state", fmt.Sprintf("block %d is %v; its codes must not be printed", b.ID, b.State))
		return
	}
	c.ctx.SetContentType(contentTypeOf(f))
	if o.Compress != "" {
		h.Set("Content-Encoding", o.Compress)
	}
	eng, log, m, id, timeout := s.eng, s.log, s.m, b.ID, s.cfg.StreamTimeout
	// The stream writer must not touch the RequestCtx: everything it needs
	// is copied above.
	c.ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		guardStream(log, m, "codes of block "+fmt.Sprint(id), func() {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			st, err := eng.Issuance().WriteCodes(ctx, w, id, o)
			if err != nil {
				log.Warn("code stream ended early", "block", id, "codes", st.Codes, "err", err)
			}
		})
	})
}

func contentTypeOf(f issue.Format) string {
	if f == issue.FormatCSV {
		return "text/csv; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

// pickEncoding chooses zstd or gzip from Accept-Encoding ("" for none);
// zstd wins a tie, q=0 excludes.
func pickEncoding(ae []byte) string {
	best, bestQ := "", 0.0
	for _, part := range strings.Split(string(ae), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if p := strings.TrimSpace(params); strings.HasPrefix(p, "q=") {
			fmt.Sscanf(p[2:], "%g", &q)
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if (name == "zstd" || name == "gzip") && q > 0 && (q > bestQ || (q == bestQ && name == "zstd")) {
			best, bestQ = name, q
		}
	}
	return best
}

// blockMeta is the report metadata of a release or void of block b: the
// key's organisation, or for the operator's key the block's owner, on
// whose behalf it acts (the ledger record names the key).
func blockMeta(c *call, b model.Block) chain.ReportMeta {
	org := c.key.Org
	if org == 0 {
		org = b.Org
	}
	return chain.ReportMeta{Org: org, Credential: "key:" + keyIDString(c.key.ID),
		RequestID: string(c.ctx.Request.Header.Peek("Idempotency-Key"))}
}

// apiRelease returns a block's unused tail through the engine's checked
// release report: refused (422, naming each code) if any code in the tail
// was printed.
func (s *Server) apiRelease(c *call) {
	b, ok := s.visibleBlock(c)
	if !ok {
		return
	}
	var in struct {
		From *uint64 `json:"from"`
		Note string  `json:"note"`
	}
	if !readJSON(c, &in) {
		return
	}
	if in.From == nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "\"from\" is required: the first offset returned unused (0 returns the whole block)")
		return
	}
	_, err := s.eng.Reports().ReleaseRest(c.wctx, &chain.ReleaseReport{ReportMeta: blockMeta(c, b), Block: b.ID, From: *in.From, Note: in.Note})
	s.blockReportOut(c, b.ID, err)
}

// apiVoidBlock voids a whole block through the engine's checked void
// report: refused (422, naming each code) if any code of it was printed.
func (s *Server) apiVoidBlock(c *call) {
	b, ok := s.visibleBlock(c)
	if !ok {
		return
	}
	var in struct {
		Note string `json:"note"`
	}
	if !readJSON(c, &in) {
		return
	}
	_, err := s.eng.Reports().VoidBlock(context.Background(), &chain.VoidReport{ReportMeta: blockMeta(c, b), Block: b.ID, Note: in.Note})
	s.blockReportOut(c, b.ID, err)
}

// blockReportOut answers a release or void: the block as it is now, or
// the report's errors.
func (s *Server) blockReportOut(c *call, id uint64, err error) {
	if err != nil {
		reportError(c, err)
		return
	}
	nb, err := s.eng.Issuance().Block(id)
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, s.blockOut(nb))
}
