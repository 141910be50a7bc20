package server

import (
	"fmt"

	"tracecode/engine/drugexport"
)

// drugExportRoutes: an organisation's drug movements as the national drug
// trace platform's in/out bills (engine/drugexport decides who may).
func (s *Server) drugExportRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/v1/orgs/{org}/exports/drug-trace", h: (*Server).apiDrugTraceExport},
	}
}

// apiDrugTraceExport serves GET /v1/orgs/{org}/exports/drug-trace?from=&to=:
// the XML file, dates YYYY-MM-DD (China Standard Time, to inclusive) or
// RFC 3339 times.
func (s *Server) apiDrugTraceExport(c *call) {
	org, ok := pathOrg(c)
	if !ok {
		return
	}
	args := c.ctx.QueryArgs()
	from, err := drugexport.ParseBound("from", string(args.Peek("from")), false)
	if err != nil {
		engineError(c, err)
		return
	}
	to, err := drugexport.ParseBound("to", string(args.Peek("to")), true)
	if err != nil {
		engineError(c, err)
		return
	}
	doc, err := s.eng.DrugTraceExport(c.key, org, from, to)
	if err != nil {
		engineError(c, err)
		return
	}
	b, err := doc.AppendXML(nil)
	if err != nil {
		engineError(c, err)
		return
	}
	c.ctx.Response.Header.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="drug-trace-%d-%s-%s.xml"`,
		org, from.Format("20060102"), to.Format("20060102")))
	c.ctx.SetContentType("application/xml; charset=utf-8")
	c.ctx.SetBody(b)
}
