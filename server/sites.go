package server

import (
	"errors"
	"strconv"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/site"
)

func (s *Server) siteRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/v1/orgs/{org}/sites", h: (*Server).apiListSites},
		{method: "POST", pattern: "/v1/orgs/{org}/sites", scopes: apikey.ScopeAdmin, h: (*Server).apiAddSite},
		{method: "PUT", pattern: "/v1/orgs/{org}/sites/{site}", scopes: apikey.ScopeAdmin, h: (*Server).apiUpdateSite},
		{method: "GET", pattern: "/v1/sites", scopes: apikey.ScopeRegulator | apikey.ScopeAdmin, h: (*Server).apiSitesInRegion},
	}
}

// siteError answers an error of the site routes.
func siteError(c *call, err error) {
	if errors.Is(err, site.ErrNotFound) {
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", err.Error())
		return
	}
	engineError(c, err)
}

// siteOffice returns the engine's site office, or answers the error of
// loading it.
func (s *Server) siteOffice(c *call) (*site.Office, bool) {
	so, err := s.eng.Sites()
	if err != nil {
		siteError(c, err)
		return nil, false
	}
	return so, true
}

func (s *Server) apiListSites(c *call) {
	org, ok := pathOrg(c)
	if !ok {
		return
	}
	so, ok := s.siteOffice(c)
	if !ok {
		return
	}
	ss, err := so.Of(c.key, org)
	if err != nil {
		siteError(c, err)
		return
	}
	if ss == nil {
		ss = []site.Site{}
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"sites": ss})
}

func (s *Server) apiAddSite(c *call) {
	org, ok := pathOrg(c)
	if !ok {
		return
	}
	var in site.Input
	if !readJSON(c, &in) {
		return
	}
	so, ok := s.siteOffice(c)
	if !ok {
		return
	}
	v, err := so.Add(c.key, org, &in)
	if err != nil {
		siteError(c, err)
		return
	}
	c.ctx.Response.Header.Set("Location", "/v1/orgs/"+strconv.FormatUint(uint64(org), 10)+"/sites/"+strconv.FormatUint(uint64(v.ID), 10))
	writeJSON(c, fasthttp.StatusCreated, v)
}

func (s *Server) apiUpdateSite(c *call) {
	org, ok := pathOrg(c)
	if !ok {
		return
	}
	id, ok := pathID(c, 1, "site")
	if !ok {
		return
	}
	if id == 0 || id > 1<<32-1 {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-id", "site id "+strconv.FormatUint(id, 10)+" is not between 1 and 2^32 - 1")
		return
	}
	var in site.Input
	if !readJSON(c, &in) {
		return
	}
	so, ok := s.siteOffice(c)
	if !ok {
		return
	}
	v, err := so.Update(c.key, org, uint32(id), &in)
	if err != nil {
		siteError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, v)
}

// apiSitesInRegion serves GET /v1/sites?region=: the sites in a region
// (default: the key's) whoever owns them — for a regulator, within its
// own region only.
func (s *Server) apiSitesInRegion(c *call) {
	region := c.key.Region
	if v := c.ctx.QueryArgs().Peek("region"); len(v) > 0 {
		r, err := strconv.ParseUint(string(v), 10, 32)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "bad-region", "region "+strconv.Quote(string(v))+" is not a GB/T 2260 code")
			return
		}
		region = uint32(r)
	}
	switch {
	case c.key.Org == 0 && c.key.Scopes.Has(apikey.ScopeAdmin) && region != 0:
	case c.key.Scopes.Has(apikey.ScopeRegulator) && c.key.Region != 0 && apikey.RegionCovers(c.key.Region, region):
	default:
		problem(c.ctx, fasthttp.StatusForbidden, "wrong-region", "a regulator lists the sites of its own region (and below); the operator names a region")
		return
	}
	so, ok := s.siteOffice(c)
	if !ok {
		return
	}
	ss := so.InRegion(region)
	if ss == nil {
		ss = []site.Site{}
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"region": region, "sites": ss})
}
