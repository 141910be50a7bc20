package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"tracecode/engine/apikey"
	"tracecode/engine/epcisq"
	"tracecode/engine/issue"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/site"
	"tracecode/engine/store"
)

// regionFixture: organisation X of Chengguan (620102) with a township
// site X1 (620102001) and a Qilihe site X2 (620103), and organisation Y of
// Tianshui (620500) with a site Y1 in Qinzhou (620502). X records storing
// and shipping at X1, storing at X2 and receiving at an unregistered
// location of its own (placed by its company prefix: 620102); Y records
// storing at Y1. Each event's bizStep and location show in its eventID.
type regionFixture struct {
	*fixture
	x, y uint32
}

func newRegionFixture(t *testing.T) *regionFixture {
	f := &regionFixture{fixture: newFixture(t)}
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, o := range []struct {
		id        *uint32
		name, reg string
		gcp, gtin string
		sites     [][2]string // region, GLN
	}{
		{&f.x, "城关仓储", "620102", "6905678", "6905678012345", [][2]string{{"620102001", "6905678000014"}, {"620103", "6905678000021"}}},
		{&f.y, "天水物流", "620500", "6907777", "6907777012349", [][2]string{{"620502", "6907777000018"}}},
	} {
		org, err := f.e.Issuance().AddOrg(context.Background(), issue.OrgSpec{Name: o.name, Region: o.reg, GCPs: []string{o.gcp}})
		if err != nil {
			t.Fatal(err)
		}
		*o.id = org.ID
		p, err := f.e.Issuance().AddProduct(context.Background(), issue.ProductSpec{Org: org.ID, GTIN: o.gtin, GCPLength: 7, NameZH: o.name + "货",
			Category: ParseCategoryMust("food"), Levels: model.LevelSet(0).With(model.LevelItem)})
		if err != nil {
			t.Fatal(err)
		}
		mint(t, f.e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: 1})
		for i, s := range o.sites {
			if _, err := mustSites(t, f.e).Add(op, org.ID, &site.Input{Kind: "warehouse", Name: fmt.Sprintf("%s%d", o.name, i+1),
				Region: s[0], GLN: s[1]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ev := func(minute int, step, loc string) string {
		class := "urn:epc:class:lgtin:6905678.001234.L1"
		if strings.Contains(loc, "6907777") {
			class = "urn:epc:class:lgtin:6907777.001234.L1"
		}
		return fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:%02d:00+08:00","eventTimeZoneOffset":"+08:00",
"eventID":"urn:uuid:00000000-0000-4000-8000-%012d","epcList":[],"quantityList":[{"epcClass":%q,"quantity":1}],
"action":"OBSERVE","bizStep":%q,"bizLocation":{"id":%q}}`, minute, minute, class, step, loc)
	}
	x1, x2, x3, y1 := "urn:epc:id:sgln:6905678.00001.0", "https://id.gs1.org/414/6905678000021", "urn:epc:id:sgln:6905678.00003.0", "urn:epc:id:sgln:6907777.00001.0"
	mustCapture(t, f.fixture, f.x, doc(ev(5, "storing", x1), ev(1, "shipping", x1), ev(3, "storing", x2), ev(4, "receiving", x3)))
	mustCapture(t, f.fixture, f.y, doc(ev(2, "storing", y1)))
	mustCapture(t, f.fixture, f.x, doc(ev(6, "storing", x1)))
	return f
}

// found runs a query to its end, perPage 1 (every page token is used),
// and lists the events' minutes (their eventID's last digits) and the
// index entries read.
func (f *regionFixture) found(t *testing.T, k apikey.Key, params ...string) (mins []string, scanned int) {
	t.Helper()
	token := ""
	for pages := 0; pages < 100; pages++ {
		ps := []epcisq.Param{{Name: "perPage", Value: "1"}}
		for i := 0; i+1 < len(params); i += 2 {
			ps = append(ps, epcisq.Param{Name: params[i], Value: params[i+1]})
		}
		if token != "" {
			ps = append(ps, epcisq.Param{Name: "nextPageToken", Value: token})
		}
		res, err := f.e.Queries().Events(k, ps)
		if err != nil {
			t.Fatalf("query %v: %v", params, err)
		}
		scanned += res.Scanned
		for _, e := range res.Events {
			mins = append(mins, strings.TrimLeft(e.Event.EventID[len(e.Event.EventID)-2:], "0"))
		}
		if token = res.Next; token == "" {
			return mins, scanned
		}
	}
	t.Fatal("the pages do not end")
	return nil, 0
}

// TestQueryRegionIndex: WD_bizLocation of a division walks the region
// index: with EQ_bizStep one range, without it the division's steps
// merged, in event-time order, each event once, reading only the events
// of the division (Scanned), page by page; a location identifier still
// filters.
func TestQueryRegionIndex(t *testing.T) {
	f := newRegionFixture(t)
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, c := range []struct {
		params []string
		want   string
	}{
		{[]string{"WD_bizLocation", "620102"}, "[1 4 5 6]"},
		{[]string{"WD_bizLocation", "620102", "orderBy", "eventTime"}, "[1 4 5 6]"},
		{[]string{"WD_bizLocation", "620102", "orderBy", "eventTime", "orderDirection", "DESC"}, "[6 5 4 1]"},
		{[]string{"WD_bizLocation", "620102001", "EQ_bizStep", "storing"}, "[5 6]"},
		{[]string{"WD_bizLocation", "620100", "EQ_bizStep", "storing|receiving"}, "[3 4 5 6]"},
		{[]string{"WD_bizLocation", "620000", "EQ_bizStep", "storing", "GE_eventTime", "2026-03-01T10:02:00+08:00", "LT_eventTime", "2026-03-01T10:06:00+08:00"}, "[2 3 5]"},
		{[]string{"WD_bizLocation", "620102|620100"}, "[1 3 4 5 6]"},
		{[]string{"WD_bizLocation", "620103|620502"}, "[2 3]"},
		{[]string{"WD_bizLocation", "620104"}, "[]"},
		{[]string{"WD_bizLocation", "620000", "EQ_bizStep", "inspecting"}, "[]"},
		{[]string{"WD_bizLocation", "620102|urn:epc:id:sgln:6907777.00001.0", "EQ_bizStep", "storing"}, "[5 2 6]"}, // record order: the step index
	} {
		got, scanned := f.found(t, op, c.params...)
		if fmt.Sprint(got) != c.want {
			t.Errorf("%v: got %v, want %s", c.params, got, c.want)
		}
		if !strings.Contains(strings.Join(c.params, " "), "urn:") && scanned != len(got) {
			t.Errorf("%v: read %d index entries for %d events (the region index would read only the events)", c.params, scanned, len(got))
		}
	}
}

// TestQueryRegionAccess: WD_bizLocation shows a key no event it does not
// see otherwise: another organisation's key asking for the whole
// province gets its own events only, and a county regulator sees the
// events of its county's organisations, not those of another county's.
func TestQueryRegionAccess(t *testing.T) {
	f := newRegionFixture(t)
	for _, c := range []struct {
		k      apikey.Key
		params []string
		want   string
	}{
		{apikey.Key{ID: 1, Org: f.y, Scopes: apikey.ScopeEvents}, []string{"WD_bizLocation", "620000"}, "[2]"},
		{apikey.Key{ID: 1, Org: f.y, Scopes: apikey.ScopeEvents}, []string{"WD_bizLocation", "620102", "EQ_bizStep", "storing"}, "[]"},
		{apikey.Key{ID: 2, Org: f.x, Scopes: apikey.ScopeEvents}, []string{"WD_bizLocation", "620000"}, "[1 3 4 5 6]"},
		{apikey.Key{ID: 3, Scopes: apikey.ScopeRegulator, Region: 620102}, []string{"WD_bizLocation", "620102"}, "[1 4 5 6]"},
		{apikey.Key{ID: 3, Scopes: apikey.ScopeRegulator, Region: 620102}, []string{"WD_bizLocation", "620000"}, "[1 3 4 5 6]"},
		{apikey.Key{ID: 4, Scopes: apikey.ScopeRegulator, Region: 620500}, []string{"WD_bizLocation", "620102"}, "[]"},
		{apikey.Key{ID: 4, Scopes: apikey.ScopeRegulator, Region: 620500}, []string{"WD_bizLocation", "620000"}, "[2]"},
	} {
		if got, _ := f.found(t, c.k, c.params...); fmt.Sprint(got) != c.want {
			t.Errorf("key %+v, %v: got %v, want %s", c.k, c.params, got, c.want)
		}
	}
}

// TestQueryRegionIndexRebuilt: a store whose query indexes were built
// before the region index existed (its marker says so, its EvRegion keys
// are missing) gets the region index at its next open, which Verify finds
// equal to what the ledger derives, and the region queries answer as
// before.
func TestQueryRegionIndexRebuilt(t *testing.T) {
	f := newRegionFixture(t)
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	before, _ := f.found(t, op, "WD_bizLocation", "620000")
	b := f.e.db.NewBatch()
	if err := b.DeleteRange(store.EvRegionKeys.Bounds()); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(store.MetaKey(store.MetaQueryIndexed), store.Uint(math.MaxUint64).AppendBinary(nil)); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	b.Close()
	f.e = reopen(t, f.e)
	after, scanned := f.found(t, op, "WD_bizLocation", "620000")
	if !slices.Equal(before, after) || scanned != len(after) {
		t.Errorf("after the rebuild: %v (%d read), before %v", after, scanned, before)
	}
}

// TestQueryRegionSiteMoved: a site moved to another county after its
// events were captured: the old county's query drops them (today's
// sites decide), the new county's finds them through the site's earlier
// division, the city holds them throughout; an event captured after the
// move is indexed under the new county; a site registered after events
// at its GLN (placed then by the organisation's region) is answered by
// its own region. Verify finds the index equal to what the replay
// derives from the sites as they were at each record, before and after
// a reopen.
func TestQueryRegionSiteMoved(t *testing.T) {
	f := newRegionFixture(t)
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	so := mustSites(t, f.e)
	if _, err := so.Update(op, f.x, 2, &site.Input{Kind: "warehouse", Name: "城关仓储2", Region: "620104", GLN: "6905678000021"}); err != nil {
		t.Fatal(err)
	}
	if _, err := so.Add(op, f.x, &site.Input{Kind: "shop", Name: "秦州门店", Region: "620502", GLN: "6905678000038"}); err != nil {
		t.Fatal(err)
	}
	mustCapture(t, f.fixture, f.x, doc(fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:07:00+08:00","eventTimeZoneOffset":"+08:00",
"eventID":"urn:uuid:00000000-0000-4000-8000-000000000007","epcList":[],"quantityList":[{"epcClass":"urn:epc:class:lgtin:6905678.001234.L1","quantity":1}],
"action":"OBSERVE","bizStep":"storing","bizLocation":{"id":%q}}`, "urn:epc:id:sgln:6905678.00002.0")))
	check := func(when string) {
		t.Helper()
		for _, c := range []struct {
			params []string
			want   string
		}{
			{[]string{"WD_bizLocation", "620103"}, "[]"},
			{[]string{"WD_bizLocation", "620104"}, "[3 7]"},
			{[]string{"WD_bizLocation", "620104", "EQ_bizStep", "storing"}, "[3 7]"},
			{[]string{"WD_bizLocation", "620100"}, "[1 3 5 6 7]"},
			{[]string{"WD_bizLocation", "620102"}, "[1 5 6]"},
			{[]string{"WD_bizLocation", "620502"}, "[2 4]"},
			{[]string{"WD_bizLocation", "620000", "orderBy", "eventTime"}, "[1 2 3 4 5 6 7]"},
		} {
			if got, _ := f.found(t, op, c.params...); fmt.Sprint(got) != c.want {
				t.Errorf("%s, %v: got %v, want %s", when, c.params, got, c.want)
			}
		}
		rep, err := f.e.Verify()
		if err != nil || !rep.OK() {
			t.Errorf("%s: Verify: %v %v", when, err, rep.Problems)
		}
	}
	check("after the moves")
	f.e = reopen(t, f.e)
	check("after a reopen")
	// The new county's key for the moved events is the one capture wrote
	// after the move only.
	lo, _ := store.EvRegionKeys.Bounds()
	n := 0
	if err := f.e.db.ScanPrefix(lo, func(k, _ []byte) error {
		if d, _, _, _, err := ledger.DecodeRegionKey(k); err == nil && d == 620104 {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d EvRegion keys of 620104, want 1 (the event after the move)", n)
	}
}

// TestQueryExtensionFields: EQ_ and EXISTS_ of an extension field
// ({namespace}#{name}) filter the events another parameter bounds; alone
// over more records than a page reads they are QueryTooComplexException;
// a malformed one names itself.
func TestQueryExtensionFields(t *testing.T) {
	f := newRegionFixture(t)
	mustCapture(t, f.fixture, f.x, doc(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:08:00+08:00","eventTimeZoneOffset":"+08:00",
"eventID":"urn:uuid:00000000-0000-4000-8000-000000000008","epcList":[],"quantityList":[{"epcClass":"urn:epc:class:lgtin:6905678.001234.L1","quantity":1}],
"action":"OBSERVE","bizStep":"storing","bizLocation":{"id":"urn:epc:id:sgln:6905678.00001.0"},"ex:grade":"A","ex:temp":5,"ex:lab":{"id":"L7"}}`))
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	for _, c := range []struct {
		params []string
		want   string
	}{
		{[]string{"EXISTS_https://example.cn/epcis/#grade", ""}, "[8]"},
		{[]string{"EXISTS_https://example.cn/epcis/#lab", "true"}, "[8]"},
		{[]string{"EQ_https://example.cn/epcis/#grade", "B|A"}, "[8]"},
		{[]string{"EQ_https://example.cn/epcis/#temp", "5"}, "[8]"},
		{[]string{"EQ_https://example.cn/epcis/#grade", "B"}, "[]"},
		{[]string{"EXISTS_https://example.cn/epcis/#colour", ""}, "[]"},
		{[]string{"EXISTS_https://example.cn/other/#grade", ""}, "[]"},
		{[]string{"EQ_https://example.cn/epcis/#grade", "A", "WD_bizLocation", "620102001"}, "[8]"},
		{[]string{"EQ_https://example.cn/epcis/#grade", "A", "WD_bizLocation", "620103"}, "[]"},
	} {
		if got, _ := f.found(t, op, c.params...); fmt.Sprint(got) != c.want {
			t.Errorf("%v: got %v, want %s", c.params, got, c.want)
		}
	}
	// Another organisation's key finds nothing through the field.
	if got, _ := f.found(t, apikey.Key{ID: 1, Org: f.y, Scopes: apikey.ScopeEvents}, "EXISTS_https://example.cn/epcis/#grade", ""); len(got) != 0 {
		t.Errorf("Y sees %v", got)
	}
	r, err := f.e.Queries().Runner()
	if err != nil {
		t.Fatal(err)
	}
	r.MaxScan = 3
	run := func(params ...epcisq.Param) error {
		q, err := epcisq.Parse(params)
		if err != nil {
			return err
		}
		_, err = r.Run(q, epcisq.Digest("test", params), f.e.Queries().Env(op))
		return err
	}
	if err := run(epcisq.Param{Name: "EXISTS_https://example.cn/epcis/#grade"}); !errors.Is(err, epcisq.ErrQueryTooComplex) {
		t.Errorf("a field alone over more records than a page reads: %v", err)
	}
	if err := run(epcisq.Param{Name: "EXISTS_https://example.cn/epcis/#grade"}, epcisq.Param{Name: "GE_eventTime", Value: "2026-03-01T10:08:00+08:00"}); err != nil {
		t.Errorf("a field within a time range: %v", err)
	}
	for _, p := range []epcisq.Param{
		{Name: "EXISTS_https://example.cn/epcis/#grade", Value: "yes"},
		{Name: "EQ_https://example.cn/epcis/#grade", Value: ""},
		{Name: "EQ_https://example.cn/epcis/#", Value: "A"},
		{Name: "EQ_grade#x", Value: "A"},
	} {
		if _, err := epcisq.Parse([]epcisq.Param{p}); err == nil || !strings.Contains(err.Error(), p.Name) {
			t.Errorf("%s=%q: %v", p.Name, p.Value, err)
		}
	}
}
