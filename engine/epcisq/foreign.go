package epcisq

import (
	"fmt"

	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
)

// foreignSet adds to s the records naming v in one of roles as a foreign
// identifier: an identifier this store does not issue (a GRAI, GIAI, SGLN,
// GDTI… or any other URI), which capture indexes by epcis.IdentifierKey
// (engine/chain/capture_foreign.go) so that its EPC URI and Digital Link
// find the same events. Such records are never traceable through v: the
// caller sees them when Env.Sees shows it the record (its own events),
// whatever identifiers they name.
func (r *Runner) foreignSet(v string, roles []ledger.Role, s map[uint64]bool, maxSet int) error {
	key := epcis.IdentifierKey(v)
	for _, role := range roles {
		err := ledger.ForeignRecords(r.DB, role, key, func(seq uint64) bool {
			s[seq] = true
			return len(s) <= maxSet
		})
		if err != nil {
			return err
		}
		if len(s) > maxSet {
			return fmt.Errorf("%w: the identifiers asked for name more than %d records; add a time or step bound", ErrQueryTooComplex, maxSet)
		}
	}
	return nil
}
