package server

import (
	"errors"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
)

// authenticate reads "Authorization: Bearer KEY" and returns the key. On
// failure it writes a 401 problem (with WWW-Authenticate) that says what
// is wrong, and returns false.
func (s *Server) authenticate(ctx *fasthttp.RequestCtx) (apikey.Key, bool) {
	h := ctx.Request.Header.Peek("Authorization")
	const bearer = "Bearer "
	fail := func(detail string) (apikey.Key, bool) {
		ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="tracecode"`)
		problem(ctx, fasthttp.StatusUnauthorized, "unauthorized", detail)
		return apikey.Key{}, false
	}
	if len(h) == 0 {
		return fail("this route needs an API key: send Authorization: Bearer tck_…")
	}
	if len(h) <= len(bearer) || !equalFoldASCII(h[:len(bearer)], bearer) {
		return fail("the Authorization header must be \"Bearer tck_…\"")
	}
	key, err := s.keys.Authenticate(string(h[len(bearer):]))
	switch {
	case err == nil:
		return key, true
	case errors.Is(err, apikey.ErrMalformed):
		return fail("the API key is malformed: it must look like tck_<16 hex digits>_<43 characters>")
	case errors.Is(err, apikey.ErrRevoked):
		return fail("this API key was revoked")
	case errors.Is(err, apikey.ErrUnknown):
		return fail("unknown API key or wrong secret")
	}
	s.serverFailure(ctx, "authenticate", err)
	return apikey.Key{}, false
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// canSeeOrg reports whether key may read the private data of organisation
// org: its own, everything for the operator, and for a regulator every
// organisation registered in its region.
func (s *Server) canSeeOrg(key apikey.Key, org uint32) bool {
	if key.Org == 0 && key.Scopes.Has(apikey.ScopeAdmin) {
		return true
	}
	if key.Org != 0 && key.Org == org {
		return true
	}
	if key.Scopes.Has(apikey.ScopeRegulator) {
		if o, err := s.eng.Issuance().Org(org); err == nil {
			return apikey.RegionCovers(key.Region, o.Region)
		}
	}
	return false
}

// ownsOrg reports whether key may change organisation org's data.
func ownsOrg(key apikey.Key, org uint32) bool {
	return (key.Org == 0 && key.Scopes.Has(apikey.ScopeAdmin)) || (key.Org != 0 && key.Org == org)
}
