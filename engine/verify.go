package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/itemstate"
	"tracecode/engine/ledger"
	"tracecode/engine/store"
)

// VerifyReport is what Verify found. Problems is empty when the store is
// consistent.
type VerifyReport struct {
	Problems []string // "where: what is wrong", at most MaxVerifyProblems
	Dropped  int      // problems found beyond MaxVerifyProblems

	Records     uint64 // ledger records checked (hash, chain, content)
	Orgs        int    // organisation logs
	Checkpoints int    // Merkle checkpoints recomputed
	IndexKeys   uint64 // event index entries
	Chunks      int    // item-state chunks
	Runs        int    // child→parent runs
	Packed      uint64 // codes packed in a parent now
	Replayed    uint64 // ledger records applied again to re-derive the derived records
	Derived     uint64 // derived records compared with the ones the ledger implies
}

// OK reports whether no problem was found.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 && r.Dropped == 0 }

// Err returns the problems as one error, or nil.
func (r *VerifyReport) Err() error {
	if r.OK() {
		return nil
	}
	n := len(r.Problems) + r.Dropped
	return fmt.Errorf("engine: verify: %d problem(s): %s", n, strings.Join(r.Problems[:min(len(r.Problems), 10)], "; "))
}

// MaxVerifyProblems bounds the problems a VerifyReport lists.
const MaxVerifyProblems = 1000

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
	bad := func(where, format string, args ...any) bool {
		if len(rep.Problems) >= MaxVerifyProblems {
			rep.Dropped++
			return false
		}
		rep.Problems = append(rep.Problems, where+": "+fmt.Sprintf(format, args...))
		return true
	}
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
		return rep, damaged(err, bad)
	}
	ts.rmu.Lock()
	defer ts.rmu.Unlock()
	if err := e.Check(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			bad("issuance", "%s", line)
		}
	}
	snap := e.db.NewSnapshot()
	defer snap.Close()

	st, err := ledger.Verify(snap, e.checkRecord, func(p ledger.Problem) bool { return bad(p.Where, "%s", p.What) })
	if err != nil {
		return rep, damaged(err, bad)
	}
	rep.Records, rep.Orgs, rep.Checkpoints, rep.IndexKeys = st.Records, st.Orgs, st.Checkpoints, st.IndexKeys

	if err := agg.Check(snap, e.locate, e.blockInfo, func(p agg.Problem) bool { return bad(p.Where, "%s", p.What) }); err != nil {
		return rep, damaged(err, bad)
	}
	if err := e.verifyItems(snap, rep, bad); err != nil {
		return rep, damaged(err, bad)
	}
	if err := e.verifyChainExtras(snap, ts.led.NextSeq(), bad); err != nil {
		return rep, damaged(err, bad)
	}
	if err := e.verifyDerived(snap, rep, bad); err != nil {
		return rep, damaged(err, bad)
	}
	return rep, nil
}

// damaged turns a read error caused by a damaged data file into a problem
// (and nil); any other error is returned.
func damaged(err error, bad func(string, string, ...any) bool) error {
	d, ok := store.AsDamage(err)
	if !ok {
		return err
	}
	where := "data file " + d.File
	if d.File == "" {
		where = "data files"
	}
	bad(where, "damaged: %s", d.Detail)
	return nil
}

// DamagedFile reports whether err comes from reading a damaged data file
// of the store, and says which and what was found ("data file 000005.sst
// is damaged: …"). Such an error is damage to restore from a replica or a
// backup, not a fault of the engine or of the input.
func DamagedFile(err error) (string, bool) {
	d, ok := store.AsDamage(err)
	return d.String(), ok
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
		h, err := hashDigest(epcis.HashID(&doc.Events[0], nil))
		if err != nil {
			return err
		}
		if h != s.ContentHash {
			return fmt.Errorf("the stored event hashes to %x…, the record says %x…: the event was changed", h[:6], s.ContentHash[:6])
		}
	} else if h := nativeHash(p, s); h != s.ContentHash {
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

// hashDigest extracts the SHA-256 digest of a CBV event hash ID
// (ni:///sha-256;HEX?ver=CBV2.0).
func hashDigest(id string) ([32]byte, error) {
	var h [32]byte
	const pre = "ni:///sha-256;"
	if !strings.HasPrefix(id, pre) || len(id) < len(pre)+64 {
		return h, fmt.Errorf("engine: %q is not a CBV event hash ID", id)
	}
	if _, err := hex.Decode(h[:], []byte(id[len(pre):len(pre)+64])); err != nil {
		return h, fmt.Errorf("engine: event hash ID %q: %v", id, err)
	}
	return h, nil
}

// verifyItems checks item state against blocks, runs and indexes.
func (e *Engine) verifyItems(snap *store.Snapshot, rep *VerifyReport, bad func(string, string, ...any) bool) error {
	type cid struct {
		block uint64
		chunk uint32
	}
	chunks := map[cid]*itemstate.Chunk{}
	var packedBits uint64
	err := itemstate.Scan(snap, func(block uint64, ch uint32, c *itemstate.Chunk) error {
		rep.Chunks++
		chunks[cid{block, ch}] = c
		where := fmt.Sprintf("item state of block %d chunk %d", block, ch)
		e.mu.RLock()
		b := e.st.blocks[block]
		e.mu.RUnlock()
		if b == nil {
			bad(where, "the block does not exist")
			return nil
		}
		base := uint64(ch) << itemstate.ChunkBits
		if m, ok := c.Max(); ok && base+uint64(m) >= b.Count {
			bad(where, "offset %d is beyond the block's %d codes", base+uint64(m), b.Count)
		}
		com := c.Bitmap(itemstate.Commissioned)
		if v := c.Bitmap(itemstate.Voided); v != nil && com != nil && v.Intersects(com) {
			bad(where, "%d codes are both commissioned and voided", v.AndCardinality(com))
		}
		for _, k := range []itemstate.Kind{itemstate.Decommissioned, itemstate.Packed, itemstate.Container} {
			if x := c.Bitmap(k); x != nil && (com == nil || x.AndCardinality(com) != x.GetCardinality()) {
				bad(where, "some %s codes are not commissioned", k)
			}
		}
		if com != nil {
			rf := b.ReleasedFrom()
			if rf < base+itemstate.ChunkSize && rf >= base {
				if n := com.CardinalityInRange(rf-base, itemstate.ChunkSize); n > 0 {
					bad(where, "%d commissioned codes lie in the tail released from offset %d", n, rf)
				}
			} else if rf < base && !com.IsEmpty() {
				bad(where, "commissioned codes lie in the tail released from offset %d", rf)
			}
		}
		if p := c.Bitmap(itemstate.Packed); p != nil {
			packedBits += p.GetCardinality()
		}
		return nil
	})
	if err != nil {
		return err
	}
	has := func(k itemstate.Kind, block, off uint64) bool {
		c := chunks[cid{block, uint32(off >> itemstate.ChunkBits)}]
		return c != nil && c.Has(k, uint32(off&(itemstate.ChunkSize-1)))
	}
	unitState := func(v uint64) (itemstate.State, bool) {
		u, found, err := getUnitSnap(snap, v)
		if err != nil || !found {
			return 0, false
		}
		return itemstate.State(u.State), true
	}
	// Runs: every child packed; counts match.
	var runLen uint64
	lo := []byte{store.PrefixChildParent}
	err = snap.Scan(lo, store.PrefixEnd(lo), func(k, v []byte) error {
		r, err := agg.DecodeRun(k, v)
		if err != nil {
			return nil // agg.Check reported it
		}
		rep.Runs++
		where := fmt.Sprintf("run %s..%d", agg.Node{Product: r.Product, Counter: r.First}, r.Last)
		if r.Product == 0 {
			if st, ok := unitState(r.First); !ok || !st.Has(itemstate.Packed) {
				bad(where, "the SSCC unit is not flagged packed")
			}
		} else {
			runLen += r.Len()
			b := e.blockAt(r.Product, r.First)
			if b == nil {
				return nil
			}
			for c := r.First; c <= r.Last; c++ {
				if !has(itemstate.Packed, b.ID, c-b.Start) {
					bad(where, "child %d is not flagged packed", c)
					break
				}
			}
		}
		if p := r.Parent; p.IsUnit() {
			if st, ok := unitState(p.Counter); !ok || !st.Has(itemstate.Container) {
				bad(where, "parent %s is not a registered container unit", p)
			}
		} else if b := e.blockAt(p.Product, p.Counter); b == nil || !has(itemstate.Container, b.ID, p.Counter-b.Start) {
			bad(where, "parent %s is not flagged as a container", p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rep.Packed = runLen
	if runLen != packedBits {
		bad("item state", "%d codes are flagged packed but the child→parent runs hold %d", packedBits, runLen)
	}
	// Point-indexed codes have the events flag; unpacked codes the history flag.
	check := func(prefix byte, k itemstate.Kind, what string, nodeAt func(key []byte) (agg.Node, bool)) error {
		lo := []byte{prefix}
		return snap.Scan(lo, store.PrefixEnd(lo), func(key, v []byte) error {
			n, ok := nodeAt(key)
			if !ok {
				return nil
			}
			if n.IsUnit() {
				if st, ok := unitState(n.Counter); !ok || !st.Has(k) {
					bad(what+" "+n.String(), "the SSCC unit is not flagged %s", k)
				}
				return nil
			}
			b := e.blockAt(n.Product, n.Counter)
			if b == nil {
				bad(what+" "+n.String(), "the code is in no block")
				return nil
			}
			if !has(k, b.ID, n.Counter-b.Start) {
				bad(what+" "+n.String(), "the code is not flagged %s", k)
			}
			return nil
		})
	}
	if err := check(store.PrefixEvNode, itemstate.Events, "event index of", func(key []byte) (agg.Node, bool) {
		if len(key) != 21 {
			return agg.Node{}, false
		}
		return agg.DecodeNodeKey(key[1:]), true
	}); err != nil {
		return err
	}
	if err := check(store.PrefixEvParent, itemstate.Container, "packing index of", func(key []byte) (agg.Node, bool) {
		if len(key) != 21 {
			return agg.Node{}, false
		}
		return agg.DecodeNodeKey(key[1:]), true
	}); err != nil {
		return err
	}
	return check(store.PrefixChildHistory, itemstate.History, "history of", func(key []byte) (agg.Node, bool) {
		if len(key) != 21 {
			return agg.Node{}, false
		}
		return agg.Node{Product: binary.BigEndian.Uint32(key[1:]), Counter: binary.BigEndian.Uint64(key[5:])}, true
	})
}

// getUnitSnap reads a unit record from a snapshot.
func getUnitSnap(snap *store.Snapshot, v uint64) (agg.Unit, bool, error) {
	var u agg.Unit
	found, err := snap.Get(agg.AppendUnitKey(nil, v), func(b []byte) error {
		var err error
		u, err = agg.DecodeUnit(v, b)
		return err
	})
	return u, found, err
}
