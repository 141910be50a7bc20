package ledger

import (
	"bytes"
	"fmt"
	"slices"

	"tracecode/engine/store"
)

// Stats counts what Verify read.
type Stats struct {
	Records     uint64 // records (summary + payload)
	Orgs        int    // organisations with a log
	Checkpoints int    // checkpoints whose root was recomputed
	IndexKeys   uint64 // event index entries checked
}

// Verify checks the whole ledger over a snapshot:
//
//   - every organisation's log holds positions 1, 2, 3, … without a gap;
//   - every position's chain hash recomputes from the previous one;
//   - every position's record exists, hashes (RecordHash over its summary
//     and payload) to the hash the log holds, and names that organisation
//     and position;
//   - every record sits in exactly one log position, and has a payload;
//   - every checkpoint's root equals the Merkle root recomputed from the
//     log up to its size, and no checkpoint lies beyond its log;
//   - the content-hash index and the event indexes point at existing
//     records (with that content hash).
//
// checkRecord, if not nil, is called with every record for checks of its
// content (the engine recomputes EPCIS event hash IDs). report receives
// each problem; Verify stops early if it returns false. The error is for
// I/O failures only.
func Verify(s *store.Snapshot, checkRecord func(*Summary, *Payload) error, report func(store.Problem) bool) (Stats, error) {
	var st Stats
	more := true
	bad := func(where, format string, args ...any) {
		if more {
			more = report(store.Problem{Where: where, What: fmt.Sprintf(format, args...)})
		}
	}
	// Checkpoints by organisation, in size order.
	cps := map[uint32][]Checkpoint{}
	lo, hi := store.CheckpointKeys.Bounds()
	if err := s.Scan(lo, hi, func(k, v []byte) error {
		cp, err := decodeCheckpoint(k, v)
		if err != nil {
			bad(fmt.Sprintf("checkpoint key %x", k), "%v", err)
			return nil
		}
		cps[cp.Org] = append(cps[cp.Org], cp)
		return nil
	}); err != nil {
		return st, err
	}

	var (
		org     uint32
		pos     uint64
		chain   [32]byte
		rng     = rangeFactory.NewEmptyRange(0)
		started bool
		maxSeq  uint64
		logged  uint64
	)
	finishOrg := func() {
		if !started {
			return
		}
		st.Orgs++
		for _, cp := range cps[org] {
			if cp.Size > pos {
				bad(fmt.Sprintf("organisation %d checkpoint at %d", org, cp.Size), "lies beyond the log's %d records", pos)
			}
		}
		delete(cps, org)
	}
	lo, hi = store.OrgLogKeys.Bounds()
	err := s.Scan(lo, hi, func(k, v []byte) error {
		if !more {
			return nil
		}
		e, err := decodeLogEntry(k, v)
		if err != nil {
			bad(fmt.Sprintf("log key %x", k), "%v", err)
			return nil
		}
		if !started || e.Org != org {
			finishOrg()
			org, pos, chain, started = e.Org, 0, [32]byte{}, true
			rng = rangeFactory.NewEmptyRange(0)
			slices.SortFunc(cps[org], func(a, b Checkpoint) int { return int(int64(a.Size) - int64(b.Size)) })
		}
		where := fmt.Sprintf("organisation %d log position %d (record %d)", e.Org, e.OrgSeq, e.Seq)
		if e.OrgSeq != pos+1 {
			bad(where, "follows position %d: positions %d..%d are missing", pos, pos+1, e.OrgSeq-1)
		}
		pos = e.OrgSeq
		if want := chainNext(chain, e.Org, e.OrgSeq, e.RecordHash); want != e.Chain {
			bad(where, "chain hash %x does not follow from the previous position (want %x): a record before it was changed, inserted or removed", e.Chain[:8], want[:8])
		}
		chain = e.Chain
		logged++
		maxSeq = max(maxSeq, e.Seq)
		// The record itself.
		var sv, pv []byte
		foundS, err := s.Get(AppendSummaryKey(nil, e.Seq), func(v []byte) error { sv = append([]byte(nil), v...); return nil })
		if err != nil {
			return err
		}
		foundP, err := s.Get(AppendPayloadKey(nil, e.Seq), func(v []byte) error { pv = append([]byte(nil), v...); return nil })
		if err != nil {
			return err
		}
		switch {
		case !foundS:
			bad(where, "the record's summary is missing")
		case !foundP:
			bad(where, "the record's payload is missing")
		default:
			if rh := RecordHash(e.Seq, sv, pv); rh != e.RecordHash {
				bad(where, "the record hashes to %x, the log holds %x: the record was changed after it was logged", rh[:8], e.RecordHash[:8])
			}
			sum, err := DecodeSummary(e.Seq, sv)
			if err != nil {
				bad(where, "%v", err)
				break
			}
			if sum.Org != e.Org || sum.OrgSeq != e.OrgSeq {
				bad(where, "the record says organisation %d position %d", sum.Org, sum.OrgSeq)
			}
			pay, err := DecodePayload(pv)
			if err != nil {
				bad(where, "%v", err)
				break
			}
			if checkRecord != nil {
				if err := checkRecord(&sum, &pay); err != nil {
					bad(where, "%v", err)
				}
			}
		}
		if err := rng.Append(leafHash(e.RecordHash), nil); err != nil {
			return err
		}
		for len(cps[org]) > 0 && cps[org][0].Size == pos {
			cp := cps[org][0]
			cps[org] = cps[org][1:]
			root, err := rng.GetRootHash(nil)
			if err != nil {
				return err
			}
			st.Checkpoints++
			if !bytes.Equal(root, cp.Root[:]) {
				bad(fmt.Sprintf("organisation %d checkpoint at %d", org, cp.Size), "root %x, the log up to it gives %x", cp.Root[:8], root[:8])
			}
			if !slices.EqualFunc(cp.Range, rng.Hashes(), bytes.Equal) {
				bad(fmt.Sprintf("organisation %d checkpoint at %d", org, cp.Size), "its compact range differs from the log's")
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	finishOrg()
	for o, list := range cps {
		for _, cp := range list {
			bad(fmt.Sprintf("organisation %d checkpoint at %d", o, cp.Size), "the organisation has no log")
		}
	}
	// Every record in a log.
	lo, hi = store.EventKeys.Bounds()
	if err := s.Scan(lo, hi, func(k, v []byte) error {
		st.Records++
		return nil
	}); err != nil {
		return st, err
	}
	if st.Records != logged {
		bad("records", "%d records but %d log positions: some record is in no log or in two", st.Records, logged)
	}
	var payloads uint64
	lo, hi = store.EventPayloadKeys.Bounds()
	if err := s.Scan(lo, hi, func(k, v []byte) error { payloads++; return nil }); err != nil {
		return st, err
	}
	if payloads != st.Records {
		bad("payloads", "%d payloads for %d records", payloads, st.Records)
	}
	// Indexes point at records.
	lo, hi = store.EventByHashKeys.Bounds()
	if err := s.Scan(lo, hi, func(k, v []byte) error {
		u, err := store.DecodeUint("event by hash", v)
		h, kerr := store.DecodeEventByHashKey(k)
		if err == nil {
			err = kerr
		}
		if err != nil {
			bad(fmt.Sprintf("content hash key %x", k), "undecodable (%v)", err)
			return nil
		}
		found, err := s.Get(AppendSummaryKey(nil, uint64(u)), func(sv []byte) error {
			sum, err := DecodeSummary(uint64(u), sv)
			if err == nil && !bytes.Equal(sum.ContentHash[:], h) {
				bad(fmt.Sprintf("content hash %x", h[:8]), "points at record %d, whose content hash is %x", u, sum.ContentHash[:8])
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !found {
			bad(fmt.Sprintf("content hash %x", h[:8]), "points at record %d, which does not exist", u)
		}
		return nil
	}); err != nil {
		return st, err
	}
	for _, ks := range store.EventIndexes {
		lo, hi = ks.Bounds()
		if err := s.Scan(lo, hi, func(k, v []byte) error {
			st.IndexKeys++
			seq, err := store.DecodeIndexSeq(k)
			if err != nil || len(v) < 2 || v[0] != indexVersion || v[1] == 0 || v[1] >= numRoles {
				bad(fmt.Sprintf("index key %x", k), "malformed entry %x", v)
				return nil
			}
			if seq == 0 || seq > maxSeq {
				bad(fmt.Sprintf("index key %x", k), "points at record %d, beyond the last logged record %d", seq, maxSeq)
			}
			return nil
		}); err != nil {
			return st, err
		}
	}
	return st, nil
}
