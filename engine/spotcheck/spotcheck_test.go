package spotcheck

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tracecode/engine/store"
)

func testPop(n int) Population {
	p := Population{Region: "620100"}
	classes := []string{"high", "medium-high", "medium", "low"}
	for i := range n {
		p.Subjects = append(p.Subjects, Subject{Key: fmt.Sprintf("9162010%011d", i), Name: fmt.Sprintf("企业%d", i),
			Org: uint32(i + 1), Class: classes[i%4]})
	}
	for _, l := range []string{"insp.a", "insp.b", "insp.c", "insp.d"} {
		p.Inspectors = append(p.Inspectors, Inspector{Login: l})
	}
	if err := p.Check(); err != nil {
		panic(err)
	}
	return p
}

func testPlan(t *testing.T, js string) Plan {
	t.Helper()
	p, err := ParsePlan(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunDeterministicAndRatios(t *testing.T) {
	plan := testPlan(t, `{"name":"食品生产","items":["许可","标签"],"ratios":{"high":50,"low":0}}`)
	pop := testPop(40) // 10 per class
	a, err := Run(&plan, &pop, "2026-12-01 published seed")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run(&plan, &pop, "2026-12-01 published seed")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave two draws")
	}
	per := map[string]int{}
	for _, in := range a.Inspections {
		per[in.Class]++
		if len(in.Inspectors) != 2 || in.Inspectors[0] == in.Inspectors[1] {
			t.Fatalf("inspection %d: inspectors %v", in.N, in.Inspectors)
		}
	}
	// high 50 % of 10 = 5; medium-high 10 % of 10 = 1; medium 2 % of 10 = ⌈0.2⌉ = 1; low 0.
	if want := map[string]int{"high": 5, "medium-high": 1, "medium": 1}; !reflect.DeepEqual(per, want) {
		t.Fatalf("per class %v, want %v", per, want)
	}
	c, _ := Run(&plan, &pop, "another seed")
	if reflect.DeepEqual(a.Inspections, c.Inspections) {
		t.Fatal("two seeds gave the same draw")
	}
	if a.Population != pop.Hash() || len(a.Population) != 64 {
		t.Fatalf("population hash %q", a.Population)
	}
}

func TestRunRecusal(t *testing.T) {
	pop := testPop(4)
	key := pop.Subjects[0].Key
	pop.Subjects[0].Class = "high"
	pop.Subjects[0].LastInspectors = []string{"insp.a"}
	plan := testPlan(t, fmt.Sprintf(`{"name":"x","items":["y"],"ratios":{"high":100},"conflicts":[{"inspector":"insp.b","uscc":%q}]}`, key))
	for i := range 50 {
		out, err := Run(&plan, &pop, fmt.Sprint("seed", i))
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range out.Inspections {
			if in.Subject == key && !reflect.DeepEqual(in.Inspectors, []string{"insp.c", "insp.d"}) {
				t.Fatalf("seed %d: %s inspected by %v (a inspected it last, b is conflicted)", i, key, in.Inspectors)
			}
		}
	}
	pop.Subjects[0].LastInspectors = []string{"insp.a", "insp.c"}
	if _, err := Run(&plan, &pop, "s"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), key) {
		t.Fatalf("one eligible inspector: %v", err)
	}
}

func TestParsePlanErrors(t *testing.T) {
	for _, c := range []struct{ js, field string }{
		{`{"items":["a"]}`, "name"},
		{`{"name":"n","items":[]}`, "items"},
		{`{"name":"n","items":["a"],"ratios":{"extreme":5}}`, "extreme"},
		{`{"name":"n","items":["a"],"ratios":{"high":101}}`, "ratios.high"},
		{`{"name":"n","items":["a"],"ratios":{"high":1.005}}`, "ratios.high"},
		{`{"name":"n","items":["a"],"inspectors":1}`, "inspectors"},
		{`{"name":"n","items":["a"],"categories":["cars"]}`, "categories[0]"},
		{`{"name":"n","items":["a"],"region":"12"}`, "region"},
		{`{"name":"n","items":["a"],"colour":"red"}`, "colour"},
		{`{"name":"n","items":["a"],"conflicts":[{"inspector":"","uscc":"x"}]}`, "conflicts[0].inspector"},
	} {
		_, err := ParsePlan(strings.NewReader(c.js))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want an error naming %s", c.js, err, c.field)
		}
	}
	p := testPlan(t, `{"name":"n","items":["a"],"ratios":{"medium":"2.5"}}`)
	if p.Ratios[Medium] != 250 || p.Ratios[High] != 3000 || p.Inspectors != 2 || p.PublishDays != 20 {
		t.Fatalf("plan %+v", p)
	}
	f := p.File()
	if f.Ratios["medium"] != "2.5" || f.Ratios["low"] != "1" {
		t.Fatalf("file ratios %v", f.Ratios)
	}
}

func TestParsePopulation(t *testing.T) {
	pop := testPop(6)
	got, err := ParsePopulation(strings.NewReader(string(pop.Canonical())))
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != pop.Hash() {
		t.Fatal("the canonical form does not read back to the same hash")
	}
	for _, c := range []struct{ js, field string }{
		{`{"subjects":[{"key":"a","class":"huge"}],"inspectors":[]}`, "subjects[0]"},
		{`{"subjects":[{"key":"a","class":"low"},{"key":"a","class":"low"}],"inspectors":[]}`, `key "a" listed twice`},
		{`{"subjects":[],"inspectors":[{"login":""}]}`, "inspectors[0].login"},
		{`{"subjects":[],"inspectors":[],"x":1}`, `"x"`},
		{`{"subjects":[]} {}`, "trailing"},
	} {
		_, err := ParsePopulation(strings.NewReader(c.js))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want an error naming %s", c.js, err, c.field)
		}
	}
}

func TestBookRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	plan := testPlan(t, `{"name":"食品","items":["许可"],"categories":["food"],"conflicts":[{"inspector":"insp.a","uscc":"X"}]}`)
	plan.Region = 620100
	if _, err := bk.AddPlan(plan); err != nil {
		t.Fatal(err)
	}
	pop := testPop(8)
	out, err := Run(&plan, &pop, "seed")
	if err != nil {
		t.Fatal(err)
	}
	d, created, err := bk.AddDraw(Draw{Plan: 1, Region: 620100, Seed: "seed", SeedSource: "given", Outcome: out, Population: pop.Canonical(), Created: 5, PublishBy: 9})
	if err != nil || !created {
		t.Fatal(err, created)
	}
	if d2, created, _ := bk.AddDraw(Draw{Plan: 1, Seed: "seed"}); created || d2.ID != d.ID {
		t.Fatal("the same plan and seed made a second draw")
	}
	r := Result{Draw: 1, N: 1, Code: NotDisclosed, Note: "年报未公示", Lots: []string{"L1"}, Codes: []string{"c"}, Recorded: 7, RecordedBy: "lz"}
	if _, created, err := bk.SetResult(r); err != nil || !created {
		t.Fatal(err)
	}
	if _, created, err := bk.SetResult(r); err != nil || created {
		t.Fatal("a retry", err, created)
	}
	r.Code = NoProblem
	if _, _, err := bk.SetResult(r); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second result: %v", err)
	}
	if _, _, err := bk.SetResult(Result{Draw: 1, N: 99, Code: NoProblem}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no such inspection: %v", err)
	}
	db.Close()
	db, err = store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bk2, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := bk2.Plan(1)
	if p2.ID != 1 || !reflect.DeepEqual(p2.Conflicts, plan.Conflicts) || p2.Ratios != plan.Ratios || p2.Categories[0] != plan.Categories[0] {
		t.Fatalf("plan read back %+v", p2)
	}
	d2, _ := bk2.Draw(1)
	if !reflect.DeepEqual(d2.Outcome, d.Outcome) || string(d2.Population) != string(d.Population) || d2.PublishBy != 9 {
		t.Fatalf("draw read back %+v", d2)
	}
	if rs := bk2.Results(1); len(rs) != 1 || rs[0].Code != NotDisclosed || rs[0].Note != "年报未公示" {
		t.Fatalf("results read back %+v", rs)
	}
	// Re-run from the stored record alone.
	sp, err := ParsePopulation(strings.NewReader(string(d2.Population)))
	if err != nil {
		t.Fatal(err)
	}
	again, err := Run(&p2, &sp, d2.Seed)
	if err != nil || !reflect.DeepEqual(again, d2.Outcome) {
		t.Fatalf("re-run from the store: %v", err)
	}
}
