package spotcheck

import (
	"fmt"
	"slices"
	"sync"

	"tracecode/engine/internal/wire"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

const version = 1

// Draw is a stored draw: what was drawn, from what, with which seed.
type Draw struct {
	ID     uint64
	Plan   uint32
	Region uint32
	Seed   string
	// SeedSource says where the seed came from: "given" (published in
	// advance and sent with the request) or "server-random" (32 bytes of
	// the server's cryptographic randomness, recorded at draw time).
	SeedSource string
	Outcome    Outcome // algorithm, version, population hash, inspections
	Population []byte  // the canonical population drawn from
	Created    int64   // unix ms
	CreatedBy  string
	PublishBy  int64 // unix ms: results are due on the public page by then
}

// Result is the result of one inspection of a draw.
type Result struct {
	Draw       uint64
	N          uint32 // the inspection's 1-based position
	Code       Code
	Note       string   // public summary, at most 1000 bytes
	Lots       []string // lot numbers sampled
	Codes      []string // codes sampled, as given
	LedgerSeq  uint64   // the inspection record on the chain; 0 when no code was sampled
	Recorded   int64    // unix ms; the result is public from then
	RecordedBy string
}

// Book keeps the plans, draws and results of a store, all in memory too
// (a region draws a few times a year).
type Book struct {
	db      *store.DB
	mu      sync.RWMutex
	plans   []Plan              // by id-1; GUARDED_BY(mu)
	draws   []Draw              // by id-1; GUARDED_BY(mu)
	results map[uint64][]Result // draw → results by inspection; GUARDED_BY(mu)
}

// Open loads the book of db.
func Open(db *store.DB) (*Book, error) {
	bk := &Book{db: db, results: map[uint64][]Result{}}
	err := db.ScanPrefix(store.SpotPlanKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeSpotPlanKey(k)
		if err != nil {
			return err
		}
		p, err := DecodePlan(id, v)
		if err == nil && int(p.ID) != len(bk.plans)+1 {
			err = fmt.Errorf("%w: spot-check plan %d out of sequence", store.ErrCorrupt, p.ID)
		}
		bk.plans = append(bk.plans, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = db.ScanPrefix(store.SpotDrawKeys.Prefix(), func(k, v []byte) error {
		id, err := store.DecodeSpotDrawKey(k)
		if err != nil {
			return err
		}
		d, err := DecodeDraw(id, v)
		if err == nil && d.ID != uint64(len(bk.draws))+1 {
			err = fmt.Errorf("%w: spot-check draw %d out of sequence", store.ErrCorrupt, d.ID)
		}
		bk.draws = append(bk.draws, d)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = db.ScanPrefix(store.SpotResultKeys.Prefix(), func(k, v []byte) error {
		draw, n, err := store.DecodeSpotResultKey(k)
		if err != nil {
			return err
		}
		r, err := DecodeResult(draw, n, v)
		bk.results[r.Draw] = append(bk.results[r.Draw], r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return bk, nil
}

func planKey(id uint32) []byte {
	return store.SpotPlanKey(id)
}
func drawKey(id uint64) []byte {
	return store.SpotDrawKey(id)
}
func resultKey(d uint64, n uint32) []byte {
	return store.SpotResultKey(d, n)
}

func commit(db *store.DB, k, v []byte) error {
	b := db.NewBatch()
	defer b.Close()
	if err := b.Set(k, v); err != nil {
		return err
	}
	return b.Commit(true)
}

// AddPlan stores p (checked by ParsePlan or PlanFile.Plan) with the next id.
func (bk *Book) AddPlan(p Plan) (Plan, error) {
	if p.Region == 0 {
		return Plan{}, fmt.Errorf("%w: region: a plan needs the regulator's division", ErrInvalid)
	}
	bk.mu.Lock()
	defer bk.mu.Unlock()
	p.ID = uint32(len(bk.plans)) + 1
	if err := commit(bk.db, planKey(p.ID), p.AppendBinary(nil)); err != nil {
		return Plan{}, err
	}
	bk.plans = append(bk.plans, p)
	return p, nil
}

// Plan returns plan id.
func (bk *Book) Plan(id uint32) (Plan, error) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	if id == 0 || int(id) > len(bk.plans) {
		return Plan{}, fmt.Errorf("%w: plan %d", ErrNotFound, id)
	}
	return bk.plans[id-1], nil
}

// Plans returns the plans keep accepts, newest first.
func (bk *Book) Plans(keep func(*Plan) bool) []Plan {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	var out []Plan
	for i := len(bk.plans) - 1; i >= 0; i-- {
		if keep == nil || keep(&bk.plans[i]) {
			out = append(out, bk.plans[i])
		}
	}
	return out
}

// LastInspectors returns, per subject key, the inspectors of the latest
// draw that drew it (for the not-twice-in-a-row rule).
func (bk *Book) LastInspectors() map[string][]string {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	m := map[string][]string{}
	for i := range bk.draws {
		for _, in := range bk.draws[i].Outcome.Inspections {
			m[in.Subject] = in.Inspectors
		}
	}
	return m
}

// AddDraw stores d with the next id. A draw of the same plan with the same
// seed is the same draw: the stored one is returned (a retried request is
// idempotent).
func (bk *Book) AddDraw(d Draw) (Draw, bool, error) {
	bk.mu.Lock()
	defer bk.mu.Unlock()
	for i := range bk.draws {
		if o := &bk.draws[i]; o.Plan == d.Plan && o.Seed == d.Seed {
			return *o, false, nil
		}
	}
	d.ID = uint64(len(bk.draws)) + 1
	if err := commit(bk.db, drawKey(d.ID), d.AppendBinary(nil)); err != nil {
		return Draw{}, false, err
	}
	bk.draws = append(bk.draws, d)
	return d, true, nil
}

// Draw returns draw id.
func (bk *Book) Draw(id uint64) (Draw, error) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	if id == 0 || id > uint64(len(bk.draws)) {
		return Draw{}, fmt.Errorf("%w: draw %d", ErrNotFound, id)
	}
	return bk.draws[id-1], nil
}

// Draws returns the draws keep accepts, newest first.
func (bk *Book) Draws(keep func(*Draw) bool) []Draw {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	var out []Draw
	for i := len(bk.draws) - 1; i >= 0; i-- {
		if keep == nil || keep(&bk.draws[i]) {
			out = append(out, bk.draws[i])
		}
	}
	return out
}

// Results returns the results recorded for draw id, by inspection.
func (bk *Book) Results(id uint64) []Result {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	return slices.Clone(bk.results[id])
}

// Result returns the result of inspection n of draw id, if recorded.
func (bk *Book) Result(id uint64, n uint32) (Result, bool) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	for _, r := range bk.results[id] {
		if r.N == n {
			return r, true
		}
	}
	return Result{}, false
}

// CheckResult checks a result's own fields.
func CheckResult(r *Result) error {
	if !r.Code.Valid() {
		return fmt.Errorf("%w: code: %d is no result code", ErrInvalid, r.Code)
	}
	if err := checkText("note", r.Note, 1000, false); err != nil {
		return err
	}
	if len(r.Lots) > 100 || len(r.Codes) > 1000 {
		return fmt.Errorf("%w: at most 100 lots and 1000 codes per result (%d, %d)", ErrInvalid, len(r.Lots), len(r.Codes))
	}
	for i, l := range r.Lots {
		if err := checkText(fmt.Sprintf("lots[%d]", i), l, 40, true); err != nil {
			return err
		}
	}
	for i, c := range r.Codes {
		if err := checkText(fmt.Sprintf("codes[%d]", i), c, 512, true); err != nil {
			return err
		}
	}
	return nil
}

// SetResult records r. A result is final: recording the same again is a
// no-op (a retry), a different one a conflict.
func (bk *Book) SetResult(r Result) (Result, bool, error) {
	if err := CheckResult(&r); err != nil {
		return Result{}, false, err
	}
	bk.mu.Lock()
	defer bk.mu.Unlock()
	if r.Draw == 0 || r.Draw > uint64(len(bk.draws)) {
		return Result{}, false, fmt.Errorf("%w: draw %d", ErrNotFound, r.Draw)
	}
	if r.N == 0 || int(r.N) > len(bk.draws[r.Draw-1].Outcome.Inspections) {
		return Result{}, false, fmt.Errorf("%w: draw %d has no inspection %d", ErrNotFound, r.Draw, r.N)
	}
	for _, o := range bk.results[r.Draw] {
		if o.N == r.N {
			if o.Code == r.Code && o.Note == r.Note && slices.Equal(o.Lots, r.Lots) && slices.Equal(o.Codes, r.Codes) {
				return o, false, nil
			}
			return Result{}, false, fmt.Errorf("%w: inspection %d of draw %d already has its result (%s, recorded by %s)",
				ErrConflict, r.N, r.Draw, o.Code, o.RecordedBy)
		}
	}
	if err := commit(bk.db, resultKey(r.Draw, r.N), r.AppendBinary(nil)); err != nil {
		return Result{}, false, err
	}
	bk.results[r.Draw] = append(bk.results[r.Draw], r)
	return r, true, nil
}

// SameResult reports whether inspection r.N of r.Draw already holds a
// result equal to r (a retry).
func (bk *Book) SameResult(r *Result) bool {
	o, ok := bk.Result(r.Draw, r.N)
	return ok && o.Code == r.Code && o.Note == r.Note && slices.Equal(o.Lots, r.Lots) && slices.Equal(o.Codes, r.Codes)
}

// AppendBinary appends the stored value of p:
//
//	ver=1 | region uvarint | name str | items strs | n × category u8
//	| 4 × ratio uvarint (low … high) | inspectors u8 | publish days uvarint
//	| n × (inspector str | uscc str) | created varint | by str
func (p *Plan) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.U32(p.Region)
	w.Str(p.Name)
	w.Strs(p.Items)
	w.Count(len(p.Categories))
	for _, c := range p.Categories {
		w.U8(uint8(c))
	}
	for c := Low; c <= High; c++ {
		w.Uvarint(uint64(p.Ratios[c]))
	}
	w.U8(p.Inspectors)
	w.Uvarint(uint64(p.PublishDays))
	w.Count(len(p.Conflicts))
	for _, c := range p.Conflicts {
		w.Str(c.Inspector)
		w.Str(c.Subject)
	}
	w.Varint(p.Created)
	w.Str(p.CreatedBy)
	return w.B
}

// DecodePlan decodes the stored value v of plan id.
func DecodePlan(id uint32, v []byte) (Plan, error) {
	d := wire.NewReader("spot-check plan", v)
	d.Version(version)
	p := Plan{ID: id}
	d.Field = "region"
	p.Region = d.U32()
	p.Name = d.Str()
	p.Items = d.Strs()
	d.Field = "categories"
	n := d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		p.Categories = append(p.Categories, model.Category(d.U8()))
	}
	d.Field = "ratios"
	for c := Low; c <= High; c++ {
		r := d.Uvarint()
		if r > 10000 {
			d.Fail(fmt.Sprintf("ratio %d", r))
		}
		p.Ratios[c] = uint16(r)
	}
	p.Inspectors = d.U8()
	p.PublishDays = uint16(d.Uvarint())
	d.Field = "conflicts"
	n = d.Count()
	for i := 0; i < n && d.Err == nil; i++ {
		p.Conflicts = append(p.Conflicts, Conflict{Inspector: d.Str(), Subject: d.Str()})
	}
	p.Created = d.Varint()
	p.CreatedBy = d.Str()
	return p, d.Done()
}

// AppendBinary appends the stored value of d:
//
//	ver=1 | plan uvarint | region uvarint | seed str | seed source str
//	| algorithm str | version uvarint | population sha256 str
//	| population str | n × (subject str | name str | org uvarint
//	| class str | inspectors strs) | created varint | by str | publish-by varint
func (d *Draw) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.U32(d.Plan)
	w.U32(d.Region)
	w.Str(d.Seed)
	w.Str(d.SeedSource)
	w.Str(d.Outcome.Algorithm)
	w.Uvarint(uint64(d.Outcome.Version))
	w.Str(d.Outcome.Population)
	w.Bytes(d.Population)
	w.Count(len(d.Outcome.Inspections))
	for _, in := range d.Outcome.Inspections {
		w.Str(in.Subject)
		w.Str(in.Name)
		w.U32(in.Org)
		w.Str(in.Class)
		w.Strs(in.Inspectors)
	}
	w.Varint(d.Created)
	w.Str(d.CreatedBy)
	w.Varint(d.PublishBy)
	return w.B
}

// DecodeDraw decodes the stored value v of draw id.
func DecodeDraw(id uint64, v []byte) (Draw, error) {
	r := wire.NewReader("spot-check draw", v)
	r.Version(version)
	d := Draw{ID: id}
	r.Field = "plan"
	d.Plan = r.U32()
	d.Region = r.U32()
	r.Field = "seed"
	d.Seed = r.Str()
	d.SeedSource = r.Str()
	r.Field = "algorithm"
	d.Outcome.Algorithm = r.Str()
	d.Outcome.Version = int(r.Uvarint())
	d.Outcome.Seed = d.Seed
	d.Outcome.Population = r.Str()
	r.Field = "population"
	d.Population = []byte(r.Str())
	r.Field = "inspections"
	n := r.Count()
	d.Outcome.Inspections = []Inspection{}
	for i := 0; i < n && r.Err == nil; i++ {
		d.Outcome.Inspections = append(d.Outcome.Inspections, Inspection{N: i + 1, Subject: r.Str(), Name: r.Str(),
			Org: r.U32(), Class: r.Str(), Inspectors: r.Strs()})
	}
	d.Created = r.Varint()
	d.CreatedBy = r.Str()
	d.PublishBy = r.Varint()
	return d, r.Done()
}

// AppendBinary appends the stored value of r:
//
//	ver=1 | code u8 | note str | lots strs | codes strs | ledger seq uvarint
//	| recorded varint | by str
func (r *Result) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(version)
	w.U8(uint8(r.Code))
	w.Str(r.Note)
	w.Strs(r.Lots)
	w.Strs(r.Codes)
	w.Uvarint(r.LedgerSeq)
	w.Varint(r.Recorded)
	w.Str(r.RecordedBy)
	return w.B
}

// DecodeResult decodes the stored value v of inspection n of draw id.
func DecodeResult(id uint64, n uint32, v []byte) (Result, error) {
	d := wire.NewReader("spot-check result", v)
	d.Version(version)
	r := Result{Draw: id, N: n}
	d.Field = "code"
	r.Code = Code(d.U8())
	if d.Err == nil && !r.Code.Valid() {
		d.Fail(fmt.Sprintf("code %d", r.Code))
	}
	r.Note = d.Str()
	r.Lots = d.Strs()
	r.Codes = d.Strs()
	r.LedgerSeq = d.Uvarint()
	r.Recorded = d.Varint()
	r.RecordedBy = d.Str()
	return r, d.Done()
}
