package server

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
)

// serveHealthz answers 200 while the process serves requests at all.
func (s *Server) serveHealthz(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString("ok\n")
}

// serveReadyz answers 200 when the server should get traffic: the store
// answers reads and the scan log's writer is healthy; 503 while shutting
// down or when either fails.
func (s *Server) serveReadyz(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	if !s.ready.Load() {
		ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		ctx.SetBodyString("shutting down\n")
		return
	}
	if err := s.eng.Ping(); err != nil {
		ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		ctx.SetBodyString("store: " + err.Error() + "\n")
		return
	}
	if err := s.scans.Err(); err != nil {
		ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		ctx.SetBodyString("scan log: " + err.Error() + "\n")
		return
	}
	if err := s.replicaLagErr(); err != nil {
		ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		ctx.SetBodyString("replica: " + err.Error() + "\n")
		return
	}
	ctx.SetBodyString("ready\n")
}

// linkTypes are the GS1 link types this resolver answers, with their
// English titles, for the description file and linksets.
var linkTypes = []struct{ CURIE, Title string }{
	{"gs1:defaultLink", "Scan page: status, product, producer, lot and supply chain"},
	{"gs1:pip", "Product information page"},
	{"gs1:traceability", "Traceability information (full chain as JSON)"},
	{"gs1:recallStatus", "Recall status of the lot"},
	{"gs1:epcis", "EPCIS events (authenticated API)"},
	{"gs1:certificationInfo", "Certification information"},
	{"gs1:epil", "Electronic patient information leaflet"},
	{"gs1:safetyInfo", "Safety information"},
	{"gs1:instructions", "Instructions for use"},
}

// gs1VocBase expands the gs1: prefix of link types.
const gs1VocBase = "https://gs1.org/voc/"

// expandLinkType turns "gs1:pip" (or "pip") into https://gs1.org/voc/pip;
// a full URI is returned as is.
func expandLinkType(lt string) string {
	switch {
	case strings.HasPrefix(lt, "gs1:"):
		return gs1VocBase + lt[4:]
	case strings.HasPrefix(lt, "http://") || strings.HasPrefix(lt, "https://"):
		return lt
	}
	return gs1VocBase + lt
}

// serveDescription serves /.well-known/gs1resolver, the resolver
// description file of GS1-Conformant Resolver 1.x.
func (s *Server) serveDescription(ctx *fasthttp.RequestCtx) {
	type linkTypeDesc struct {
		ID    string `json:"@id"`
		Title string `json:"title"`
	}
	var lts []linkTypeDesc
	for _, lt := range linkTypes {
		lts = append(lts, linkTypeDesc{ID: lt.CURIE, Title: lt.Title})
	}
	d := map[string]any{
		"name":                             "tracecode resolver",
		"resolverRoot":                     s.cfg.PublicBase,
		"supportedPrimaryKeys":             []string{"01", "00"},
		"supportedLinkType":                lts,
		"linkTypeDefaultCanBeLinkset":      false,
		"supportedContextValuesEnumerated": []string{},
		"jsonLdContextLocation":            s.cfg.PublicBase + linksetContextPath,
		"contact": map[string]string{
			"organizationName": "tracecode operator",
		},
		"validatedAt":     s.started.UTC().Format(time.RFC3339),
		"resolverVersion": "GS1-Conformant Resolver 1.1 (tracecode)",
		"extensions": map[string]any{
			"shortCodes":         s.cfg.PublicBase + "/c/{code}",
			"anyCode":            s.cfg.PublicBase + "/resolve?code={code}",
			"contentNegotiation": []string{"text/html", "application/json", "application/linkset+json"},
			"languages":          []string{"zh", "en"},
			"clientScopes":       apikey.AllScopes(),
		},
	}
	b, _ := json.MarshalIndent(d, "", "  ")
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
	ctx.Response.Header.Set("Cache-Control", "public, max-age=3600")
	ctx.SetBody(append(b, '\n'))
}

// keyIDString formats an API key id as the token shows it.
func keyIDString(id uint64) string {
	if id == 0 {
		return ""
	}
	s := strconv.FormatUint(id, 16)
	return strings.Repeat("0", 16-len(s)) + s
}
