package engine

import (
	"fmt"
	"slices"
	"testing"

	"tracecode/engine/apikey"
)

// TestQueryMatchPackedChild: MATCH_epc and MATCH_anyEPC of a code find
// the aggregations that packed it into a case and took it out (indexed
// under the parent), not those of its case-mates only.
func TestQueryMatchPackedChild(t *testing.T) {
	f := newFixture(t)
	f.commission(f.items, 0, 9)
	f.commission(f.cases, 0, 1)
	agg := func(action, step, at string, children ...string) string {
		return fmt.Sprintf(`{"type":"AggregationEvent","eventTime":"2026-03-01T%s+08:00","eventTimeZoneOffset":"+08:00",
"parentID":%q,"childEPCs":[%s],"action":%q,"bizStep":%q}`, at, f.code(f.cases, 0), quoteList(children), action, step)
	}
	mustCapture(t, f, f.orgA, doc(agg("ADD", "packing", "09:00:00", f.code(f.items, 1), f.code(f.items, 2))))
	mustCapture(t, f, f.orgA, doc(agg("ADD", "packing", "09:30:00", f.code(f.items, 4))))
	mustCapture(t, f, f.orgA, doc(agg("DELETE", "unpacking", "10:00:00", f.code(f.items, 1))))
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, c := range []struct {
		params []string
		want   []string
	}{
		{[]string{"MATCH_epc", f.code(f.items, 1)}, []string{"packing", "unpacking"}},
		{[]string{"MATCH_anyEPC", f.code(f.items, 1)}, []string{"packing", "unpacking"}},
		{[]string{"MATCH_epc", f.code(f.items, 2)}, []string{"packing"}},
		{[]string{"MATCH_epc", f.code(f.items, 4), "EQ_bizStep", "packing"}, []string{"packing"}},
		{[]string{"MATCH_epc", f.code(f.items, 3)}, nil},
		{[]string{"MATCH_parentID", f.code(f.items, 1)}, nil},
		{[]string{"MATCH_parentID", f.code(f.cases, 0)}, []string{"packing", "packing", "unpacking"}},
	} {
		if got := steps(t, f.e, op, c.params...); !slices.Equal(got, c.want) {
			t.Errorf("%v: %v, want %v", c.params, got, c.want)
		}
	}
}
