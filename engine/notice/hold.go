package notice

import (
	"encoding/json"
	"fmt"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/model"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
	"tracecode/engine/store"
)

// HoldLot puts a lot on hold (stop-trade, 停售): the producer's key, a
// regulator whose division covers the producer's (a regulator's order,
// e.g. after a failed inspection) or the operator. Every organisation
// still holding items of the lot is notified as for a recall (webhook and
// JetStream, in the hold's batch); from then on a sale or dispensing of
// an item of the lot is refused and raises a traded-held alert.
func (o *Office) HoldLot(k apikey.Key, ref chain.LotRef, reason string) (recall.Hold, error) {
	e := o.eng
	lot, err := e.LotByNumber(ref.Product, ref.Number)
	if err != nil {
		return recall.Hold{}, model.FieldErrorf("lot", ref.Number, "no such lot of product %d", ref.Product)
	}
	p, err := e.Product(lot.Product)
	if err != nil {
		return recall.Hold{}, err
	}
	org, err := e.Org(p.Org)
	if err != nil {
		return recall.Hold{}, err
	}
	h := recall.Hold{Lot: lot.ID, Since: o.nowMillis(), By: keyBy(k), Reason: reason, Producer: org.ID}
	switch {
	case k.Org == org.ID && k.Scopes.Has(apikey.ScopeEvents):
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0 && apikey.RegionCovers(k.Region, org.Region):
		h.Region = k.Region
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
	default:
		return recall.Hold{}, fmt.Errorf("%w: only %s or a regulator of its region puts its lot on hold", model.ErrWrongOrg, org.Name)
	}
	moves, err := e.RecallMoves(lot.ID, nil)
	if err != nil {
		return recall.Hold{}, err
	}
	holders := recall.Recipients(0, moves)
	err = o.Recalls.PutHold(h, func(b *store.Batch) error {
		for _, r := range holders {
			if r.AtStart.Held == 0 && r.Org != org.ID {
				continue
			}
			to, err := e.Org(r.Org)
			if err != nil {
				continue
			}
			body, err := json.Marshal(map[string]any{"type": "hold", "lot": lot.ID, "lot_number": lot.Number, "product": p.NameZH,
				"producer": org.Name, "reason": reason, "since": time.UnixMilli(h.Since).UTC(), "ordered": h.Region != 0,
				"recipient": map[string]any{"org": to.ID, "name": to.Name, "region": to.Region}, "held": r.AtStart.Held})
			if err != nil {
				return err
			}
			if err := o.stageTo(b, outbox.SourceRecall, 0, to, body, h.Since); err != nil {
				return err
			}
		}
		return nil
	})
	return h, err
}

// ReleaseHold ends a lot's hold (whoever may put it on hold).
func (o *Office) ReleaseHold(k apikey.Key, lot uint32) (recall.Hold, error) {
	l, err := o.eng.Lot(lot)
	if err != nil {
		return recall.Hold{}, err
	}
	p, err := o.eng.Product(l.Product)
	if err != nil {
		return recall.Hold{}, err
	}
	org, err := o.eng.Org(p.Org)
	if err != nil {
		return recall.Hold{}, err
	}
	if !(k.Org == org.ID && k.Scopes.Has(apikey.ScopeEvents)) && !(k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0 && apikey.RegionCovers(k.Region, org.Region)) &&
		!(k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin)) {
		return recall.Hold{}, fmt.Errorf("%w: only %s or a regulator of its region releases its lot", model.ErrWrongOrg, org.Name)
	}
	return o.Recalls.ReleaseHold(lot)
}

// stageTo stages body to organisation to: its webhook if it has one, and
// its JetStream recall subject.
func (o *Office) stageTo(b *store.Batch, src outbox.SourceKind, id uint64, to model.Org, body []byte, at int64) error {
	ep, found, err := o.Outbox.Endpoint(to.ID)
	if err != nil {
		return err
	}
	if found && ep.Webhook != "" {
		nt := outbox.Notification{Source: src, SourceID: id, Channel: outbox.Webhook, Org: to.ID, Region: to.Region, Target: ep.Webhook, Payload: body, Created: at}
		if err := o.Outbox.Stage(b, &nt); err != nil {
			return err
		}
	}
	nt := outbox.Notification{Source: src, SourceID: id, Channel: outbox.JetStream, Org: to.ID, Region: to.Region,
		Target: outbox.RecallSubject(to.Region, to.ID), Payload: body, Created: at}
	return o.Outbox.Stage(b, &nt)
}
