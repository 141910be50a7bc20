package spotcheck

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzParsePlan(f *testing.F) {
	f.Add(`{"name":"食品生产企业","items":["许可","标签"],"categories":["food"],"ratios":{"high":30,"medium-high":10,"medium":2,"low":1},"inspectors":2,"publish_days":20}`)
	f.Add(`{"name":"n","items":["a"],"ratios":{"medium":"2.5"},"conflicts":[{"inspector":"a","uscc":"b"}]}`)
	f.Add(`{"name":"n","items":["a"],"ratios":{"high":1.005}}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlan(strings.NewReader(s))
		if err != nil {
			return
		}
		// What is accepted writes out and reads back the same.
		var b bytes.Buffer
		writeJSON(t, &b, p.File())
		q, err := ParsePlan(&b)
		if err != nil {
			t.Fatalf("%s: written %s does not read back: %v", s, b.String(), err)
		}
		q.Created, q.CreatedBy = p.Created, p.CreatedBy
		if q.Ratios != p.Ratios || q.Name != p.Name || q.Inspectors != p.Inspectors || len(q.Conflicts) != len(p.Conflicts) {
			t.Fatalf("%s: round trip %+v → %+v", s, p, q)
		}
		if _, err := DecodePlan(1, p.AppendBinary(nil)); err != nil {
			t.Fatalf("%s: stored value: %v", s, err)
		}
	})
}

func FuzzParsePopulation(f *testing.F) {
	seed := testPop(5)
	f.Add(string(seed.Canonical()))
	f.Add(`{"subjects":[{"key":"a","class":"low","last_inspectors":["x","x"]}],"inspectors":[{"login":"x"},{"login":"y"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePopulation(strings.NewReader(s))
		if err != nil {
			return
		}
		q, err := ParsePopulation(bytes.NewReader(p.Canonical()))
		if err != nil || q.Hash() != p.Hash() {
			t.Fatalf("%s: canonical form does not read back: %v", s, err)
		}
		plan := Plan{Name: "n", Items: []string{"a"}, Ratios: DefaultRatios, Inspectors: 2}
		a, errA := Run(&plan, &p, "seed")
		b, errB := Run(&plan, &q, "seed")
		if (errA == nil) != (errB == nil) || errA == nil && a.Population != b.Population {
			t.Fatalf("%s: two runs differ", s)
		}
	})
}
