package engine

import (
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/store"
	"tracecode/engine/verify"
)

// Verify checks the whole store and says what is wrong where (verify.Run
// lists what it checks: data files, issuance, the ledger, aggregation, item
// state, the chain's extra records, every derived record against the ledger).
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
