package resolve

// Scopes names the answers a committed write can have changed, for caches
// of whole answers (the server's response and page caches), which keep one
// generation per product: the products whose items' chains changed — the
// items a record names, everything packed inside the containers it names
// (at any depth, of any product), the items of the lots and products it
// names — and the SSCC units among and inside them. All says any answer
// may have changed: the walk inside the containers was cut short, or the
// write changes answers no record names (a transformation adds upstream
// lots to whatever was made from its outputs).
//
// An answer depends on its code and on the containers above it; a write
// to a container names everything below it, so a cache checks an entry
// against the generation of the entry's own product (or unit) only.
type Scopes struct {
	All      bool
	Products []uint32 // ascending, no duplicates
	Units    []uint64 // SSCC counters (agg.UnitNode), ascending, no duplicates
}

// Empty reports whether s names nothing.
func (s *Scopes) Empty() bool { return !s.All && len(s.Products) == 0 && len(s.Units) == 0 }
