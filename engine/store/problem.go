package store

// Problem is one inconsistency a consistency check found in the stored
// records: where (a key, a record, a node) and what is wrong. The checks
// of agg, ledger and engine/verify all report Problems.
type Problem struct {
	Where string
	What  string
}

// String returns "where: what".
func (p Problem) String() string { return p.Where + ": " + p.What }
