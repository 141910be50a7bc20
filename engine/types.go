package engine

import (
	"fmt"

	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// Record types, shared with the store (see package store for their fields
// and encodings).
type (
	Org          = store.Org
	Product      = store.Product
	ProductState = store.ProductState
	Lot          = store.Lot
	Block        = store.Block
	Link         = store.Link
	Category     = store.Category
	Level        = store.Level
	LevelSet     = store.LevelSet
	BlockState   = store.BlockState
	Scheme       = serial.Scheme
)

// Packaging levels (see store.Level).
const (
	LevelItem   = store.LevelItem
	LevelInner  = store.LevelInner
	LevelCase   = store.LevelCase
	LevelPallet = store.LevelPallet
)

// Block states (see store.BlockState).
const (
	BlockActive    = store.BlockActive
	BlockImporting = store.BlockImporting
	BlockVoided    = store.BlockVoided
)

// Schemes (see package serial).
const (
	SchemeGS1      = serial.GS1
	SchemeSGTIN96  = serial.SGTIN96
	SchemeNMPA     = serial.NMPA
	SchemeShort    = serial.Short
	SchemeImported = serial.Imported
)

// CategoryNames lists the category names; ParseCategory, ParseLevel and
// ParseScheme read the command-line names.
var (
	CategoryNames = store.CategoryNames
	ParseCategory = store.ParseCategory
	ParseLevel    = store.ParseLevel
	ParseScheme   = serial.ParseScheme
)

// CodeState is the state of one code as Lookup reports it. The per-item
// records add item states (commissioned, packed, shipped, …) above these.
type CodeState uint8

// The code states.
const (
	// StateIssued: the code is in an active block's issued range; it may
	// have been printed.
	StateIssued CodeState = 1
	// StateReleased: the code is in the released tail of a block — returned
	// unused by the line, never printed; a scan of it is suspicious.
	StateReleased CodeState = 2
	// StateVoided: the code's block was voided.
	StateVoided CodeState = 3
)

var codeStateNames = [...]string{"", "issued", "released", "voided"}

// String returns "issued", "released" or "voided".
func (s CodeState) String() string {
	if int(s) < len(codeStateNames) && s != 0 {
		return codeStateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText makes CodeState print as its name in JSON.
func (s CodeState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
