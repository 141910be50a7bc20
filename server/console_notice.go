package server

import (
	"encoding/json"
	"math"
)

// noticesPage lists the recalls and alerts the account's key sees, as
// GET /v1/recalls?state=all and GET /v1/alerts answer it (the recall and
// alert engines decide who sees which).
func (r *consoleReq) noticesPage() {
	data := map[string]any{}
	var recalls struct {
		Recalls []map[string]any `json:"recalls"`
	}
	if status, body := r.consoleAPI("GET", "/v1/recalls?state=all", nil); status == 200 {
		_ = json.Unmarshal(body, &recalls)
	} else {
		data["RecallError"] = apiDetail(body)
	}
	var alerts struct {
		Alerts []map[string]any `json:"alerts"`
	}
	if status, body := r.consoleAPI("GET", "/v1/alerts", nil); status == 200 {
		_ = json.Unmarshal(body, &alerts)
	} else {
		data["AlertError"] = apiDetail(body)
	}
	for _, list := range [][]map[string]any{recalls.Recalls, alerts.Alerts} {
		for _, m := range list {
			for _, k := range []string{"created", "time"} {
				if v, ok := m[k].(float64); ok && v > 0 && v < math.MaxInt64 {
					m[k] = fmtMillis(int64(v))
				}
			}
			if r.lang == "en" {
				for _, k := range []string{"reason", "message"} {
					if v, ok := m[k+"_en"]; ok && v != "" {
						m[k+"_zh"] = v
					} else if v, ok := m[k]; ok && v != "" && k == "message" {
						m[k+"_zh"] = v
					}
				}
			}
		}
	}
	data["Recalls"], data["Alerts"] = recalls.Recalls, alerts.Alerts
	r.render("notices", data)
}
