package ledger

import (
	"math"

	"tracecode/engine/store"
)

// OrgLog calls fn with the global sequence number of each record in
// org's log, in log order (the order the organisation's records were
// committed), and stops at fn's first error, returning it. Cost: one
// ordered scan of the organisation's log keys.
func (l *Ledger) OrgLog(org uint32, fn func(seq uint64) error) error {
	lo := store.AppendOrgLogKey(nil, org, 0)
	hi := store.AppendOrgLogKey(nil, org, math.MaxUint64) // orgSeq counts from 1: never written
	return l.db.Scan(lo, hi, func(k, v []byte) error {
		e, err := decodeLogEntry(k, v)
		if err != nil {
			return err
		}
		return fn(e.Seq)
	})
}
