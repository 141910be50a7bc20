// Package credit is the credit ledger (信用记录) of organisations, keyed by
// their unified social credit code (USCC): typed entries — administrative
// penalties, the abnormal-operations list (经营异常名录), the serious
// violation list (严重违法失信名单), recall history, failed spot checks,
// confirmed alerts and positive entries (certifications) — and the repair
// workflow (信用修复) in which an organisation applies and a regulator
// approves or refuses.
//
// Every entry, application and decision is an append-only Record: it
// names the previous record's hash, so the records form one hash chain,
// and it is signed (ed25519) by a key derived for the credential that
// wrote it (an API key, a console account, the import or the engine's own
// hooks). Nothing is rewritten or deleted; what an entry's state is now
// (published, repaired, expired) is derived from the chain. The records
// are few (regulators write them by hand), so the book keeps them all in
// memory and reads the store once, at Open, checking the chain.
//
// docs/public.md ("Credit and blacklists") describes the rules and their
// sources; docs/storage.md the stored layout.
package credit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Errors. ErrInvalid wraps a message naming the field at fault.
var (
	ErrInvalid   = errors.New("credit: invalid")
	ErrNotFound  = errors.New("credit: not found")
	ErrForbidden = errors.New("credit: not allowed")
	ErrState     = errors.New("credit: wrong state")
	// ErrTampered: a stored record does not hash or verify as written.
	ErrTampered = errors.New("credit: record chain broken")
)

// Kind is what an entry records. Numeric values are persisted.
type Kind uint8

// The entry kinds.
const (
	Penalty          Kind = 1 // 行政处罚: an administrative penalty decision
	Abnormal         Kind = 2 // 经营异常名录: listed as abnormal
	SeriousViolation Kind = 3 // 严重违法失信名单: on the serious violation list
	RecallHistory    Kind = 4 // a recall of the organisation's products, closed
	SpotCheckFailed  Kind = 5 // a failed spot check (双随机 inspection)
	AlertConfirmed   Kind = 6 // a risk alert a regulator confirmed
	Positive         Kind = 7 // a certification or commendation
)

var kindNames = [...]string{"", "penalty", "abnormal", "serious-violation", "recall", "spot-check-failed", "alert-confirmed", "positive"}

// String returns the kind's name ("penalty", "serious-violation", …).
func (k Kind) String() string {
	if k >= Penalty && k <= Positive {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalText writes the name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads the name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	*k = v
	return err
}

// ParseKind reads a kind name.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("%w: kind %q: want penalty, abnormal, serious-violation, recall, spot-check-failed, alert-confirmed or positive", ErrInvalid, s)
}

// Negative reports whether an entry of kind k counts against the
// organisation (every kind but Positive).
func (k Kind) Negative() bool { return k != Positive }

// Gravity is the publication class of a negative entry: it sets how long
// the entry is published before the organisation may apply for repair.
// Numeric values are persisted.
type Gravity uint8

// The gravities.
const (
	// Minor: a warning or a small fine (default minimum 3 months).
	Minor Gravity = 1
	// General: every other penalty (default 6 months).
	General Gravity = 2
	// Special: food, drugs and special equipment (default 1 year).
	Special Gravity = 3
)

var gravityNames = [...]string{"", "minor", "general", "special"}

// String returns "minor", "general" or "special".
func (g Gravity) String() string {
	if g >= Minor && g <= Special {
		return gravityNames[g]
	}
	return fmt.Sprintf("gravity(%d)", uint8(g))
}

// MarshalText writes the name.
func (g Gravity) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText reads the name.
func (g *Gravity) UnmarshalText(b []byte) error {
	v, err := ParseGravity(string(b))
	*g = v
	return err
}

// ParseGravity reads a gravity name.
func ParseGravity(s string) (Gravity, error) {
	for i, n := range gravityNames {
		if i > 0 && n == s {
			return Gravity(i), nil
		}
	}
	return 0, fmt.Errorf("%w: gravity %q: want minor, general or special", ErrInvalid, s)
}

// Type says what a record is. Numeric values are persisted.
type Type uint8

// The record types.
const (
	TypeEntry    Type = 1 // a credit entry
	TypeApply    Type = 2 // the organisation applies to repair entry Target
	TypeDecision Type = 3 // a regulator approves (Approved) or refuses repair of Target
)

// Record is one stored credit record: an entry, a repair application or a
// repair decision.
//
// # Representation
//
// Key: 0xBA | seq u64. Value: ver=1 | type u8 | uscc str | org uvarint |
// region uvarint | time varint | kind u8 | gravity u8 | doc str |
// summary zh str | summary en str | publish from varint | repair from
// varint | expiry varint | target uvarint | approved u8 | note str | by
// str | by region uvarint | request id str | prev [32] | public key [32] |
// signature [64]. Strings are uvarint-length-prefixed. Hash is SHA-256
// over the value up to and including prev; the signature is ed25519 over
// Hash.
type Record struct {
	Seq    uint64 `json:"seq"`
	Type   Type   `json:"-"`
	USCC   string `json:"uscc"`
	Org    uint32 `json:"org,omitzero"`    // the registered organisation (0: none has the USCC)
	Region uint32 `json:"region,omitzero"` // the organisation's division when written
	Time   int64  `json:"time"`            // unix ms when written

	// Entry fields (TypeEntry).
	Kind        Kind    `json:"kind,omitzero"`
	Gravity     Gravity `json:"gravity,omitzero"`
	Doc         string  `json:"document,omitempty"` // the decision document's reference (文书号)
	SummaryZH   string  `json:"summary_zh,omitempty"`
	SummaryEN   string  `json:"summary_en,omitempty"`
	PublishFrom int64   `json:"publish_from,omitzero"` // unix ms
	RepairFrom  int64   `json:"repair_from,omitzero"`  // earliest repair application, unix ms (0: not repairable)
	Expiry      int64   `json:"expiry,omitzero"`       // publication ends, unix ms (0: never)

	// Repair fields (TypeApply, TypeDecision).
	Target   uint64 `json:"target,omitzero"`
	Approved bool   `json:"approved,omitzero"`
	Note     string `json:"note,omitempty"`

	By        string `json:"by"` // the credential: key:<id>, account:<id>, import, recall:<id>, alert:<id>
	ByRegion  uint32 `json:"by_region,omitzero"`
	RequestID string `json:"request_id,omitempty"`

	Prev   [32]byte `json:"-"`
	Hash   [32]byte `json:"-"`
	PubKey [32]byte `json:"-"`
	Sig    [64]byte `json:"-"`
}

const recordVersion = 1

// Key returns the store key of record seq.
func Key(seq uint64) []byte {
	return store.CreditRecordKey(seq)
}

// appendBody appends the signed part of r's value: everything up to and
// including Prev.
func (r *Record) appendBody(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(recordVersion)
	w.U8(uint8(r.Type))
	w.Str(r.USCC)
	w.U32(r.Org)
	w.U32(r.Region)
	w.Varint(r.Time)
	w.U8(uint8(r.Kind))
	w.U8(uint8(r.Gravity))
	w.Str(r.Doc)
	w.Str(r.SummaryZH)
	w.Str(r.SummaryEN)
	w.Varint(r.PublishFrom)
	w.Varint(r.RepairFrom)
	w.Varint(r.Expiry)
	w.Uvarint(r.Target)
	w.Bool(r.Approved)
	w.Str(r.Note)
	w.Str(r.By)
	w.U32(r.ByRegion)
	w.Str(r.RequestID)
	w.Raw(r.Prev[:])
	return w.B
}

// AppendBinary appends r's stored value.
func (r *Record) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: r.appendBody(dst)}
	w.Raw(r.PubKey[:])
	w.Raw(r.Sig[:])
	return w.B
}

// seal computes r's hash over its body and signs it with priv.
func (r *Record) seal(priv ed25519.PrivateKey) {
	r.Hash = sha256.Sum256(r.appendBody(nil))
	copy(r.PubKey[:], priv.Public().(ed25519.PublicKey))
	copy(r.Sig[:], ed25519.Sign(priv, r.Hash[:]))
}

// Check recomputes r's hash and verifies its signature.
func (r *Record) Check() error {
	if sha256.Sum256(r.appendBody(nil)) != r.Hash {
		return fmt.Errorf("%w: record %d: hash", ErrTampered, r.Seq)
	}
	if !ed25519.Verify(r.PubKey[:], r.Hash[:], r.Sig[:]) {
		return fmt.Errorf("%w: record %d: signature", ErrTampered, r.Seq)
	}
	return nil
}

// Decode reads record seq's stored value v.
func Decode(seq uint64, v []byte) (Record, error) {
	r := Record{Seq: seq}
	d := wire.NewReader("credit record", v)
	d.Version(recordVersion)
	r.Type = Type(d.U8())
	r.USCC = d.Str()
	r.Org = d.U32()
	r.Region = d.U32()
	r.Time = d.Varint()
	r.Kind = Kind(d.U8())
	r.Gravity = Gravity(d.U8())
	r.Doc = d.Str()
	r.SummaryZH = d.Str()
	r.SummaryEN = d.Str()
	r.PublishFrom = d.Varint()
	r.RepairFrom = d.Varint()
	r.Expiry = d.Varint()
	r.Target = d.Uvarint()
	r.Approved = d.U8() == 1
	r.Note = d.Str()
	r.By = d.Str()
	r.ByRegion = d.U32()
	r.RequestID = d.Str()
	copy(r.Prev[:], d.Raw(32))
	copy(r.PubKey[:], d.Raw(32))
	copy(r.Sig[:], d.Raw(64))
	if err := d.Done(); err != nil {
		return r, err
	}
	if r.Type < TypeEntry || r.Type > TypeDecision {
		return r, fmt.Errorf("%w: credit record %d: type %d", store.ErrCorrupt, seq, r.Type)
	}
	r.Hash = sha256.Sum256(r.appendBody(nil))
	return r, nil
}

const signerVersion = 1

// appendSigner appends the stored value of the book's signing secret:
//
//	ver=1 | secret [32]
func appendSigner(dst []byte, secret [32]byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(signerVersion)
	w.Raw(secret[:])
	return w.B
}

// decodeSigner reads the stored value of the book's signing secret.
func decodeSigner(v []byte) (secret [32]byte, err error) {
	d := wire.NewReader("credit signer", v)
	d.Version(signerVersion)
	copy(secret[:], d.Raw(32))
	return secret, d.Done()
}
