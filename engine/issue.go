package engine

import "tracecode/engine/issue"

// Issuance returns the engine's issuance office, its issue.Book: master
// data (AddOrg, Org, AddProduct, Product, AddLot, Lot …), mint and import,
// lookup, blocks, streams and formats (WriteCodes, Formats), sealed keys
// (SealKeys, RotateKEK), quotas, and Check, which compares the state in
// memory with a fresh load of the store.
func (e *Engine) Issuance() *issue.Book { return e.iss }

// nowMillis is the engine's clock in unix milliseconds.
func (e *Engine) nowMillis() int64 { return e.opts.Now().UnixMilli() }
