package server

import (
	"errors"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/epcissub"
)

// livePoll is how often a WebSocket subscription looks for new records
// (the webhook subscriptions' manager looks every second).
const livePoll = 250 * time.Millisecond

// liveUpgrader upgrades GET /v1/epcis/queries/{name}/events to a
// WebSocket. Its default origin check refuses a browser page of another
// origin (a request without Origin — not a browser — passes).
var liveUpgrader = websocket.FastHTTPUpgrader{HandshakeTimeout: 10 * time.Second}

// apiNamedQueryLive serves GET /v1/epcis/queries/{name}/events with
// Upgrade: websocket: the named query's new events, as EPCISQueryDocuments
// (JSON-LD, one text message each, queryName the query, subscriptionID
// the stream's), from the connection on (initialRecordTime in the query
// string: from then on). The key is checked before the upgrade as for a
// webhook subscription (the events, regulator or admin scope; the key's
// owner's query; the events the key sees); errors then are HTTP problems.
// Messages from the client are read and dropped. The stream ends with a
// close frame: 1001 when the server shuts down, 1008 when the key is
// revoked or the query fails.
func (s *Server) apiNamedQueryLive(c *call) {
	var initial time.Time
	for k, v := range c.ctx.QueryArgs().All() {
		if string(k) != "initialRecordTime" {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "a WebSocket subscription takes initialRecordTime only, not "+quote(k))
			return
		}
		t, err := time.Parse(time.RFC3339Nano, string(v))
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "initialRecordTime: not a date and time with a zone (2026-03-01T08:00:00Z)")
			return
		}
		initial = t
	}
	subs, ok := s.subscriptions(c)
	if !ok {
		return
	}
	live, err := subs.Live(c.key, string(c.pv[0]), initial)
	if err != nil {
		subscriptionError(c, err)
		return
	}
	// Upgrade answers a bad handshake itself (400, 403 for another origin).
	_ = liveUpgrader.Upgrade(c.ctx, func(conn *websocket.Conn) { s.streamLive(conn, live) })
}

// streamLive writes live's documents to conn until the client goes, the
// server stops or the stream fails.
func (s *Server) streamLive(conn *websocket.Conn, live *epcissub.Live) {
	defer conn.Close()
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	closeWith := func(code int, text string) {
		if len(text) > 120 {
			text = text[:120]
		}
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	}
	t := time.NewTicker(livePoll)
	defer t.Stop()
	for {
		if s.stopped.Load() {
			closeWith(websocket.CloseGoingAway, "server shutting down")
			return
		}
		doc, _, err := live.Next(time.Now())
		switch {
		case errors.Is(err, engine.ErrClosed):
			closeWith(websocket.CloseGoingAway, "server shutting down")
			return
		case err != nil:
			closeWith(websocket.ClosePolicyViolation, err.Error())
			return
		case doc != nil:
			_ = conn.SetWriteDeadline(time.Now().Add(s.cfg.RequestTimeout))
			if err := conn.WriteMessage(websocket.TextMessage, doc); err != nil {
				return
			}
			continue // more may be waiting
		}
		select {
		case <-gone:
			return
		case <-t.C:
		}
	}
}
