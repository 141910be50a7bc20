// Package category is the category profile mechanism: what makes a gas
// cylinder, an elevator or a pesticide more than a label on a product.
//
// A category is a Go type implementing Profile, in its own package under
// engine/category (cylinder, elevator, pesticide …). A profile declares
//
//   - the master data a product of the category and each of its items must
//     have (FieldSpecs, validated on create by ValidateProduct and
//     ValidateItem, with the profile's own cross-field checks);
//   - the event kinds it knows and their required fields (EventSpecs,
//     validated on capture by ValidateEvent, with the history the event
//     joins: a fill needs the cylinder to pass the interlock, a 合格证
//     cannot be issued inside a safety interval);
//   - the derived facts a scan page and the JSON answer show (next
//     inspection due, last fill, filler, maintainer …), in Chinese and
//     English;
//   - the alert rules it contributes (Rule: an id, a severity and a pure
//     function from the item's history and one event to findings, which
//     Finding.Alert turns into engine/alert alerts);
//   - the code formats its items carry (code.SectorFormat).
//
// Category data travels in EPCIS 2.0 events as extension members in the
// project namespace NS (prefix "tc", e.g. "tc:kind": "fill",
// "tc:station": "…"), so it is exported losslessly with the event:
// FromEPCIS reads them, Extensions writes them.
//
// Adding a category is adding one profile package and registering it (the
// package's Profile value passed to Register, done by engine/category/all);
// nothing else in the engine changes. docs/categories.md describes the
// mechanism and every category.
//
// The package is pure: no I/O, no store. Values are text as received
// (Record), parsed by the field's Kind when validated or read.
package category
