// Package verify checks the stored records against each other: item state
// against blocks and aggregation, the records of custody, associations and
// error declarations, and every derived record against what a replay of
// the ledger derives. The engine's Verify runs these checks (with
// ledger.Verify, agg.Check and its own issuance Check) and reports every
// problem in one Report.
package verify

import (
	"fmt"
	"strings"

	"tracecode/engine/store"
)

// Report is what a verification found. Problems is empty when the store is
// consistent.
type Report struct {
	Problems []string // "where: what is wrong", at most MaxProblems
	Dropped  int      // problems found beyond MaxProblems

	Records     uint64 // ledger records checked (hash, chain, content)
	Orgs        int    // organisation logs
	Checkpoints int    // Merkle checkpoints recomputed
	IndexKeys   uint64 // event index entries
	Chunks      int    // item-state chunks
	Runs        int    // child→parent runs
	Packed      uint64 // codes packed in a parent now
	Replayed    uint64 // ledger records applied again to re-derive the derived records
	Derived     uint64 // derived records compared with the ones the ledger implies
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 && r.Dropped == 0 }

// Err returns the problems as one error, or nil.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	n := len(r.Problems) + r.Dropped
	return fmt.Errorf("engine: verify: %d problem(s): %s", n, strings.Join(r.Problems[:min(len(r.Problems), 10)], "; "))
}

// MaxProblems bounds the problems a Report lists.
const MaxProblems = 1000

// Add records problem p; it returns false once MaxProblems are listed
// (the rest are only counted, in Dropped), so a check may stop.
func (r *Report) Add(p store.Problem) bool { return r.Bad(p.Where, "%s", p.What) }

// Bad records the problem "where: what", what formatted from format and
// args; like Add it returns false once MaxProblems are listed.
func (r *Report) Bad(where, format string, args ...any) bool {
	if len(r.Problems) >= MaxProblems {
		r.Dropped++
		return false
	}
	r.Problems = append(r.Problems, where+": "+fmt.Sprintf(format, args...))
	return true
}

// Damaged turns a read error caused by a damaged data file into a problem
// (and nil); any other error is returned.
func (r *Report) Damaged(err error) error {
	d, ok := store.AsDamage(err)
	if !ok {
		return err
	}
	where := "data file " + d.File
	if d.File == "" {
		where = "data files"
	}
	r.Bad(where, "damaged: %s", d.Detail)
	return nil
}

// DamagedFile reports whether err comes from reading a damaged data file
// of the store, and says which and what was found ("data file 000005.sst
// is damaged: …"). Such an error is damage to restore from a replica or a
// backup, not a fault of the engine or of the input.
func DamagedFile(err error) (string, bool) {
	d, ok := store.AsDamage(err)
	return d.String(), ok
}
