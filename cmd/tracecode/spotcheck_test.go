package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/engine/spotcheck"
)

// TestSpotcheckDrawCLI: the command re-runs a draw from plan and
// population files and its seed, agrees with --expect, and refuses a
// population that is not the one drawn from.
func TestSpotcheckDrawCLI(t *testing.T) {
	dir := t.TempDir()
	planJS := `{"name":"食品抽查","items":["许可"],"ratios":{"medium":50}}`
	pop := spotcheck.Population{Region: "620100", Inspectors: []spotcheck.Inspector{{Login: "a"}, {Login: "b"}, {Login: "c"}}}
	for _, k := range []string{"91620100000000001A", "91620100000000002B", "91620100000000003C", "91620100000000004D"} {
		pop.Subjects = append(pop.Subjects, spotcheck.Subject{Key: k, Name: "企业" + k[16:], Class: "medium"})
	}
	if err := pop.Check(); err != nil {
		t.Fatal(err)
	}
	plan, err := spotcheck.ParsePlan(strings.NewReader(planJS))
	if err != nil {
		t.Fatal(err)
	}
	want, err := spotcheck.Run(&plan, &pop, "公开种子")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pp := write("plan.json", []byte(planJS))
	qp := write("population.json", pop.Canonical())
	wb, _ := json.Marshal(want)
	ep := write("draw.json", wb)
	out := mustCLI(t, "spotcheck", "draw", "--plan", pp, "--population", qp, "--seed", "公开种子", "--expect", ep)
	if !strings.Contains(out, want.Population) || !strings.Contains(out, want.Inspections[0].Subject) || !strings.Contains(out, "same as the recorded draw") {
		t.Fatalf("output:\n%s", out)
	}
	pop.Subjects[0].Class = "high"
	qp2 := write("population2.json", pop.Canonical())
	if _, errOut, code := runCLI(t, "", "spotcheck", "draw", "--plan", pp, "--population", qp2, "--seed", "公开种子", "--expect", ep); code == 0 || !strings.Contains(errOut, "population sha256") {
		t.Fatalf("a changed population: exit %d %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, "", "spotcheck", "draw", "--plan", pp, "--population", qp); code == 0 || !strings.Contains(errOut, "--seed") {
		t.Fatalf("no seed: exit %d %s", code, errOut)
	}
}
