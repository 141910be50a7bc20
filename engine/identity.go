package engine

import (
	"tracecode/engine/agg"
	"tracecode/engine/chain"
)

// appendNode appends a node's name for people: the code's Digital Link (or
// its serial, NMPA code or short code), or "SSCC …"
// (chain.BookIssuance.AppendNode).
func (e *Engine) appendNode(dst []byte, n agg.Node) []byte {
	return chain.BookIssuance{Book: e.iss}.AppendNode(dst, n)
}
