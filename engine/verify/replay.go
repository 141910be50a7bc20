package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// The ledger is the record of what happened; every other per-item record —
// item state, SSCC units, recall marks, custody, associations, error
// marks, aggregation (present and past), the event indexes, a block's
// released tail and voided state — is derived from it by the report rules.
// Verify re-derives all of it: it copies the master data (organisations,
// products, lots, blocks as minted, keys) into a scratch store, applies
// every ledger record again, in sequence order, through the same report
// paths that applied it the first time (so the rules have one owner), and
// compares what that writes with what the store holds, key by key. Deleting
// a lot's recall mark, clearing a recalled bit, forging a custody record or
// a run: each shows as a key whose value differs from the one the ledger
// implies. The scratch store lives in a temporary directory for the
// duration of Verify; both stores are read by streaming iterators.

// replica is the scratch engine Run replays the ledger into.
type replica struct {
	x     Replica // the scratch engine
	clock atomic.Int64
}

// derived replays the ledger and compares every derived record.
func derived(e Engine, snap *store.Snapshot, rep *Report) error {
	bad := rep.Bad
	dir, err := os.MkdirTemp("", "tracecode-verify-")
	if err != nil {
		return fmt.Errorf("engine: verify: scratch store: %w", err)
	}
	defer os.RemoveAll(dir)
	r, err := openReplica(e, snap, dir)
	if err != nil {
		return err
	}
	defer r.x.Close()
	ok, err := r.replay(e, snap, rep, bad)
	if err != nil || !ok {
		return err
	}
	if err := r.x.DB().Flush(); err != nil {
		return fmt.Errorf("engine: verify: scratch store: %w", err)
	}
	if err := Derived(snap, r.x.DB(), e, rep); err != nil {
		return err
	}
	compareBlocks(e, r.x, bad)
	return nil
}

// openReplica copies the master data of snap into a fresh store in dir, with
// every block as minted (active, nothing released: releases and voids are
// ledger records, replayed like the rest), and opens an engine on it whose
// clock is the record time of the record being replayed.
func openReplica(e Engine, snap *store.Snapshot, dir string) (*replica, error) {
	db, err := store.Open(dir, &store.Options{CacheSize: 32 << 20})
	if err != nil {
		return nil, fmt.Errorf("engine: verify: scratch store: %w", err)
	}
	b := db.NewBatch()
	var vb []byte
	lo, hi := store.IssuanceBounds()
	err = snap.Scan(lo, hi, func(k, v []byte) error {
		if store.BlockKeys.Has(k) {
			id, err := store.DecodeBlockKey(k)
			if err != nil {
				return nil // Check reports it
			}
			blk, err := store.DecodeBlock(id, v)
			if err != nil {
				return nil
			}
			if blk.Scheme != serial.Imported {
				// An imported block is voided by a failed import, which no
				// record logs; its state is taken as stored.
				blk.State, blk.Released = model.BlockActive, 0
			}
			vb = store.AppendBlock(vb[:0], &blk)
			v = vb
		}
		b.Set(k, v)
		if b.Len() >= 4<<20 {
			if err := b.Commit(false); err != nil {
				return err
			}
			b = db.NewBatch()
		}
		return nil
	})
	if err == nil {
		err = b.Commit(false)
	} else {
		b.Close()
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("engine: verify: copy master data: %w", err)
	}
	r := &replica{}
	if r.x, err = e.OpenReplica(dir, func() time.Time { return time.UnixMilli(r.clock.Load()) }); err != nil {
		return nil, fmt.Errorf("engine: verify: scratch engine: %w", err)
	}
	return r, nil
}

// errNoReplay: a record that names something the replay cannot express.
var errNoReplay = errors.New("cannot be applied again")

// replay applies every record of snap's ledger to the scratch engine, in
// sequence order. It reports false (with a problem) at the first record
// that the scratch engine refuses or applies differently: the records after
// it would derive from a different state, so nothing is compared.
func (r *replica) replay(e Engine, snap *store.Snapshot, rep *Report, bad func(string, string, ...any) bool) (bool, error) {
	ok := true
	lo, hi := store.EventKeys.Bounds()
	err := snap.Scan(lo, hi, func(k, v []byte) error {
		seq, err := store.DecodeSeqKey(k)
		if err != nil {
			return nil // ledger.Verify reports it
		}
		s, err := ledger.DecodeSummary(seq, v)
		if err != nil {
			bad(fmt.Sprintf("record %d", seq), "cannot be applied again: %v", err)
			ok = false
			return errStop
		}
		var p ledger.Payload
		found, err := snap.Get(ledger.AppendPayloadKey(nil, seq), func(v []byte) (err error) {
			p, err = ledger.DecodePayload(v)
			return err
		})
		if err != nil || !found {
			bad(fmt.Sprintf("record %d", seq), "cannot be applied again: its payload is missing or unreadable (%v)", err)
			ok = false
			return errStop
		}
		r.clock.Store(s.RecordTime)
		rec, err := r.apply(e, snap, &s, &p)
		switch {
		case err != nil:
			if _, dmg := store.AsDamage(err); dmg {
				return err
			}
			bad(fmt.Sprintf("record %d (%s of organisation %d)", seq, s.Kind, s.Org),
				"does not apply again to the state the records before it derive: %v", err)
		case rec == nil || rec.Records != 1 || rec.FirstSeq != seq:
			got := chain.Receipt{}
			if rec != nil {
				got = *rec
			}
			bad(fmt.Sprintf("record %d (%s of organisation %d)", seq, s.Kind, s.Org),
				"applied again, it makes %d record(s) from %d", got.Records, got.FirstSeq)
		default:
			rep.Replayed++
			return nil
		}
		ok = false
		return errStop
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if !ok && err == nil {
		bad("derived records", "not compared: the ledger could not be replayed to the end")
	}
	return ok, err
}

// errStop ends a scan early.
var errStop = errors.New("stop")

// apply applies one record to the scratch engine through the report path
// that made it.
func (r *replica) apply(e Engine, snap *store.Snapshot, s *ledger.Summary, p *ledger.Payload) (*chain.Receipt, error) {
	meta := chain.ReportMeta{Org: s.Org, Credential: s.Credential,
		Time:      time.UnixMilli(s.EventTime).In(time.FixedZone("", int(s.TZOffset)*60)),
		ReadPoint: s.ReadPoint, BizLocation: s.BizLocation, BizTransactions: s.BizTx}
	x, err := r.x.Chain()
	if err != nil {
		return nil, err
	}
	switch s.Kind {
	case ledger.KindEPCIS:
		doc, err := epcis.ParseDocument(bytes.NewReader(p.Body), epcis.ParseOptions{PersistentDispositionAnywhere: true})
		if err != nil {
			return nil, err
		}
		return x.Capture(context.Background(), doc, &chain.CaptureOptions{Org: s.Org, Credential: s.Credential, Region: regulatorRegion(e, snap, s)})
	case ledger.KindCommission, ledger.KindVoid, ledger.KindDecommission:
		act := map[ledger.Kind]chain.LineAction{ledger.KindCommission: chain.LineCommission, ledger.KindVoid: chain.LineVoid,
			ledger.KindDecommission: chain.LineDecommission}[s.Kind]
		items, err := replayItems(e, p.Targets, ledger.RoleEPC)
		if err != nil {
			return nil, err
		}
		return x.ReportLine(context.Background(), &chain.LineReport{ReportMeta: meta, Action: act, Items: items})
	case ledger.KindPack:
		rep := &chain.PackReport{ReportMeta: meta}
		err := eachParent(e, p.Targets, func(parent chain.Ref, kids chain.Items) {
			rep.Packs = append(rep.Packs, chain.Pack{Parent: parent, ParentLevel: registeredLevel(snap, parent, s.Seq), Children: kids})
		})
		if err != nil {
			return nil, err
		}
		return x.Pack(context.Background(), rep)
	case ledger.KindUnpack:
		rep := &chain.UnpackReport{ReportMeta: meta}
		err := eachParent(e, p.Targets, func(parent chain.Ref, kids chain.Items) {
			rep.Unpacks = append(rep.Unpacks, chain.Unpack{Parent: parent, Children: kids, All: kids.Len() == 0})
		})
		if err != nil {
			return nil, err
		}
		return x.Unpack(context.Background(), rep)
	case ledger.KindRecall, ledger.KindRecallLift:
		items, err := replayItems(e, p.Targets, ledger.RoleEPC)
		if err != nil {
			return nil, err
		}
		lots, products, err := replayClasses(e, p.Targets)
		if err != nil {
			return nil, err
		}
		if s.Kind == ledger.KindRecallLift {
			return x.LiftRecall(context.Background(), &chain.LiftRequest{ReportMeta: meta, Lots: lots, Products: products, Items: items, Reason: string(p.Body)})
		}
		res, err := x.Recall(context.Background(), &chain.RecallRequest{ReportMeta: meta, Lots: lots, Products: products, Items: items, Reason: string(p.Body)})
		if err != nil {
			return nil, err
		}
		return &res.Receipt, nil
	case ledger.KindRelease, ledger.KindBlockVoid:
		if len(p.Targets) != 1 || p.Targets[0].Kind != ledger.TargetRun {
			return nil, fmt.Errorf("%w: a %s record names %d targets, want one run", errNoReplay, s.Kind, len(p.Targets))
		}
		t := p.Targets[0]
		b := e.BlockAt(t.Product, t.First)
		if b == nil {
			return nil, fmt.Errorf("%w: counter %d of product %d is in no block", errNoReplay, t.First, t.Product)
		}
		if s.Kind == ledger.KindBlockVoid {
			return x.VoidBlock(context.Background(), &chain.VoidReport{ReportMeta: meta, Block: b.ID, Note: string(p.Body)})
		}
		return x.ReleaseRest(context.Background(), &chain.ReleaseReport{ReportMeta: meta, Block: b.ID, From: t.First - b.Start, Note: string(p.Body)})
	}
	return nil, fmt.Errorf("%w: unknown record kind %s", errNoReplay, s.Kind)
}

// regulatorRegion is the region a captured record's regulator authority
// covered. The record does not hold it: a capture under a regulator key
// names the key in its credential ("key:ID", as the server writes it), and
// the key record holds the scope and region. A credential naming no key
// (a command-line capture, which has no regulator authority) falls back to
// the organisation's own region: the record was accepted, and the region
// only decides whether a record is accepted, never what it derives.
func regulatorRegion(e Engine, snap *store.Snapshot, s *ledger.Summary) uint32 {
	if id, err := strconv.ParseUint(strings.TrimPrefix(s.Credential, "key:"), 16, 64); err == nil && strings.HasPrefix(s.Credential, "key:") {
		k, found, err := apikey.Read(snap, id)
		if err == nil && found && k.Org == s.Org {
			if k.Scopes.Has(apikey.ScopeRegulator) {
				return k.Region
			}
			return 0
		}
	}
	return e.OrgRegion(s.Org)
}

// replayItems turns the run targets of role into report items: block
// ranges, and SSCCs as element strings.
func replayItems(e Engine, ts []ledger.Target, role ledger.Role) (chain.Items, error) {
	var it chain.Items
	for _, t := range ts {
		if t.Role != role || t.Kind != ledger.TargetRun {
			continue
		}
		if err := addRun(e, &it, t); err != nil {
			return it, err
		}
	}
	return it, nil
}

// addRun adds one run target to it.
func addRun(e Engine, it *chain.Items, t ledger.Target) error {
	if t.Product == 0 {
		it.Codes = append(it.Codes, fmt.Sprintf("(00)%018d", t.First))
		return nil
	}
	b := e.BlockAt(t.Product, t.First)
	if b == nil || t.Last < t.First || t.Last >= b.End() {
		return fmt.Errorf("%w: counters %d..%d of product %d are not inside one block", errNoReplay, t.First, t.Last, t.Product)
	}
	it.Ranges = append(it.Ranges, chain.BlockRange{Block: b.ID, First: t.First - b.Start, Last: t.Last - b.Start})
	return nil
}

// eachParent calls fn with each parent target of a packing or unpacking
// record and the children targets that follow it.
func eachParent(e Engine, ts []ledger.Target, fn func(parent chain.Ref, kids chain.Items)) error {
	var parent chain.Ref
	var kids chain.Items
	have := false
	for _, t := range ts {
		switch t.Role {
		case ledger.RoleParent:
			if have {
				fn(parent, kids)
			}
			var it chain.Items
			if err := addRun(e, &it, t); err != nil {
				return err
			}
			if len(it.Codes) > 0 {
				parent = chain.Ref{Code: it.Codes[0]}
			} else {
				parent = chain.Ref{Block: it.Ranges[0].Block, Offset: it.Ranges[0].First}
			}
			kids, have = chain.Items{}, true
		case ledger.RoleChild:
			if !have {
				return fmt.Errorf("%w: a child target before any parent", errNoReplay)
			}
			if err := addRun(e, &kids, t); err != nil {
				return err
			}
		}
	}
	if have {
		fn(parent, kids)
	}
	return nil
}

// registeredLevel is the packaging level of an SSCC parent that record seq
// registered: the level is given with the report, and kept only in the
// unit record. 0 (pallet) for anything else.
func registeredLevel(snap *store.Snapshot, parent chain.Ref, seq uint64) model.Level {
	if parent.Code == "" {
		return 0
	}
	var v uint64
	for _, c := range parent.Code[len("(00)"):] {
		v = v*10 + uint64(c-'0')
	}
	u, found, err := agg.SnapshotUnit(snap, v)
	if err != nil || !found || u.Seq != seq {
		return 0
	}
	return model.Level(u.Level)
}

// replayClasses returns the lots and products a recall or lift record names.
func replayClasses(e Engine, ts []ledger.Target) ([]chain.LotRef, []uint32, error) {
	var lots []chain.LotRef
	var products []uint32
	for _, t := range ts {
		switch t.Kind {
		case ledger.TargetLot:
			l, err := e.Lot(t.Lot)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: %v", errNoReplay, err)
			}
			lots = append(lots, chain.LotRef{Product: l.Product, Number: l.Number})
		case ledger.TargetProduct:
			products = append(products, t.Product)
		}
	}
	return lots, products, nil
}
