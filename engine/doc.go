// Package engine is the traceability engine's core: one Pebble store per
// data directory holding master data (organisations, products, lots) and
// code issuance for printing lines.
//
// The package is a facade: Open and Close, the options, and accessors to
// the offices that do the work — Issuance (issue.Book: master data, mint,
// import, lookup), Reports (chain.Chain: line reports, packing, EPCIS
// capture, recalls), Amendments, Sectors, Queries, Credit, SpotChecks,
// Complaints, Sites, Accounts, OneStop, Exports, Statistics — each in its
// own package with its own types and errors (docs/architecture.md).
//
// # Issuance in one paragraph
//
// A mint allocates a block of product counters [start, start+count) and
// writes one block record, whatever the count: no per-code record exists.
// The i-th code of a block is FF1_K(start+i) — NIST SP 800-38G FF1 under the
// product's AES-256 key, in the domain of the block's scheme (see package
// serial) — so codes are unique per product by construction and
// unguessable without the key. A scanned code decrypts back to its counter;
// a counter at or above the product's high-water mark, or in no block, was
// never issued. Blocks are held in RAM in a sorted index per product
// (loaded at Open, also persisted), so Lookup does no disk read for minted
// codes. Imported blocks (serials minted elsewhere) are the exception: their
// serials are bulk-loaded with SSTable ingestion, and a bloom filter per
// block in RAM rejects most never-issued foreign serials without a read.
//
// # Durability and idempotency
//
// Mint returns only after the block record, the product's new high-water
// mark and the idempotency record are committed in one batch with fsync.
// Allocation is serialized; concurrent Mint calls are group-committed (one
// batch, one fsync per group). A retried request id returns the same block
// and mints nothing; the same id with different parameters is a
// *model.ConflictError naming the field.
//
// # Concurrency
//
// All methods are safe for concurrent use. Reads (Lookup, streaming, master
// data queries) take a read lock on the in-memory state; writes are
// serialized by a writer mutex and publish their effect after their batch
// is durable.
//
// docs/storage.md describes the key layout and value encodings;
// docs/serials.md the schemes and their guess probabilities.
package engine
