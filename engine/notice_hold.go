package engine

import (
	"encoding/json"
	"fmt"
	"time"

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
func (n *Notices) HoldLot(k APIKey, ref LotRef, reason string) (recall.Hold, error) {
	e := n.e
	lot, err := e.LotByNumber(ref.Product, ref.Number)
	if err != nil {
		return recall.Hold{}, fieldErr("lot", ref.Number, "no such lot of product %d", ref.Product)
	}
	p, err := e.Product(lot.Product)
	if err != nil {
		return recall.Hold{}, err
	}
	org, err := e.Org(p.Org)
	if err != nil {
		return recall.Hold{}, err
	}
	h := recall.Hold{Lot: lot.ID, Since: e.nowMillis(), By: "key:" + fmt.Sprintf("%016x", k.ID), Reason: reason, Producer: org.ID}
	switch {
	case k.Org == org.ID && k.Scopes.Has(ScopeEvents):
	case k.Scopes.Has(ScopeRegulator) && k.Region != 0 && RegionCovers(k.Region, org.Region):
		h.Region = k.Region
	case k.Org == 0 && k.Scopes.Has(ScopeAdmin):
	default:
		return recall.Hold{}, fmt.Errorf("%w: only %s or a regulator of its region puts its lot on hold", ErrWrongOrg, org.Name)
	}
	moves, err := e.RecallMoves(lot.ID)
	if err != nil {
		return recall.Hold{}, err
	}
	holders := recall.Recipients(0, moves)
	err = n.Recalls.PutHold(h, func(b *store.Batch) error {
		for _, r := range holders {
			if r.AtStart.Held == 0 && r.Org != org.ID {
				continue
			}
			o, err := e.Org(r.Org)
			if err != nil {
				continue
			}
			body, err := json.Marshal(map[string]any{"type": "hold", "lot": lot.ID, "lot_number": lot.Number, "product": p.NameZH,
				"producer": org.Name, "reason": reason, "since": time.UnixMilli(h.Since).UTC(), "ordered": h.Region != 0,
				"recipient": map[string]any{"org": o.ID, "name": o.Name, "region": o.Region}, "held": r.AtStart.Held})
			if err != nil {
				return err
			}
			if err := n.stageTo(b, outbox.SourceRecall, 0, o, body, h.Since); err != nil {
				return err
			}
		}
		return nil
	})
	return h, err
}

// ReleaseHold ends a lot's hold (whoever may put it on hold).
func (n *Notices) ReleaseHold(k APIKey, lot uint32) (recall.Hold, error) {
	l, err := n.e.Lot(lot)
	if err != nil {
		return recall.Hold{}, err
	}
	p, err := n.e.Product(l.Product)
	if err != nil {
		return recall.Hold{}, err
	}
	org, err := n.e.Org(p.Org)
	if err != nil {
		return recall.Hold{}, err
	}
	if !(k.Org == org.ID && k.Scopes.Has(ScopeEvents)) && !(k.Scopes.Has(ScopeRegulator) && k.Region != 0 && RegionCovers(k.Region, org.Region)) &&
		!(k.Org == 0 && k.Scopes.Has(ScopeAdmin)) {
		return recall.Hold{}, fmt.Errorf("%w: only %s or a regulator of its region releases its lot", ErrWrongOrg, org.Name)
	}
	return n.Recalls.ReleaseHold(lot)
}

// stageTo stages body to organisation o: its webhook if it has one, and
// its JetStream recall subject.
func (n *Notices) stageTo(b *store.Batch, src outbox.SourceKind, id uint64, o Org, body []byte, at int64) error {
	ep, found, err := n.Outbox.Endpoint(o.ID)
	if err != nil {
		return err
	}
	if found && ep.Webhook != "" {
		nt := outbox.Notification{Source: src, SourceID: id, Channel: outbox.Webhook, Org: o.ID, Region: o.Region, Target: ep.Webhook, Payload: body, Created: at}
		if err := n.Outbox.Stage(b, &nt); err != nil {
			return err
		}
	}
	nt := outbox.Notification{Source: src, SourceID: id, Channel: outbox.JetStream, Org: o.ID, Region: o.Region,
		Target: outbox.RecallSubject(o.Region, o.ID), Payload: body, Created: at}
	return n.Outbox.Stage(b, &nt)
}
