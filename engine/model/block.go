package model

import "tracecode/engine/serial"

// Block is one allocation of codes: the product counters [Start, Start+Count)
// of one product, under one scheme, for one lot and packaging level. A block
// of any size is this one record; no per-code record exists until a line
// reports on a code (the per-item records, keyed by product and counter).
//
// Package store encodes it (store.AppendBlock, docs/storage.md).
type Block struct {
	ID        uint64        // global block id, from 1, never reused
	Org       uint32        // organisation that requested the block (owner of the product)
	Product   uint32        // product id
	Lot       uint32        // lot id; 0 = no lot
	Level     Level         // packaging level the codes are printed on
	Scheme    serial.Scheme // how codes are derived and written
	KeyGen    uint8         // FF1 key generation of the product (or of the short-code key)
	State     BlockState    // active, importing, voided
	Flags     uint8         // BlockFlag… bits
	Start     uint64        // first product counter of the block
	Count     uint64        // number of codes; ≥ 1
	Requested uint64        // count asked for; > Count when partially fulfilled
	Released  uint64        // codes returned unused at the tail: offsets [Count−Released, Count)
	// ShortStart is the first engine-wide short-code counter of a Short
	// block: code i of the block is global counter ShortStart+i. Of an
	// SSCC block it is the first serial reference: code i is the SSCC
	// with extension digit 0, the product's company prefix and serial
	// reference ShortStart+i.
	ShortStart uint64
	RequestID  string // client request id (idempotency key within Org), may be empty
	Note       string // why the block was voided or released, free text
	Created    int64  // unix milliseconds
	Updated    int64  // unix milliseconds of the last release or void; 0 if none
}

// Block flags.
const (
	// BlockFlagAllowPartial records that the request accepted partial
	// fulfilment (part of the idempotency comparison).
	BlockFlagAllowPartial uint8 = 1 << 0
	// BlockFlagLevelGTIN records that the block's codes are printed with
	// the GTIN its product declares for the block's level
	// (Product.LevelGTINs), not the product's GTIN. Blocks minted before
	// the level GTIN was declared keep the product's GTIN, as printed.
	BlockFlagLevelGTIN uint8 = 1 << 1
)

// End returns Start+Count, the first counter after the block.
func (b *Block) End() uint64 { return b.Start + b.Count }

// ReleasedFrom returns the first released offset; Count if nothing is
// released.
func (b *Block) ReleasedFrom() uint64 { return b.Count - b.Released }

// MaxDepth bounds the nesting the engine follows (item → bundle → case →
// pallet needs 3).
const MaxDepth = 8
