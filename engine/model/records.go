package model

import (
	"tracecode/engine/code/gs1"
	"tracecode/engine/serial"
)

// Org is an organisation: a producer, importer, distributor or operator.
//
// Package store encodes it (store.AppendOrg, docs/storage.md).
type Org struct {
	ID      uint32   // dictionary id, from 1, never reused
	Name    string   // legal name (Chinese)
	NameEN  string   // English name, may be empty
	USCC    string   // unified social credit code (18 chars, GB 32100), may be empty
	Region  uint32   // GB/T 2260 six-digit administrative division; 0 = unknown
	GCPs    []string // GS1 company prefixes (4–12 digits) the organisation owns
	Created int64    // unix milliseconds
}

// Link is a typed link of a product, e.g. {Type: "gs1:pip", URL: "https://…"}.
type Link struct {
	Type string // a GS1 link type (gs1:pip, gs1:epil, …) or a deployment's own
	URL  string
}

// Product is a trade item: one GTIN, or one own product code, with its
// names, category, packaging levels and links.
//
// Package store encodes it (store.AppendProduct, docs/storage.md).
type Product struct {
	ID            uint32        // dictionary id, from 1, never reused
	Org           uint32        // owning organisation
	GTIN          gs1.GTIN      // zero if the product has no GTIN
	OwnCode       string        // product code outside GS1 (≤ 20 chars of CSET 82), may be empty
	DrugID        string        // 7-digit NMPA drug identification code (药品标识码), may be empty
	GCPLength     uint8         // digits of the GS1 company prefix inside GTIN (6–12); 0 if no GTIN
	Category      Category      // regulatory category
	Levels        LevelSet      // packaging levels codes may be minted for
	DefaultScheme serial.Scheme // scheme used when a mint names none
	NameZH        string        // name in Chinese
	NameEN        string        // name in English, may be empty
	Links         []Link        // product information page and other links
	Created       int64         // unix milliseconds
	// Revision counts the amendments of the record (engine/amend): 0 as
	// created, one more for each rewrite of its names or links. Caches of
	// what is derived from the record key on (ID, Revision).
	Revision uint32
	// LevelGTINs are the GTINs of the product's higher packaging levels
	// (inner pack, case), GS1's rule of a distinct GTIN per level; zero
	// entries are undeclared. GTIN identifies the product's lowest level.
	// A declared level GTIN never changes (codes are printed with it).
	LevelGTINs LevelGTINs
}

// LevelGTINs holds a GTIN per packaging level, indexed by Level; only
// LevelInner and LevelCase are ever set (a pallet is a logistic unit,
// identified by an SSCC, not a trade item).
type LevelGTINs [numLevels]gs1.GTIN

// Of returns level l's GTIN, zero if undeclared (or l is not a level).
func (g *LevelGTINs) Of(l Level) gs1.GTIN {
	if !l.Valid() {
		return gs1.GTIN{}
	}
	return g[l]
}

// Declared lists the levels with a GTIN, in ascending order.
func (g *LevelGTINs) Declared() []Level {
	var ls []Level
	for l := LevelItem; l < numLevels; l++ {
		if !g[l].IsZero() {
			ls = append(ls, l)
		}
	}
	return ls
}

// LevelOf returns the level whose GTIN is x (false if none).
func (g *LevelGTINs) LevelOf(x gs1.GTIN) (Level, bool) {
	for l := LevelItem; l < numLevels; l++ {
		if !g[l].IsZero() && g[l] == x {
			return l, true
		}
	}
	return 0, false
}

// Lowest returns the lowest of the product's levels: the level its GTIN
// identifies (LevelItem when Levels is empty).
func (p *Product) Lowest() Level {
	for l := LevelItem; l < numLevels; l++ {
		if p.Levels.Has(l) {
			return l
		}
	}
	return LevelItem
}

// NeedsLevelGTIN reports whether codes of level l printed with the
// product's GS1 forms need a GTIN of their own: l is an inner pack or a
// case above the product's lowest level (the level its GTIN identifies).
func (p *Product) NeedsLevelGTIN(l Level) bool {
	return (l == LevelInner || l == LevelCase) && l > p.Lowest()
}

// ProductState is the mutable allocation state of a product, kept apart
// from Product so that a mint rewrites a few bytes, not the product.
//
// Package store encodes it (store.AppendProductState, docs/storage.md).
type ProductState struct {
	// HighWater is the first counter never allocated: every block of the
	// product lies in [0, HighWater). It only grows.
	HighWater uint64
	// Issued counts the codes allocated under each scheme (blocks' counts,
	// released tails included), for the per-scheme caps.
	Issued [serial.NumSchemes]uint64
}

// Lot is a production lot (batch) of a product.
//
// Package store encodes it (store.AppendLot, docs/storage.md).
type Lot struct {
	ID       uint32 // dictionary id, from 1, never reused
	Product  uint32 // the product the lot belongs to
	Number   string // lot number, AI (10): 1–20 characters of CSET 82
	Produced uint32 // production date as yyyymmdd; 0 = unknown
	Expiry   uint32 // expiry date as yyyymmdd; 0 = none
	Site     string // production site (GLN or free text), may be empty
	Created  int64  // unix milliseconds
	Revision uint32 // amendments of the record (engine/amend): 0 as created, one more per rewrite of its dates or site
}
