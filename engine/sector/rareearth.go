package sector

import (
	"fmt"
	"time"

	"tracecode/engine/category/rareearth"
)

// MassBalance returns the month's REO balance (month: any time in it) of
// the enterprise whose rare-earth flow is recorded on item k (its
// register): the monthly flow report's content.
func (bk *Book) MassBalance(k ItemKey, region uint32, month time.Time) (rareearth.Balance, error) {
	h, p, ok := bk.History(k, region)
	if !ok {
		return rareearth.Balance{}, fmt.Errorf("%w: %v", ErrNotRegistered, k)
	}
	rp, ok := p.(*rareearth.Profile)
	if !ok {
		return rareearth.Balance{}, fmt.Errorf("%w: %v has profile %s, not rare-earth", ErrNoProfile, k, p.Name())
	}
	return rp.MassBalance(h.Events, month), nil
}
