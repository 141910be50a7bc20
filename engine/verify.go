package engine

import (
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/store"
	"tracecode/engine/verify"
)

// Verify checks the whole store and says what is wrong where:
//
//   - data files: every block of every table against its checksum (a
//     damaged file is named, and nothing further is read);
//   - issuance (Check): blocks, indexes, in-memory state;
//   - the ledger: every organisation's hash chain, every record's hash and
//     content (EPCIS events are re-parsed and their CBV hash ID
//     recomputed), every Merkle checkpoint, the event indexes;
//   - aggregation: child→parent runs and parent→children bitmaps agree
//     both ways, no child has two parents, no run crosses a block;
//   - item state against blocks and aggregation: bits only on issued
//     offsets, never commissioned and voided at once, decommissioned and
//     packed codes commissioned, no commissioned code in a released tail,
//     the packed bits exactly the children of the runs, every parent
//     flagged as a container, every code with its own index entries
//     flagged as having events, every unpacked code flagged as having
//     history;
//   - custody records, associations, error-declaration marks and eventID
//     entries name codes, organisations and records that exist (an
//     erroneous mark points from a captured event to a later declaration);
//   - every derived record against the ledger: the ledger is applied again,
//     record by record, to a scratch copy of the master data, and every
//     record that derives from it — item state, SSCC units, recall marks,
//     custody, associations, erroneous marks, event and reach indexes,
//     child→parent runs, children bitmaps, unpacking history, each block's
//     released tail and voided state — is compared key by key with the
//     store; a record deleted, altered or forged is named with what the
//     ledger implies and what the store holds (engine/verify/replay.go).
//
// It reads everything, and writes a scratch store about the size of the
// derived records in a temporary directory, removed before it returns;
// reports wait while it runs (they would change what it compares).
func (e *Engine) Verify() (*verify.Report, error) { return verify.Run(e.db, verifyEngine{e, e.iss}) }

// verifyEngine answers package verify's questions from the engine's
// in-memory state; over a scratch engine it is verify.Replica too.
type verifyEngine struct {
	e           *Engine
	*issue.Book // BlockAt, BlockByID, Lot, Product, OrgRegion, EachBlock, Check
}

func (v verifyEngine) HasOrg(id uint32) bool { return v.e.iss.OrgByID(id) != nil }

func (v verifyEngine) Chain() (*chain.Chain, error) { return v.e.tr() }

func (v verifyEngine) DB() *store.DB { return v.e.db }

func (v verifyEngine) Close() error { return v.e.Close() }

// OpenReplica opens the scratch engine verification applies the ledger to
// again: the engine's options with small caches, the clock now, no fsync.
func (v verifyEngine) OpenReplica(dir string, now func() time.Time) (verify.Replica, error) {
	o := v.e.opts
	o.Store = store.Options{CacheSize: 32 << 20}
	o.ResolveCache = 1 << 12
	o.Now = now
	x, err := Open(dir, &o)
	if err != nil {
		return nil, err
	}
	x.iss.SetNoSync(true)
	return verifyEngine{x, x.iss}, nil
}
