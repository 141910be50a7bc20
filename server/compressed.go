package server

import (
	"bytes"
	"errors"

	"github.com/valyala/fasthttp"

	"tracecode/engine/code/digitallink"
)

// serveCompressed serves a compressed GS1 Digital Link, /{segment}: one
// path segment of base64url characters (one trailing slash tolerated). The
// resolver standard says a resolver SHALL decompress it; the request is
// rewritten to the long form (path and query, see
// digitallink.AppendDecompressed) and resolved exactly as that, and the
// answer carries Link: <long form>; rel="owl:sameAs". It returns nil, and
// writes nothing, when path is not of that shape or does not decompress
// at all (fewer than 10 characters): the caller answers 404. A segment
// that looks compressed but is malformed gets 400 with the decompressor's
// reason (what and at which character and bit).
func (s *Server) serveCompressed(ctx *fasthttp.RequestCtx) *routeStats {
	path := ctx.URI().PathOriginal()
	if n := len(path); n > 2 && path[n-1] == '/' {
		path = path[:n-1]
	}
	if len(path) < 2 || path[0] != '/' {
		return nil
	}
	for _, c := range path[1:] {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil
		}
	}
	var ub, lb [256]byte
	uri := append(append(ub[:0], "https://r"...), path...)
	if q := ctx.URI().QueryString(); len(q) > 0 {
		uri = append(append(uri, '?'), q...)
	}
	long, err := digitallink.AppendDecompressed(lb[:0], b2s(uri))
	if err != nil {
		if len(path) < 11 {
			return nil
		}
		detail := err.Error()
		var de *digitallink.Error
		if errors.As(err, &de) {
			detail = "invalid compressed Digital Link: " + de.Reason
		}
		ctx.Response.Header.SetCanonical(hdrACAO, valStar)
		problem(ctx, fasthttp.StatusBadRequest, "bad-code", detail)
		return s.m.route("resolve_gtin")
	}
	rest := long[len("https://r"):] // the long path and query
	var k kind
	var st *routeStats
	switch {
	case bytes.HasPrefix(rest, []byte("/01/")):
		k, st = kindGTIN, s.m.route("resolve_gtin")
	case bytes.HasPrefix(rest, []byte("/00/")):
		k, st = kindSSCC, s.m.route("resolve_sscc")
	default:
		ctx.Response.Header.SetCanonical(hdrACAO, valStar)
		problem(ctx, fasthttp.StatusNotFound, "no-route",
			"the compressed Digital Link decompresses to "+string(rest)+"; this resolver serves GTINs (/01/…) and SSCCs (/00/…)")
		return s.m.route("not_found")
	}
	ctx.Request.SetRequestURIBytes(rest)
	s.public(ctx, k)
	// One Link field: the linkset link the answer may carry, then ours.
	var hb [512]byte
	link := append(hb[:0], ctx.Response.Header.PeekBytes(hdrLink)...)
	if len(link) > 0 {
		link = append(link, ", "...)
	}
	link = append(append(append(link, '<'), s.cfg.PublicBase...), rest...)
	link = append(link, `>; rel="owl:sameAs"`...)
	ctx.Response.Header.SetCanonical(hdrLink, link)
	return st
}
