// Package model holds the domain types of tracecode: organisations,
// products, lots, blocks of codes, packaging levels, categories and
// serial schemes. They are plain values with no I/O; package store encodes
// and decodes them (store imports model, never the reverse), and every
// other engine package speaks in them.
package model

import "tracecode/engine/serial"

// Scheme is how a block's codes are derived and written (see package
// serial).
type Scheme = serial.Scheme
