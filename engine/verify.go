package engine

import (
	"bytes"
	"fmt"
	"strings"

	"tracecode/engine/agg"
	"tracecode/engine/chain"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/verify"
)

// VerifyReport is what Verify found (see verify.Report).
type VerifyReport = verify.Report

// MaxVerifyProblems bounds the problems a VerifyReport lists.
const MaxVerifyProblems = verify.MaxProblems

// DamagedFile reports whether err comes from reading a damaged data file
// of the store, and says which and what was found (see
// verify.DamagedFile).
var DamagedFile = verify.DamagedFile

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
//     ledger implies and what the store holds (verify_replay.go).
//
// It reads everything, and writes a scratch store about the size of the
// derived records in a temporary directory, removed before it returns;
// reports wait while it runs (they would change what it compares).
func (e *Engine) Verify() (*VerifyReport, error) {
	rep := &VerifyReport{}
	bad := rep.Bad
	m := verifyMaster{e}
	// A damaged data file is reported as such, with its name; the checks
	// below would stop at its first unreadable block.
	dmg, err := e.db.CheckFiles()
	if err != nil {
		return nil, err
	}
	for _, d := range dmg {
		bad("data file "+d.File, "damaged: %s", d.Detail)
	}
	if len(dmg) > 0 {
		return rep, nil
	}
	ts, err := e.tr()
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
	snap := e.db.NewSnapshot()
	defer snap.Close()

	st, err := ledger.Verify(snap, e.checkRecord, rep.Add)
	if err != nil {
		return rep, rep.Damaged(err)
	}
	rep.Records, rep.Orgs, rep.Checkpoints, rep.IndexKeys = st.Records, st.Orgs, st.Checkpoints, st.IndexKeys

	if err := agg.Check(snap, e.locate, e.blockInfo, rep.Add); err != nil {
		return rep, rep.Damaged(err)
	}
	if err := verify.Items(snap, m, rep); err != nil {
		return rep, rep.Damaged(err)
	}
	if err := verify.ChainExtras(snap, ts.Ledger().NextSeq(), m, rep); err != nil {
		return rep, rep.Damaged(err)
	}
	if err := e.verifyDerived(snap, rep, bad); err != nil {
		return rep, rep.Damaged(err)
	}
	return rep, nil
}

// checkRecord checks a ledger record's content: its content hash and that
// its targets name known things.
func (e *Engine) checkRecord(s *ledger.Summary, p *ledger.Payload) error {
	if s.Kind == ledger.KindEPCIS {
		doc, err := epcis.ParseDocument(bytes.NewReader(p.Body), epcis.ParseOptions{})
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
			b := e.blockAt(t.Product, t.First)
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

// verifyMaster answers package verify's questions from the engine's
// in-memory state.
type verifyMaster struct{ e *Engine }

func (v verifyMaster) BlockAt(product uint32, counter uint64) *model.Block {
	return v.e.blockAt(product, counter)
}

func (v verifyMaster) BlockByID(id uint64) *model.Block { return v.e.iss.BlockByID(id) }

func (v verifyMaster) HasOrg(id uint32) bool { return v.e.iss.OrgByID(id) != nil }

func (v verifyMaster) Lot(id uint32) (model.Lot, error) { return v.e.Lot(id) }

// compareBlocks compares each block's released tail and state with the
// replica's, which applied the ledger again.
func (e *Engine) compareBlocks(x *Engine, bad func(string, string, ...any) bool) {
	e.iss.EachBlock(func(b *Block) {
		id := b.ID
		d := x.iss.BlockByID(id)
		if d == nil || b.Scheme == serial.Imported {
			return
		}
		if b.State != d.State || b.ReleasedFrom() != d.ReleasedFrom() {
			bad(fmt.Sprintf("block %d", id), "the ledger derives it %v, released from offset %d; the store holds it %v, released from offset %d",
				d.State, d.ReleasedFrom(), b.State, b.ReleasedFrom())
		}
	})
}
