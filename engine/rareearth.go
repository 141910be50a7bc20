package engine

import (
	"time"

	"tracecode/engine/category/rareearth"
	"tracecode/engine/sector"
)

// RareEarthBalance returns the month's REO mass balance (month: any time
// in it) of the enterprise whose rare-earth flow is recorded on the lot
// numbered lot of product: the monthly flow report's content
// (rareearth.Balance.AppendCSV writes it).
func (e *Engine) RareEarthBalance(product uint32, lot string, month time.Time) (rareearth.Balance, error) {
	bk, err := e.sectorBook()
	if err != nil {
		return rareearth.Balance{}, err
	}
	l, err := e.LotByNumber(product, lot)
	if err != nil {
		return rareearth.Balance{}, err
	}
	p, err := e.Product(product)
	if err != nil {
		return rareearth.Balance{}, err
	}
	b, err := bk.MassBalance(sector.LotItem(l.ID), e.orgRegion(p.Org), month)
	return b, sectorErr(err)
}
