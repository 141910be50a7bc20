package engine

// This file exposes to the server what it needs from the engine
// beyond the engine's own API.

import (
	"tracecode/engine/agg"
	"tracecode/engine/chain"
)

// AppendNodeCode appends the printed code of an item or logistic unit: its
// Digital Link on Options.DLBase (or its NMPA code, short-code URL or
// serial), or "SSCC " and the 18 digits for a unit
// (chain.BookIssuance.AppendNode).
func (e *Engine) AppendNodeCode(dst []byte, n agg.Node) []byte {
	return chain.BookIssuance{Book: e.iss}.AppendNode(dst, n)
}
