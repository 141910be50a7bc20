package ledger

import (
	"fmt"

	"tracecode/engine/store"
)

// The foreign-identifier index finds the captured events that name an
// identifier this store does not issue — a returnable asset (GRAI), an
// individual asset (GIAI), a location (SGLN), a document (GDTI), a service
// relation (GSRN), a sensor's URN, any other URI — in a role: such an
// identifier changes no state, so it has no code, no item state and no
// entry in the code indexes; the query interface's MATCH_ parameters and
// /epcs/{epc}/events find its events here.
//
// # Representation (value version 1)
//
//	0x97 | role u8 | identifier key | 0x00 | seq u64 → ver=1
//
// role is the Role the identifier has in the event (epc, parent, child,
// input, output); the identifier key is epcis.IdentifierKey of it (a GS1
// key's element string, so that its EPC URI and Digital Link are one
// key; another URI as captured), at most MaxIndexedTerm bytes with no
// 0x00 (ForeignIndexable).

const foreignIndexVersion = 1

// ForeignIndexable reports whether the foreign-identifier index can hold
// key (capture refuses an identifier it cannot).
func ForeignIndexable(key string) bool { return QueryIndexable(key) }

// IndexForeign writes the foreign-identifier index entry of record seq
// naming identifier key in role.
func (t *Tx) IndexForeign(role Role, key string, seq uint64) {
	t.kb = store.AppendSeq(store.AppendEvForeignKey(t.kb[:0], byte(role), key), seq)
	t.b.Set(t.kb, []byte{foreignIndexVersion})
}

// ForeignRecords calls fn with every record that names identifier key in
// role, in record order, until fn returns false.
func ForeignRecords(db *store.DB, role Role, key string, fn func(seq uint64) bool) error {
	if !ForeignIndexable(key) {
		return nil
	}
	lo := store.AppendEvForeignKey(nil, byte(role), key)
	it, err := db.NewIter(lo, store.PrefixEnd(lo))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		_, _, seq, err := store.DecodeEvForeignKey(k)
		if err != nil || len(k) != len(lo)+8 {
			return fmt.Errorf("%w: foreign-identifier index key %x", store.ErrCorrupt, k)
		}
		if !fn(seq) {
			return nil
		}
	}
	return nil
}
