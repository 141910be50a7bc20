package server

import (
	"context"
	"strings"
	"testing"
)

// TestCaptureJobs: POST /v1/epcis/capture answers 202 with the job's
// Location; the job runs, then fails with per-event errors naming the
// event and field; another organisation's key gets 404.
func TestCaptureJobs(t *testing.T) {
	env := newTestEnv(t, nil)
	a, b, op := env.key("兰州陇原"), env.key("天水麦积"), env.key("operator")
	d := `{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-03-01T07:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-03-01T06:00:00Z",
"eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:9520123.04567X.NEVER1"],"action":"OBSERVE","bizStep":"inspecting"}]}}`
	r := env.api("POST", "/v1/epcis/capture", a, d)
	if r.status != 202 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	loc := r.h("Location")
	if !strings.HasPrefix(loc, "/v1/epcis/capture/") || !strings.Contains(string(r.body), `"running":true`) {
		t.Fatalf("Location %q, %s", loc, r.body)
	}
	if r := env.api("POST", "/v1/epcis/capture", op, d); r.status != 403 {
		t.Errorf("operator's capture: %d %s", r.status, r.body)
	}
	js, err := env.eng.CaptureJobs()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = env.api("GET", loc, a, "")
	m := decodeJSON(t, r)
	errs, _ := m["errors"].([]any)
	if r.status != 200 || m["running"] != false || m["success"] != false || len(errs) == 0 || m["finishedAt"] == nil {
		t.Fatalf("finished job: %d %s", r.status, r.body)
	}
	if e := errs[0].(map[string]any); e["event"] != float64(0) || !strings.Contains(e["field"].(string), "epcList") {
		t.Errorf("error %v", e)
	}
	if r := env.api("GET", loc, b, ""); r.status != 404 {
		t.Errorf("another organisation reads the job: %d %s", r.status, r.body)
	}
	if r := env.api("GET", loc, op, ""); r.status != 200 {
		t.Errorf("the operator: %d %s", r.status, r.body)
	}
}
