package server

import (
	"github.com/valyala/fasthttp"

	"tracecode/engine"
	"tracecode/engine/apikey"
	"tracecode/engine/scanlog"
)

// scanRoutes are the routes of clone detection's review.
func (s *Server) scanRoutes() []*route {
	return []*route{
		{method: "POST", pattern: "/v1/scans/review", scopes: apikey.ScopeRegulator, h: (*Server).apiReviewScans},
	}
}

// scanReviewJSON is a review as the API shows it.
type scanReviewJSON struct {
	Verdict string `json:"verdict"`
	Time    string `json:"time"`
	Key     string `json:"key"`
	Reason  string `json:"reason"`
}

func scanReviewOut(r scanlog.Review) *scanReviewJSON {
	if r.Verdict == scanlog.VerdictNone {
		return nil
	}
	return &scanReviewJSON{Verdict: r.Verdict.String(), Time: msTime(r.Time), Key: keyIDString(r.Key), Reason: r.Reason}
}

// apiReviewScans serves POST /v1/scans/review: a regulator of the
// producer's region confirms ("confirm") or clears ("clear") the
// suspicious flag of an item, with a reason. The rule is the engine's
// (Engine.ReviewSuspicious).
func (s *Server) apiReviewScans(c *call) {
	var in struct {
		Code    string `json:"code"`
		Verdict string `json:"verdict"`
		Reason  string `json:"reason"`
	}
	if !readJSON(c, &in) {
		return
	}
	var v scanlog.Verdict
	switch in.Verdict {
	case "confirm":
		v = scanlog.VerdictConfirmed
	case "clear":
		v = scanlog.VerdictCleared
	default:
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "verdict "+quote(truncateBytes([]byte(in.Verdict), maxEcho))+` must be "confirm" or "clear"`)
		return
	}
	ref, st, err := s.eng.ReviewSuspicious(s.scans, c.key, in.Code, v, in.Reason)
	if err != nil {
		engineError(c, err)
		return
	}
	s.log.Info("suspicious flag reviewed", "code", in.Code, "verdict", v.String(), "key", keyIDString(c.key.ID), "reason", in.Reason)
	writeJSON(c, fasthttp.StatusOK, map[string]any{
		"code": s.nodeCode(engine.Node{Product: ref.Product, Counter: ref.Counter}), "suspicious": st.Suspicious,
		"count": st.Count, "clients": st.NClient, "evidence": st.Evidence(), "review": scanReviewOut(st.Review)})
}
