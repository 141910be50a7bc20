package credit

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"tracecode/engine/apikey"
	"tracecode/engine/code/cn"
	"tracecode/engine/store"
)

// Config holds the publication rules. Zero fields get the defaults, which
// are secondary-source numbers (docs/public.md): configure them, do not
// trust them as law.
type Config struct {
	// MinorMonths, GeneralMonths and SpecialMonths are how long a negative
	// entry of each gravity is published before the organisation may apply
	// for repair: 3, 6 and 12 months by default (warnings and small fines;
	// general; food, drugs and special equipment).
	MinorMonths, GeneralMonths, SpecialMonths int
	// ExpiryMonths is how long an entry is published when its writer gives
	// no expiry: 36 months by default.
	ExpiryMonths int
	// Location is the clock months are counted in (nil: China Standard
	// Time).
	Location *time.Location
}

func (c *Config) fill() {
	if c.MinorMonths <= 0 {
		c.MinorMonths = 3
	}
	if c.GeneralMonths <= 0 {
		c.GeneralMonths = 6
	}
	if c.SpecialMonths <= 0 {
		c.SpecialMonths = 12
	}
	if c.ExpiryMonths <= 0 {
		c.ExpiryMonths = 36
	}
	if c.Location == nil {
		c.Location = time.FixedZone("CST", 8*3600)
	}
}

// MinimumMonths returns the minimum publication of gravity g, months.
func (c *Config) MinimumMonths(g Gravity) int {
	switch g {
	case Minor:
		return c.MinorMonths
	case Special:
		return c.SpecialMonths
	}
	return c.GeneralMonths
}

// Book is the credit ledger. It is safe for concurrent use.
type Book struct {
	db  *store.DB
	cfg Config

	mu     sync.RWMutex // serialises writes (Lock); readers (view.go) RLock; guards the fields below
	secret [32]byte
	recs   []Record          // by seq - 1
	byUSCC map[string][]int  // indexes into recs
	byReq  map[string]uint64 // by + "\x00" + request id → seq
	apply  map[uint64]int    // entry seq → index of its open repair application
	decide map[uint64][]int  // entry seq → its decisions
	keys   map[string][]byte // credential → ed25519 private key
}

// Open loads the credit ledger of db, checking its hash chain and every
// signature.
func Open(db *store.DB, cfg Config) (*Book, error) {
	cfg.fill()
	b := &Book{db: db, cfg: cfg, byUSCC: map[string][]int{}, byReq: map[string]uint64{},
		apply: map[uint64]int{}, decide: map[uint64][]int{}, keys: map[string][]byte{}}
	found, err := db.Get(store.CreditSignerKey(), func(v []byte) (err error) {
		b.secret, err = decodeSigner(v)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		if _, err := rand.Read(b.secret[:]); err != nil {
			return nil, err
		}
		bt := db.NewBatch()
		defer bt.Close()
		if err := bt.Set(store.CreditSignerKey(), appendSigner(nil, b.secret)); err != nil {
			return nil, err
		}
		if err := bt.Commit(true); err != nil {
			return nil, err
		}
	}
	err = db.ScanPrefix(store.CreditRecordKeys.Prefix(), func(k, v []byte) error {
		seq, err := store.DecodeCreditRecordKey(k)
		if err != nil {
			return err
		}
		r, err := Decode(seq, v)
		if err != nil {
			return err
		}
		if err := b.link(&r); err != nil {
			return err
		}
		b.index(r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Config returns the book's publication rules.
func (b *Book) Config() Config { return b.cfg }

// link checks that r follows the last record. REQUIRES b.mu held (or Open).
func (b *Book) link(r *Record) error {
	if r.Seq != uint64(len(b.recs))+1 {
		return fmt.Errorf("%w: record %d follows record %d", ErrTampered, r.Seq, len(b.recs))
	}
	var prev [32]byte
	if n := len(b.recs); n > 0 {
		prev = b.recs[n-1].Hash
	}
	if r.Prev != prev {
		return fmt.Errorf("%w: record %d: previous hash", ErrTampered, r.Seq)
	}
	return r.Check()
}

// index adds r to the in-memory indexes. REQUIRES b.mu held (or Open).
func (b *Book) index(r Record) {
	i := len(b.recs)
	b.recs = append(b.recs, r)
	b.byUSCC[r.USCC] = append(b.byUSCC[r.USCC], i)
	if r.RequestID != "" {
		b.byReq[r.By+"\x00"+r.RequestID] = r.Seq
	}
	switch r.Type {
	case TypeApply:
		b.apply[r.Target] = i
	case TypeDecision:
		delete(b.apply, r.Target)
		b.decide[r.Target] = append(b.decide[r.Target], i)
	}
}

// signer returns credential by's signing key, derived from the book's
// secret. REQUIRES b.mu held.
func (b *Book) signer(by string) ed25519.PrivateKey {
	if k, ok := b.keys[by]; ok {
		return k
	}
	m := hmac.New(sha256.New, b.secret[:])
	m.Write([]byte("tracecode credit signer\x00"))
	m.Write([]byte(by))
	k := ed25519.NewKeyFromSeed(m.Sum(nil))
	b.keys[by] = k
	return k
}

// PublicKey returns the ed25519 public key records written by credential
// by are signed with.
func (b *Book) PublicKey(by string) ed25519.PublicKey {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.signer(by).Public().(ed25519.PublicKey)
}

// append seals r as the next record and commits it. REQUIRES b.mu held.
func (b *Book) append(r *Record) error {
	r.Seq = uint64(len(b.recs)) + 1
	if n := len(b.recs); n > 0 {
		r.Prev = b.recs[n-1].Hash
	}
	r.seal(b.signer(r.By))
	bt := b.db.NewBatch()
	defer bt.Close()
	if err := bt.Set(Key(r.Seq), r.AppendBinary(nil)); err != nil {
		return err
	}
	if err := bt.Commit(true); err != nil {
		return err
	}
	b.index(*r)
	return nil
}

// Actor is who writes: a regulator (Region set), an organisation's
// credential (Org set), the operator, or the engine itself (System: the
// recall and alert hooks).
type Actor struct {
	By       string // the credential: key:<id>, account:<id>
	Region   uint32 // a regulator's division
	Org      uint32
	Operator bool
	System   bool
}

// Subject is the organisation an entry is about.
type Subject struct {
	USCC   string
	Org    uint32 // 0: no registered organisation has the USCC
	Region uint32 // its division (0: unknown)
}

// Input is a new entry.
type Input struct {
	Kind        Kind
	Gravity     Gravity // 0: General for negative kinds
	Doc         string
	SummaryZH   string
	SummaryEN   string
	PublishFrom int64 // unix ms; 0: now
	RepairFrom  int64 // unix ms; 0: PublishFrom + the gravity's minimum (Positive: never)
	Expiry      int64 // unix ms; 0: PublishFrom + ExpiryMonths
	RequestID   string
	// Source names an automatic entry's origin (recall:<id>, alert:<id>,
	// import); empty for a regulator's own entry.
	Source string
}

func checkText(field, s string, max int) error {
	switch {
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not UTF-8", ErrInvalid, field)
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%w: %s is longer than %d characters", ErrInvalid, field, max)
	case strings.ContainsAny(s, "\x00\r"):
		return fmt.Errorf("%w: %s holds a control character", ErrInvalid, field)
	}
	return nil
}

// CheckUSCC checks s is an 18-character USCC with its check character.
func CheckUSCC(s string) error {
	if _, err := cn.ParseUSCC(s); err != nil {
		return fmt.Errorf("%w: uscc %q: %v", ErrInvalid, s, err)
	}
	return nil
}

// Check checks in's fields, naming the first at fault.
func (in *Input) Check() error {
	if in.Kind < Penalty || in.Kind > Positive {
		return fmt.Errorf("%w: kind: want penalty, abnormal, serious-violation, recall, spot-check-failed, alert-confirmed or positive", ErrInvalid)
	}
	if in.Gravity > Special {
		return fmt.Errorf("%w: gravity: want minor, general or special", ErrInvalid)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"document", in.Doc, 200}, {"summary_zh", in.SummaryZH, 500}, {"summary_en", in.SummaryEN, 1000}, {"request_id", in.RequestID, 64}, {"source", in.Source, 64}} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if strings.TrimSpace(in.SummaryZH) == "" && strings.TrimSpace(in.SummaryEN) == "" {
		return fmt.Errorf("%w: summary_zh: an entry says in public what it is about (summary_zh or summary_en)", ErrInvalid)
	}
	if in.Kind != RecallHistory && in.Kind != AlertConfirmed && strings.TrimSpace(in.Doc) == "" {
		return fmt.Errorf("%w: document: the decision document's reference is required", ErrInvalid)
	}
	if in.PublishFrom < 0 || in.RepairFrom < 0 || in.Expiry < 0 {
		return fmt.Errorf("%w: publish_from, repair_from and expiry are unix ms after 1970", ErrInvalid)
	}
	if in.Expiry != 0 && in.PublishFrom != 0 && in.Expiry <= in.PublishFrom {
		return fmt.Errorf("%w: expiry: before publish_from", ErrInvalid)
	}
	return nil
}

func (b *Book) addMonths(ms int64, n int) int64 {
	return time.UnixMilli(ms).In(b.cfg.Location).AddDate(0, n, 0).UnixMilli()
}

// Add writes a new entry about s. A regulator writes entries about
// organisations of its region, the operator imports them (Source
// "import"), the engine's hooks (System) write recall and alert entries.
func (b *Book) Add(a Actor, s Subject, in Input, now int64) (Record, error) {
	if err := CheckUSCC(s.USCC); err != nil {
		return Record{}, err
	}
	if err := in.Check(); err != nil {
		return Record{}, err
	}
	switch {
	case a.System:
	case a.Operator:
		if in.Source == "" {
			in.Source = "import"
		}
	case a.Region != 0:
		if s.Region == 0 || !apikey.RegionCovers(a.Region, s.Region) {
			return Record{}, fmt.Errorf("%w: organisation %s is outside the regulator's division %d", ErrForbidden, s.USCC, a.Region)
		}
	default:
		return Record{}, fmt.Errorf("%w: only a regulator of the organisation's division writes credit entries", ErrForbidden)
	}
	by := a.By
	if in.Source != "" {
		by = in.Source
		if a.By != "" && !a.System {
			by = in.Source + " by " + a.By
		}
	}
	if by == "" {
		return Record{}, fmt.Errorf("%w: by: the writer's credential is required", ErrInvalid)
	}
	r := Record{Type: TypeEntry, USCC: s.USCC, Org: s.Org, Region: s.Region, Time: now, Kind: in.Kind,
		Gravity: in.Gravity, Doc: in.Doc, SummaryZH: in.SummaryZH, SummaryEN: in.SummaryEN,
		PublishFrom: in.PublishFrom, RepairFrom: in.RepairFrom, Expiry: in.Expiry,
		By: by, ByRegion: a.Region, RequestID: in.RequestID}
	if r.PublishFrom == 0 {
		r.PublishFrom = now
	}
	if r.Kind.Negative() && r.Gravity == 0 {
		r.Gravity = General
	}
	if !r.Kind.Negative() {
		r.Gravity, r.RepairFrom = 0, 0
	} else if min := b.addMonths(r.PublishFrom, b.cfg.MinimumMonths(r.Gravity)); r.RepairFrom < min {
		// The minimum publication is a floor, not a suggestion.
		r.RepairFrom = min
	}
	if r.Expiry == 0 {
		r.Expiry = b.addMonths(r.PublishFrom, b.cfg.ExpiryMonths)
	}
	if r.Expiry <= r.PublishFrom {
		return Record{}, fmt.Errorf("%w: expiry: before publish_from", ErrInvalid)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if seq, ok := b.byReq[r.By+"\x00"+r.RequestID]; ok && r.RequestID != "" {
		return b.recs[seq-1], nil
	}
	return r, b.append(&r)
}

// entry returns entry seq. REQUIRES b.mu held.
func (b *Book) entry(seq uint64) (*Record, error) {
	if seq == 0 || seq > uint64(len(b.recs)) || b.recs[seq-1].Type != TypeEntry {
		return nil, fmt.Errorf("%w: credit entry %d", ErrNotFound, seq)
	}
	return &b.recs[seq-1], nil
}

// Apply records organisation a.Org's application to repair entry target
// (信用修复): its own, negative, active, past its earliest repair date,
// with no application pending.
func (b *Book) Apply(a Actor, target uint64, note, requestID string, now int64) (Record, error) {
	if err := checkText("note", note, 2000); err != nil {
		return Record{}, err
	}
	if err := checkText("request_id", requestID, 64); err != nil {
		return Record{}, err
	}
	if strings.TrimSpace(note) == "" {
		return Record{}, fmt.Errorf("%w: note: an application says what was corrected", ErrInvalid)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if seq, ok := b.byReq[a.By+"\x00"+requestID]; ok && requestID != "" {
		return b.recs[seq-1], nil
	}
	e, err := b.entry(target)
	if err != nil {
		return Record{}, err
	}
	if a.Org == 0 || e.Org != a.Org {
		return Record{}, fmt.Errorf("%w: only the organisation the entry is about applies to repair it", ErrForbidden)
	}
	st := b.status(e, now)
	switch {
	case !e.Kind.Negative():
		return Record{}, fmt.Errorf("%w: entry %d is positive: nothing to repair", ErrState, target)
	case st != StatusActive:
		return Record{}, fmt.Errorf("%w: entry %d is %s", ErrState, target, st)
	case now < e.RepairFrom:
		return Record{}, fmt.Errorf("%w: entry %d may be repaired from %s (the minimum publication)", ErrState, target,
			time.UnixMilli(e.RepairFrom).In(b.cfg.Location).Format("2006-01-02"))
	}
	if _, ok := b.apply[target]; ok {
		return Record{}, fmt.Errorf("%w: entry %d has an application pending", ErrState, target)
	}
	r := Record{Type: TypeApply, USCC: e.USCC, Org: e.Org, Region: e.Region, Time: now, Target: target,
		Note: note, By: a.By, RequestID: requestID}
	return r, b.append(&r)
}

// Decide records a regulator's decision on the pending application to
// repair entry target: approved (the entry stops being published) or
// refused, with the reasons in note.
func (b *Book) Decide(a Actor, target uint64, approve bool, note, requestID string, now int64) (Record, error) {
	if err := checkText("note", note, 2000); err != nil {
		return Record{}, err
	}
	if err := checkText("request_id", requestID, 64); err != nil {
		return Record{}, err
	}
	if strings.TrimSpace(note) == "" {
		return Record{}, fmt.Errorf("%w: note: a decision gives its reasons", ErrInvalid)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if seq, ok := b.byReq[a.By+"\x00"+requestID]; ok && requestID != "" {
		return b.recs[seq-1], nil
	}
	e, err := b.entry(target)
	if err != nil {
		return Record{}, err
	}
	if !a.Operator && (a.Region == 0 || e.Region == 0 || !apikey.RegionCovers(a.Region, e.Region)) {
		return Record{}, fmt.Errorf("%w: only a regulator of the organisation's division decides its repair", ErrForbidden)
	}
	if _, ok := b.apply[target]; !ok {
		return Record{}, fmt.Errorf("%w: entry %d has no repair application pending", ErrState, target)
	}
	r := Record{Type: TypeDecision, USCC: e.USCC, Org: e.Org, Region: e.Region, Time: now, Target: target,
		Approved: approve, Note: note, By: a.By, ByRegion: a.Region, RequestID: requestID}
	return r, b.append(&r)
}

// Verify re-reads every record from the store and checks the chain and
// the signatures, and that the store holds what the book holds.
func (b *Book) Verify() error {
	b.mu.Lock()
	n := len(b.recs)
	hashes := make([][32]byte, n)
	for i := range b.recs {
		hashes[i] = b.recs[i].Hash
	}
	b.mu.Unlock()
	var prev [32]byte
	var seq uint64
	err := b.db.ScanPrefix(store.CreditRecordKeys.Prefix(), func(k, v []byte) error {
		at, err := store.DecodeCreditRecordKey(k)
		if err != nil {
			return err
		}
		r, err := Decode(at, v)
		if err != nil {
			return err
		}
		seq++
		if r.Seq != seq || r.Prev != prev {
			return fmt.Errorf("%w: record %d", ErrTampered, r.Seq)
		}
		if err := r.Check(); err != nil {
			return err
		}
		if seq <= uint64(n) && hashes[seq-1] != r.Hash {
			return fmt.Errorf("%w: record %d differs from the one loaded", ErrTampered, r.Seq)
		}
		prev = r.Hash
		return nil
	})
	if err == nil && seq < uint64(n) {
		err = fmt.Errorf("%w: %d records stored, %d loaded", ErrTampered, seq, n)
	}
	return err
}
