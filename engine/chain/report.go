package chain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/alert"
	"tracecode/engine/code"
	"tracecode/engine/issue"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/sector"
	"tracecode/engine/serial"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// Report errors. Every *ItemError wraps one of these (or a Lookup
// sentinel such as ErrNeverIssued, ErrVoided, ErrReleased).
var (
	// ErrRejected is what a *ReportError unwraps to: the report was refused
	// and nothing of it was applied.
	ErrRejected = errors.New("engine: report rejected, nothing applied")
	// ErrNotCommissioned: the code was never reported printed and verified.
	ErrNotCommissioned = errors.New("engine: code not commissioned")
	// ErrCommissioned: the code is already commissioned.
	ErrCommissioned = errors.New("engine: code already commissioned")
	// ErrItemVoided: the code was rejected by the line (voided).
	ErrItemVoided = errors.New("engine: code voided by the line")
	// ErrDecommissioned: the code left the supply chain.
	ErrDecommissioned = errors.New("engine: code decommissioned")
	// ErrHasParent: the child is packed in a parent already.
	ErrHasParent = errors.New("engine: code already has a parent")
	// ErrNotChild: the code is not in the parent named.
	ErrNotChild = errors.New("engine: code is not in that parent")
	// ErrCycle: packing would put a code inside itself.
	ErrCycle = errors.New("engine: packing would create a cycle")
	// ErrLevel: the parent's packaging level is not above the child's.
	ErrLevel = errors.New("engine: packaging level not above the child's")
	// ErrUnknownUnit: an SSCC that no report registered.
	ErrUnknownUnit = errors.New("engine: unknown logistic unit (SSCC)")
	// ErrFuture: the event time lies too far in the future.
	ErrFuture = errors.New("engine: event time in the future")
	// ErrDuplicate: a code is listed twice in one report.
	ErrDuplicate = errors.New("engine: code listed twice")
	// ErrUnsupported: an event type or action the engine does not apply.
	ErrUnsupported = errors.New("engine: not supported")
)

// ItemError is one offending code (or field) of a rejected report.
type ItemError struct {
	// Event is the 0-based index of the event in a captured document, or
	// -1 for native reports and for the document itself.
	Event int
	// Field says where the code was given: "items.ranges[2]",
	// "packs[0].children.codes[7]", "epcisBody.eventList[3].childEPCs[12]".
	Field string
	// Code is the code as given, or "block B offset O" for a range.
	Code   string
	Reason string // what is wrong, in words
	Err    error  // the sentinel (ErrHasParent, ErrNeverIssued, …)
}

func (e *ItemError) Error() string {
	var b strings.Builder
	if e.Event >= 0 {
		fmt.Fprintf(&b, "event %d: ", e.Event)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Code != "" {
		fmt.Fprintf(&b, "%s: ", e.Code)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the sentinel.
func (e *ItemError) Unwrap() error { return e.Err }

// MaxReportErrors bounds the errors a ReportError keeps; the rest are
// counted in Dropped.
const MaxReportErrors = 10_000

// ReportError lists every offending code of a report. The report was not
// applied at all.
type ReportError struct {
	Errors  []ItemError
	Dropped int // errors found beyond MaxReportErrors
}

func (e *ReportError) Error() string {
	n := len(e.Errors) + e.Dropped
	var b strings.Builder
	fmt.Fprintf(&b, "engine: report rejected, nothing applied: %d error(s)", n)
	for i := range e.Errors {
		if i == 5 {
			fmt.Fprintf(&b, "; … %d more", n-5)
			break
		}
		b.WriteString("; ")
		b.WriteString(e.Errors[i].Error())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrRejected) true, and errors.Is true for
// the sentinel of any listed error.
func (e *ReportError) Unwrap() []error {
	out := []error{ErrRejected}
	for i := range e.Errors {
		if i == 100 {
			break
		}
		out = append(out, &e.Errors[i])
	}
	return out
}

// BlockRange names codes in the native compact form: offsets First..Last
// (inclusive, 0-based positions in the block, the order the line printed
// them) of block Block. "Counters 0–999,999 of block 7" is
// BlockRange{7, 0, 999_999}.
type BlockRange struct {
	Block       uint64
	First, Last uint64
}

// Items selects codes for a report: whole ranges in the native form, and
// codes as scanned (any format code.Parse reads; SSCCs where a logistic
// unit makes sense).
type Items struct {
	Ranges []BlockRange
	Codes  []string
}

// Len returns the number of codes selected (ranges counted in full).
func (it *Items) Len() uint64 {
	n := uint64(len(it.Codes))
	for _, r := range it.Ranges {
		if r.Last >= r.First {
			n += r.Last - r.First + 1
		}
	}
	return n
}

// ReportMeta is who reports, when and where — common to every report.
type ReportMeta struct {
	// Org is the reporting organisation. Required.
	Org uint32
	// Credential names who within Org reported (an API key id, a user, a
	// line id); kept with the record.
	Credential string
	// Time is when it happened (the EPCIS event time); its zone gives the
	// time-zone offset. Zero means the engine's clock. More than
	// MaxFutureSkew ahead of the clock is refused.
	Time time.Time
	// ReadPoint and BizLocation are where: a GLN, an SGLN URN, a GS1
	// Digital Link with AI 414, or a site id with its region code.
	ReadPoint   string
	BizLocation string
	// BizTransactions are business documents (type "inv", "po", "desadv", …
	// or a custom URI; id an invoice, e-ticket or inspection report number).
	BizTransactions []ledger.Pair
	// RequestID makes the report idempotent within Org: a report with a
	// request id already applied returns the first receipt (Replayed) and
	// applies nothing. "" disables it.
	RequestID string
}

// Receipt says what an applied report did.
type Receipt struct {
	FirstSeq uint64 // ledger sequence number of the report's first record
	Records  int    // records appended
	Codes    uint64 // codes the report named
	// Replayed: the request id had been applied before; nothing was
	// applied now and FirstSeq is the earlier report's.
	Replayed bool
	// Duplicates counts captured events skipped because an identical
	// event (same CBV event hash) is already in the ledger.
	Duplicates int
	// VocabularyIgnored counts the master-data vocabulary elements of a
	// captured document (an EPCISMasterDataDocument, or epcisMasterData
	// in its header): capture does not apply them.
	VocabularyIgnored int
}

// reportTx is one report in progress: staged item state, aggregation,
// ledger records, all in one indexed batch that commits with fsync or is
// dropped.
type reportTx struct {
	// ctx is the report's context: checked between events (and packs)
	// and before the commit, which is the last point a report can stop.
	ctx  context.Context
	c    *Chain
	now  int64 // record time, unix ms
	meta *ReportMeta
	b    *store.Batch
	it   *itemstate.Tx
	ag   *agg.Tx
	lt   *ledger.Tx
	errs ReportError
	ev   int // event index for errors (-1: native)

	seen     map[uint64]*model.Block     // published blocks the report relied on
	released map[uint64]*model.Block     // blocks the report replaces: a released tail, a void
	units    map[uint64]*agg.Unit        // SSCC units read or staged
	dirtyU   map[uint64]bool             // units to write
	recalls  map[recallKey]ledger.Recall // lot and product recalls staged
	touched  resolve.Touched
	inside   map[agg.Node]*below // descendants memo; cleared by packing and unpacking
	// scope is what the report's records can have changed, for caches of
	// whole answers (Hooks.Changed).
	scope reportScope
	// custodyNodes are the codes the report wrote custody records for.
	custodyNodes map[agg.Node]bool
	// assocStaged: the report added or removed an association.
	assocStaged bool
	// erroneous maps records this report declared erroneous to their
	// declarations.
	erroneous map[uint64]uint64
	// fx is the foreign identifiers of the event being captured
	// (capture_foreign.go).
	fx foreignTx
	// regulator is the GB/T 2260 division of a regulator's capture
	// (CaptureOptions.Region); 0 otherwise.
	regulator uint32
	records   int
	first     uint64
	codes     uint64
	// sd is what the report adds to the statistics (statscount.go).
	sd stats.Delta
	// facts are the records the alert rules judge (notice_hook.go);
	// refused: a sale of a held lot was refused (its alert still commits).
	facts   []alert.Fact
	refused bool
	// sector stages the report's category events (sector.go).
	sector *sector.Tx
}

type recallKey struct {
	lot bool
	id  uint32
}

// reportLock serialises reports like a mutex, except that a report
// waiting for it gives up when its context ends: a capture of a large
// document holds it for seconds. It is a channel of capacity 1; holding
// the lock is having sent.
type reportLock chan struct{}

// lock takes l, or returns ctx's error if ctx ends first (or has ended).
func (l reportLock) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Lock takes l, waiting as long as it takes.
func (l reportLock) Lock() { l <- struct{}{} }

// Unlock releases l.
func (l reportLock) Unlock() { <-l }

// begin starts a report. It takes the report lock (giving up when ctx
// ends first); commit, reject or abort releases it.
func (c *Chain) begin(ctx context.Context, meta *ReportMeta) (rt *reportTx, replayed *Receipt, err error) {
	if err := c.rmu.lock(ctx); err != nil {
		return nil, nil, err
	}
	rt = &reportTx{ctx: ctx, c: c, now: c.nowMillis(), meta: meta, ev: -1,
		seen: map[uint64]*model.Block{}, units: map[uint64]*agg.Unit{}, dirtyU: map[uint64]bool{}}
	rt.b = c.db.NewIndexedBatch()
	if err := rt.b.Err(); err != nil { // the store closed
		c.rmu.Unlock()
		return nil, nil, err
	}
	rt.it = c.items.Begin()
	rt.ag, err = agg.NewTx(rt.b)
	if err != nil {
		rt.b.Close()
		c.rmu.Unlock()
		return nil, nil, err
	}
	rt.lt = c.led.Begin(rt.b)
	rt.first = rt.lt.NextSeq()
	// A retried request id is answered here, under the report lock, with
	// the first receipt: nothing is applied again.
	if rec, ok, err := rt.replay(meta); err != nil || ok {
		rt.abort()
		return nil, rec, err
	}
	return rt, nil, nil
}

// abort drops the report.
func (rt *reportTx) abort() {
	rt.ag.Close()
	rt.b.Close()
	rt.c.rmu.Unlock()
}

// where is the path of a field, formatted only when an error needs it:
// a[i]b[j]c with negative indices left out, e.g. "packs[3].children.ranges[1]"
// or "epcisBody.eventList[2].quantityList[0].epcClass". Building one costs
// nothing on the report's happy path.
type where struct {
	a string
	i int
	b string
	j int
	c string
}

// at returns the path of a top-level field.
func at(name string) where { return where{a: name, i: -1, j: -1} }

// in returns the path of element i of list a.
func in(a string, i int) where { return where{a: a, i: i, j: -1} }

// sub returns w with b set (a constant: no allocation).
func (w where) sub(b string) where { w.b, w.j = b, -1; return w }

// idx returns w with j set.
func (w where) idx(j int) where { w.j = j; return w }

func (w where) String() string {
	s := w.a
	if w.i >= 0 {
		s += "[" + strconv.Itoa(w.i) + "]"
	}
	s += w.b
	if w.j >= 0 {
		s += "[" + strconv.Itoa(w.j) + "]"
	}
	return s + w.c
}

// fail records an offending code.
func (rt *reportTx) fail(w where, code string, sentinel error, format string, args ...any) {
	if len(rt.errs.Errors) >= MaxReportErrors {
		rt.errs.Dropped++
		return
	}
	rt.errs.Errors = append(rt.errs.Errors, ItemError{Event: rt.ev, Field: w.String(), Code: code,
		Reason: fmt.Sprintf(format, args...), Err: sentinel})
}

func (rt *reportTx) failed() bool { return len(rt.errs.Errors) > 0 || rt.errs.Dropped > 0 }

// checkMeta validates the common fields and returns the event time (ms)
// and zone offset (minutes).
func (rt *reportTx) checkMeta(m *ReportMeta) (int64, int16) {
	if rt.c.iss.Org(m.Org) == nil {
		rt.fail(at("org"), fmt.Sprint(m.Org), model.ErrUnknownOrg, "no such organisation")
	}
	if err := issue.CheckText("credential", m.Credential, 200, false); err != nil {
		rt.fail(at("credential"), m.Credential, model.ErrInvalid, "%v", err)
	}
	for _, f := range []struct{ name, v string }{{"readPoint", m.ReadPoint}, {"bizLocation", m.BizLocation}} {
		if err := issue.CheckText(f.name, f.v, 500, false); err != nil {
			rt.fail(at(f.name), f.v, model.ErrInvalid, "%v", err)
		}
	}
	if m.RequestID != "" {
		if err := issue.CheckRequestID(m.RequestID); err != nil {
			rt.fail(at("requestID"), m.RequestID, model.ErrInvalid, "%v", err)
		}
	}
	t := m.Time
	if t.IsZero() {
		t = rt.c.opts.Now()
	}
	if t.UnixMilli() > rt.now+MaxFutureSkew.Milliseconds() {
		rt.fail(at("time"), t.Format(time.RFC3339), ErrFuture, "is more than %v after the engine's clock (%s)",
			MaxFutureSkew, time.UnixMilli(rt.now).UTC().Format(time.RFC3339))
	}
	_, off := t.Zone()
	return t.UnixMilli(), int16(off / 60)
}

// replay returns the receipt of an earlier report with the same request
// id, if any.
func (rt *reportTx) replay(m *ReportMeta) (*Receipt, bool, error) {
	if m.RequestID == "" {
		return nil, false, nil
	}
	seq, found, err := ledger.ReportID(rt.c.db.Get, m.Org, m.RequestID)
	if err != nil || !found {
		return nil, false, err
	}
	return &Receipt{FirstSeq: seq, Replayed: true}, true, nil
}

// block returns the published block id, remembering it for the commit
// re-check; nil (and an error recorded) if unknown.
func (rt *reportTx) block(id uint64, field where) *model.Block {
	if b := rt.seen[id]; b != nil {
		return b
	}
	b := rt.c.iss.Block(id)
	if b == nil {
		rt.fail(field, fmt.Sprintf("block %d", id), model.ErrUnknownBlock, "no such block")
		return nil
	}
	rt.seen[id] = b
	return b
}

// unit returns an SSCC unit as the report sees it.
func (rt *reportTx) unit(v uint64) (agg.Unit, bool, error) {
	if u := rt.units[v]; u != nil {
		return *u, true, nil
	}
	u, found, err := rt.ag.Unit(v)
	if err != nil || !found {
		return u, found, err
	}
	rt.units[v] = &u
	return u, true, nil
}

// putUnit stages a unit record.
func (rt *reportTx) putUnit(u agg.Unit) {
	rt.units[u.SSCC] = &u
	rt.dirtyU[u.SSCC] = true
}

// ---- Selections: the codes a report names, resolved and grouped.

// selItem is one listed code: where it was given and as what.
type selItem struct {
	field where
	code  string
}

// selRun is a run of consecutive offsets of one block: a native range, or
// listed codes that happen to be consecutive (items then maps each offset
// to its listing).
type selRun struct {
	b      *model.Block
	lo, hi uint64 // offsets, inclusive
	field  where  // for a native range
	// items maps each offset to its listing for merged listed codes; a
	// single listed code is held in one (no slice to allocate).
	items []selItem
	one   selItem
}

// listed reports whether the run comes from listed codes (not a range).
func (r *selRun) listed() bool { return r.items != nil || r.one.code != "" }

func (r *selRun) describe(off uint64) (field where, code string) {
	if r.items != nil {
		it := r.items[off-r.lo]
		return it.field, it.code
	}
	if r.one.code != "" {
		return r.one.field, r.one.code
	}
	return r.field, fmt.Sprintf("block %d offset %d", r.b.ID, off)
}

func (r *selRun) len() uint64 { return r.hi - r.lo + 1 }

// selUnit is one listed SSCC.
type selUnit struct {
	ref        codeRef
	registered bool
	selItem
}

// selection is what a report names, grouped into runs.
type selection struct {
	runs  []selRun
	units []selUnit
}

func (s *selection) empty() bool { return len(s.runs) == 0 && len(s.units) == 0 }

// count returns the number of codes selected.
func (s *selection) count() uint64 {
	n := uint64(len(s.units))
	for i := range s.runs {
		n += s.runs[i].len()
	}
	return n
}

// selectItems resolves items (fields under base) into a selection,
// recording an error for each code that does not resolve. allowUnits
// says whether SSCCs may appear.
func (rt *reportTx) selectItems(items *Items, base where, allowUnits bool) selection {
	var s selection
	rangesB, codesB := ".ranges", ".codes"
	if base.b == ".children" {
		rangesB, codesB = ".children.ranges", ".children.codes"
	}
	for i, r := range items.Ranges {
		field := base.sub(rangesB).idx(i)
		b := rt.block(r.Block, field)
		if b == nil {
			continue
		}
		if r.Last < r.First {
			rt.fail(field, fmt.Sprintf("block %d offsets %d..%d", r.Block, r.First, r.Last), model.ErrInvalid, "last offset is before the first")
			continue
		}
		if r.Last >= b.Count {
			rt.fail(field, fmt.Sprintf("block %d offset %d", r.Block, r.Last), model.ErrInvalid, "beyond the block's %d codes", b.Count)
			continue
		}
		if b.Scheme == serial.SSCC {
			// Its codes are logistic units, not items: they are named one
			// by one, by their (00) codes (or as a pack's parent).
			rt.fail(field, fmt.Sprintf("block %d offsets %d..%d", r.Block, r.First, r.Last), model.ErrUnsupportedCode,
				"block %d holds SSCCs (logistic units), not items: name them by their (00) codes", r.Block)
			continue
		}
		s.runs = append(s.runs, selRun{b: b, lo: r.First, hi: r.Last, field: field})
	}
	rt.selectCodes(&s, items.Codes, base.sub(codesB), allowUnits)
	rt.normalize(&s)
	return s
}

// selectCodes resolves listed codes into s (not normalized).
func (rt *reportTx) selectCodes(s *selection, codes []string, field where, allowUnits bool) {
	for j, c := range codes {
		ref, registered, ok := rt.resolveCode(field.idx(j), c, allowUnits)
		if !ok {
			continue
		}
		it := selItem{field: field.idx(j), code: c}
		if ref.isUnit() {
			s.units = append(s.units, selUnit{ref: ref, registered: registered, selItem: it})
			continue
		}
		s.runs = append(s.runs, selRun{b: ref.block, lo: ref.offset, hi: ref.offset, one: it})
	}
}

// resolveCode resolves one listed code; it records an error and returns
// ok false if it does not name an issued code (or an SSCC when allowed).
func (rt *reportTx) resolveCode(field where, input string, allowUnits bool) (codeRef, bool, bool) {
	c, err := code.Parse(input)
	if err == nil {
		if s, isSSCC := model.SSCCOf(&c); isSSCC {
			if !allowUnits {
				rt.fail(field, input, model.ErrUnsupportedCode, "an SSCC names a logistic unit, not an item; it cannot be used here")
				return codeRef{}, false, false
			}
			ref, registered, err := rt.c.refOfSSCC(s, rt.unit)
			if err != nil {
				rt.fail(field, input, err, "%v", err)
				return codeRef{}, false, false
			}
			return ref, registered, true
		}
	}
	res, err := rt.c.iss.Lookup(input)
	if err != nil {
		var le *model.LookupError
		if errors.As(err, &le) {
			rt.fail(field, input, le.Kind, "%v", err)
		} else {
			rt.fail(field, input, err, "%v", err)
		}
		return codeRef{}, false, false
	}
	ref, err := rt.c.refOfLookup(&res)
	if err != nil {
		rt.fail(field, input, err, "%v", err)
		return codeRef{}, false, false
	}
	if rt.seen[ref.block.ID] == nil {
		rt.seen[ref.block.ID] = ref.block
	}
	return ref, false, true
}

// normalize sorts runs by (block, offset), merges adjacent single codes
// into runs, and reports codes named twice.
func (rt *reportTx) normalize(s *selection) {
	slices.SortStableFunc(s.runs, func(a, b selRun) int {
		if a.b.ID != b.b.ID {
			if a.b.ID < b.b.ID {
				return -1
			}
			return 1
		}
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	out := s.runs[:0]
	for _, r := range s.runs {
		if n := len(out); n > 0 && out[n-1].b.ID == r.b.ID {
			p := &out[n-1]
			if r.lo <= p.hi { // overlap: each doubly named code is an error
				for off := r.lo; off <= min(r.hi, p.hi); off++ {
					f, c := r.describe(off)
					rt.fail(f, c, ErrDuplicate, "also named by %s", func() string { f2, _ := p.describe(off); return f2.String() }())
				}
				if r.hi <= p.hi {
					continue
				}
				r = trimRun(r, p.hi+1)
			}
			if r.lo == p.hi+1 && p.listed() && r.listed() {
				if p.items == nil {
					p.items = []selItem{p.one}
				}
				if r.items != nil {
					p.items = append(p.items, r.items...)
				} else {
					p.items = append(p.items, r.one)
				}
				p.hi = r.hi
				continue
			}
		}
		out = append(out, r)
	}
	s.runs = out
	seen := map[uint64]where{}
	units := s.units[:0]
	for _, u := range s.units {
		if prev, dup := seen[u.ref.node.Counter]; dup {
			rt.fail(u.field, u.code, ErrDuplicate, "also named by %s", prev)
			continue
		}
		seen[u.ref.node.Counter] = u.field
		units = append(units, u)
	}
	s.units = units
}

// trimRun returns r without the offsets below lo.
func trimRun(r selRun, lo uint64) selRun {
	if r.items != nil {
		r.items = r.items[lo-r.lo:]
	}
	r.lo = lo
	return r
}

// requireOwned records an error for every selected code not owned by org.
func (rt *reportTx) requireOwned(s *selection, org uint32, what string) {
	for i := range s.runs {
		r := &s.runs[i]
		if r.b.Org != org {
			f, c := r.describe(r.lo)
			rt.fail(f, c, model.ErrWrongOrg, "another organisation's codes: %s belongs to %s, not to the reporting %s", what, rt.c.orgName(r.b.Org), rt.c.orgName(org))
		}
	}
	for _, u := range s.units {
		if u.ref.org != org {
			owner := "no registered organisation"
			if u.ref.org != 0 {
				owner = rt.c.orgName(u.ref.org)
			}
			rt.fail(u.field, u.code, model.ErrWrongOrg, "another organisation's codes: the SSCC's company prefix belongs to %s, not to the reporting %s", owner, rt.c.orgName(org))
		}
	}
}

// requireState records an error for every selected item whose kind k is
// set (want false) or unset (want true); units are checked against their
// record's state (an unregistered unit has none).
func (rt *reportTx) requireState(s *selection, k itemstate.Kind, want bool, sentinel error, reason string) {
	for i := range s.runs {
		r := &s.runs[i]
		_, err := rt.it.Find(k, !want, r.b.ID, r.lo, r.hi+1, func(off uint64) bool {
			f, c := r.describe(off)
			rt.fail(f, c, sentinel, "%s", reason)
			return len(rt.errs.Errors) < MaxReportErrors
		})
		if err != nil {
			f, c := r.describe(r.lo)
			rt.fail(f, c, err, "%v", err)
		}
	}
	for _, u := range s.units {
		st := rt.unitState(u.ref.node.Counter)
		if st.Has(k) != want {
			rt.fail(u.field, u.code, sentinel, "%s", reason)
		}
	}
}

// requireLive records an error for every code that is not commissioned,
// or is voided or decommissioned.
func (rt *reportTx) requireLive(s *selection) {
	rt.requireState(s, itemstate.Voided, false, ErrItemVoided, "voided by the line")
	rt.requireState(s, itemstate.Commissioned, true, ErrNotCommissioned, "not commissioned (never reported printed and verified)")
	rt.requireState(s, itemstate.Decommissioned, false, ErrDecommissioned, "decommissioned")
	for _, u := range s.units {
		if !u.registered && rt.units[u.ref.node.Counter] == nil {
			rt.fail(u.field, u.code, ErrUnknownUnit, "no report registered this SSCC")
		}
	}
}

// requireIssued records an error for every code in a released tail or a
// voided block (ranges bypass Lookup's checks).
func (rt *reportTx) requireIssued(s *selection) {
	for i := range s.runs {
		r := &s.runs[i]
		if r.b.State != model.BlockActive {
			f, c := r.describe(r.lo)
			rt.fail(f, c, model.ErrVoided, "block %d is %v", r.b.ID, r.b.State)
			continue
		}
		if rf := rt.releasedFrom(r.b); r.hi >= rf {
			f, c := r.describe(max(r.lo, rf))
			rt.fail(f, c, model.ErrReleased, "offsets from %d of block %d were released unused", rf, r.b.ID)
		}
	}
}

// releasedFrom returns the first released offset of b as the report sees
// it.
func (rt *reportTx) releasedFrom(b *model.Block) uint64 {
	if nb := rt.released[b.ID]; nb != nil {
		return nb.ReleasedFrom()
	}
	return b.ReleasedFrom()
}

// unitState returns the staged state of a unit (0 if unknown).
func (rt *reportTx) unitState(v uint64) itemstate.State {
	if u := rt.units[v]; u != nil {
		return itemstate.State(u.State)
	}
	return 0
}

// setKind sets (or clears) kind k on every selected code.
func (rt *reportTx) setKind(s *selection, k itemstate.Kind, on bool) error {
	for i := range s.runs {
		r := &s.runs[i]
		var err error
		if on {
			err = rt.it.Set(k, r.b.ID, r.lo, r.hi+1)
		} else {
			err = rt.it.Clear(k, r.b.ID, r.lo, r.hi+1)
		}
		if err != nil {
			return err
		}
	}
	for _, u := range s.units {
		rt.setUnitKind(u.ref.node.Counter, k, on)
	}
	return nil
}

// setUnitKind sets or clears kind k of a staged unit.
func (rt *reportTx) setUnitKind(v uint64, k itemstate.Kind, on bool) {
	u := rt.units[v]
	if u == nil {
		return
	}
	nu := *u
	if on {
		nu.State |= 1 << k
	} else {
		nu.State &^= 1 << k
	}
	rt.putUnit(nu)
}

// targets returns the selection as ledger targets with role.
func (s *selection) targets(dst []ledger.Target, role ledger.Role) []ledger.Target {
	for i := range s.runs {
		r := &s.runs[i]
		dst = append(dst, ledger.Target{Role: role, Kind: ledger.TargetRun, Product: r.b.Product,
			First: r.b.Start + r.lo, Last: r.b.Start + r.hi})
	}
	for _, u := range s.units {
		dst = append(dst, ledger.Target{Role: role, Kind: ledger.TargetRun, First: u.ref.node.Counter, Last: u.ref.node.Counter})
	}
	return dst
}
