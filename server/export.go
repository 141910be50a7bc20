package server

import (
	"bytes"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// exportRoutes are the bulk exports of an organisation's records.
func (s *Server) exportRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/v1/orgs/{org}/fsma204", metric: "export_fsma", h: (*Server).apiExportFSMA},
	}
}

// apiExportFSMA serves GET /v1/orgs/{org}/fsma204?from=&to=: the
// organisation's FSMA 204 sortable spreadsheet (text/csv) for the events
// it sees with event times in [from, to). Its own keys, a regulator of its
// region and the operator may ask (export.Office.MayExport); others get 403.
func (s *Server) apiExportFSMA(c *call) {
	org, ok := pathOrg(c)
	if !ok {
		return
	}
	var from, to time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		v := c.ctx.QueryArgs().Peek(p.name)
		t, err := time.Parse(time.RFC3339Nano, string(v))
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", p.name+": required, a date and time with a zone (2026-03-01T00:00:00+08:00)")
			return
		}
		*p.dst = t
	}
	if !from.Before(to) {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "from must be before to")
		return
	}
	if err := s.eng.Exports().MayExport(c.key, org); err != nil {
		engineError(c, err)
		return
	}
	var b bytes.Buffer
	if _, err := s.eng.Exports().FSMA(&b, org, from, to); err != nil {
		engineError(c, err)
		return
	}
	h := &c.ctx.Response.Header
	h.SetContentType("text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="fsma204-org`+strconv.FormatUint(uint64(org), 10)+`-`+from.UTC().Format("20060102")+`.csv"`)
	c.ctx.SetStatusCode(fasthttp.StatusOK)
	c.ctx.SetBody(b.Bytes())
}
