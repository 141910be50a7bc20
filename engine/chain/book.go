package chain

// The issuance state (issue.Book) as the report transaction reads it:
// BookIssuance answers Issuance from the Book's own accessors.

import (
	"strconv"

	"tracecode/engine/agg"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// BookIssuance is an issue.Book as the chain's Issuance; the Book's
// Product, ProductByGTIN, Lot, LotByNumber, BlockAt, Lookup and HoldDB
// answer as they are.
type BookIssuance struct {
	*issue.Book
	// StatsOff reports whether statistics are off (benchmarks only):
	// CommitReport then folds none in. nil: always on.
	StatsOff func() bool
}

func (a BookIssuance) Org(id uint32) *model.Org { return a.Book.OrgByID(id) }

func (a BookIssuance) OrgOfGCP(digits string, exact bool) uint32 {
	if exact {
		return a.Book.OrgIDByGCP(digits)
	}
	org, _ := a.Book.GCPOwner(digits)
	return org
}

func (a BookIssuance) ProductOf(id uint32) (org uint32, cat model.Category, ok bool) {
	if p := a.Book.ProductByID(id); p != nil {
		return p.Org, p.Category, true
	}
	return 0, 0, false
}

func (a BookIssuance) LotProduct(id uint32) uint32 {
	if l := a.Book.LotByID(id); l != nil {
		return l.Product
	}
	return 0
}

func (a BookIssuance) Block(id uint64) *model.Block { return a.Book.BlockByID(id) }

func (a BookIssuance) AppendDL(dst []byte, b *model.Block, off uint64) ([]byte, error) {
	return a.Book.AppendCode(dst, b, off, issue.FormatDL)
}

// AppendNode appends a node's name for people: the code's Digital Link
// (or its NMPA code, short code or serial), or "SSCC …".
func (a BookIssuance) AppendNode(dst []byte, n agg.Node) []byte {
	if n.IsUnit() {
		return appendSSCC(append(dst, "SSCC "...), n.Counter)
	}
	b := a.Book.BlockAt(n.Product, n.Counter)
	if b == nil {
		return append(dst, n.String()...)
	}
	for _, fm := range []issue.Format{issue.FormatDL, issue.FormatNMPA, issue.FormatShort, issue.FormatSerial} {
		if out, err := a.Book.AppendCode(dst, b, n.Counter-b.Start, fm); err == nil {
			return out
		}
	}
	dst = append(dst, "block "...)
	dst = strconv.AppendUint(dst, b.ID, 10)
	dst = append(dst, " offset "...)
	return strconv.AppendUint(dst, n.Counter-b.Start, 10)
}

// appendSSCC appends the 18 digits of a unit node's SSCC.
func appendSSCC(dst []byte, v uint64) []byte {
	var b [18]byte
	for i := 17; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[:]...)
}

// CommitReport commits a report's batch through issue.Book.Commit: the
// blocks the report relied on are re-checked under the write lock, the
// batch commits with fsync (its statistics folded in unless they are off),
// the blocks it released or voided are published.
func (a BookIssuance) CommitReport(b *store.Batch, seen, released map[uint64]*model.Block, d *stats.Delta) error {
	if a.StatsOff != nil && a.StatsOff() {
		d = nil
	}
	return a.Book.Commit(b, d, seen, released)
}

// BookIssuance is the chain's Issuance.
var _ Issuance = BookIssuance{}
