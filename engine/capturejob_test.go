package engine

import (
	"context"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/epcissub"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// TestCaptureJobs: an accepted document is running until the runner
// applies it; a good one succeeds with its records, a bad one fails with
// its per-event errors and applies nothing; another organisation does not
// see the job.
func TestCaptureJobs(t *testing.T) {
	f := queryFixture(t)
	st := openSubTest(t, f.e)
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	b := apikey.Key{ID: 2, Org: f.orgB, Scopes: apikey.ScopeEvents}
	good, err := jobsOf(t, f.e).SubmitAs(a, []byte(doc(inspectAt("2026-03-01T06:00:00Z", f.code(f.items, 5)))), false, "")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := jobsOf(t, f.e).SubmitAs(a, []byte(doc(inspectAt("2026-03-01T06:10:00Z", f.code(f.items, 6)),
		inspectAt("2026-03-01T06:20:00Z", f.code(f.items, 700)))), false, "")
	if err != nil {
		t.Fatal(err)
	}
	if j, found, _ := jobsOf(t, f.e).JobOf(a, good.ID); !found || j.State != epcissub.JobRunning {
		t.Fatalf("before the runner: %+v %v", j, found)
	}
	if _, found, _ := jobsOf(t, f.e).JobOf(b, good.ID); found {
		t.Error("another organisation reads the job")
	}
	if _, err := jobsOf(t, f.e).SubmitAs(apikey.Key{ID: 3, Scopes: apikey.ScopeAdmin}, []byte(doc()), false, ""); err == nil {
		t.Error("a key of no organisation submits a capture")
	}
	before := len(steps(t, f.e, apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}))
	if n, err := st.n.jobs.RunOnce(context.Background()); n != 2 || err != nil {
		t.Fatalf("run: %d %v", n, err)
	}
	j, _, _ := jobsOf(t, f.e).JobOf(a, good.ID)
	if j.State != epcissub.JobSuccess || j.Records != 1 || j.Finished == 0 || j.Doc != nil {
		t.Errorf("good job: %+v", j)
	}
	j, _, _ = jobsOf(t, f.e).JobOf(a, bad.ID)
	if j.State != epcissub.JobFailed || len(j.Errors) != 1 || j.Errors[0].Event != 1 || !strings.Contains(j.Errors[0].Field, "epcList") {
		t.Errorf("bad job: %+v", j)
	}
	if after := len(steps(t, f.e, apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin})); after != before+1 {
		t.Errorf("%d events after the jobs, want %d", after, before+1)
	}
}

// TestCaptureJobRestart: a job accepted before a close is applied after
// the reopen; one whose document was applied just before a crash (its
// state not yet written) succeeds again without applying it twice.
func TestCaptureJobRestart(t *testing.T) {
	dir := t.TempDir()
	e := openTest(t, dir)
	f := &fixture{t: t, e: e}
	prod, err := e.Issuance().AddProduct(context.Background(), issue.ProductSpec{GTIN: testGTIN, GCPLength: 7, NameZH: "婴幼儿配方奶粉",
		OrgName: "甲乳业有限公司", Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		t.Fatal(err)
	}
	f.orgA, f.items = prod.Org, mint(t, e, issue.MintRequest{Product: prod.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: 10}).Block
	f.commission(f.items, 0, 9)
	openSubTest(t, e)
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	d1 := doc(inspectAt("2026-03-01T06:00:00Z", f.code(f.items, 1)))
	d2 := doc(inspectAt("2026-03-01T06:10:00Z", f.code(f.items, 2)))
	j1, err := jobsOf(t, e).SubmitAs(a, []byte(d1), false, "")
	if err != nil {
		t.Fatal(err)
	}
	j2, err := jobsOf(t, e).SubmitAs(a, []byte(d2), false, "")
	if err != nil {
		t.Fatal(err)
	}
	mustCapture(t, f, f.orgA, d2) // applied, then the crash
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := openTest(t, dir)
	st := openSubTest(t, e2)
	if n, err := st.n.jobs.RunOnce(context.Background()); n != 2 || err != nil {
		t.Fatalf("run after reopening: %d %v", n, err)
	}
	for _, c := range []struct {
		id         uint64
		records, d int
	}{{j1.ID, 1, 0}, {j2.ID, 0, 1}} {
		j, found, err := jobsOf(t, e2).JobOf(a, c.id)
		if err != nil || !found || j.State != epcissub.JobSuccess || j.Records != c.records || j.Duplicates != c.d {
			t.Errorf("job %d: %+v %v %v", c.id, j, found, err)
		}
	}
	if got := len(steps(t, e2, apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin})); got != 2 {
		t.Errorf("%d events, want 2", got)
	}
}

// jobsOf returns e's capture jobs (the notices are open).
func jobsOf(t testing.TB, e *Engine) *epcissub.Jobs {
	t.Helper()
	js, err := e.CaptureJobs()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// subsOf returns e's subscription manager (the notices are open).
func subsOf(t testing.TB, e *Engine) *epcissub.Manager {
	t.Helper()
	m, err := e.Subscriptions()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
