package verify

import (
	"fmt"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// ChainExtras checks the records of custody, associations and error
// declarations: each decodes, names codes and organisations that exist
// and records that exist; an erroneous mark points from a captured event
// to a later error declaration; an eventID entry names a record captured
// with that eventID.
//
// next is the ledger's next sequence number: a record at or after it does
// not exist.
func ChainExtras(snap *store.Snapshot, next uint64, m Master, rep *Report) error {
	bad := rep.Bad
	nodeKnown := func(n agg.Node) bool {
		if n.IsUnit() {
			_, found, err := agg.SnapshotUnit(snap, n.Counter)
			return err == nil && found
		}
		return m.BlockAt(n.Product, n.Counter) != nil
	}
	orgKnown := m.HasOrg
	summary := func(seq uint64) (ledger.Summary, bool) {
		var s ledger.Summary
		found, err := snap.Get(ledger.AppendSummaryKey(nil, seq), func(v []byte) (err error) {
			s, err = ledger.DecodeSummary(seq, v)
			return err
		})
		return s, err == nil && found
	}
	lo, hi := store.CustodyKeys.Bounds()
	if err := snap.Scan(lo, hi, func(k, v []byte) error {
		product, counter, err := store.DecodeCustodyKey(k)
		if err != nil {
			bad("custody", "key %x has the wrong length", k)
			return nil
		}
		n := agg.Node{Product: product, Counter: counter}
		where := "custody of " + n.String()
		c, err := agg.DecodeCustody(v)
		switch {
		case err != nil:
			bad(where, "%v", err)
		case !nodeKnown(n):
			bad(where, "no block or registered SSCC holds the code")
		case !orgKnown(c.Org) || (c.Pending != 0 && !orgKnown(c.Pending)):
			bad(where, "names an unknown organisation (%d, pending %d)", c.Org, c.Pending)
		case c.Seq == 0 || c.Seq >= next:
			bad(where, "names record %d, which does not exist", c.Seq)
		}
		return nil
	}); err != nil {
		return err
	}
	lo, hi = store.AssociationKeys.Bounds()
	if err := snap.Scan(lo, hi, func(k, v []byte) error {
		a, err := agg.DecodeAssociation(k, v)
		if err != nil {
			bad("association", "key %x: %v", k, err)
			return nil
		}
		where := fmt.Sprintf("association of %q with %s", a.Child, a.Parent)
		if !nodeKnown(a.Parent) {
			bad(where, "no block or registered SSCC holds the parent")
		}
		if s, ok := summary(a.Seq); !ok || s.EventType != epcis.AssociationEvent {
			bad(where, "record %d is not an AssociationEvent", a.Seq)
		}
		return nil
	}); err != nil {
		return err
	}
	lo, hi = store.ErroneousKeys.Bounds()
	if err := snap.Scan(lo, hi, func(k, v []byte) error {
		seq, err := store.DecodeSeqKey(k)
		if err != nil {
			bad("erroneous mark", "key %x has the wrong length", k)
			return nil
		}
		where := fmt.Sprintf("erroneous mark of record %d", seq)
		decl, err := store.DecodeUint("erroneous", v)
		if err != nil {
			bad(where, "%v", err)
			return nil
		}
		s, ok := summary(seq)
		d, dok := summary(uint64(decl))
		switch {
		case !ok || s.Kind != ledger.KindEPCIS || s.Flags&ledger.FlagErrorDeclared != 0:
			bad(where, "the record is not a captured event")
		case !dok || d.Flags&ledger.FlagErrorDeclared == 0 || uint64(decl) <= seq:
			bad(where, "record %d is not a later error declaration", decl)
		case d.EventType != s.EventType || d.Org != s.Org:
			bad(where, "declaration %d is a %s of organisation %d, the event a %s of %d", decl, d.EventType, d.Org, s.EventType, s.Org)
		}
		return nil
	}); err != nil {
		return err
	}
	// A request id answers a retry with its first receipt and applies
	// nothing: a forged one silently drops a line's report.
	lo, hi = store.ReportIDKeys.Bounds()
	if err := snap.Scan(lo, hi, func(k, v []byte) error {
		org, id, err := store.DecodeReportIDKey(k)
		if err != nil || len(id) == 0 {
			bad("request id", "key %x is too short", k)
			return nil
		}
		where := fmt.Sprintf("request id %q of organisation %d", id, org)
		seq, err := store.DecodeUint("report id", v)
		if err != nil {
			bad(where, "%v", err)
			return nil
		}
		if s, ok := summary(uint64(seq)); !ok || s.Org != org {
			bad(where, "names record %d, which is not a record of the organisation", seq)
		}
		return nil
	}); err != nil {
		return err
	}
	lo, hi = store.EventIDKeys.Bounds()
	return snap.Scan(lo, hi, func(k, v []byte) error {
		kid, err := store.DecodeEventIDKey(k)
		if err != nil {
			bad("eventID", "key %x is too short", k)
			return nil
		}
		id := string(kid)
		seq, err := store.DecodeUint("event id", v)
		if err != nil {
			bad("eventID "+id, "%v", err)
			return nil
		}
		if s, ok := summary(uint64(seq)); !ok || s.EventID != id {
			bad("eventID "+id, "record %d was not captured with it", seq)
		}
		return nil
	})
}
