package ledger

import (
	"fmt"

	"tracecode/engine/store"
)

// Error declarations (EPCIS 2.0 §7.4.1.2): a record is never changed, so
// that an event was declared erroneous is a mark of its own, from the
// erroneous record to the record of the declaration.
//
// # Representation
//
//	0x86 | seq u64 → Uint(declaring seq)
//	0x87 | eventID → Uint(seq)    (captured events that carry an eventID)

// AppendErroneousKey appends the key marking record seq erroneous.
func AppendErroneousKey(dst []byte, seq uint64) []byte {
	return store.AppendErroneousKey(dst, seq)
}

// PutErroneous marks record seq as declared erroneous by record decl.
func (t *Tx) PutErroneous(seq, decl uint64) {
	t.kb = AppendErroneousKey(t.kb[:0], seq)
	t.vb = store.Uint(decl).AppendBinary(t.vb[:0])
	t.b.Set(t.kb, t.vb)
}

// LoadErroneous reads every erroneous mark: record → declaration.
func LoadErroneous(db *store.DB) (map[uint64]uint64, error) {
	m := map[uint64]uint64{}
	err := db.ScanPrefix(store.ErroneousKeys.Prefix(), func(k, v []byte) error {
		seq, err := store.DecodeSeqKey(k)
		if err != nil {
			return err
		}
		decl, err := store.DecodeUint("erroneous", v)
		if err != nil {
			return fmt.Errorf("erroneous key %x: %w", k, err)
		}
		m[seq] = uint64(decl)
		return nil
	})
	return m, err
}

// appendEventIDKey appends the key of a captured eventID.
func appendEventIDKey(dst []byte, id string) []byte {
	return store.AppendEventIDKey(dst, id)
}

// PutEventID records that the event with eventID id is record seq.
func (t *Tx) PutEventID(id string, seq uint64) {
	t.kb = appendEventIDKey(t.kb[:0], id)
	t.vb = store.Uint(seq).AppendBinary(t.vb[:0])
	t.b.Set(t.kb, t.vb)
}

// SeqByEventID returns the record of the event captured with eventID id.
func SeqByEventID(get func([]byte, func([]byte) error) (bool, error), id string) (uint64, bool, error) {
	var seq store.Uint
	found, err := get(appendEventIDKey(nil, id), func(v []byte) (err error) {
		seq, err = store.DecodeUint("event id", v)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("ledger: event id %q: %w", id, err)
	}
	return uint64(seq), found, nil
}
