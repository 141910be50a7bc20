package account

import (
	"fmt"
	"strings"

	"tracecode/engine/code/cn"
	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// Action is what an audit entry records. The numeric values are
// persisted: append, never renumber.
type Action uint8

// The audited actions.
const (
	ActionLogin         Action = 1  // a login attempt (Outcome says how it went)
	ActionLogout        Action = 2  // a session ended by its user
	ActionUserCreate    Action = 3  // an account created
	ActionUserDisable   Action = 4  // an account disabled
	ActionPasswordReset Action = 5  // a password set by an administrator
	ActionTOTPEnable    Action = 6  // a TOTP secret given to an account
	ActionProductAdd    Action = 7  // a product registered through the console
	ActionLotAdd        Action = 8  // a lot registered through the console
	ActionBlockRequest  Action = 9  // a block of codes minted through the console
	ActionBlockRelease  Action = 10 // the unused rest of a block released
	ActionCapture       Action = 11 // an EPCIS document uploaded through the console
	ActionKeyCreate     Action = 12 // an API key created through the console
	ActionCodeDownload  Action = 13 // a block's codes downloaded through the console
	ActionChainView     Action = 14 // a code's private chain opened by a regulator or operator
	ActionKeyRevoke     Action = 15 // an API key revoked
	ActionCreditEntry   Action = 16 // a credit entry written through the console
	ActionCreditRepair  Action = 17 // a credit repair applied for or decided through the console
	ActionComplaintStep Action = 18 // a complaint accepted, refused or closed through the console
	ActionSpotPlan      Action = 19 // a spot-check plan created through the console
	ActionSpotDraw      Action = 20 // a spot-check draw made through the console
	ActionSpotResult    Action = 21 // a spot-check result recorded through the console
	ActionSiteAdd       Action = 22 // a site added through the console
	ActionProductEdit   Action = 23 // a product's names, description, links or images changed through the console
	ActionLotEdit       Action = 24 // a lot's dates, quantity, origin or site changed through the console
)

var actionNames = [...]string{"", "login", "logout", "user-create", "user-disable", "password-reset", "totp-enable",
	"product-add", "lot-add", "block-request", "block-release", "capture", "key-create", "code-download", "chain-view", "key-revoke",
	"credit-entry", "credit-repair", "complaint-step", "spot-plan", "spot-draw", "spot-result", "site-add",
	"product-edit", "lot-edit"}

// String returns the action's name ("login", "user-create", …).
func (a Action) String() string {
	if int(a) < len(actionNames) && a != 0 {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// Outcome is how an audited action ended. Persisted: never renumber.
type Outcome uint8

// The outcomes.
const (
	OutcomeOK     Outcome = 0 // done
	OutcomeFailed Outcome = 1 // refused: wrong credentials, bad input
	OutcomeDenied Outcome = 2 // refused: the actor may not do it
	OutcomeLocked Outcome = 3 // refused: the account is locked (or was locked by this failure)
)

var outcomeNames = [...]string{"ok", "failed", "denied", "locked"}

// String returns the outcome's name.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Actor is who does something: an account (through a session) or an API
// key, with what it may do.
type Actor struct {
	Account uint32 // the account acting; 0 for an API key or the command line
	Key     uint64 // the API key acting; 0 otherwise
	Org     uint32 // the actor's organisation (0: none)
	Region  uint32 // the region of a regulator actor, or of the actor's organisation
	// Operator: the platform operator (an operator account, an admin key
	// of no organisation, the command line).
	Operator bool
	// Admin: manages its organisation's accounts (an enterprise admin, an
	// admin key of the organisation).
	Admin  bool
	Client string // the client's address, or "cli"
}

// CLI is the actor of the command line, which holds the database itself.
var CLI = Actor{Operator: true, Client: "cli"}

// Subject is the organisation and region an audited action concerns.
type Subject struct {
	Org    uint32
	Region uint32
}

// AuditEntry is one record of the audit log.
//
// # Representation (value of key 0xD3|seq u64, version 1)
//
//	ver=1 | time varint | actor account uvarint | actor key u64 | actor org uvarint
//	      | actor region uvarint | subject org uvarint | subject region uvarint
//	      | action u8 | outcome u8 | client str | target str | detail str
type AuditEntry struct {
	Seq     uint64 // dense, from 1, in the order written
	Time    int64  // unix milliseconds
	Actor   Actor  // Operator, Admin are not stored
	Subject Subject
	Action  Action
	Outcome Outcome
	Target  string // what was acted on: a login name, a GTIN, a lot, a block
	Detail  string // what happened, for people
}

const auditVersion = 1

func auditKey(seq uint64) []byte {
	return store.AuditKey(seq)
}

// AppendBinary appends the entry's value encoding.
func (e *AuditEntry) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(auditVersion)
	w.Varint(e.Time)
	w.U32(e.Actor.Account)
	w.BE64(e.Actor.Key)
	w.U32(e.Actor.Org)
	w.U32(e.Actor.Region)
	w.U32(e.Subject.Org)
	w.U32(e.Subject.Region)
	w.U8(byte(e.Action))
	w.U8(byte(e.Outcome))
	w.Str(e.Actor.Client)
	w.Str(e.Target)
	w.Str(e.Detail)
	return w.B
}

// DecodeAuditEntry decodes the value of audit entry seq.
func DecodeAuditEntry(seq uint64, b []byte) (AuditEntry, error) {
	e := AuditEntry{Seq: seq}
	d := wire.NewReader(fmt.Sprintf("audit entry %d", seq), b)
	d.Version(auditVersion)
	d.Field = "time"
	e.Time = d.Varint()
	d.Field = "actor account"
	e.Actor.Account = d.U32()
	d.Field = "actor key"
	e.Actor.Key = d.BE64()
	d.Field = "actor org"
	e.Actor.Org = d.U32()
	d.Field = "actor region"
	e.Actor.Region = d.U32()
	d.Field = "subject org"
	e.Subject.Org = d.U32()
	d.Field = "subject region"
	e.Subject.Region = d.U32()
	d.Field = "action"
	e.Action = Action(d.U8())
	d.Field = "outcome"
	e.Outcome = Outcome(d.U8())
	d.Field = "client"
	e.Actor.Client = d.Str()
	d.Field = "target"
	e.Target = d.Str()
	d.Field = "detail"
	e.Detail = d.Str()
	d.Field = ""
	if err := d.Done(); err != nil {
		return AuditEntry{}, err
	}
	return e, nil
}

// clip bounds a free-text field of an audit entry to n bytes, dropping a
// rune cut in two.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// addAudit adds entry nextSeq to b and returns its seq; the caller sets
// nextSeq = seq+1 once b is committed.
// REQUIRES: s.mu held.
func (s *Store) addAudit(b *store.Batch, actor Actor, action Action, outcome Outcome, subj Subject, target, detail string) uint64 {
	e := AuditEntry{Seq: s.mu.nextSeq, Time: s.o.Now().UnixMilli(), Actor: actor, Subject: subj,
		Action: action, Outcome: outcome, Target: clip(target, 200), Detail: clip(detail, 500)}
	e.Actor.Client = clip(e.Actor.Client, 100)
	b.Set(auditKey(e.Seq), e.AppendBinary(nil))
	return e.Seq
}

// Record appends an audit entry for an action done elsewhere (a block
// minted, a document captured): synced, after the action itself.
func (s *Store) Record(actor Actor, action Action, outcome Outcome, subj Subject, target, detail string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.db.NewBatch()
	defer b.Close()
	seq := s.addAudit(b, actor, action, outcome, subj, target, detail)
	if err := b.Commit(true); err != nil {
		return err
	}
	s.mu.nextSeq = seq + 1
	return nil
}

func (s *Store) recordDenied(actor Actor, action Action, subj Subject, target string, why error) {
	_ = s.Record(actor, action, OutcomeDenied, subj, target, why.Error())
}

// Viewer is who reads the audit log.
type Viewer struct {
	Operator bool   // reads every entry
	Org      uint32 // an enterprise admin: entries by or about its organisation
	Region   uint32 // a regulator: entries whose actor or subject region is in its region
}

// VisibleTo reports whether v may read e: the operator every entry, a
// regulator those whose actor region or subject region its region
// covers, an organisation's admin those by or about its organisation.
func (e *AuditEntry) VisibleTo(v Viewer) bool {
	switch {
	case v.Operator:
		return true
	case v.Region != 0:
		return covers(v.Region, e.Actor.Region) || covers(v.Region, e.Subject.Region)
	case v.Org != 0:
		return e.Actor.Org == v.Org || e.Subject.Org == v.Org
	}
	return false
}

// covers reports whether division region covers division code (a
// province its cities, counties and townships, …); 0 is in no region.
func covers(region, code uint32) bool {
	r, err := cn.NewRegion(int(region))
	if err != nil {
		return false
	}
	o, err := cn.NewRegion(int(code))
	return err == nil && r.Contains(o)
}

// Audit returns up to limit entries v may read, newest first, with seq
// below before (0: from the newest); next is the before of the following
// page (0 when there is none). keep, if not nil, filters further.
func (s *Store) Audit(v Viewer, before uint64, limit int, keep func(*AuditEntry) bool) (out []AuditEntry, next uint64, err error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	lo, hi := store.AuditKeys.Bounds()
	if before != 0 {
		hi = auditKey(before)
	}
	it, err := s.db.NewIter(lo, hi)
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	for ok := it.Last(); ok; ok = it.Prev() {
		seq, err := store.DecodeAuditKey(it.Key())
		if err != nil {
			return nil, 0, &store.KeyError{Key: append([]byte(nil), it.Key()...), Want: "an audit key 0xD3|u64"}
		}
		if len(out) == limit {
			return out, seq + 1, nil
		}
		val, err := it.Value()
		if err != nil {
			return nil, 0, err
		}
		e, err := DecodeAuditEntry(seq, val)
		if err != nil {
			return nil, 0, err
		}
		if e.VisibleTo(v) && (keep == nil || keep(&e)) {
			out = append(out, e)
		}
	}
	return out, 0, it.Error()
}
