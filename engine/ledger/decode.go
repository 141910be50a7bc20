package ledger

import "tracecode/engine/internal/wire"

// decoder reads one record; the first error sticks and names the record
// type and byte offset.
type decoder = wire.Reader

func newDecoder(what string, v []byte) *decoder {
	return wire.NewReader(what, v)
}

// readPairs reads a count and that many (type, id) pairs.
func readPairs(d *decoder) []Pair {
	n := d.Count()
	if n == 0 {
		return nil
	}
	ps := make([]Pair, 0, n)
	for i := 0; i < n && d.Err == nil; i++ {
		ps = append(ps, Pair{Type: d.Str(), ID: d.Str()})
	}
	return ps
}
