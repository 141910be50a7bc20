package engine

import (
	"context"
	"fmt"

	"tracecode/engine/amend"
)

// This file is the facade of the amendments of products and lots
// (engine/amend, where the rules are): who changes what, and their trail.

// Amendment names for the engine's callers.
type (
	ProductEdit = amend.ProductEdit
	LotEdit     = amend.LotEdit
	Amendment   = amend.Entry
	Change      = amend.Change
	Details     = amend.Details
)

// CommandLineKey is the operator's key the command line changes lots
// with; the trail names it "cli".
var CommandLineKey = APIKey{Scopes: ScopeAdmin, Name: amend.CommandLine}

// editor is the amendments' editor over the engine's book.
func (e *Engine) editor() *amend.Editor {
	return &amend.Editor{DB: e.db, Book: e.iss, Frozen: e.lotFrozen, Now: e.nowMillis}
}

// lotFrozen says why lot's dates may not change: a recall in force over
// it (of the lot or of its product), or a hold.
func (e *Engine) lotFrozen(lot uint32) string {
	if n := e.Notices(); n != nil {
		if ids := n.Recalls.ForLot(lot); len(ids) > 0 {
			return fmt.Sprintf("under recall %d", ids[len(ids)-1])
		}
		if n.Recalls.Held(lot) {
			return "on hold"
		}
	}
	if l, err := e.Lot(lot); err == nil {
		if cs, err := e.classStatus(l.ID, l.Product); err == nil && cs.Status == PublicRecalled {
			return "recalled"
		}
	}
	return ""
}

// EditProduct changes product id's names, description, links or images
// as key k (amend.Editor.EditProduct says who may).
func (e *Engine) EditProduct(ctx context.Context, k APIKey, id uint32, in *ProductEdit) (Product, Details, error) {
	return e.editor().EditProduct(ctx, k, id, in)
}

// EditLot changes lot id's dates, quantity, origin or site as key k.
func (e *Engine) EditLot(ctx context.Context, k APIKey, id uint32, in *LotEdit) (Lot, Details, error) {
	return e.editor().EditLot(ctx, k, id, in)
}

// ProductDetails returns product id's description and images.
func (e *Engine) ProductDetails(id uint32) (Details, error) { return e.editor().ProductDetails(id) }

// LotDetails returns lot id's quantity and origin.
func (e *Engine) LotDetails(id uint32) (Details, error) { return e.editor().LotDetails(id) }

// ProductTrail returns product id's amendments as key k may read them.
func (e *Engine) ProductTrail(k APIKey, id uint32) ([]Amendment, error) {
	return e.editor().Trail(k, amend.KindProduct, id)
}

// LotTrail returns lot id's amendments as key k may read them.
func (e *Engine) LotTrail(k APIKey, id uint32) ([]Amendment, error) {
	return e.editor().Trail(k, amend.KindLot, id)
}
