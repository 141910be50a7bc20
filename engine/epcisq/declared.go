package epcisq

import (
	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// declarationPair adds to s the other half of record seq's error
// declaration pair: the declaration of an event declared erroneous, or the
// event a declaration declares. An error declaration repeats the declared
// event's eventID and has its event hash (EPCIS 2.0 §7.4.1.2, CBV 2.0
// §8.9 leave the declaration out of the hash), so EQ_eventID names both;
// the eventID and hash indexes each hold one record of the pair (the
// event's eventID, the latest record's hash).
func (r *Runner) declarationPair(seq uint64, s map[uint64]bool) error {
	var decl store.Uint
	found, err := r.DB.Get(ledger.AppendErroneousKey(nil, seq), func(v []byte) (err error) {
		decl, err = store.DecodeUint("erroneous", v)
		return err
	})
	if err != nil {
		return err
	}
	if found {
		s[uint64(decl)] = true
		return nil
	}
	sum, ok, err := r.Led.Summary(seq)
	if err != nil || !ok || sum.Flags&ledger.FlagErrorDeclared == 0 {
		return err
	}
	// A declaration: the marks point the other way; they are few (one per
	// declaration), so they are scanned.
	return r.DB.ScanPrefix(store.ErroneousKeys.Prefix(), func(k, v []byte) error {
		d, err := store.DecodeUint("erroneous", v)
		if err != nil || uint64(d) != seq {
			return err
		}
		orig, err := store.DecodeSeqKey(k)
		if err == nil {
			s[orig] = true
		}
		return err
	})
}
