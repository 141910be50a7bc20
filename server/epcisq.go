package server

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/epcis"
)

// epcisQueryRoutes are the EPCIS 2.0 REST binding's query routes, under
// /v1/epcis: the standard query parameters in the query string, the
// path's resource as one more parameter. Any valid key may ask; the engine
// decides which events it sees (engine.EventVisible).
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
	var params []engine.QueryParam
	for _, seg := range c.r.segs {
		// Every resource route has one variable: c.pv[0].
		if name, ok := pathQueryParam[seg]; ok {
			params = append(params, engine.QueryParam{Name: name, Value: string(c.pv[0])})
		}
	}
	c.ctx.QueryArgs().VisitAll(func(k, v []byte) {
		params = append(params, engine.QueryParam{Name: string(k), Value: string(v)})
	})
	res, err := s.eng.QueryEvents(c.key, params)
	if err != nil {
		queryError(c, err)
		return
	}
	events := make([]epcis.Event, len(res.Events))
	for i := range res.Events {
		events[i] = res.Events[i].Event
	}
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
	opts := &epcis.MarshalOptions{Header: epcis.Header{Type: epcis.TypeEPCISQueryDocument, QueryName: "SimpleEventQuery",
		CreationDate: time.Now().UTC().Truncate(time.Millisecond)}}
	var b bytes.Buffer
	if wantsXML(c.ctx) {
		err = epcis.MarshalXML(&b, events, opts)
		h.SetContentType("application/xml")
	} else {
		err = epcis.MarshalDocument(&b, events, opts)
		h.SetContentType("application/ld+json")
	}
	if err != nil {
		c.s.internalError(c.ctx, "encode EPCIS query document", err)
		return
	}
	c.ctx.SetBody(b.Bytes())
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
	var pe *engine.QueryParamError
	switch {
	case errors.As(err, &pe):
		writeProblem(c.ctx, Problem{Type: "epcisException:QueryParameterException", Title: "QueryParameterException",
			Status: fasthttp.StatusBadRequest, Detail: err.Error()})
	case errors.Is(err, engine.ErrQueryTooLarge):
		writeProblem(c.ctx, Problem{Type: "epcisException:QueryTooLargeException", Title: "QueryTooLargeException", Status: fasthttp.StatusRequestEntityTooLarge, Detail: err.Error()})
	case errors.Is(err, engine.ErrQueryTooComplex):
		writeProblem(c.ctx, Problem{Type: "epcisException:QueryTooComplexException", Title: "QueryTooComplexException", Status: fasthttp.StatusRequestEntityTooLarge, Detail: err.Error()})
	default:
		engineError(c, err)
	}
}
