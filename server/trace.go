package server

import (
	"errors"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/model"
)

// traceRoutes are the routes of line reports and aggregation (the
// engine's per-item records); events, recalls and the private trace are in events.go.
func (s *Server) traceRoutes() []*route {
	return append([]*route{
		{method: "POST", pattern: "/v1/reports/line", announced: true, scopes: apikey.ScopeReport, h: (*Server).apiLineReport},
		{method: "POST", pattern: "/v1/aggregations", announced: true, scopes: apikey.ScopeReport, h: (*Server).apiPack},
		{method: "POST", pattern: "/v1/aggregations/unpack", announced: true, scopes: apikey.ScopeReport, h: (*Server).apiUnpack},
	}, s.eventRoutes()...)
}

// metaJSON is who/when/where of a report, common to every report body.
type metaJSON struct {
	Time            string     `json:"time"`
	ReadPoint       string     `json:"readPoint"`
	BizLocation     string     `json:"bizLocation"`
	BizTransactions []pairJSON `json:"bizTransactions"`
}

type pairJSON struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type itemsJSON struct {
	Ranges []struct {
		Block uint64 `json:"block"`
		First uint64 `json:"first"`
		Last  uint64 `json:"last"`
	} `json:"ranges"`
	Codes []string `json:"codes"`
}

func (it *itemsJSON) items() chain.Items {
	var out chain.Items
	for _, r := range it.Ranges {
		out.Ranges = append(out.Ranges, chain.BlockRange{Block: r.Block, First: r.First, Last: r.Last})
	}
	out.Codes = it.Codes
	return out
}

type refJSON struct {
	Code   string `json:"code"`
	Block  uint64 `json:"block"`
	Offset uint64 `json:"offset"`
}

func (r refJSON) ref() chain.Ref { return chain.Ref{Code: r.Code, Block: r.Block, Offset: r.Offset} }

// reportMeta builds the engine's ReportMeta from the body and the call:
// the reporting organisation is the key's, the credential the key id, the
// request id the Idempotency-Key header.
func reportMeta(c *call, m metaJSON) (chain.ReportMeta, bool) {
	rm := chain.ReportMeta{Org: c.key.Org, Credential: "key:" + keyIDString(c.key.ID), ReadPoint: m.ReadPoint,
		BizLocation: m.BizLocation, RequestID: string(c.ctx.Request.Header.Peek("Idempotency-Key"))}
	if rm.Org == 0 {
		problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", "reports are made by an organisation's key, not the operator's")
		return rm, false
	}
	if m.Time != "" {
		t, err := time.Parse(time.RFC3339, m.Time)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("time %q is not RFC 3339 with a zone offset (2026-11-28T09:30:00+08:00)", m.Time))
			return rm, false
		}
		rm.Time = t
	}
	for _, p := range m.BizTransactions {
		rm.BizTransactions = append(rm.BizTransactions, engine.Pair{Type: p.Type, ID: p.ID})
	}
	return rm, true
}

// receiptOut answers an applied report: 201, or 200 for an idempotent
// replay.
func receiptOut(c *call, r *chain.Receipt) {
	status := fasthttp.StatusCreated
	if r.Replayed {
		status = fasthttp.StatusOK
	}
	out := map[string]any{"firstSeq": r.FirstSeq, "records": r.Records, "codes": r.Codes,
		"replayed": r.Replayed, "duplicates": r.Duplicates}
	if r.VocabularyIgnored > 0 { // master data a capture carried: said, not applied
		out["vocabularyIgnored"] = r.VocabularyIgnored
		if r.Records == 0 {
			status = fasthttp.StatusOK
		}
	}
	writeJSON(c, status, out)
}

// reportError answers a rejected report: 422 with one entry per offending
// code, or the general engine error mapping.
func reportError(c *call, err error) {
	var re *chain.ReportError
	if !errors.As(err, &re) {
		engineError(c, err)
		return
	}
	p := Problem{Type: problemTypeBase + "report-rejected", Status: fasthttp.StatusUnprocessableEntity,
		Detail: fmt.Sprintf("report rejected, nothing applied: %d offending item(s)", len(re.Errors)+re.Dropped)}
	for i, e := range re.Errors {
		idx := e.Event
		if idx < 0 {
			idx = i
		}
		item := e.Field
		if e.Code != "" {
			item += " " + e.Code
		}
		p.Errors = append(p.Errors, ItemError{Index: idx, Item: item, Reason: e.Reason})
	}
	if re.Dropped > 0 {
		p.Detail += fmt.Sprintf(" (%d not listed)", re.Dropped)
	}
	writeProblem(c.ctx, p)
}

func (s *Server) apiLineReport(c *call) {
	var in struct {
		metaJSON
		Action string    `json:"action"`
		Items  itemsJSON `json:"items"`
	}
	if !readJSON(c, &in) {
		return
	}
	rm, ok := reportMeta(c, in.metaJSON)
	if !ok {
		return
	}
	r := &chain.LineReport{ReportMeta: rm, Items: in.Items.items()}
	switch in.Action {
	case "commission":
		r.Action = chain.LineCommission
	case "void":
		r.Action = chain.LineVoid
	case "decommission":
		r.Action = chain.LineDecommission
	default:
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("action %q is not commission, void or decommission", in.Action))
		return
	}
	rec, err := s.eng.Reports().ReportLine(c.wctx, r)
	if err != nil {
		reportError(c, err)
		return
	}
	receiptOut(c, rec)
}

func (s *Server) apiPack(c *call) {
	var in struct {
		metaJSON
		Packs []struct {
			Parent      refJSON   `json:"parent"`
			ParentLevel string    `json:"parentLevel"`
			Children    itemsJSON `json:"children"`
		} `json:"packs"`
	}
	if !readJSON(c, &in) {
		return
	}
	rm, ok := reportMeta(c, in.metaJSON)
	if !ok {
		return
	}
	r := &chain.PackReport{ReportMeta: rm}
	for i, p := range in.Packs {
		pk := chain.Pack{Parent: p.Parent.ref(), Children: p.Children.items()}
		if p.ParentLevel != "" {
			lv, err := model.ParseLevel(p.ParentLevel)
			if err != nil {
				problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("packs[%d].parentLevel: %v", i, err))
				return
			}
			pk.ParentLevel = lv
		}
		r.Packs = append(r.Packs, pk)
	}
	rec, err := s.eng.Reports().Pack(c.wctx, r)
	if err != nil {
		reportError(c, err)
		return
	}
	receiptOut(c, rec)
}

func (s *Server) apiUnpack(c *call) {
	var in struct {
		metaJSON
		Unpacks []struct {
			Parent   refJSON   `json:"parent"`
			Children itemsJSON `json:"children"`
			All      bool      `json:"all"`
		} `json:"unpacks"`
	}
	if !readJSON(c, &in) {
		return
	}
	rm, ok := reportMeta(c, in.metaJSON)
	if !ok {
		return
	}
	r := &chain.UnpackReport{ReportMeta: rm}
	for _, u := range in.Unpacks {
		r.Unpacks = append(r.Unpacks, chain.Unpack{Parent: u.Parent.ref(), Children: u.Children.items(), All: u.All})
	}
	rec, err := s.eng.Reports().Unpack(c.wctx, r)
	if err != nil {
		reportError(c, err)
		return
	}
	receiptOut(c, rec)
}
