package engine

import (
	"time"

	"tracecode/engine/category"
	"tracecode/engine/sector"
)

// sourceFacts returns the facts of the items lot was made from (a cut
// lot's animals, named by their cut events), nil when none.
func (e *Engine) sourceFacts(bk *sector.Book, lot uint32, region uint32, now time.Time) []category.Fact {
	l, err := e.Lot(lot)
	if err != nil {
		return nil
	}
	p, err := e.Product(l.Product)
	if err != nil {
		return nil
	}
	return bk.SourceFacts(p.Org, l.Number, region, now)
}
