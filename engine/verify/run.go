package verify

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// Engine is what Run asks of the engine it verifies: the issuance state
// (Master and the methods below), its report chain, and a scratch engine
// the ledger is applied to again.
type Engine interface {
	Master
	// Product returns product id (an error if there is none).
	Product(id uint32) (model.Product, error)
	// OrgRegion returns organisation id's GB/T 2260 region (0 if none).
	OrgRegion(id uint32) uint32
	// EachBlock calls fn with every block.
	EachBlock(fn func(*model.Block))
	// Check checks the issuance state against a fresh load.
	Check() error
	// Chain returns the report chain, or an error once the engine closed.
	Chain() (*chain.Chain, error)
	// OpenReplica opens a scratch engine over the store in dir (master
	// data copied in), whose clock is now and whose commits skip fsync.
	OpenReplica(dir string, now func() time.Time) (Replica, error)
}

// Replica is the scratch engine Run applies the ledger to again.
type Replica interface {
	// Chain returns the scratch engine's report chain.
	Chain() (*chain.Chain, error)
	// DB returns the scratch store.
	DB() *store.DB
	// BlockByID returns block id of the scratch engine, or nil.
	BlockByID(id uint64) *model.Block
	// Close closes the scratch engine.
	Close() error
}

// Run checks the whole store db of engine e and says what is wrong where:
// the data files' checksums first (a damaged file is named, and nothing
// further is read), then, holding the report lock, the issuance Check, and
// over one snapshot the ledger, aggregation, item state, the chain's extra
// records and every derived record against a replay of the ledger
// (replay.go). In full:
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
func Run(db *store.DB, e Engine) (*Report, error) {
	rep := &Report{}
	bad := rep.Bad
	// A damaged data file is reported as such, with its name; the checks
	// below would stop at its first unreadable block.
	dmg, err := db.CheckFiles()
	if err != nil {
		return nil, err
	}
	for _, d := range dmg {
		bad("data file "+d.File, "damaged: %s", d.Detail)
	}
	if len(dmg) > 0 {
		return rep, nil
	}
	ts, err := e.Chain()
	if err != nil {
		return rep, rep.Damaged(err)
	}
	ts.Lock()
	defer ts.Unlock()
	if err := e.Check(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			bad("issuance", "%s", line)
		}
	}
	snap := db.NewSnapshot()
	defer snap.Close()

	st, err := ledger.Verify(snap, func(s *ledger.Summary, p *ledger.Payload) error { return checkRecord(e, s, p) }, rep.Add)
	if err != nil {
		return rep, rep.Damaged(err)
	}
	rep.Records, rep.Orgs, rep.Checkpoints, rep.IndexKeys = st.Records, st.Orgs, st.Checkpoints, st.IndexKeys

	if err := agg.Check(snap, locator(e), blockInfo(e), rep.Add); err != nil {
		return rep, rep.Damaged(err)
	}
	if err := Items(snap, e, rep); err != nil {
		return rep, rep.Damaged(err)
	}
	if err := ChainExtras(snap, ts.Ledger().NextSeq(), e, rep); err != nil {
		return rep, rep.Damaged(err)
	}
	if err := derived(e, snap, rep); err != nil {
		return rep, rep.Damaged(err)
	}
	return rep, nil
}

// locator adapts the block table to agg.Check: the block holding a code
// and its first counter.
func locator(m Master) func(product uint32, counter uint64) (uint64, uint64, bool) {
	return func(product uint32, counter uint64) (uint64, uint64, bool) {
		if b := m.BlockAt(product, counter); b != nil {
			return b.ID, b.Start, true
		}
		return 0, 0, false
	}
}

// blockInfo adapts the block table to agg.Check: a block's product and
// first counter.
func blockInfo(m Master) func(id uint64) (uint32, uint64, bool) {
	return func(id uint64) (uint32, uint64, bool) {
		if b := m.BlockByID(id); b != nil {
			return b.Product, b.Start, true
		}
		return 0, 0, false
	}
}

// checkRecord checks a ledger record's content: its content hash and that
// its targets name known things.
func checkRecord(e Engine, s *ledger.Summary, p *ledger.Payload) error {
	if s.Kind == ledger.KindEPCIS {
		doc, err := epcis.ParseDocument(bytes.NewReader(p.Body), epcis.ParseOptions{PersistentDispositionAnywhere: true})
		if err != nil {
			return fmt.Errorf("the stored event does not parse: %v", err)
		}
		if len(doc.Events) != 1 {
			return fmt.Errorf("the stored document holds %d events, want 1", len(doc.Events))
		}
		h, err := epcis.HashDigest(epcis.HashID(&doc.Events[0], nil))
		if err != nil {
			return err
		}
		if h != s.ContentHash {
			return fmt.Errorf("the stored event hashes to %x…, the record says %x…: the event was changed", h[:6], s.ContentHash[:6])
		}
	} else if h := chain.NativeHash(p, s); h != s.ContentHash {
		return fmt.Errorf("the payload hashes to %x…, the record says %x…", h[:6], s.ContentHash[:6])
	}
	for i, t := range p.Targets {
		switch t.Kind {
		case ledger.TargetRun:
			if t.Product == 0 {
				continue
			}
			b := e.BlockAt(t.Product, t.First)
			if b == nil || t.Last >= b.End() {
				return fmt.Errorf("target %d (counters %d..%d of product %d) is not inside one block", i, t.First, t.Last, t.Product)
			}
		case ledger.TargetLot:
			if _, err := e.Lot(t.Lot); err != nil {
				return fmt.Errorf("target %d: %v", i, err)
			}
		case ledger.TargetProduct:
			if _, err := e.Product(t.Product); err != nil {
				return fmt.Errorf("target %d: %v", i, err)
			}
		}
	}
	return nil
}

// compareBlocks compares each block's released tail and state with the
// replica's, which applied the ledger again.
func compareBlocks(e Engine, x Replica, bad func(string, string, ...any) bool) {
	e.EachBlock(func(b *model.Block) {
		id := b.ID
		d := x.BlockByID(id)
		if d == nil || b.Scheme == serial.Imported {
			return
		}
		if b.State != d.State || b.ReleasedFrom() != d.ReleasedFrom() {
			bad(fmt.Sprintf("block %d", id), "the ledger derives it %v, released from offset %d; the store holds it %v, released from offset %d",
				d.State, d.ReleasedFrom(), b.State, b.ReleasedFrom())
		}
	})
}
