package server

import (
	"encoding/json"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/code/cn"
)

// regionsPrefix is the path of the public region look-up, GET
// /v1/regions/{code}.
const regionsPrefix = "/v1/regions/"

// regionRef is a division as the region look-up names it.
type regionRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// regionJSON is the answer of GET /v1/regions/{code}.
type regionJSON struct {
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	Level      string      `json:"level"` // province, city, county or township
	Parent     string      `json:"parent,omitempty"`
	ParentName string      `json:"parentName,omitempty"`
	FullName   string      `json:"fullName"` // 甘肃省 兰州市 城关区, grouping codes (市辖区) left out
	Path       []regionRef `json:"path"`     // the province down to this division
	Children   []regionRef `json:"children"` // the divisions directly below, in code order
}

func regionOut(r cn.Region) regionRef {
	name, _ := r.Name(cn.Chinese)
	return regionRef{Code: r.String(), Name: name, Level: r.Level().String()}
}

// serveRegion answers GET /v1/regions/{code}: a division of the embedded
// tree (cn.Region) with its parent, path and children. It is public — the
// names of administrative divisions are public information and nothing
// here reads the store — so it takes no API key and reads no body; the
// public resolver's per-client rate limit applies.
func (s *Server) serveRegion(ctx *fasthttp.RequestCtx, code []byte) {
	if m := string(ctx.Method()); (m != "GET" && m != "HEAD") || hasBody(ctx) {
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		ctx.SetConnectionClose() // do not drain a refused body
		problem(ctx, fasthttp.StatusMethodNotAllowed, "method-not-allowed", "/v1/regions/{code} answers GET and HEAD without a body")
		return
	}
	// Anonymous like a scan: the resolver's per-client limit applies.
	if s.limiter != nil && s.limited(ctx) && !s.limiter.allow(s.clientHash(ctx), time.Now()) {
		s.m.limited.Inc()
		ctx.Response.Header.Set("Retry-After", "1")
		problem(ctx, fasthttp.StatusTooManyRequests, "rate-limited", "too many look-ups from this address; wait a second and try again")
		return
	}
	r, err := cn.ParseRegion(string(code))
	if err != nil {
		problem(ctx, fasthttp.StatusBadRequest, "bad-region", "the path's region: "+err.Error())
		return
	}
	if !r.Known() {
		problem(ctx, fasthttp.StatusNotFound, "no-region",
			"region "+r.String()+" is a well-formed "+r.Level().String()+" code but not a division of the tree (the 2023 statistics division codes)")
		return
	}
	out := regionJSON{Path: []regionRef{}, Children: []regionRef{}}
	self := regionOut(r)
	out.Code, out.Name, out.Level = self.Code, self.Name, self.Level
	if p := r.Parent(); !p.IsZero() {
		out.Parent = p.String()
		out.ParentName, _ = p.Name(cn.Chinese)
	}
	out.FullName = r.FullName(cn.Chinese)
	var buf [4]cn.Region
	for _, a := range r.AppendPath(buf[:0]) {
		out.Path = append(out.Path, regionOut(a))
	}
	for _, c := range r.Children() {
		out.Children = append(out.Children, regionOut(c))
	}
	b, err := json.Marshal(out)
	if err != nil {
		s.internalError(ctx, "encode region", err)
		return
	}
	ctx.Response.Header.SetContentTypeBytes(ctJSON)
	// The tree changes only with the binary.
	ctx.Response.Header.Set("Cache-Control", "public, max-age=86400")
	ctx.SetBody(append(b, '\n'))
}
