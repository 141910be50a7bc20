package ledger

import (
	"bytes"
	"fmt"

	"tracecode/engine/store"
)

// Tx appends records and index entries to one report's batch. Its view of
// sequence numbers and heads includes its own appends; Publish installs
// them in the Ledger after the batch committed. A Tx dropped without
// Publish changes nothing in memory.
type Tx struct {
	l       *Ledger
	b       *store.Batch
	nextSeq uint64
	heads   map[uint32]*head // heads this Tx appended to (private copies)
	kb, vb  []byte
	sb, pb  []byte
	cps     int // checkpoints written
	// hashes are the content hashes the Tx appended; the first went into
	// the ledger's hash filter of generation hashGen. Publish adds them
	// all again if the filter was replaced since.
	hashes  [][32]byte
	hashGen uint64
	divs    map[string]uint32 // Options.Division's answers (division)
}

// Begin starts a Tx writing to b.
func (l *Ledger) Begin(b *store.Batch) *Tx {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return &Tx{l: l, b: b, nextSeq: l.nextSeq, heads: map[uint32]*head{}}
}

func (t *Tx) head(org uint32) *head {
	if h := t.heads[org]; h != nil {
		return h
	}
	t.l.mu.RLock()
	h := t.l.heads[org]
	t.l.mu.RUnlock()
	if h == nil {
		h = &head{rng: rangeFactory.NewEmptyRange(0)}
	} else {
		h = h.clone()
	}
	t.heads[org] = h
	return h
}

// Append assigns s the next sequence number and the next position of its
// organisation's log (s.Seq and s.OrgSeq are set), and writes the summary,
// the payload, the log entry and — every CheckpointEvery records of the
// organisation — a checkpoint, at time now (unix ms). It returns the
// record hash.
func (t *Tx) Append(s *Summary, p *Payload, now int64) [32]byte {
	h := t.head(s.Org)
	s.Seq = t.nextSeq
	t.nextSeq++
	h.size++
	s.OrgSeq = h.size
	t.sb = s.AppendValue(t.sb[:0])
	t.pb = p.AppendValue(t.pb[:0])
	rh := RecordHash(s.Seq, t.sb, t.pb)
	t.kb = AppendSummaryKey(t.kb[:0], s.Seq)
	t.b.Set(t.kb, t.sb)
	t.kb = AppendPayloadKey(t.kb[:0], s.Seq)
	t.b.Set(t.kb, t.pb)
	t.indexQuery(s)
	h.chain = chainNext(h.chain, s.Org, h.size, rh)
	e := LogEntry{Org: s.Org, OrgSeq: h.size, Seq: s.Seq, RecordHash: rh, Chain: h.chain}
	t.kb = appendLogKey(t.kb[:0], s.Org, h.size)
	t.vb = e.AppendValue(t.vb[:0])
	t.b.Set(t.kb, t.vb)
	if err := h.rng.Append(leafHash(rh), nil); err != nil {
		panic("BUG: ledger: appending to a compact range: " + err.Error())
	}
	if h.size%t.l.opts.CheckpointEvery == 0 {
		t.checkpoint(s.Org, h, now)
	}
	if s.ContentHash != ([32]byte{}) {
		t.kb = store.AppendEventByHashKey(t.kb[:0], &s.ContentHash)
		t.vb = store.Uint(s.Seq).AppendBinary(t.vb[:0])
		t.b.Set(t.kb, t.vb)
		t.hashes = append(t.hashes, s.ContentHash)
		if gen := t.l.hashes.add(s.ContentHash); len(t.hashes) == 1 {
			t.hashGen = gen
		}
	}
	return rh
}

func (t *Tx) checkpoint(org uint32, h *head, now int64) {
	root, err := h.rng.GetRootHash(nil)
	if err != nil {
		panic("BUG: ledger: root of a range from 0: " + err.Error())
	}
	cp := Checkpoint{Org: org, Size: h.size, Time: now, Range: h.rng.Hashes()}
	copy(cp.Root[:], root)
	t.kb = appendCheckpointKey(t.kb[:0], org, h.size)
	t.vb = cp.AppendValue(t.vb[:0])
	t.b.Set(t.kb, t.vb)
	h.cp = h.size
	t.cps++
}

// CheckpointAll writes a checkpoint for every organisation whose log grew
// since its latest checkpoint (publishing the logs' state now, e.g. once a
// day or before an audit). It returns how many it wrote.
func (t *Tx) CheckpointAll(now int64) int {
	t.l.mu.RLock()
	orgs := make([]uint32, 0, len(t.l.heads))
	for o := range t.l.heads {
		orgs = append(orgs, o)
	}
	t.l.mu.RUnlock()
	for o := range t.heads {
		orgs = append(orgs, o)
	}
	n := 0
	seen := map[uint32]bool{}
	for _, o := range orgs {
		if seen[o] {
			continue
		}
		seen[o] = true
		h := t.head(o)
		if h.size > h.cp {
			t.checkpoint(o, h, now)
			n++
		}
	}
	return n
}

// Publish installs the Tx's sequence numbers and heads. Call it once,
// after the batch committed.
func (t *Tx) Publish() {
	t.l.mu.Lock()
	t.l.nextSeq = t.nextSeq
	for o, h := range t.heads {
		t.l.heads[o] = h
	}
	t.l.mu.Unlock()
	t.heads = nil
	if len(t.hashes) > 0 && t.l.hashes.generation() != t.hashGen {
		t.l.hashes.add(t.hashes...)
	}
	t.hashes = nil
}

// NextSeq returns the sequence number the Tx's next Append will assign.
func (t *Tx) NextSeq() uint64 { return t.nextSeq }

// Checkpoints returns how many checkpoints the Tx wrote.
func (t *Tx) Checkpoints() int { return t.cps }

// SeqByHash returns the record with content hash h, if any, reading
// through get (the database, or an indexed batch to see this report's
// own records).
func SeqByHash(get func([]byte, func([]byte) error) (bool, error), h [32]byte) (uint64, bool, error) {
	var kb [33]byte
	var seq store.Uint
	found, err := get(store.AppendEventByHashKey(kb[:0], &h), func(v []byte) (err error) {
		seq, err = store.DecodeUint("event by hash", v)
		return err
	})
	return uint64(seq), found, err
}

// PutReportID records that org's request id produced record seq (the first
// of the report).
func (t *Tx) PutReportID(org uint32, id string, seq uint64) {
	t.kb = store.AppendReportIDKey(t.kb[:0], org, id)
	t.vb = store.Uint(seq).AppendBinary(t.vb[:0])
	t.b.Set(t.kb, t.vb)
}

// ReportID returns the record a request id of org produced, if any.
func ReportID(get func([]byte, func([]byte) error) (bool, error), org uint32, id string) (uint64, bool, error) {
	var seq store.Uint
	found, err := get(store.AppendReportIDKey(nil, org, id), func(v []byte) (err error) {
		seq, err = store.DecodeUint("report id", v)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("ledger: report id %q: %w", id, err)
	}
	return uint64(seq), found, nil
}

// HashesKnown reports, for each content hash hashes yields (in increasing
// byte order), whether a record has it, reading b (an indexed batch: the
// database with the batch's writes) through one iterator: a capture
// checks a whole document's events this way instead of one Get each.
func HashesKnown(b *store.Batch, hashes func(yield func([32]byte) bool)) ([]bool, error) {
	var found []bool
	var kb [33]byte
	var it *store.Iter
	for h := range hashes {
		k := store.AppendEventByHashKey(kb[:0], &h)
		if it == nil {
			_, hi := store.EventByHashKeys.Bounds()
			var err error
			if it, err = b.NewIter(bytes.Clone(k), hi); err != nil {
				return nil, err
			}
			defer it.Close()
		}
		found = append(found, it.SeekGE(k) && bytes.Equal(it.Key(), k))
	}
	if it != nil {
		if err := it.Error(); err != nil {
			return nil, err
		}
	}
	return found, nil
}
