// Package agg stores aggregation — which code is packed in which — for any
// depth of nesting (item → bundle → case → pallet), now and over time.
//
// Two indexes hold the present, and they must always agree:
//
//   - child→parent as a range index: one key per run of consecutive child
//     counters of one product packed into the same parent by the same
//     report, (product, first counter) → (last counter, parent, since,
//     report). A line packs in print order, so a case of ten consecutive
//     items is one key, not ten; arbitrary children still work (runs of
//     one). The run covering a counter is found with one SeekLT, or in
//     memory from a ParentWindow: a line's runs of 1,024 counters held as
//     a few strides.
//   - parent→children as one roaring bitmap of block offsets per (parent,
//     child block), plus one key per SSCC child.
//
// Unpacking splits runs and moves the removed parts to two history
// indexes: per child (windowed runs, found by a bounded scan) and per
// parent (one record per unpacking report), so "where was this item on
// 3 March" and "what was on this pallet" both have answers. Who and when
// come from the ledger record of the report (its sequence number is kept).
//
// The package checks nothing about business rules (ownership, levels,
// commissioning); the engine does, before calling it. It does check its
// own invariants: a child has at most one parent, runs never overlap.
package agg

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// Node is a code that can sit in a containment tree: an issued code, named
// by its product and product counter, or an SSCC logistic unit (Product 0,
// Counter = the 18-digit SSCC as a number, check digit included). Node is
// a small comparable value, usable as a map key.
type Node struct {
	Product uint32 // product id; 0 for an SSCC unit
	Counter uint64 // product counter, or the SSCC
}

// UnitNode returns the node of an SSCC given as a number (< 10^18).
func UnitNode(sscc uint64) Node { return Node{Counter: sscc} }

// IsUnit reports whether n is an SSCC logistic unit.
func (n Node) IsUnit() bool { return n.Product == 0 }

// IsZero reports whether n is the zero Node (no node).
func (n Node) IsZero() bool { return n == Node{} }

// NodeKeyLen is the length of a node inside a key.
const NodeKeyLen = 12

// AppendKey appends n as it appears inside keys: product u32 | counter
// u64, big-endian, so a product's nodes sort by counter.
func (n Node) AppendKey(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, n.Product)
	return binary.BigEndian.AppendUint64(dst, n.Counter)
}

// DecodeNodeKey reads a node from the first NodeKeyLen bytes of b.
func DecodeNodeKey(b []byte) Node {
	return Node{Product: binary.BigEndian.Uint32(b), Counter: binary.BigEndian.Uint64(b[4:])}
}

// String returns "p7/c1234" for an issued code and "sscc/…" (18 digits)
// for a unit: a debugging form, not a code.
func (n Node) String() string {
	if n.IsUnit() {
		return fmt.Sprintf("sscc/%018d", n.Counter)
	}
	return "p" + strconv.FormatUint(uint64(n.Product), 10) + "/c" + strconv.FormatUint(n.Counter, 10)
}
