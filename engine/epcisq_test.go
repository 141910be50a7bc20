package engine

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
	"tracecode/engine/model"
)

// queryFixture: organisation A inspects item 1 at a read point, ships
// items 2 and 3 to B, which receives them; B inspects its own item.
func queryFixture(t testing.TB) *fixture {
	f := newFixture(t)
	f.commission(f.items, 0, 9)
	f.commission(f.itemsB, 0, 1)
	inspect := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T09:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"inspecting","readPoint":{"id":"urn:epc:id:sgln:9520123.00001.0"},
"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:9520123000007:PO-7"}]}`, f.code(f.items, 1))
	mustCapture(t, f, f.orgA, doc(inspect))
	mustCapture(t, f, f.orgA, doc(shipToB("2026-03-01T10:00:00+08:00", f.code(f.items, 2), f.code(f.items, 3))))
	mustCapture(t, f, f.orgB, doc(receive("2026-03-01T12:00:00+08:00", f.code(f.items, 2), f.code(f.items, 3))))
	own := fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T13:00:00+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"inspecting"}`, f.code(f.itemsB, 0))
	mustCapture(t, f, f.orgB, doc(own))
	return f
}

func mustCapture(t testing.TB, f *fixture, org uint32, d string) {
	t.Helper()
	if rec, err := f.capture(org, d); err != nil || rec.Records == 0 {
		t.Fatalf("capture: %+v %v", rec, err)
	}
}

// steps runs a query to its end (every page) and lists each event's
// bizStep.
func steps(t *testing.T, e *Engine, k apikey.Key, params ...string) []string {
	t.Helper()
	var out []string
	token := ""
	for pages := 0; ; pages++ {
		ps := []epcisq.Param{}
		for i := 0; i+1 < len(params); i += 2 {
			ps = append(ps, epcisq.Param{Name: params[i], Value: params[i+1]})
		}
		if token != "" {
			ps = append(ps, epcisq.Param{Name: "nextPageToken", Value: token})
		}
		res, err := e.Queries().Events(k, ps)
		if err != nil {
			t.Fatalf("query %v: %v", params, err)
		}
		for _, f := range res.Events {
			if f.Event.RecordTime.IsZero() {
				t.Errorf("event %d without its record time", f.Summary.Seq)
			}
			out = append(out, string(f.Event.BizStep))
		}
		if token = res.Next; token == "" {
			return out
		}
		if pages > 100 {
			t.Fatal("the pages do not end")
		}
	}
}

func TestQueryEventsParameters(t *testing.T) {
	f := queryFixture(t)
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, c := range []struct {
		key    apikey.Key
		params []string
		want   []string
	}{
		{op, nil, []string{"inspecting", "shipping", "receiving", "inspecting"}},
		{op, []string{"perPage", "1"}, []string{"inspecting", "shipping", "receiving", "inspecting"}},
		{op, []string{"EQ_bizStep", "inspecting"}, []string{"inspecting", "inspecting"}},
		{op, []string{"EQ_bizStep", "https://ref.gs1.org/cbv/BizStep-receiving|shipping", "perPage", "1"}, []string{"shipping", "receiving"}},
		{op, []string{"EQ_readPoint", "urn:epc:id:sgln:9520123.00001.0"}, []string{"inspecting"}},
		{op, []string{"GE_eventTime", "2026-03-01T02:00:00Z", "LT_eventTime", "2026-03-01T04:00:00.001Z"}, []string{"shipping", "receiving"}},
		{op, []string{"orderBy", "eventTime", "orderDirection", "DESC", "perPage", "1"}, []string{"inspecting", "receiving", "shipping", "inspecting"}},
		{op, []string{"EQ_disposition", "in_transit"}, []string{"shipping"}},
		{op, []string{"EQ_action", "ADD"}, nil},
		{op, []string{"eventType", "AggregationEvent|TransformationEvent"}, nil},
		{op, []string{"eventCountLimit", "3", "perPage", "2"}, []string{"inspecting", "shipping", "receiving"}},
		{op, []string{"EQ_bizTransaction_po", "urn:epcglobal:cbv:bt:9520123000007:PO-7"}, []string{"inspecting"}},
		{op, []string{"EQ_destination_owning_party", "urn:epc:id:pgln:6901234.00000"}, []string{"shipping"}},
		{op, []string{"MATCH_epc", f.code(f.items, 2)}, []string{"shipping", "receiving"}},
		{op, []string{"MATCH_anyEPC", f.code(f.items, 3), "EQ_bizStep", "receiving"}, []string{"receiving"}},
		{op, []string{"MATCH_epc", f.code(f.items, 2), "orderBy", "eventTime", "orderDirection", "DESC", "perPage", "1"}, []string{"receiving", "shipping"}},
		{op, []string{"MATCH_epc", f.code(f.items, 900)}, nil},
		{op, []string{"GE_recordTime", "2000-01-01T00:00:00Z", "LT_recordTime", "2100-01-01T00:00:00Z"}, []string{"inspecting", "shipping", "receiving", "inspecting"}},
		{op, []string{"LT_recordTime", "2000-01-01T00:00:00Z"}, nil},
		// A sees what it recorded and what was done to its products.
		{a, nil, []string{"inspecting", "shipping", "receiving"}},
	} {
		if got := steps(t, f.e, c.key, c.params...); !slices.Equal(got, c.want) {
			t.Errorf("%v: got %v, want %v", c.params, got, c.want)
		}
	}
	// An eventID, as the event's hash ID.
	res, err := f.e.Queries().Events(op, []epcisq.Param{{Name: "EQ_bizStep", Value: "shipping"}})
	if err != nil || len(res.Events) != 1 {
		t.Fatalf("shipping: %v %v", res, err)
	}
	id := epcis.HashID(&res.Events[0].Event, nil)
	if got := steps(t, f.e, op, "EQ_eventID", id); !slices.Equal(got, []string{"shipping"}) {
		t.Errorf("EQ_eventID %s: %v", id, got)
	}
}

// TestQueryEventsHostile: another organisation sees neither the events
// of the first nor their number, through any parameter or page token.
func TestQueryEventsHostile(t *testing.T) {
	f := queryFixture(t)
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	b := apikey.Key{ID: 2, Org: f.orgB, Scopes: apikey.ScopeEvents}
	// B sees the shipment to it, its receiving and its own inspection,
	// never A's inspection of item 1 (B neither holds nor made it).
	if got := steps(t, f.e, b); !slices.Equal(got, []string{"shipping", "receiving", "inspecting"}) {
		t.Errorf("B sees %v", got)
	}
	if got := steps(t, f.e, b, "MATCH_epc", f.code(f.items, 1)); len(got) != 0 {
		t.Errorf("B sees A's item 1: %v", got)
	}
	if got := steps(t, f.e, b, "EQ_readPoint", "urn:epc:id:sgln:9520123.00001.0"); len(got) != 0 {
		t.Errorf("B sees A's read point: %v", got)
	}
	if _, err := f.e.Queries().Events(b, []epcisq.Param{{Name: "EQ_bizStep", Value: "inspecting"}, {Name: "maxEventCount", Value: "1"}}); err != nil {
		t.Errorf("B's maxEventCount counts events it cannot see: %v", err)
	}
	// A's page token is no token for B.
	res, err := f.e.Queries().Events(a, []epcisq.Param{{Name: "perPage", Value: "1"}})
	if err != nil || res.Next == "" {
		t.Fatalf("A's first page: %+v %v", res, err)
	}
	_, err = f.e.Queries().Events(b, []epcisq.Param{{Name: "perPage", Value: "1"}, {Name: "nextPageToken", Value: res.Next}})
	var pe *epcisq.ParamError
	if !errors.As(err, &pe) || pe.Name != "nextPageToken" {
		t.Errorf("B with A's token: %v", err)
	}
	// Nor is it a token for other parameters, or when altered.
	if _, err := f.e.Queries().Events(a, []epcisq.Param{{Name: "perPage", Value: "2"}, {Name: "nextPageToken", Value: res.Next}}); !errors.Is(err, epcisq.ErrQueryParameter) {
		t.Errorf("token with other parameters: %v", err)
	}
	tampered := []byte(res.Next)
	tampered[len(tampered)/2] ^= 1
	if _, err := f.e.Queries().Events(a, []epcisq.Param{{Name: "perPage", Value: "1"}, {Name: "nextPageToken", Value: string(tampered)}}); !errors.Is(err, epcisq.ErrQueryParameter) {
		t.Errorf("tampered token: %v", err)
	}
	// A key of no organisation, regulator or operator reads nothing.
	if _, err := f.e.Queries().Events(apikey.Key{ID: 3, Scopes: apikey.ScopeEvents}, nil); !errors.Is(err, model.ErrWrongOrg) {
		t.Errorf("key without an organisation: %v", err)
	}
}

func TestQueryEventsErrors(t *testing.T) {
	f := queryFixture(t)
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, c := range []struct{ name, value string }{
		{"EQ_colour", "red"},
		{"GE_eventTime", "yesterday"},
		{"eventType", "QuantityEvent"},
		{"EQ_action", "MOVE"},
		{"perPage", "0"},
		{"orderBy", "bizStep"},
		{"MATCH_epc", "urn:epc:idpat:sgtin:9520123.012345.*"},
		{"EQ_bizStep", ""},
		{"EQ_bizStep", "urn:epcglobal:cbv:bizstep:shipping|"},
		{"nextPageToken", "AAAA"},
	} {
		_, err := f.e.Queries().Events(op, []epcisq.Param{{Name: c.name, Value: c.value}})
		var pe *epcisq.ParamError
		if !errors.As(err, &pe) || pe.Name != c.name {
			t.Errorf("%s=%q: %v, want a parameter error naming it", c.name, c.value, err)
		}
	}
	if _, err := f.e.Queries().Events(op, []epcisq.Param{{Name: "perPage", Value: "1"}, {Name: "perPage", Value: "2"}}); !errors.Is(err, epcisq.ErrQueryParameter) {
		t.Errorf("repeated parameter: %v", err)
	}
	if _, err := f.e.Queries().Events(op, []epcisq.Param{{Name: "EQ_bizStep", Value: "inspecting"}, {Name: "maxEventCount", Value: "1"}}); !errors.Is(err, epcisq.ErrQueryTooLarge) {
		t.Errorf("maxEventCount 1 of 2: %v", err)
	}
}

// TestQueryIndexesBuiltAtOpen: a store whose query indexes are missing
// (written before they existed) gets them at its next open, and Verify
// finds them equal to what the ledger derives.
func TestQueryIndexesBuiltAtOpen(t *testing.T) {
	f := queryFixture(t)
	b := f.e.db.NewBatch()
	for _, p := range []byte{0x98, 0x99, 0x9B} {
		if err := b.DeleteRange([]byte{p}, []byte{p + 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete([]byte{0x01, 0x09}); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	b.Close()
	rep, err := f.e.Verify()
	if err != nil || rep.OK() {
		t.Fatalf("Verify of a store without its query indexes: %v, problems %v", err, rep.Problems)
	}
	f.e = reopen(t, f.e)
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	if got := steps(t, f.e, op, "EQ_bizStep", "inspecting"); len(got) != 2 {
		t.Errorf("after the rebuild: %v", got)
	}
}

// TestNamedQueries: an organisation saves a query, runs it page by page,
// lists and deletes it; another organisation can neither see, run nor
// delete it, and saves its own under the same name.
func TestNamedQueries(t *testing.T) {
	f := queryFixture(t)
	a := apikey.Key{ID: 1, Org: f.orgA, Scopes: apikey.ScopeEvents}
	b := apikey.Key{ID: 2, Org: f.orgB, Scopes: apikey.ScopeEvents}
	params := []epcisq.Param{{Name: "EQ_bizStep", Value: "inspecting|shipping"}, {Name: "perPage", Value: "1"}}
	if _, err := f.e.Queries().Create(a, "steps", params); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Queries().Create(a, "steps", params); !errors.Is(err, epcisq.ErrQueryExists) {
		t.Errorf("second save: %v", err)
	}
	var pe *epcisq.ParamError
	if _, err := f.e.Queries().Create(a, "bad name/", params); !errors.As(err, &pe) || pe.Name != "name" {
		t.Errorf("bad name: %v", err)
	}
	if _, err := f.e.Queries().Create(a, "bad", []epcisq.Param{{Name: "EQ_colour", Value: "red"}}); !errors.As(err, &pe) || pe.Name != "EQ_colour" {
		t.Errorf("bad parameter: %v", err)
	}
	if _, err := f.e.Queries().Create(apikey.Key{ID: 5, Org: f.orgA, Scopes: apikey.ScopeMint}, "mint", params); !errors.Is(err, model.ErrWrongOrg) {
		t.Errorf("a mint key saves a query: %v", err)
	}
	var got []string
	token := ""
	for {
		var paging []epcisq.Param
		if token != "" {
			paging = []epcisq.Param{{Name: "nextPageToken", Value: token}}
		}
		res, found, err := f.e.Queries().NamedEvents(a, "steps", paging)
		if err != nil || !found {
			t.Fatalf("run: %v %v", found, err)
		}
		for _, ev := range res.Events {
			got = append(got, string(ev.Event.BizStep))
		}
		if token = res.Next; token == "" {
			break
		}
	}
	if !slices.Equal(got, []string{"inspecting", "shipping"}) {
		t.Errorf("A's query answers %v", got)
	}
	if _, _, err := f.e.Queries().NamedEvents(a, "steps", []epcisq.Param{{Name: "EQ_action", Value: "ADD"}}); !errors.As(err, &pe) {
		t.Errorf("extra parameter: %v", err)
	}
	// B sees nothing of it.
	if _, found, err := f.e.Queries().Named(b, "steps"); found || err != nil {
		t.Errorf("B reads A's query: %v %v", found, err)
	}
	if _, found, err := f.e.Queries().NamedEvents(b, "steps", nil); found || err != nil {
		t.Errorf("B runs A's query: %v %v", found, err)
	}
	if found, err := f.e.Queries().Delete(b, "steps"); found || err != nil {
		t.Errorf("B deletes A's query: %v %v", found, err)
	}
	if _, err := f.e.Queries().Create(b, "steps", params); err != nil {
		t.Errorf("B's own query of the same name: %v", err)
	}
	if l, err := f.e.Queries().List(a); err != nil || len(l) != 1 || l[0].Name != "steps" || len(l[0].Params) != 2 {
		t.Errorf("A's list: %+v %v", l, err)
	}
	// Saved queries survive a restart.
	f.e = reopen(t, f.e)
	if found, err := f.e.Queries().Delete(a, "steps"); !found || err != nil {
		t.Errorf("delete: %v %v", found, err)
	}
	if l, err := f.e.Queries().List(a); err != nil || len(l) != 0 {
		t.Errorf("after delete: %+v %v", l, err)
	}
	if l, err := f.e.Queries().List(b); err != nil || len(l) != 1 {
		t.Errorf("B's list after A's delete: %+v %v", l, err)
	}
}

// BenchmarkQueryEvents: one page of 30 events by business step (the step
// index) and one code's events (MATCH_anyEPC), over 1,000 captured events.
func BenchmarkQueryEvents(b *testing.B) {
	f := queryFixture(b)
	f.commission(f.items, 10, 999)
	for i := 10; i < 1000; i += 10 {
		var evs []string
		for j := i; j < i+10; j++ {
			evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T09:%02d:%02d+08:00","eventTimeZoneOffset":"+08:00",
"epcList":[%q],"action":"OBSERVE","bizStep":"inspecting"}`, j/60%60, j%60, f.code(f.items, uint64(j))))
		}
		mustCapture(b, f, f.orgA, doc(evs...))
	}
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, c := range []struct {
		name   string
		params []epcisq.Param
	}{
		{"step", []epcisq.Param{{Name: "EQ_bizStep", Value: "inspecting"}}},
		{"epc", []epcisq.Param{{Name: "MATCH_anyEPC", Value: f.code(f.items, 500)}}},
	} {
		b.Run("by="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				res, err := f.e.Queries().Events(op, c.params)
				if err != nil || len(res.Events) == 0 {
					b.Fatalf("%v %v", res, err)
				}
				n += len(res.Events)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
