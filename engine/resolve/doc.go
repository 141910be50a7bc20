// Package resolve turns a scanned code into its Chain: identity, producer,
// product and lot, status, containment now and over time, the timeline of
// the records that reached it (its own, its containers', its lot's and
// product's), custody, associations, upstream lots and downstream
// handlers, and the public status a scan page shows.
//
// A Resolver reads the store, the item state and the ledger directly and
// keeps the caches resolutions share; it asks the rest of the engine —
// the issuance state, the clock, the in-memory marks of recalls, custody,
// associations and error declarations — through its Source. Reports tell
// it what they changed (Touched, Invalidate).
//
// The hot path allocates nothing once a reused Chain's slices have grown:
// the resolution's working state lives in the Chain.
package resolve
