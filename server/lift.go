package server

import (
	"fmt"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
)

// apiLiftRecall serves POST /v1/recalls/lift: the end of recalls of lots,
// products or codes, by their organisation's key (events scope) or by a
// regulator's key for an organisation of its region (the body then names
// the organisation in "org"; the record goes into that organisation's log
// with the regulator's key as its credential). A reason is required.
func (s *Server) apiLiftRecall(c *call) {
	var in struct {
		metaJSON
		Org      uint32       `json:"org"`
		Lots     []lotRefJSON `json:"lots"`
		Products []uint32     `json:"products"`
		Items    itemsJSON    `json:"items"`
		Reason   string       `json:"reason"`
	}
	if !readJSON(c, &in) {
		return
	}
	r := &chain.LiftRequest{Products: in.Products, Items: in.Items.items(), Reason: in.Reason}
	if c.key.Org == 0 {
		if !c.key.Scopes.Has(apikey.ScopeRegulator) {
			problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", "recalls are lifted by the organisation's key or a regulator's")
			return
		}
		o, err := s.eng.Issuance().Org(in.Org)
		if err != nil || in.Org == 0 {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("org: a regulator names the organisation whose recall ends (no organisation %d)", in.Org))
			return
		}
		if !apikey.RegionCovers(c.key.Region, o.Region) {
			problem(c.ctx, fasthttp.StatusForbidden, "wrong-region", fmt.Sprintf("organisation %d is outside the key's region %06d", in.Org, c.key.Region))
			return
		}
		// reportMeta wants an organisation's key: act for the named one.
		rc := *c
		rc.key.Org = in.Org
		rm, ok := reportMeta(&rc, in.metaJSON)
		if !ok {
			return
		}
		r.ReportMeta = rm
		r.Regulator = fmt.Sprintf("key:%s region %06d", keyIDString(c.key.ID), c.key.Region)
	} else {
		if in.Org != 0 && in.Org != c.key.Org {
			problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", "an organisation's key lifts only its own recalls")
			return
		}
		rm, ok := reportMeta(c, in.metaJSON)
		if !ok {
			return
		}
		r.ReportMeta = rm
	}
	var ok bool
	if r.Lots, ok = s.lotRefs(c, in.Lots); !ok {
		return
	}
	rec, err := s.eng.Reports().LiftRecall(c.wctx, r)
	if err != nil {
		reportError(c, err)
		return
	}
	receiptOut(c, rec)
}
