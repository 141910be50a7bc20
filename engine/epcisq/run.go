package epcisq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// Env is what a query asks of the engine for one caller.
type Env interface {
	// Code resolves a MATCH_ value to its code (product and counter;
	// product 0: an SSCC) and says whether the caller may trace it (see
	// every record about it). ok is false for a value that names no code
	// of this store (it matches nothing).
	Code(raw string) (product uint32, counter uint64, traceable, ok bool, err error)
	// Sees reports whether the caller may see record s; payload reads the
	// record's targets when the rule needs them.
	Sees(s *ledger.Summary, payload func() (*ledger.Payload, error)) (bool, error)
}

// Found is one event of an answer.
type Found struct {
	Summary *ledger.Summary
	// Event is the event as captured, with its recordTime; zero when the
	// query ran with RawJSON and left it unparsed (Raw): Parsed reads it
	// either way.
	Event epcis.Event
	// Raw is the event's JSON object as stored (its recordTime in it),
	// nil when Event holds the event.
	Raw []byte
	// body is the stored one-event document Raw is a slice of.
	body []byte
}

// Parsed returns the event: Event, or Raw parsed.
func (f *Found) Parsed() (*epcis.Event, error) {
	if f.Raw == nil {
		return &f.Event, nil
	}
	ev, err := parseStored(f.Summary.Seq, f.body)
	if err != nil {
		return nil, err
	}
	ev.RecordTime = unixMilli(f.Summary.RecordTime)
	f.Event, f.Raw, f.body = ev, nil, nil
	return &f.Event, nil
}

// Option changes how Run answers.
type Option uint8

// RawJSON lets Run leave unparsed (Found.Raw) an event the query needs
// nothing of beyond its summary, for a caller that writes the answer as
// JSON (MarshalJSON): reading the stored event back into an epcis.Event
// and marshalling it again was most of a query's time.
const RawJSON Option = 1

// Result is one page of an answer.
type Result struct {
	Events []Found
	// Next is the page token of the next page, "" on the last one.
	Next string
	// Scanned counts the index entries and records the page read.
	Scanned int
}

// Runner answers queries over one store.
type Runner struct {
	DB  *store.DB
	Led *ledger.Ledger
	// TokenKey signs page tokens (at least 16 bytes).
	TokenKey []byte
	// MaxScan bounds the index entries and records one page reads; a page
	// that reaches it ends early, with a token to go on. Zero: 20,000.
	MaxScan int
	// MaxSet bounds the records an eventID or MATCH_ query collects before
	// filtering (more is ErrQueryTooComplex). Zero: 100,000.
	MaxSet int
	// MaxCount bounds the records maxEventCount counts through. Zero:
	// 1,000,000.
	MaxCount int
}

// The drivers: which ordered sequence of records a query walks.
const (
	driverSet     byte = 1 // a sorted list of records (eventID, MATCH_)
	driverTime    byte = 2 // the event-time index
	driverStep    byte = 3 // the step index, one term
	driverPlace   byte = 4 // the place index, one location
	driverSummary byte = 5 // every record, in record order
	driverRegion  byte = 6 // the region index: divisions' terms merged by event time
)

// plan is a query's walk: a driver and its bounds.
type plan struct {
	driver byte
	lo, hi []byte // store range (range drivers)
	set    []setEntry
	ranges []regionRange // the region driver's
	// setTraceable: the set's records are visible without Env.Sees.
	traceable map[uint64]bool
}

type setEntry struct {
	key []byte // order key: seq u64, or eventTime u64 | seq u64
	seq uint64
}

// Run answers one page of q for the caller of env; digest is
// Digest(caller, params) of the request.
func (r *Runner) Run(q *Query, digest [digestLen]byte, env Env, opts ...Option) (*Result, error) {
	raw := slices.Contains(opts, RawJSON) && !q.needsEvent()
	var tok token
	if q.PageToken != "" {
		t, err := decodeToken(r.TokenKey, digest, q.PageToken)
		if err != nil {
			return nil, err
		}
		tok = t
	}
	p, err := r.plan(q, env, tok.driver)
	if err != nil {
		return nil, err
	}
	if q.PageToken != "" && tok.driver != p.driver {
		return nil, &ParamError{Name: "nextPageToken", Msg: "does not belong to this query"}
	}
	if q.MaxEventCount > 0 && q.PageToken == "" {
		n, err := r.count(q, p, env, q.MaxEventCount+1)
		if err != nil {
			return nil, err
		}
		if n > q.MaxEventCount {
			return nil, fmt.Errorf("%w: more than maxEventCount=%d events match", ErrQueryTooLarge, q.MaxEventCount)
		}
	}
	want := q.PerPage
	if q.EventCountLimit > 0 {
		left := q.EventCountLimit - int(min(tok.returned, uint64(q.EventCountLimit)))
		if left <= 0 {
			return &Result{}, nil
		}
		want = min(want, left)
	}
	res := &Result{}
	maxScan := r.maxScan()
	var last []byte
	rd := r.Led.NewReader()
	defer rd.Close()
	more, err := r.walk(q, p, tok.last, q.PageToken != "", func(key []byte, seq uint64) (bool, error) {
		res.Scanned++
		last = append(last[:0], key...)
		f, ok, err := r.match(q, p, seq, env, raw, rd)
		if err != nil {
			return false, err
		}
		if ok {
			res.Events = append(res.Events, f)
		}
		return len(res.Events) < want && res.Scanned < maxScan, nil
	})
	if err != nil {
		return nil, err
	}
	returned := tok.returned + uint64(len(res.Events))
	if more && (q.EventCountLimit == 0 || returned < uint64(q.EventCountLimit)) {
		res.Next = encodeToken(r.TokenKey, digest, token{returned: returned, driver: p.driver, last: last})
	}
	return res, nil
}

// maxScan is MaxScan or its default.
func (r *Runner) maxScan() int {
	if r.MaxScan <= 0 {
		return 20000
	}
	return r.MaxScan
}

// count counts the visible matches of q up to limit.
func (r *Runner) count(q *Query, p *plan, env Env, limit int) (int, error) {
	maxCount := r.MaxCount
	if maxCount <= 0 {
		maxCount = 1_000_000
	}
	n, scanned := 0, 0
	rd := r.Led.NewReader()
	defer rd.Close()
	_, err := r.walk(q, p, nil, false, func(_ []byte, seq uint64) (bool, error) {
		scanned++
		if scanned > maxCount {
			return false, fmt.Errorf("%w: counting for maxEventCount would read more than %d records; narrow the query", ErrQueryTooComplex, maxCount)
		}
		_, ok, err := r.match(q, p, seq, env, false, rd)
		if ok {
			n++
		}
		return n < limit, err
	})
	return n, err
}

// walk calls fn with the order key and record of every entry of the plan
// after last (resume), in the query's direction. more reports that fn
// stopped the walk before its end.
func (r *Runner) walk(q *Query, p *plan, last []byte, resume bool, fn func(key []byte, seq uint64) (bool, error)) (more bool, err error) {
	if p.driver == driverSet {
		i := 0
		if resume {
			if q.Descending {
				i = sort.Search(len(p.set), func(i int) bool { return bytes.Compare(p.set[len(p.set)-1-i].key, last) < 0 })
			} else {
				i = sort.Search(len(p.set), func(i int) bool { return bytes.Compare(p.set[i].key, last) > 0 })
			}
		}
		for ; i < len(p.set); i++ {
			e := p.set[i]
			if q.Descending {
				e = p.set[len(p.set)-1-i]
			}
			goOn, err := fn(e.key, e.seq)
			if err != nil {
				return false, err
			}
			if !goOn {
				return i+1 < len(p.set), nil
			}
		}
		return false, nil
	}
	if p.driver == driverRegion {
		return r.walkRegion(q, p, last, resume, fn)
	}
	it, err := r.DB.NewIter(p.lo, p.hi)
	if err != nil {
		return false, err
	}
	defer it.Close()
	var ok bool
	switch {
	case resume && q.Descending:
		ok = it.SeekLT(last)
	case resume:
		ok = it.SeekGE(append(slices.Clip(last), 0))
	case q.Descending:
		ok = it.Last()
	default:
		ok = it.First()
	}
	for ; ok; ok = step(it, q.Descending) {
		k := it.Key()
		if len(k) < 9 {
			return false, fmt.Errorf("%w: query index key %x", store.ErrCorrupt, k)
		}
		goOn, err := fn(k, binary.BigEndian.Uint64(k[len(k)-8:]))
		if err != nil {
			return false, err
		}
		if !goOn {
			return step(it, q.Descending), nil
		}
	}
	return false, it.Error()
}

func step(it *store.Iter, desc bool) bool {
	if desc {
		return it.Prev()
	}
	return it.Next()
}

// plan picks the driving index: eventID and MATCH_ values collect their
// records (the most selective); then one business location; then
// WD_bizLocation of divisions (the region index, planRegion); then one
// read point, one business step or disposition, an event-time range; else every record
// between the record-time bounds. A location, step or disposition with an
// event-time range too walks whichever of the two ranges the store
// estimates smaller (timeOrOther); a page resumed walks its token's
// driver (resume, 0 for a first page). orderBy eventTime walks the
// event-time index (or sorts a collected set by event time); orderBy
// recordTime walks records in record order.
func (r *Runner) plan(q *Query, env Env, resume byte) (*plan, error) {
	if len(q.EventIDs) > 0 || q.hasMatch() {
		return r.planSet(q, env)
	}
	indexed := r.Led.QueryIndexed()
	single := func(vs []string) bool { return len(vs) == 1 && ledger.QueryIndexable(vs[0]) }
	byTime := q.OrderBy == "eventTime"
	timed := q.GEEventTime != math.MinInt64 || q.LTEventTime != math.MaxInt64
	timePlan := func() *plan {
		lo, hi := ledger.QueryTimeBounds(q.GEEventTime, q.LTEventTime)
		return &plan{driver: driverTime, lo: lo, hi: hi}
	}
	// other walks an index of one value, unless the time range is the
	// smaller walk.
	other := func(driver byte, lo []byte) *plan {
		p := &plan{driver: driver, lo: lo, hi: store.PrefixEnd(lo)}
		if timed && r.timeOrOther(q, p, resume) {
			return timePlan()
		}
		return p
	}
	switch {
	case !indexed || q.OrderBy == "recordTime":
	case !byTime && single(q.BizLocations):
		return other(driverPlace, ledger.QueryPlaceKey(nil, ledger.QueryPlaceBizLocation, q.BizLocations[0])), nil
	}
	if indexed && resume != driverTime && resume != driverStep {
		// WD_bizLocation of divisions: the region index, in time order
		// (before a step or the time range, which it narrows).
		if p, err := r.planRegion(q, env); p != nil || err != nil {
			return p, err
		}
	}
	switch {
	case !indexed || q.OrderBy == "recordTime":
	case !byTime && single(q.ReadPoints):
		return other(driverPlace, ledger.QueryPlaceKey(nil, ledger.QueryPlaceReadPoint, q.ReadPoints[0])), nil
	case !byTime && single(q.BizSteps):
		return other(driverStep, ledger.QueryStepKey(nil, ledger.QueryStepBizStep, q.BizSteps[0])), nil
	case !byTime && single(q.Dispositions):
		return other(driverStep, ledger.QueryStepKey(nil, ledger.QueryStepDisposition, q.Dispositions[0])), nil
	case byTime || timed:
		return timePlan(), nil
	}
	if byTime {
		return nil, fmt.Errorf("%w: orderBy=eventTime needs the event-time index, which this read-only store was written without (open it writable once to build it)", ErrQueryTooComplex)
	}
	lo, hi, err := r.recordBounds(q)
	if err != nil {
		return nil, err
	}
	if len(q.ev.Ext) > 0 && hi-lo > uint64(r.maxScan()) {
		return nil, fmt.Errorf("%w: extension-field parameters filter the events another parameter bounds (a time range, a step, a location, a code); this store holds more than %d records to read without one", ErrQueryTooComplex, r.maxScan())
	}
	return &plan{driver: driverSummary, lo: ledger.AppendSummaryKey(nil, lo), hi: ledger.AppendSummaryKey(nil, hi)}, nil
}

// timeOrOther reports whether the event-time range of q is a smaller walk
// than p's range (a location, step or disposition index), from the
// store's estimate of the bytes each range holds on disk over the size of
// one key of it; a resumed page keeps its driver. With nothing on disk yet
// (a young store's keys are in the memtable) the value index is kept.
// Without it, EQ_bizStep with a day's window walked every event of the
// step since the first (BenchmarkQueryStepTime; bench query/step-region-time).
func (r *Runner) timeOrOther(q *Query, p *plan, resume byte) bool {
	switch resume {
	case driverTime:
		return true
	case p.driver:
		return false
	}
	tlo, thi := ledger.QueryTimeBounds(q.GEEventTime, q.LTEventTime)
	tb, err := r.DB.EstimateDiskUsage(tlo, thi)
	if err != nil || tb == 0 {
		return false
	}
	ob, err := r.DB.EstimateDiskUsage(p.lo, p.hi)
	if err != nil {
		return false
	}
	// Keys per range: a time key is its 17 bytes, a value key the
	// prefix, the value and its sequence number.
	return float64(tb)/17 < float64(ob)/float64(len(p.lo)+8)
}

func (q *Query) hasMatch() bool {
	return len(q.MatchEPC)+len(q.MatchParentID)+len(q.MatchInputEPC)+len(q.MatchOutputEPC)+len(q.MatchAnyEPC) > 0
}

// recordBounds finds the records [lo, hi) recorded in the query's
// record-time bounds: sequence numbers grow with record time, so a binary
// search over the summaries finds them.
func (r *Runner) recordBounds(q *Query) (lo, hi uint64, err error) {
	next := r.Led.NextSeq()
	first := func(t int64) (uint64, error) {
		var ferr error
		n := sort.Search(int(next-1), func(i int) bool {
			s, found, err := r.Led.Summary(uint64(i) + 1)
			if err != nil || !found {
				if err == nil {
					err = fmt.Errorf("%w: record %d is missing", store.ErrCorrupt, i+1)
				}
				ferr = err
				return true
			}
			return s.RecordTime >= t
		})
		return uint64(n) + 1, ferr
	}
	lo, hi = 1, next
	if q.GERecordTime != math.MinInt64 {
		if lo, err = first(q.GERecordTime); err != nil {
			return 0, 0, err
		}
	}
	if q.LTRecordTime != math.MaxInt64 {
		if hi, err = first(q.LTRecordTime); err != nil {
			return 0, 0, err
		}
	}
	return lo, max(lo, hi), nil
}

// planSet collects the records of the eventID and MATCH_ parameters:
// within one parameter any value matches (union), across parameters all
// must (intersection).
func (r *Runner) planSet(q *Query, env Env) (*plan, error) {
	maxSet := r.MaxSet
	if maxSet <= 0 {
		maxSet = 100_000
	}
	p := &plan{driver: driverSet, traceable: map[uint64]bool{}}
	var sets []map[uint64]bool
	if len(q.EventIDs) > 0 {
		s := map[uint64]bool{}
		for _, id := range q.EventIDs {
			seq, found, err := r.eventID(id)
			if err != nil {
				return nil, err
			}
			if found {
				s[seq] = true
				if err := r.declarationPair(seq, s); err != nil {
					return nil, err
				}
			}
		}
		sets = append(sets, s)
	}
	ir, err := ledger.NewIndexReader(r.DB)
	if err != nil {
		return nil, err
	}
	defer ir.Close()
	for _, m := range []struct {
		vals  []string
		roles []ledger.Role
	}{
		{q.MatchEPC, []ledger.Role{ledger.RoleEPC, ledger.RoleChild}},
		{q.MatchParentID, []ledger.Role{ledger.RoleParent}},
		{q.MatchInputEPC, []ledger.Role{ledger.RoleInput}},
		{q.MatchOutputEPC, []ledger.Role{ledger.RoleOutput}},
		{q.MatchAnyEPC, []ledger.Role{ledger.RoleEPC, ledger.RoleChild, ledger.RoleParent, ledger.RoleInput, ledger.RoleOutput}},
	} {
		if len(m.vals) == 0 {
			continue
		}
		s := map[uint64]bool{}
		for _, v := range m.vals {
			product, counter, traceable, ok, err := env.Code(v)
			if err != nil {
				return nil, err
			}
			if !ok { // not a code of this store: an identifier it does not issue?
				if err := r.foreignSet(v, m.roles, s, maxSet); err != nil {
					return nil, err
				}
				continue
			}
			add := func(h ledger.Hit) bool {
				if slices.Contains(m.roles, h.Role) {
					s[h.Seq] = true
					if traceable {
						p.traceable[h.Seq] = true
					}
				}
				return len(s) <= maxSet
			}
			if err := ir.Node(product, counter, add); err != nil {
				return nil, err
			}
			if err := ir.Parent(product, counter, add); err != nil {
				return nil, err
			}
			if product != 0 {
				if err := ir.Runs(product, counter, add); err != nil {
					return nil, err
				}
			}
			if slices.Contains(m.roles, ledger.RoleChild) {
				if err := r.packedAs(product, counter, add); err != nil {
					return nil, err
				}
			}
			if len(s) > maxSet {
				return nil, fmt.Errorf("%w: the codes asked for name more than %d records; add a time or step bound", ErrQueryTooComplex, maxSet)
			}
		}
		sets = append(sets, s)
	}
	all := sets[0]
	for _, s := range sets[1:] {
		for seq := range all {
			if !s[seq] {
				delete(all, seq)
			}
		}
	}
	byTime := q.OrderBy == "eventTime"
	for seq := range all {
		e := setEntry{seq: seq}
		if byTime {
			s, found, err := r.Led.Summary(seq)
			if err != nil {
				return nil, err
			}
			if !found {
				continue
			}
			e.key = ledger.QueryTimeKey(nil, s.EventTime)[1:]
		}
		e.key = binary.BigEndian.AppendUint64(e.key, seq)
		p.set = append(p.set, e)
	}
	slices.SortFunc(p.set, func(a, b setEntry) int { return bytes.Compare(a.key, b.key) })
	return p, nil
}

// eventID finds the record of an eventID: as captured, or as the event's
// hash ID (ni:///sha-256;…).
func (r *Runner) eventID(id string) (uint64, bool, error) {
	var seq store.Uint
	found, err := r.DB.Get(store.AppendEventIDKey(nil, id), func(v []byte) (err error) {
		seq, err = store.DecodeUint("event id", v)
		return err
	})
	if err != nil || found {
		return uint64(seq), found, err
	}
	if h, err := epcis.HashDigest(id); err == nil {
		return ledger.SeqByHash(r.DB.Get, h)
	}
	return 0, false, nil
}

// match applies the query's conditions and the caller's visibility to
// record seq, and reads its event when both pass: parsed, or with raw
// (the query needs nothing of the parsed event) its stored JSON when the
// stored document is one MarshalDocument wrote with the standard context.
//
// rd reads the summary and the body through its iterators (the walk's
// records come in key order); the visibility rule's full payload, when it
// asks for one, is a point read.
func (r *Runner) match(q *Query, p *plan, seq uint64, env Env, raw bool, rd *ledger.Reader) (Found, bool, error) {
	s, found, err := rd.Summary(seq)
	if err != nil || !found {
		return Found{}, false, err
	}
	// WD_ on the summary's locations first: an event outside the region
	// costs no payload read and no parse (half the time of the bench's
	// query/step-region-time went to parsing events the filter dropped).
	if !q.matches(s) || !q.matchesPlaces(s.ReadPoint, s.BizLocation, env) {
		return Found{}, false, nil
	}
	var pay *ledger.Payload
	payload := func() (*ledger.Payload, error) {
		if pay != nil {
			return pay, nil
		}
		pl, found, err := r.Led.Payload(seq)
		if err == nil && !found {
			err = fmt.Errorf("%w: record %d has no payload", store.ErrCorrupt, seq)
		}
		if err != nil {
			return nil, err
		}
		pay = &pl
		return pay, nil
	}
	if !p.traceable[seq] {
		ok, err := env.Sees(s, payload)
		if err != nil || !ok {
			return Found{}, false, err
		}
	}
	// The answer needs only the event's JSON: read the body alone (one
	// copy, no targets) unless the visibility rule already read the
	// payload.
	var body []byte
	if pay != nil {
		body = pay.Body
	} else {
		b, found, err := rd.PayloadBody(seq)
		if err == nil && !found {
			err = fmt.Errorf("%w: record %d has no payload", store.ErrCorrupt, seq)
		}
		if err != nil {
			return Found{}, false, err
		}
		body = b
	}
	if raw {
		if ev, ok := storedEventJSON(body, s.RecordTime); ok {
			return Found{Summary: s, Raw: ev, body: body}, true, nil
		}
	}
	ev, err := parseStored(seq, body)
	if err != nil {
		return Found{}, false, err
	}
	if !q.matchesEvent(&ev, env) {
		return Found{}, false, nil
	}
	ev.RecordTime = unixMilli(s.RecordTime)
	return Found{Summary: s, Event: ev}, true, nil
}

// parseStored parses the stored one-event document of record seq.
func parseStored(seq uint64, body []byte) (epcis.Event, error) {
	doc, err := epcis.ParseDocument(bytes.NewReader(body), epcis.ParseOptions{PersistentDispositionAnywhere: true})
	if err != nil {
		return epcis.Event{}, fmt.Errorf("%w: epcisq: record %d: the stored event does not parse: %w", store.ErrCorrupt, seq, err)
	}
	if len(doc.Events) != 1 {
		return epcis.Event{}, fmt.Errorf("%w: record %d holds %d events", store.ErrCorrupt, seq, len(doc.Events))
	}
	ev := doc.Events[0]
	if ev.Namespaces == nil && len(doc.Header.Namespaces) > 0 {
		ev.Namespaces = doc.Header.Namespaces
	}
	return ev, nil
}

// The frame of a one-event document as capture stores it
// (epcis.MarshalDocument, no namespaces): storedHead, the creation date,
// storedBody, the event, storedTail.
var (
	storedHead = []byte(`{"@context":["` + epcis.StandardContext + `"],"type":"` + epcis.TypeEPCISDocument + `","schemaVersion":"2.0","creationDate":"`)
	storedBody = []byte(`","epcisBody":{"eventList":[`)
	storedTail = []byte("]}}\n")
)

// storedEventJSON finds the event object in a stored one-event document
// (a slice of body) and checks that it carries recordTime (unix ms) as
// MarshalDocument writes it; ok is false for any other document (one
// declaring prefixes, or written otherwise), which is then parsed. The
// frame check is not a JSON validation: stored documents are the
// engine's own (chain's eventDocument), never a client's bytes.
func storedEventJSON(body []byte, recordTime int64) (ev []byte, ok bool) {
	if !bytes.HasPrefix(body, storedHead) || !bytes.HasSuffix(body, storedTail) {
		return nil, false
	}
	rest := body[len(storedHead) : len(body)-len(storedTail)]
	i := bytes.Index(rest, storedBody)
	if i < 0 || bytes.IndexByte(rest[:i], '"') >= 0 {
		return nil, false
	}
	ev = rest[i+len(storedBody):]
	if len(ev) < 2 || ev[0] != '{' || ev[len(ev)-1] != '}' {
		return nil, false
	}
	var rt [64]byte
	want := append(append(rt[:0], `"recordTime":"`...), unixMilli(recordTime).Format(time.RFC3339Nano)...)
	if !bytes.Contains(ev, append(want, '"')) {
		return nil, false
	}
	return ev, true
}

// matches applies every condition a summary answers.
func (q *Query) matches(s *ledger.Summary) bool {
	if s.Kind != ledger.KindEPCIS {
		return false
	}
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	switch {
	case len(q.EventTypes) > 0 && !slices.Contains(q.EventTypes, s.EventType),
		s.EventTime < q.GEEventTime || s.EventTime >= q.LTEventTime,
		s.RecordTime < q.GERecordTime || s.RecordTime >= q.LTRecordTime,
		len(q.Actions) > 0 && !slices.Contains(q.Actions, s.Action),
		!in(q.BizSteps, string(s.BizStep)), !in(q.Dispositions, string(s.Disposition)),
		!in(q.ReadPoints, s.ReadPoint), !in(q.BizLocations, s.BizLocation),
		q.ErrorDeclaration && s.Flags&ledger.FlagErrorDeclared == 0:
		return false
	}
	anyIn := func(want, have []string) bool {
		if len(want) == 0 {
			return true
		}
		for _, h := range have {
			if slices.Contains(want, h) {
				return true
			}
		}
		return false
	}
	if !anyIn(q.PersistSet, s.SetDisp) || !anyIn(q.PersistUnset, s.UnsetDisp) {
		return false
	}
	for _, f := range [...]struct {
		want []Pair
		have []ledger.Pair
	}{{q.BizTx, s.BizTx}, {q.Sources, s.Sources}, {q.Dests, s.Dests}} {
		for _, w := range f.want {
			if !slices.ContainsFunc(f.have, func(h ledger.Pair) bool { return h.Type == w.Type && slices.Contains(w.IDs, h.ID) }) {
				return false
			}
		}
	}
	return true
}

// IsQueryError reports whether err is one of the query exceptions (a
// client's error, not the store's).
func IsQueryError(err error) bool {
	return errors.Is(err, ErrQueryParameter) || errors.Is(err, ErrQueryTooLarge) || errors.Is(err, ErrQueryTooComplex)
}

func unixMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// packedAs calls add with the records that packed the code (product,
// counter) into a container or took it out (an AggregationEvent ADD or
// DELETE naming it as a child): capture indexes those under the parent
// (EvParent), so they are found through the code's containers in the
// containment index (agg: its run now and its past runs), each record
// checked to name the code in a child run.
func (r *Runner) packedAs(product uint32, counter uint64, add func(ledger.Hit) bool) error {
	ar, err := agg.NewReader(r.DB)
	if err != nil {
		return err
	}
	defer ar.Close()
	var seqs []uint64
	run, found, err := ar.Parent(agg.Node{Product: product, Counter: counter})
	if err != nil {
		return err
	}
	if found {
		seqs = append(seqs, run.Seq)
	}
	err = ar.History(agg.Node{Product: product, Counter: counter}, func(p *agg.PastRun) bool {
		seqs = append(seqs, p.Seq, p.UnpackSeq)
		return len(seqs) <= 1<<16
	})
	if err != nil {
		return err
	}
	slices.Sort(seqs)
	for _, seq := range slices.Compact(seqs) {
		if seq == 0 {
			continue
		}
		p, ok, err := r.Led.Payload(seq)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		for _, t := range p.Targets {
			if t.Role == ledger.RoleChild && t.Kind == ledger.TargetRun && t.Product == product && t.First <= counter && counter <= t.Last {
				if !add(ledger.Hit{Seq: seq, Role: ledger.RoleChild}) {
					return nil
				}
				break
			}
		}
	}
	return nil
}
