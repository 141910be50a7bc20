package replica

import (
	"sync"

	"tracecode/engine/ledger"
	"tracecode/engine/resolve"
	"tracecode/engine/store"
)

// Targets collects the targets of the ledger records in the batches a
// replica applied until its engine refreshes (engine.Engine.Refresh),
// which turns them into the answers they can have changed (Scopes). The
// zero value is empty; safe for concurrent use.
type Targets struct {
	mu   sync.Mutex
	recs [][]ledger.Target // GUARDED_BY(mu)
	over bool              // GUARDED_BY(mu): too many, or a batch unread: every answer
}

// maxPending bounds the records kept between refreshes; past it a
// refresh says every answer changed (a replica catching up).
const maxPending = 1 << 16

// Add collects the targets of the records the applied batches reprs set.
// A record it cannot read makes the next refresh announce everything
// (the batch itself was applied: its checks are the store's).
func (p *Targets) Add(reprs [][]byte) {
	var recs [][]ledger.Target
	bad := false
	for _, repr := range reprs {
		err := store.BatchPayloads(repr, func(v []byte) error {
			pl, err := ledger.DecodePayload(v)
			recs = append(recs, pl.Targets)
			return err
		})
		bad = bad || err != nil
	}
	p.mu.Lock()
	if p.recs = append(p.recs, recs...); len(p.recs) > maxPending || bad {
		p.recs, p.over = nil, true
	}
	p.mu.Unlock()
}

// Scopes returns what a refresh of the families f can have changed, taking
// the targets collected: for the report chain's families alone (and
// those no answer holds: scans, statistics, keys, accounts), what the
// records naming them changed, as walk (chain.Chain.ScopesOf) finds
// inside the containers now; for master data, notices, credit, category
// data or anything else, every answer. The targets are taken only by a
// refresh of the report chain: one of the batches they came from may not
// have reached f yet, and the refresh that reloads the chain after they
// were applied is the one to announce them.
func (p *Targets) Scopes(f Families, walk func(recs [][]ledger.Target) *resolve.Scopes) *resolve.Scopes {
	if f&store.FamTrace == 0 && f&^(FamScans|FamStats|FamKeys|FamAccounts) == 0 {
		return &resolve.Scopes{}
	}
	p.mu.Lock()
	recs, over := p.recs, p.over
	if f&store.FamTrace != 0 {
		p.recs, p.over = nil, false
	}
	p.mu.Unlock()
	if f&^(store.FamTrace|FamScans|FamStats|FamKeys|FamAccounts) != 0 || over || len(recs) == 0 {
		// A report-chain batch without records (a checkpoint) is rare
		// enough to count as everything.
		return &resolve.Scopes{All: true}
	}
	return walk(recs)
}
