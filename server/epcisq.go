package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
)

// epcisQueryRoutes are the EPCIS 2.0 REST binding's query routes, under
// /v1/epcis: the standard query parameters in the query string, the
// path's resource as one more parameter. Any valid key may ask; the engine
// decides which events it sees (epcisq.Office.Visible).
func (s *Server) epcisQueryRoutes() []*route {
	q := (*Server).apiQueryEvents
	return []*route{
		{method: "GET", pattern: "/v1/epcis/events", metric: "epcis_events", h: q},
		{method: "GET", pattern: "/v1/epcis/eventTypes", metric: "epcis_event_types", h: (*Server).apiEventTypes},
		{method: "GET", pattern: "/v1/epcis/eventTypes/{eventType}/events", metric: "epcis_events", h: q},
		{method: "GET", pattern: "/v1/epcis/epcs/{epc}/events", metric: "epcis_events", h: q},
		{method: "GET", pattern: "/v1/epcis/bizSteps/{bizStep}/events", metric: "epcis_events", h: q},
		{method: "GET", pattern: "/v1/epcis/bizLocations/{bizLocation}/events", metric: "epcis_events", h: q},
		{method: "GET", pattern: "/v1/epcis/readPoints/{readPoint}/events", metric: "epcis_events", h: q},
		{method: "GET", pattern: "/v1/epcis/dispositions/{disposition}/events", metric: "epcis_events", h: q},
		{method: "POST", pattern: "/v1/epcis/queries", metric: "epcis_queries", scopes: apikey.ScopeEvents | apikey.ScopeRegulator | apikey.ScopeAdmin,
			keepsCache: true, h: (*Server).apiCreateNamedQuery},
		{method: "GET", pattern: "/v1/epcis/queries", metric: "epcis_queries", h: (*Server).apiListNamedQueries},
		{method: "GET", pattern: "/v1/epcis/queries/{name}", metric: "epcis_queries", h: (*Server).apiGetNamedQuery},
		{method: "DELETE", pattern: "/v1/epcis/queries/{name}", metric: "epcis_queries", scopes: apikey.ScopeEvents | apikey.ScopeRegulator | apikey.ScopeAdmin,
			keepsCache: true, h: (*Server).apiDeleteNamedQuery},
		{method: "GET", pattern: "/v1/epcis/queries/{name}/events", metric: "epcis_events", h: (*Server).apiNamedQueryEvents},
	}
}

// pathQueryParam maps a resource path's variable to the query parameter
// it stands for.
var pathQueryParam = map[string]string{
	"{eventType}": "eventType", "{epc}": "MATCH_anyEPC", "{bizStep}": "EQ_bizStep",
	"{bizLocation}": "EQ_bizLocation", "{readPoint}": "EQ_readPoint", "{disposition}": "EQ_disposition",
}

var epcisEventTypes = []string{"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"}

// apiEventTypes serves GET /v1/epcis/eventTypes: the event types a query
// may ask for.
func (s *Server) apiEventTypes(c *call) {
	c.ctx.Response.Header.Set("GS1-EPCIS-Version", "2.0.0")
	writeJSON(c, fasthttp.StatusOK, map[string]any{"@set": epcisEventTypes})
}

// apiQueryEvents serves GET /v1/epcis/events and the resource paths: an
// EPCISQueryDocument in JSON-LD, or in XML when the Accept header asks
// for application/xml (or text/xml) before JSON. A page that has a next
// one links it (Link: <…>; rel="next") with its nextPageToken.
func (s *Server) apiQueryEvents(c *call) {
	var params []epcisq.Param
	for _, seg := range c.r.segs {
		// Every resource route has one variable: c.pv[0].
		if name, ok := pathQueryParam[seg]; ok {
			params = append(params, epcisq.Param{Name: name, Value: string(c.pv[0])})
		}
	}
	for k, v := range c.ctx.QueryArgs().All() {
		params = append(params, epcisq.Param{Name: string(k), Value: string(v)})
	}
	res, err := s.eng.Queries().Events(c.key, params, rawJSON(c.ctx)...)
	if err != nil {
		queryError(c, err)
		return
	}
	s.writeQueryResult(c, res, "SimpleEventQuery")
}

// writeQueryResult writes one page of a query's answer as an
// EPCISQueryDocument named queryName.
func (s *Server) writeQueryResult(c *call, res *epcisq.Result, queryName string) {
	var err error
	h := &c.ctx.Response.Header
	h.Set("GS1-EPCIS-Version", "2.0.0")
	h.Set("GS1-CBV-Version", "2.0.0")
	if res.Next != "" {
		args := fasthttp.AcquireArgs()
		c.ctx.QueryArgs().CopyTo(args)
		args.Set("nextPageToken", res.Next)
		next := string(c.ctx.Path()) + "?" + args.String()
		fasthttp.ReleaseArgs(args)
		h.Set("Link", "<"+s.cfg.PublicBase+next+`>; rel="next"`)
		h.Set("GS1-Next-Page-Token", url.QueryEscape(res.Next))
	}
	opts := &epcis.MarshalOptions{Header: epcis.Header{Type: epcis.TypeEPCISQueryDocument, QueryName: queryName,
		CreationDate: time.Now().UTC().Truncate(time.Millisecond)}}
	var b bytes.Buffer
	if wantsXML(c.ctx) {
		var events []epcis.Event
		if events, err = epcisq.Parsed(res.Events); err == nil {
			err = epcis.MarshalXML(&b, events, opts)
		}
		h.SetContentType("application/xml")
	} else {
		// Events the query did not parse (rawJSON) are written as stored.
		err = epcisq.MarshalJSON(&b, res.Events, opts)
		h.SetContentType("application/ld+json")
	}
	if err != nil {
		c.s.internalError(c.ctx, "encode EPCIS query document", err)
		return
	}
	c.ctx.SetBody(b.Bytes())
}

// rawJSON is the query option of a JSON answer: events left as stored
// (epcisq.RawJSON), written without a parse and a marshal each.
func rawJSON(ctx *fasthttp.RequestCtx) []epcisq.Option {
	if wantsXML(ctx) {
		return nil
	}
	return []epcisq.Option{epcisq.RawJSON}
}

// wantsXML reports whether the Accept header names an XML type before any
// JSON one.
func wantsXML(ctx *fasthttp.RequestCtx) bool {
	for _, part := range strings.Split(string(ctx.Request.Header.Peek("Accept")), ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/xml", "text/xml":
			return true
		case "application/json", "application/ld+json", "*/*":
			return false
		}
	}
	return false
}

// queryError answers the EPCIS query exceptions as RFC 7807 problems
// with the EPCIS REST binding's exception types; other errors as
// engineError does.
func queryError(c *call, err error) {
	var pe *epcisq.ParamError
	switch {
	case errors.As(err, &pe):
		writeProblem(c.ctx, Problem{Type: "epcisException:QueryParameterException", Title: "QueryParameterException",
			Status: fasthttp.StatusBadRequest, Detail: err.Error()})
	case errors.Is(err, epcisq.ErrQueryTooLarge):
		writeProblem(c.ctx, Problem{Type: "epcisException:QueryTooLargeException", Title: "QueryTooLargeException", Status: fasthttp.StatusRequestEntityTooLarge, Detail: err.Error()})
	case errors.Is(err, epcisq.ErrQueryTooComplex):
		writeProblem(c.ctx, Problem{Type: "epcisException:QueryTooComplexException", Title: "QueryTooComplexException", Status: fasthttp.StatusRequestEntityTooLarge, Detail: err.Error()})
	default:
		engineError(c, err)
	}
}

// namedQueryJSON is a named query as the REST binding writes it: its name
// and its parameters (a list value as an array).
type namedQueryJSON struct {
	Name    string         `json:"name"`
	Query   map[string]any `json:"query"`
	Created string         `json:"created,omitempty"`
}

func namedOut(n epcisq.NamedQuery) namedQueryJSON {
	q := make(map[string]any, len(n.Params))
	for _, p := range n.Params {
		if strings.Contains(p.Value, "|") {
			q[p.Name] = strings.Split(p.Value, "|")
		} else {
			q[p.Name] = p.Value
		}
	}
	return namedQueryJSON{Name: n.Name, Query: q, Created: time.UnixMilli(n.Created).UTC().Format(time.RFC3339Nano)}
}

// apiCreateNamedQuery serves POST /v1/epcis/queries: {"name", "query":
// {parameter: value or [values]}} saves a named query of the key's
// organisation (a regulator's: its region's; the operator's: the
// operator's); 201 with Location.
func (s *Server) apiCreateNamedQuery(c *call) {
	var in struct {
		Name  string                     `json:"name"`
		Query map[string]json.RawMessage `json:"query"`
	}
	if !readJSON(c, &in) {
		return
	}
	names := make([]string, 0, len(in.Query))
	for k := range in.Query {
		names = append(names, k)
	}
	sort.Strings(names)
	var params []epcisq.Param
	for _, k := range names {
		raw := in.Query[k]
		var str string
		var list []string
		var num json.Number
		var b bool
		switch {
		case json.Unmarshal(raw, &str) == nil:
		case json.Unmarshal(raw, &list) == nil:
			str = strings.Join(list, "|")
		case json.Unmarshal(raw, &num) == nil:
			str = num.String()
		case json.Unmarshal(raw, &b) == nil && b:
			str = "true"
		default:
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "query."+k+": a parameter's value is a string, a number, true or an array of strings")
			return
		}
		params = append(params, epcisq.Param{Name: k, Value: str})
	}
	n, err := s.eng.Queries().Create(c.key, in.Name, params)
	switch {
	case errors.Is(err, epcisq.ErrQueryExists):
		problem(c.ctx, fasthttp.StatusConflict, "exists", err.Error())
		return
	case err != nil:
		queryError(c, err)
		return
	}
	c.ctx.Response.Header.Set("Location", "/v1/epcis/queries/"+url.PathEscape(n.Name))
	writeJSON(c, fasthttp.StatusCreated, namedOut(n))
}

// apiListNamedQueries serves GET /v1/epcis/queries: the key's owner's
// named queries.
func (s *Server) apiListNamedQueries(c *call) {
	l, err := s.eng.Queries().List(c.key)
	if err != nil {
		engineError(c, err)
		return
	}
	out := make([]namedQueryJSON, len(l))
	for i, n := range l {
		out[i] = namedOut(n)
	}
	writeJSON(c, fasthttp.StatusOK, out)
}

func (s *Server) apiGetNamedQuery(c *call) {
	n, found, err := s.eng.Queries().Named(c.key, string(c.pv[0]))
	switch {
	case err != nil:
		engineError(c, err)
	case !found:
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no named query "+quote(c.pv[0])+" of this key's owner")
	default:
		writeJSON(c, fasthttp.StatusOK, namedOut(n))
	}
}

func (s *Server) apiDeleteNamedQuery(c *call) {
	found, err := s.eng.Queries().Delete(c.key, string(c.pv[0]))
	switch {
	case err != nil:
		engineError(c, err)
	case !found:
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no named query "+quote(c.pv[0])+" of this key's owner")
	default:
		c.ctx.SetStatusCode(fasthttp.StatusNoContent)
	}
}

// apiNamedQueryEvents serves GET /v1/epcis/queries/{name}/events: the
// named query's answer, paged (perPage and nextPageToken only); with
// Upgrade: websocket, its new events as they are recorded
// (apiNamedQueryLive).
func (s *Server) apiNamedQueryEvents(c *call) {
	if websocket.FastHTTPIsWebSocketUpgrade(c.ctx) {
		s.apiNamedQueryLive(c)
		return
	}
	var paging []epcisq.Param
	for k, v := range c.ctx.QueryArgs().All() {
		paging = append(paging, epcisq.Param{Name: string(k), Value: string(v)})
	}
	name := string(c.pv[0])
	res, found, err := s.eng.Queries().NamedEvents(c.key, name, paging, rawJSON(c.ctx)...)
	switch {
	case err != nil:
		queryError(c, err)
	case !found:
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no named query "+quote(c.pv[0])+" of this key's owner")
	default:
		s.writeQueryResult(c, res, name)
	}
}
