package engine

import (
	"fmt"

	"tracecode/engine/amend"
	"tracecode/engine/apikey"
	"tracecode/engine/resolve"
)

// This file is the facade of the amendments of products and lots
// (engine/amend, where the rules are): who changes what, and their trail.

// CommandLineKey is the operator's key the command line changes lots
// with; the trail names it "cli".
var CommandLineKey = apikey.Key{Scopes: apikey.ScopeAdmin, Name: amend.CommandLine}

// Amendments returns the editor of products and lots after creation
// (amend.Editor): EditProduct, EditLot, their details (ProductDetails,
// LotDetails) and trails (ProductTrail, LotTrail); who may change what is
// the editor's. A lot under recall or on hold keeps its dates (lotFrozen).
func (e *Engine) Amendments() *amend.Editor {
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
	if l, err := e.iss.Lot(lot); err == nil {
		if cs, err := e.Reports().Resolver().ClassStatus(l.ID, l.Product); err == nil && cs.Status == resolve.PublicRecalled {
			return "recalled"
		}
	}
	return ""
}
