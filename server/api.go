package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/model"
)

// jsonContentType checks the request's Content-Type: absent, or
// application/json or an application/…+json type (application/ld+json),
// with parameters. "application/jsonfoo" or "text/json; x" are not JSON.
// On failure it answers 415 and returns false.
func jsonContentType(ctx *fasthttp.RequestCtx) bool {
	ct := ctx.Request.Header.ContentType()
	if len(ct) == 0 {
		return true
	}
	mt, _, err := mime.ParseMediaType(string(ct))
	if err == nil && (mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return true
	}
	problem(ctx, fasthttp.StatusUnsupportedMediaType, "media-type",
		"the body must be JSON (Content-Type: application/json or application/ld+json), not "+quote(truncateBytes(ct, maxEcho)))
	return false
}

// readJSON decodes the request body into v, refusing unknown fields,
// duplicate member names (which encoding/json would resolve silently to
// the last) and trailing data, and answers 400/415 itself on failure.
func readJSON(c *call, v any) bool {
	if !jsonContentType(c.ctx) {
		return false
	}
	body, ok := c.readBody(c.bodyLimit())
	if !ok {
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-json", "the request body is empty; this route takes a JSON object")
		return false
	}
	if _, err := jsontext.NewDecoder(bytes.NewReader(body)).ReadValue(); errors.Is(err, jsontext.ErrDuplicateName) {
		detail := "duplicate member name in the JSON body"
		var se *jsontext.SyntacticError
		if errors.As(err, &se) {
			line, col := lineCol(body, se.ByteOffset)
			detail = fmt.Sprintf("duplicate member %s at line %d, column %d: a JSON object must not repeat a name",
				quote(truncateBytes([]byte(se.JSONPointer), maxEcho)), line, col)
		}
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-json", detail)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-json", jsonErrorDetail(body, err))
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-json", "unexpected data after the JSON object")
		return false
	}
	return true
}

// jsonErrorDetail says where a JSON body is wrong: the field, the
// expected type, the line and column.
func jsonErrorDetail(body []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(body, se.Offset)
		return fmt.Sprintf("malformed JSON at line %d, column %d: %v", line, col, se)
	case errors.As(err, &te):
		line, col := lineCol(body, te.Offset)
		return fmt.Sprintf("field %q at line %d, column %d: got a JSON %s, want %v", te.Field, line, col, te.Value, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + "; see docs/api.md for this route's fields"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON body ends too early"
	}
	return "bad JSON: " + err.Error()
}

func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// writeJSON answers status with v encoded as JSON.
func writeJSON(c *call, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.s.internalError(c.ctx, "encode answer", err)
		return
	}
	c.ctx.SetStatusCode(status)
	c.ctx.Response.Header.SetContentTypeBytes(ctJSON)
	c.ctx.SetBody(append(b, '\n'))
}

// engineError answers an engine error with the status its kind implies and
// the engine's precise message.
func engineError(c *call, err error) {
	status, kind := fasthttp.StatusInternalServerError, "internal"
	var fe *model.FieldError
	switch {
	case errors.As(err, &fe) || errors.Is(err, model.ErrInvalid):
		status, kind = fasthttp.StatusBadRequest, "invalid"
	case errors.Is(err, model.ErrUnknownOrg), errors.Is(err, model.ErrUnknownProduct),
		errors.Is(err, model.ErrUnknownLot), errors.Is(err, model.ErrUnknownBlock):
		status, kind = fasthttp.StatusNotFound, "not-found"
	case errors.Is(err, model.ErrWrongOrg):
		status, kind = fasthttp.StatusForbidden, "wrong-org"
	case errors.Is(err, model.ErrExists):
		status, kind = fasthttp.StatusConflict, "exists"
	case errors.Is(err, model.ErrConflict):
		status, kind = fasthttp.StatusConflict, "idempotency-conflict"
	case errors.Is(err, model.ErrCap):
		status, kind = fasthttp.StatusUnprocessableEntity, "cap"
	case errors.Is(err, model.ErrState), errors.Is(err, model.ErrScheme):
		status, kind = fasthttp.StatusConflict, "state"
	case errors.Is(err, engine.ErrDiskFull):
		status, kind = fasthttp.StatusInsufficientStorage, "disk-full"
		c.s.log.Warn("write refused: disk full", "method", string(c.ctx.Method()), "path", string(c.ctx.Path()), "err", err)
		err = errors.New("the store's disk is full: writes are refused until space is freed (scans are still answered); nothing was applied, send it again later")
	case errors.Is(err, engine.ErrClosed), errors.Is(err, model.ErrFailed):
		status, kind = fasthttp.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		status, kind = fasthttp.StatusServiceUnavailable, "timeout"
		err = fmt.Errorf("the engine did not take the write within the request timeout (%v); nothing was applied, send it again", c.s.cfg.RequestTimeout)
	}
	if status == fasthttp.StatusInternalServerError {
		c.s.internalError(c.ctx, "api", err)
		return
	}
	problem(c.ctx, status, kind, err.Error())
}

// pathID parses path parameter i as a positive decimal id.
func pathID(c *call, i int, what string) (uint64, bool) {
	v, err := strconv.ParseUint(string(c.pv[i]), 10, 64)
	if err != nil || v == 0 {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-id", fmt.Sprintf("%s id %q is not a positive integer", what, c.pv[i]))
		return 0, false
	}
	return v, true
}

// queryUint reads an optional unsigned query parameter.
func queryUint(c *call, name string) (uint64, bool) {
	v := c.ctx.QueryArgs().Peek(name)
	if len(v) == 0 {
		return 0, true
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-query", fmt.Sprintf("query parameter %s=%q is not an unsigned integer", name, v))
		return 0, false
	}
	return n, true
}

// notVisible answers 404 for something the key may not see, so that
// organisations cannot probe each other's ids.
func notVisible(c *call, what string, id uint64) {
	problem(c.ctx, fasthttp.StatusNotFound, "not-found", fmt.Sprintf("no %s %d visible to this API key", what, id))
}

// ---- /v1/me ----

type keyJSON struct {
	ID      string   `json:"id"`
	Org     uint32   `json:"org,omitempty"`
	Scopes  []string `json:"scopes"`
	Region  string   `json:"region,omitempty"`
	Name    string   `json:"name,omitempty"`
	Created string   `json:"created"`
	Revoked string   `json:"revoked,omitempty"`
	Token   string   `json:"token,omitempty"`
}

func keyOut(k apikey.Key) keyJSON {
	out := keyJSON{ID: keyIDString(k.ID), Org: k.Org, Scopes: k.Scopes.Names(), Name: k.Name, Created: msTime(k.Created)}
	if k.Region != 0 {
		out.Region = strconv.FormatUint(uint64(k.Region), 10)
	}
	if k.Revoked != 0 {
		out.Revoked = msTime(k.Revoked)
	}
	return out
}

func (s *Server) apiMe(c *call) {
	out := struct {
		Key keyJSON  `json:"key"`
		Org *orgJSON `json:"org,omitempty"`
	}{Key: keyOut(c.key)}
	if c.key.Org != 0 {
		if o, err := s.eng.Issuance().Org(c.key.Org); err == nil {
			oj := orgOut(o)
			out.Org = &oj
		}
	}
	writeJSON(c, fasthttp.StatusOK, out)
}

// ---- keys ----

func (s *Server) apiListKeys(c *call) {
	all := c.key.Org == 0
	keys, err := s.keys.List(c.key.Org, all)
	if err != nil {
		engineError(c, err)
		return
	}
	out := []keyJSON{}
	for _, k := range keys {
		out = append(out, keyOut(k))
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"keys": out})
}

func (s *Server) apiCreateKey(c *call) {
	var in struct {
		Org    uint32   `json:"org"`
		Scopes []string `json:"scopes"`
		Region string   `json:"region"`
		Name   string   `json:"name"`
	}
	if !readJSON(c, &in) {
		return
	}
	scopes, err := apikey.ParseScopes(strings.Join(in.Scopes, ","))
	if err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
		return
	}
	org := in.Org
	if c.key.Org != 0 {
		if org != 0 && org != c.key.Org {
			problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", "an organisation's admin key may create keys only for its own organisation")
			return
		}
		org = c.key.Org
		if scopes.Has(apikey.ScopeRegulator) {
			problem(c.ctx, fasthttp.StatusForbidden, "scope", "only the operator's key may create regulator keys")
			return
		}
	}
	var region uint64
	if in.Region != "" {
		if region, err = strconv.ParseUint(in.Region, 10, 32); err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", fmt.Sprintf("region %q is not a GB/T 2260 code", in.Region))
			return
		}
	}
	if org != 0 {
		if _, err := s.eng.Issuance().Org(org); err != nil {
			engineError(c, err)
			return
		}
	}
	tok, k, err := s.keys.Create(apikey.Options{Org: org, Scopes: scopes, Region: uint32(region), Name: in.Name})
	if err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", err.Error())
		return
	}
	out := keyOut(k)
	out.Token = tok
	s.auditKey(c, account.ActionKeyCreate, k)
	c.ctx.Response.Header.Set("Location", "/v1/keys/"+out.ID)
	writeJSON(c, fasthttp.StatusCreated, out)
}

func (s *Server) apiRevokeKey(c *call) {
	id, err := strconv.ParseUint(string(c.pv[0]), 16, 64)
	if err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "bad-id", fmt.Sprintf("key id %q is not 16 hex digits", c.pv[0]))
		return
	}
	k, found, err := s.keys.Get(id)
	if err != nil {
		engineError(c, err)
		return
	}
	if !found || (c.key.Org != 0 && k.Org != c.key.Org) {
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", "no API key "+string(c.pv[0])+" visible to this key")
		return
	}
	k, err = s.keys.Revoke(id)
	if err != nil {
		engineError(c, err)
		return
	}
	s.auditKey(c, account.ActionKeyRevoke, k)
	writeJSON(c, fasthttp.StatusOK, keyOut(k))
}
