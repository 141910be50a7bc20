package engine

import (
	"strconv"

	"tracecode/engine/agg"
)

// appendNode appends a node's name for people: the code's Digital Link (or
// its serial, NMPA code or short code), or "SSCC …".
func (e *Engine) appendNode(dst []byte, n agg.Node) []byte {
	if n.IsUnit() {
		return formatSSCC(append(dst, "SSCC "...), n.Counter)
	}
	b := e.blockAt(n.Product, n.Counter)
	if b == nil {
		return append(dst, n.String()...)
	}
	for _, fm := range []Format{FormatDL, FormatNMPA, FormatShort} {
		if out, err := e.appendCode(dst, b, n.Counter-b.Start, fm); err == nil {
			return out
		}
	}
	if out, err := e.appendCode(dst, b, n.Counter-b.Start, FormatSerial); err == nil {
		return out
	}
	dst = append(dst, "block "...)
	dst = strconv.AppendUint(dst, b.ID, 10)
	dst = append(dst, " offset "...)
	return strconv.AppendUint(dst, n.Counter-b.Start, 10)
}

// formatSSCC appends the 18 digits of a unit node's SSCC.
func formatSSCC(dst []byte, v uint64) []byte {
	var b [18]byte
	for i := 17; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[:]...)
}
