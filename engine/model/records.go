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
