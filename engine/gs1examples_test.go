package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/code"
	"tracecode/engine/epcis"
	"tracecode/engine/epcis/epcistest"
	"tracecode/engine/epcisq"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// gs1Doc is one of GS1's example documents (engine/epcis/testdata, see
// its SOURCE.md): all 47 JSON-LD files under examples/ and all 37 XML
// files under xml/.
type gs1Doc struct {
	path string // relative to engine/epcis/testdata
	raw  []byte
	doc  *epcis.Document // nil: the parser refuses it (gs1Refused)
}

// gs1Refused lists the example files tracecode refuses by design, with
// the reason; every other example is captured.
var gs1Refused = map[string]string{
	// Its only event repeats "eventID"; JSON parsers disagree on which one
	// wins, and an event whose ID is ambiguous cannot be held to account.
	"examples/AssociationEvent/AssociationEvent-h.jsonld": "duplicate member",
	// Its @context redefines "cbvmda", a term the EPCIS 2.0 context
	// protects: JSON-LD 1.1 expansion fails on it.
	"examples/WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld": "protected term",
	// Two of its events give the bizStep
	// https://ref.gs1.org/cbv/Bizstep-sensor_reporting: in the CBV's own
	// namespace but no CBV term (BizStep-sensor_reporting misspelt), so
	// not a user vocabulary URI either (docs/epcis.md, "Tested with
	// GS1's examples").
	"xml/WithSensorData/SensorDataExamples.xml": "not a CBV 2.0 bizStep",
	// Capture-job status documents, not EPCIS documents: read by
	// epcis.ParseCaptureJob (TestParseCaptureJob).
	"xml/CaptureJob/Example-CaptureJobRunning.xml":       "EPCISCaptureJob",
	"xml/CaptureJob/Example-CaptureJobSuccess.xml":       "EPCISCaptureJob",
	"xml/CaptureJob/Example-CaptureJobWithErrorFile.xml": "EPCISCaptureJob",
	"xml/CaptureJob/Example-CaptureJobWithErrors.xml":    "EPCISCaptureJob",
}

// loadGS1Docs reads and parses every example; a refusal must be listed
// in gs1Refused with its reason, and a listed file must be refused.
func loadGS1Docs(t testing.TB) []gs1Doc {
	t.Helper()
	var out []gs1Doc
	root := filepath.Join("epcis", "testdata")
	jsons, xmls := 0, 0
	for _, sub := range []string{"examples", "xml"} {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			isXML := strings.HasSuffix(p, ".xml")
			if !isXML && !strings.HasSuffix(p, ".jsonld") {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			var doc *epcis.Document
			if isXML {
				xmls++
				doc, err = epcis.ParseXML(bytes.NewReader(b), epcis.ParseOptions{})
			} else {
				jsons++
				doc, err = epcis.ParseDocument(bytes.NewReader(b), epcis.ParseOptions{})
			}
			reason, refused := gs1Refused[rel]
			switch {
			case err != nil && !refused:
				t.Errorf("%s: refused: %v", rel, err)
			case err != nil && !strings.Contains(err.Error(), reason):
				t.Errorf("%s: refused for another reason than %q: %v", rel, reason, err)
			case err == nil && refused:
				t.Errorf("%s: listed as refused (%s) but parses", rel, reason)
			}
			if err == nil {
				out = append(out, gs1Doc{path: rel, raw: b, doc: doc})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if jsons != 47 || xmls != 37 {
		t.Fatalf("%d JSON-LD and %d XML examples, want GS1's 47 and 37", jsons, xmls)
	}
	return out
}

// gs1Store opens a store whose master data registers the examples'
// codes: one organisation holding every GS1 company prefix they use,
// a product per GTIN, their lots, and their serials imported.
func gs1Store(t testing.TB, docs []gs1Doc) (*Engine, uint32) {
	t.Helper()
	e := openTest(t, "")
	ctx := context.Background()
	type gtinInfo struct {
		cpLen   int
		serials map[string]bool
		lots    map[string]bool
	}
	gtins := map[string]*gtinInfo{}
	info := func(g string) *gtinInfo {
		if gtins[g] == nil {
			gtins[g] = &gtinInfo{serials: map[string]bool{}, lots: map[string]bool{}}
		}
		return gtins[g]
	}
	cps := map[string]bool{}
	// added are the codes some example commissions (an ObjectEvent ADD,
	// a transformation's output); the others are commissioned by a line
	// report before the examples are captured, as a printing line would.
	added, named := map[string]bool{}, map[string]bool{}
	note := func(raw string) {
		c, err := code.Parse(raw)
		if err != nil {
			return
		}
		var g, ser, lot string
		for _, el := range c.Elements {
			switch el.AI {
			case "01":
				g = el.Value
			case "21":
				ser = el.Value
			case "10":
				lot = el.Value
			}
		}
		if _, ok := c.SSCC(); ok {
			named[raw] = true
		}
		if g == "" {
			return
		}
		if ser != "" {
			named[raw] = true
		}
		in := info(g)
		if n := c.EPC.CPLen(); n > 0 {
			in.cpLen = n
			cps[g[1:1+n]] = true
		}
		if ser != "" {
			in.serials[ser] = true
		}
		if lot != "" {
			in.lots[lot] = true
		}
	}
	for _, d := range docs {
		for i := range d.doc.Events {
			ev := &d.doc.Events[i]
			if ev.Type == epcis.ObjectEvent && ev.Action == epcis.ActionAdd {
				for _, id := range ev.EPCList {
					added[id.Raw] = true
				}
			}
			for _, id := range ev.OutputEPCList {
				added[id.Raw] = true
			}
			for _, l := range [][]epcis.Identifier{ev.EPCList, ev.ChildEPCs, ev.InputEPCList, ev.OutputEPCList, {ev.ParentID}} {
				for _, id := range l {
					note(id.Raw)
				}
			}
			for _, l := range [][]epcis.QuantityElement{ev.QuantityList, ev.ChildQuantityList, ev.InputQuantityList, ev.OutputQuantityList} {
				for _, q := range l {
					note(q.EPCClass.Raw)
				}
			}
		}
	}
	// GTINs seen only in Digital Links take the company prefix of an EPC
	// URN of the same company, else seven digits.
	for g, in := range gtins {
		if in.cpLen != 0 {
			continue
		}
		in.cpLen = 7
		for cp := range cps {
			if strings.HasPrefix(g[1:], cp) {
				in.cpLen = len(cp)
			}
		}
		cps[g[1:1+in.cpLen]] = true
	}
	var prefixes []string
	for cp := range cps {
		prefixes = append(prefixes, cp)
	}
	slices.Sort(prefixes)
	org, err := e.Issuance().AddOrg(ctx, issue.OrgSpec{Name: "GS1 EPCIS examples", Region: "620102", GCPs: prefixes})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for g := range gtins {
		keys = append(keys, g)
	}
	slices.Sort(keys)
	for _, g := range keys {
		in := gtins[g]
		// A GTIN-14 with indicator digit 1–8 names a case (GS1 General
		// Specifications §4): the product's lowest level.
		levels := model.LevelSet(0).With(model.LevelCase).With(model.LevelPallet)
		if g[0] < '1' || g[0] > '8' {
			levels = levels.With(model.LevelItem)
		}
		p, err := e.Issuance().AddProduct(ctx, issue.ProductSpec{Org: org.ID, GTIN: g, GCPLength: in.cpLen, NameZH: "GS1 示例 " + g, NameEN: "GS1 example " + g,
			Category: ParseCategoryMust("food"), Levels: levels})
		if err != nil {
			t.Fatalf("product %s: %v", g, err)
		}
		for lot := range in.lots {
			if _, err := e.Issuance().AddLot(ctx, issue.LotSpec{Product: p.ID, Number: lot}); err != nil {
				t.Fatalf("lot %s of %s: %v", lot, g, err)
			}
		}
		if len(in.serials) > 0 {
			var ss []string
			for s := range in.serials {
				ss = append(ss, s)
			}
			// A GTIN-14 with indicator digit 1–8 names a case (GS1
			// General Specifications §4): its codes are printed on cases.
			level := model.LevelItem
			if g[0] >= '1' && g[0] <= '8' {
				level = model.LevelCase
			}
			if _, err := e.Issuance().Import(ctx, issue.ImportRequest{Product: p.ID, Level: level, Serials: ss, Note: "GS1 EPCIS examples"}); err != nil {
				t.Fatalf("import %s: %v", g, err)
			}
		}
	}
	var commission, units []string
	for raw := range named {
		switch {
		case added[raw]:
		case strings.Contains(raw, ":sscc:"):
			units = append(units, raw)
		default:
			commission = append(commission, raw)
		}
	}
	slices.Sort(commission)
	slices.Sort(units)
	// The logistic units' SSCCs are commissioned by an EPCIS ADD.
	if len(units) > 0 {
		gs1Setup(t, e, org.ID, `{"type":"ObjectEvent","eventTime":"2004-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"commissioning","epcList":`+jsonOf(units)+`}`)
	}
	if len(commission) > 0 {
		if _, err := e.Reports().ReportLine(ctx, &chain.LineReport{ReportMeta: chain.ReportMeta{Org: org.ID, Credential: "line", Time: time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)},
			Action: chain.LineCommission, Items: chain.Items{Codes: commission}}); err != nil {
			t.Fatalf("commissioning %v: %v", commission, err)
		}
	}
	// A container an example unpacks without packing it first was packed
	// before.
	for _, d := range docs {
		added := map[string]bool{}
		for i := range d.doc.Events {
			ev := &d.doc.Events[i]
			if ev.Type != epcis.AggregationEvent || ev.ParentID.IsZero() || len(ev.ChildEPCs) == 0 || added[ev.ParentID.Raw] {
				continue
			}
			if ev.Action == epcis.ActionAdd {
				added[ev.ParentID.Raw] = true
				continue
			}
			if ev.Action != epcis.ActionDelete {
				continue
			}
			added[ev.ParentID.Raw] = true
			var children []string
			for _, c := range ev.ChildEPCs {
				children = append(children, c.Raw)
			}
			gs1Setup(t, e, org.ID, `{"type":"AggregationEvent","eventTime":"2004-01-02T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"packing",
"parentID":`+jsonOf(ev.ParentID.Raw)+`,"childEPCs":`+jsonOf(children)+`}`)
		}
	}
	return e, org.ID
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// gs1Setup captures one event the examples presume happened before.
func gs1Setup(t testing.TB, e *Engine, org uint32, event string) {
	t.Helper()
	d := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2004-01-01T00:00:00Z","epcisBody":{"eventList":[` + event + `]}}`
	if _, err := e.Reports().CaptureJSON(context.Background(), strings.NewReader(d), &chain.CaptureOptions{Org: org, Credential: "setup"}); err != nil {
		t.Fatalf("setup %s: %v", event, err)
	}
}

// gs1CaptureRefused lists the examples capture refuses by design (they
// parse, but an engine rule refuses them), with the reason an error must
// name: none since identifiers this store does not issue are captured as
// foreign identifiers, error declarations of events it does not hold as
// records with no effect, and master-data documents with their
// vocabulary ignored (docs/epcis.md). Each example is an independent
// scenario (the same codes are commissioned, consumed and packed again
// from one example to the next), so each is captured into a store of its
// own.
var gs1CaptureRefused = map[string]string{}

// gs1Prereq names the example whose events an example declares
// erroneous: it is captured first, into the same store.
var gs1Prereq = map[string]string{
	"examples/WithErrorDeclaration/Example_9.6.1-ObjectEvent-with-error-declaration.jsonld": "examples/Example_9.6.1-ObjectEvent.jsonld",
}

func captureGS1(e *Engine, org uint32, d *gs1Doc) (*chain.Receipt, error) {
	o := &chain.CaptureOptions{Org: org, Credential: "key:test"}
	if strings.HasSuffix(d.path, ".xml") {
		return e.Reports().CaptureXML(context.Background(), bytes.NewReader(d.raw), o)
	}
	return e.Reports().CaptureJSON(context.Background(), bytes.NewReader(d.raw), o)
}

func TestGS1ExamplesCaptureAndQuery(t *testing.T) {
	docs := loadGS1Docs(t)
	captured := 0
	for i := range docs {
		d := &docs[i]
		t.Run(d.path, func(t *testing.T) {
			set := []gs1Doc{*d}
			if pre, ok := gs1Prereq[d.path]; ok {
				j := slices.IndexFunc(docs, func(x gs1Doc) bool { return x.path == pre })
				set = append(set, docs[j])
			}
			e, org := gs1Store(t, set)
			for _, pre := range set[1:] {
				if _, err := captureGS1(e, org, &pre); err != nil {
					t.Fatalf("capture %s: %v", pre.path, err)
				}
			}
			rec, err := captureGS1(e, org, d)
			if reason, refused := gs1CaptureRefused[d.path]; refused {
				if err == nil || !strings.Contains(err.Error(), reason) {
					t.Fatalf("listed as refused (%s); capture: %+v %v", reason, rec, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("capture: %v", err)
			}
			captured++
			checkGS1Queries(t, e, d)
			// Everything the capture derived (foreign identifiers'
			// index, declarations with no event held) a replay of the
			// ledger derives again.
			rep, err := e.Verify()
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !rep.OK() {
				t.Errorf("Verify found %d problem(s):\n%s", len(rep.Problems)+rep.Dropped, strings.Join(rep.Problems, "\n"))
			}
		})
	}
	if want := len(docs) - len(gs1CaptureRefused); captured != want && !t.Failed() {
		t.Errorf("%d examples captured, want %d", captured, want)
	}
	if gs1ExtParams.Load() == 0 && !t.Failed() {
		t.Error("no example's extension field was queried (EQ_ and EXISTS_{namespace}#{name})")
	}
}

// gs1ExtParams counts the extension-field parameters the examples asked.
var gs1ExtParams atomic.Int64

// gs1Query runs a query to its end with the operator's key and returns
// the events found, in order.
func gs1Query(t *testing.T, e *Engine, params []epcisq.Param) []epcis.Event {
	t.Helper()
	op := apikey.Key{ID: 9, Scopes: apikey.ScopeAdmin}
	var out []epcis.Event
	token := ""
	for pages := 0; pages < 100; pages++ {
		ps := append([]epcisq.Param{{Name: "perPage", Value: "7"}}, params...)
		if token != "" {
			ps = append(ps, epcisq.Param{Name: "nextPageToken", Value: token})
		}
		res, err := e.Queries().Events(op, ps)
		if err != nil {
			t.Fatalf("query %v: %v", params, err)
		}
		for _, f := range res.Events {
			out = append(out, f.Event)
		}
		if token = res.Next; token == "" {
			return out
		}
	}
	t.Fatalf("query %v: the pages do not end", params)
	return nil
}

// gs1Key is a code's GS1 elements, so that an EPC URN and a Digital Link
// of one code compare equal.
func gs1Key(raw string) string {
	c, err := code.Parse(raw)
	if err != nil || len(c.Elements) == 0 {
		return raw
	}
	var b strings.Builder
	for _, el := range c.Elements {
		b.WriteString("(" + el.AI + ")" + el.Value)
	}
	return b.String()
}

// gs1Class is an EPC class as GTIN and lot ("" with any: every lot).
func gs1Class(raw string) (gtin, lot string, any bool) {
	if rest, ok := strings.CutPrefix(raw, "urn:epc:idpat:sgtin:"); ok {
		raw = "urn:epc:class:lgtin:" + strings.TrimSuffix(rest, "*") + "X"
		any = true
	}
	c, err := code.Parse(raw)
	if err != nil {
		return raw, "", false
	}
	for _, el := range c.Elements {
		switch el.AI {
		case "01":
			gtin = el.Value
		case "10":
			lot = el.Value
		}
	}
	if any {
		lot = ""
	}
	return gtin, lot, lot == ""
}

// gs1Matches is the reference answer to one query parameter, written
// from the standard's definitions (EPCIS 2.0 §8.2.7.1) over the parsed
// event, independently of engine/epcisq.
func gs1Matches(p epcisq.Param, ev *epcis.Event) bool {
	ids := func(lists ...[]epcis.Identifier) bool {
		for _, l := range lists {
			for _, id := range l {
				if gs1Key(id.Raw) == gs1Key(p.Value) {
					return true
				}
			}
		}
		return false
	}
	classes := func(lists ...[]epcis.QuantityElement) bool {
		wg, wl, wany := gs1Class(p.Value)
		for _, l := range lists {
			for _, q := range l {
				g, lot, _ := gs1Class(q.EPCClass.Raw)
				if g == wg && (wany || lot == wl) {
					return true
				}
			}
		}
		return false
	}
	quantities := func(ok func(float64) bool) bool {
		for _, l := range [][]epcis.QuantityElement{ev.QuantityList, ev.ChildQuantityList, ev.InputQuantityList, ev.OutputQuantityList} {
			for _, q := range l {
				if q.HasQuantity && ok(q.Quantity) {
					return true
				}
			}
		}
		return false
	}
	pairs := func(kind string, list []epcis.SourceDest) bool {
		for _, s := range list {
			if "EQ_"+kind+"_"+string(s.Type) == p.Name && s.ID.Raw == p.Value {
				return true
			}
		}
		return false
	}
	parent := []epcis.Identifier{ev.ParentID}
	switch p.Name {
	case "eventType":
		return string(ev.Type) == p.Value
	case "GE_eventTime", "LT_eventTime":
		at, _ := time.Parse(time.RFC3339Nano, p.Value)
		if p.Name == "GE_eventTime" {
			return !ev.EventTime.Before(at)
		}
		return ev.EventTime.Before(at)
	case "EQ_action":
		return string(ev.Action) == p.Value
	case "EQ_bizStep":
		return string(ev.BizStep) == p.Value
	case "EQ_disposition":
		return string(ev.Disposition) == p.Value
	case "EQ_readPoint":
		return ev.ReadPoint.ID.Raw == p.Value
	case "EQ_bizLocation", "WD_bizLocation":
		return ev.BizLocation.ID.Raw == p.Value
	case "MATCH_epc":
		return ids(ev.EPCList, ev.ChildEPCs)
	case "MATCH_parentID":
		return ids(parent)
	case "MATCH_inputEPC":
		return ids(ev.InputEPCList)
	case "MATCH_outputEPC":
		return ids(ev.OutputEPCList)
	case "MATCH_anyEPC":
		return ids(ev.EPCList, ev.ChildEPCs, parent, ev.InputEPCList, ev.OutputEPCList)
	case "MATCH_epcClass":
		return classes(ev.QuantityList, ev.ChildQuantityList)
	case "MATCH_anyEPCClass":
		return classes(ev.QuantityList, ev.ChildQuantityList, ev.InputQuantityList, ev.OutputQuantityList)
	case "EQ_eventID":
		return ev.EventID == p.Value || epcis.HashID(ev, nil) == p.Value
	case "EXISTS_errorDeclaration":
		return ev.ErrorDeclaration != nil
	case "GE_quantity", "LE_quantity":
		v, _ := strconv.ParseFloat(p.Value, 64)
		if p.Name == "GE_quantity" {
			return quantities(func(q float64) bool { return q >= v })
		}
		return quantities(func(q float64) bool { return q <= v })
	}
	switch {
	case strings.HasPrefix(p.Name, "EQ_bizTransaction_"):
		for _, bt := range ev.BizTransactionList {
			if "EQ_bizTransaction_"+string(bt.Type) == p.Name && bt.ID == p.Value {
				return true
			}
		}
		return false
	case strings.HasPrefix(p.Name, "EQ_source_"):
		return pairs("source", ev.SourceList)
	case strings.HasPrefix(p.Name, "EQ_destination_"):
		return pairs("destination", ev.DestinationList)
	case strings.Contains(p.Name, "#"):
		for _, x := range ev.Extensions {
			name, value, ok := gs1Extension(ev, x)
			if ok && ("EXISTS_"+name == p.Name || "EQ_"+name == p.Name && value == p.Value) {
				return true
			}
		}
		return false
	}
	panic("BUG: no reference for " + p.Name)
}

// gs1Extension names an event's extension field as the query parameters
// do (its namespace IRI, "#", its local name) with its value when it is
// a string, number or boolean ("" otherwise); ok is false for a key whose
// prefix the event does not define.
func gs1Extension(ev *epcis.Event, x epcis.Extension) (name, value string, ok bool) {
	pre, local, _ := strings.Cut(x.Key, ":")
	ns, ok := ev.Namespaces[pre]
	if !ok {
		return "", "", false
	}
	var v any
	if json.Unmarshal(x.Value, &v) == nil {
		switch v := v.(type) {
		case string:
			value = v
		case float64, bool:
			value = string(x.Value)
		}
	}
	return ns + "#" + local, value, true
}

// gs1Params are the query parameters one event exercises: each with a
// value the event has.
func gs1Params(ev *epcis.Event) []epcisq.Param {
	var ps []epcisq.Param
	add := func(name, value string) {
		if value != "" {
			ps = append(ps, epcisq.Param{Name: name, Value: value})
		}
	}
	add("eventType", string(ev.Type))
	add("GE_eventTime", ev.EventTime.Format(time.RFC3339Nano))
	add("LT_eventTime", ev.EventTime.Add(time.Millisecond).Format(time.RFC3339Nano))
	add("EQ_action", string(ev.Action))
	add("EQ_bizStep", string(ev.BizStep))
	add("EQ_disposition", string(ev.Disposition))
	add("EQ_readPoint", ev.ReadPoint.ID.Raw)
	add("EQ_bizLocation", ev.BizLocation.ID.Raw)
	add("WD_bizLocation", ev.BizLocation.ID.Raw)
	for _, id := range append(append([]epcis.Identifier{}, ev.EPCList...), ev.ChildEPCs...) {
		add("MATCH_epc", id.Raw)
	}
	add("MATCH_parentID", ev.ParentID.Raw)
	add("MATCH_anyEPC", ev.ParentID.Raw)
	for _, id := range ev.InputEPCList {
		add("MATCH_inputEPC", id.Raw)
	}
	for _, id := range ev.OutputEPCList {
		add("MATCH_outputEPC", id.Raw)
		add("MATCH_anyEPC", id.Raw)
	}
	for _, q := range append(append([]epcis.QuantityElement{}, ev.QuantityList...), ev.ChildQuantityList...) {
		add("MATCH_epcClass", q.EPCClass.Raw)
	}
	for _, l := range [][]epcis.QuantityElement{ev.QuantityList, ev.ChildQuantityList, ev.InputQuantityList, ev.OutputQuantityList} {
		for _, q := range l {
			add("MATCH_anyEPCClass", q.EPCClass.Raw)
			if q.HasQuantity {
				add("GE_quantity", strconv.FormatFloat(q.Quantity, 'f', -1, 64))
				add("LE_quantity", strconv.FormatFloat(q.Quantity, 'f', -1, 64))
			}
		}
	}
	if ev.ErrorDeclaration == nil {
		// An error declaration repeats the declared event's eventID and
		// hashes as it does (the hash leaves the declaration out): the
		// query answers the ID with the declared event.
		add("EQ_eventID", ev.EventID)
		add("EQ_eventID", epcis.HashID(ev, nil))
	}
	if ev.ErrorDeclaration != nil {
		add("EXISTS_errorDeclaration", "true")
	}
	for _, bt := range ev.BizTransactionList {
		if bt.Type != "" {
			add("EQ_bizTransaction_"+string(bt.Type), bt.ID)
		}
	}
	for _, s := range ev.SourceList {
		add("EQ_source_"+string(s.Type), s.ID.Raw)
	}
	for _, s := range ev.DestinationList {
		add("EQ_destination_"+string(s.Type), s.ID.Raw)
	}
	for _, x := range ev.Extensions {
		if name, value, ok := gs1Extension(ev, x); ok {
			add("EXISTS_"+name, "true")
			if !strings.Contains(value, "|") {
				add("EQ_"+name, value)
			}
		}
	}
	return ps
}

// checkGS1Queries queries the store holding example d back: every event
// of the example comes back, and each parameter its events exercise
// selects exactly the stored events the reference (gs1Matches) selects.
// The answer's exports validate against GS1's JSON Schema and XSD.
func checkGS1Queries(t *testing.T, e *Engine, d *gs1Doc) {
	all := gs1Query(t, e, nil)
	stored := map[string]bool{}
	for i := range all {
		stored[epcis.HashID(&all[i], nil)] = true
	}
	for i := range d.doc.Events {
		if h := epcis.HashID(&d.doc.Events[i], nil); !stored[h] {
			t.Errorf("event %d (%s) does not come back from the query", i, h)
		}
	}
	asked := map[epcisq.Param]bool{}
	for i := range d.doc.Events {
		for _, p := range gs1Params(&d.doc.Events[i]) {
			if asked[p] {
				continue
			}
			asked[p] = true
			var want, got []string
			for j := range all {
				if gs1Matches(p, &all[j]) {
					want = append(want, epcis.HashID(&all[j], nil))
				}
			}
			for _, ev := range gs1Query(t, e, []epcisq.Param{p}) {
				got = append(got, epcis.HashID(&ev, nil))
			}
			slices.Sort(want)
			slices.Sort(got)
			if len(want) == 0 {
				t.Errorf("%s=%s: the reference selects no event", p.Name, p.Value)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s=%s: got %d events %v, want %d %v", p.Name, p.Value, len(got), got, len(want), want)
			}
		}
	}
	ext := 0
	for p := range asked {
		if strings.Contains(p.Name, "#") {
			ext++
		}
	}
	gs1ExtParams.Add(int64(ext))
	t.Logf("%d events, %d parameters (%d of extension fields)", len(all), len(asked), ext)
	checkGS1Exports(t, all)
}

var gs1Schema struct {
	once sync.Once
	sch  *jsonschema.Schema
}

// checkGS1Exports writes the events as the query interface does (an
// EPCISQueryDocument, JSON-LD and XML) and validates both against GS1's
// schemas; both read back to the same events.
func checkGS1Exports(t *testing.T, events []epcis.Event) {
	t.Helper()
	gs1Schema.once.Do(func() {
		gs1Schema.sch = epcistest.Schema(t, filepath.Join("epcis", "testdata", "EPCIS-JSON-Schema.json"))
	})
	opts := &epcis.MarshalOptions{Header: epcis.Header{Type: epcis.TypeEPCISQueryDocument, QueryName: "SimpleEventQuery",
		CreationDate: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}}
	var js, x bytes.Buffer
	if err := epcis.MarshalDocument(&js, events, opts); err != nil {
		t.Fatalf("JSON-LD export: %v", err)
	}
	// The XSD allows persistentDisposition in every event type, the JSON
	// schema only in ObjectEvent and TransformationEvent (docs/epcis.md).
	outside := slices.ContainsFunc(events, func(ev epcis.Event) bool {
		return !ev.PersistentDisposition.IsZero() && ev.Type != epcis.ObjectEvent && ev.Type != epcis.TransformationEvent
	})
	if !outside {
		if err := epcistest.ValidateJSON(gs1Schema.sch, js.Bytes()); err != nil {
			t.Errorf("JSON-LD export does not validate against the EPCIS JSON Schema: %v", err)
		}
	}
	if err := epcis.MarshalXML(&x, events, opts); err != nil {
		t.Fatalf("XML export: %v", err)
	}
	epcistest.ValidateXML(t, filepath.Join("epcis", "testdata", "xsd", "EPCglobal-epcis-query-2_0.xsd"), map[string][]byte{"query": x.Bytes()})
	for _, b := range []*bytes.Buffer{&js, &x} {
		parse := epcis.ParseDocument
		if b == &x {
			parse = epcis.ParseXML
		}
		back, err := parse(bytes.NewReader(b.Bytes()), epcis.ParseOptions{PersistentDispositionAnywhere: true})
		if err != nil {
			t.Fatalf("export reads back: %v", err)
		}
		if len(back.Events) != len(events) {
			t.Fatalf("export reads back %d events, want %d", len(back.Events), len(events))
		}
		for i := range events {
			if a, b := epcis.HashID(&back.Events[i], nil), epcis.HashID(&events[i], nil); a != b {
				t.Errorf("export of event %d reads back as %s, want %s", i, a, b)
			}
		}
	}
}
