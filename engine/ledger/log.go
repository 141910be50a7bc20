package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"tracecode/engine/internal/wire"
	"tracecode/engine/store"
)

// LogEntry is one position of an organisation's log: which record sits
// there, the record's hash and the chain hash up to it.
//
// # Representation (key 0x81 | org u32 | orgSeq u64, value version 1)
//
//	ver=1 | seq uvarint | recordHash [32] | chain [32]
//
// chain(n) = SHA-256("tracecode/ledger/chain/v1\0" | chain(n−1) | org u32 | n u64 | recordHash(n)),
// chain(0) = 32 zero bytes.
type LogEntry struct {
	Org        uint32
	OrgSeq     uint64
	Seq        uint64
	RecordHash [32]byte
	Chain      [32]byte
}

const logVersion = 1

// appendLogKey appends the key of position orgSeq of org's log.
func appendLogKey(dst []byte, org uint32, orgSeq uint64) []byte {
	return store.AppendOrgLogKey(dst, org, orgSeq)
}

// AppendValue appends the entry's value encoding.
func (e *LogEntry) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(logVersion)
	w.Uvarint(e.Seq)
	w.Raw(e.RecordHash[:])
	w.Raw(e.Chain[:])
	return w.B
}

// decodeLogEntry decodes a log key and value.
func decodeLogEntry(k, v []byte) (LogEntry, error) {
	var e LogEntry
	var err error
	if e.Org, e.OrgSeq, err = store.DecodeOrgLogKey(k); err != nil {
		return e, err
	}
	d := newDecoder("log entry", v)
	d.Version(logVersion)
	e.Seq = d.Uvarint()
	copy(e.RecordHash[:], d.Raw(32))
	copy(e.Chain[:], d.Raw(32))
	return e, d.Done()
}

// chainNext returns the chain hash after appending a record with hash rh
// at position orgSeq of org's log, following prev.
func chainNext(prev [32]byte, org uint32, orgSeq uint64, rh [32]byte) [32]byte {
	var b [26 + 32 + 4 + 8 + 32]byte
	n := copy(b[:], "tracecode/ledger/chain/v1\x00")
	n += copy(b[n:], prev[:])
	binary.BigEndian.PutUint32(b[n:], org)
	binary.BigEndian.PutUint64(b[n+4:], orgSeq)
	copy(b[n+12:], rh[:])
	return sha256.Sum256(b[:])
}

// Checkpoint is the Merkle root of an organisation's log at a size: the
// RFC 6962 tree whose leaves are the record hashes of positions 1..Size
// (leaf index = orgSeq − 1). It also keeps the compact range (the roots of
// the perfect subtrees covering [0, Size)), so the engine resumes the tree
// from the latest checkpoint instead of rehashing the log at Open.
//
// # Representation (key 0x82 | org u32 | size u64, value version 1)
//
//	ver=1 | root [32] | time varint (unix ms) | n uvarint | hash [32]…
type Checkpoint struct {
	Org   uint32
	Size  uint64
	Root  [32]byte
	Time  int64
	Range [][]byte // compact range hashes, left to right
}

const checkpointVersion = 1

// appendCheckpointKey appends the key of org's checkpoint at size.
func appendCheckpointKey(dst []byte, org uint32, size uint64) []byte {
	return store.AppendCheckpointKey(dst, org, size)
}

// AppendValue appends the checkpoint's value encoding.
func (c *Checkpoint) AppendValue(dst []byte) []byte {
	w := wire.Writer{B: dst}
	w.Version(checkpointVersion)
	w.Raw(c.Root[:])
	w.Varint(c.Time)
	w.Count(len(c.Range))
	for _, h := range c.Range {
		w.Raw(h)
	}
	return w.B
}

// decodeCheckpoint decodes a checkpoint key and value.
func decodeCheckpoint(k, v []byte) (Checkpoint, error) {
	var c Checkpoint
	var err error
	if c.Org, c.Size, err = store.DecodeCheckpointKey(k); err != nil {
		return c, err
	}
	d := newDecoder("checkpoint", v)
	d.Version(checkpointVersion)
	copy(c.Root[:], d.Raw(32))
	c.Time = d.Varint()
	n := d.Count()
	if d.Err == nil && n > 64 {
		d.Fail(fmt.Sprintf("compact range of %d hashes", n))
	}
	for i := 0; i < n && d.Err == nil; i++ {
		c.Range = append(c.Range, append([]byte(nil), d.Raw(32)...))
	}
	return c, d.Done()
}

// hasher is the RFC 6962 SHA-256 tree hasher.
var hasher = rfc6962.DefaultHasher

var rangeFactory = &compact.RangeFactory{Hash: hashChildren}

// leafHash returns the Merkle leaf hash of a record hash: RFC 6962's
// SHA-256(0x00 | rh), hashed from the stack (hasher.HashLeaf allocates a
// digest and its sum: three allocations for each record appended).
func leafHash(rh [32]byte) []byte {
	var b [1 + 32]byte
	b[0] = rfc6962.RFC6962LeafHashPrefix
	copy(b[1:], rh[:])
	h := sha256.Sum256(b[:])
	return h[:]
}

// hashChildren is hasher.HashChildren, SHA-256(0x01 | l | r), hashed from
// the stack for the 32-byte hashes of the tree.
func hashChildren(l, r []byte) []byte {
	if len(l) != sha256.Size || len(r) != sha256.Size {
		return hasher.HashChildren(l, r)
	}
	var b [1 + 2*sha256.Size]byte
	b[0] = rfc6962.RFC6962NodeHashPrefix
	copy(b[1:], l)
	copy(b[1+sha256.Size:], r)
	h := sha256.Sum256(b[:])
	return h[:]
}

// head is the tip of one organisation's log.
type head struct {
	size  uint64         // records in the log; the last has orgSeq = size
	chain [32]byte       // chain hash of the last record
	rng   *compact.Range // Merkle compact range [0, size)
	cp    uint64         // size of the latest checkpoint
}

func (h *head) clone() *head {
	c := *h
	r, err := rangeFactory.NewRange(0, h.rng.End(), cloneHashes(h.rng.Hashes()))
	if err != nil {
		panic("BUG: ledger: cloning a compact range: " + err.Error())
	}
	c.rng = r
	return &c
}

func cloneHashes(hs [][]byte) [][]byte {
	out := make([][]byte, len(hs))
	for i, h := range hs {
		out[i] = append([]byte(nil), h...)
	}
	return out
}

// Options tune a Ledger.
type Options struct {
	// CheckpointEvery is how many records of one organisation separate two
	// automatic checkpoints. Default 1024.
	CheckpointEvery uint64
	// SummaryCache bounds the decoded summaries kept in memory. Default
	// 65,536 (a few MB): the events of pallets, cases and lots are shared
	// by every item inside, so a small cache serves most of a timeline.
	SummaryCache int
	// Division places a business location in a division for the region
	// index (EvRegion) as records are appended (nil: the index stays
	// empty).
	Division Division
}

// Defaults.
const (
	DefaultCheckpointEvery = 1024
	DefaultSummaryCache    = 1 << 16
)

// Ledger is the open log: the next sequence number and every
// organisation's head, plus a cache of decoded summaries. Appending goes
// through a Tx; one Tx at a time may be published (the engine's report
// lock).
type Ledger struct {
	db   *store.DB
	opts Options

	mu      sync.RWMutex
	nextSeq uint64           // GUARDED_BY(mu)
	heads   map[uint32]*head // GUARDED_BY(mu); a head is replaced, never modified, once published

	cache summaryCache
	// hashes is the filter of record content hashes (hashfilter.go).
	hashes hashFilter

	// queryIndexed: the query indexes cover every record (a read-only
	// store written before they existed has none).
	queryIndexed bool
	// regionIndexed: the region index (EvRegion) covers every record too.
	regionIndexed bool
}

// QueryIndexed reports whether the query indexes cover every record.
func (l *Ledger) QueryIndexed() bool { return l.queryIndexed }

// RegionIndexed reports whether the region index (EvRegion) covers every
// record.
func (l *Ledger) RegionIndexed() bool { return l.regionIndexed }

// Open loads the ledger's heads from db: the last sequence number, and for
// each organisation its last log entry and Merkle state (from its latest
// checkpoint, replaying the entries after it).
func Open(db *store.DB, o *Options) (*Ledger, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.CheckpointEvery == 0 {
		opts.CheckpointEvery = DefaultCheckpointEvery
	}
	if opts.SummaryCache <= 0 {
		opts.SummaryCache = DefaultSummaryCache
	}
	l := &Ledger{db: db, opts: opts, nextSeq: 1, heads: map[uint32]*head{}}
	l.cache.init(opts.SummaryCache)
	it, err := db.NewIter(store.EventKeys.Bounds())
	if err != nil {
		return nil, err
	}
	if it.Last() {
		last, err := store.DecodeSeqKey(it.Key())
		if err != nil {
			it.Close()
			return nil, err
		}
		l.nextSeq = last + 1
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	if err := l.loadHeads(); err != nil {
		return nil, err
	}
	if !db.Options().ReadOnly {
		if _, err := BuildQueryIndexes(db, 0, opts.Division); err != nil {
			return nil, fmt.Errorf("ledger: build the query indexes: %w", err)
		}
	}
	built, region, err := QueryIndexesBuilt(db)
	if err != nil {
		return nil, err
	}
	l.queryIndexed, l.regionIndexed = built, region
	if o := db.Options(); !o.ReadOnly && !o.Replica {
		l.hashes.db = db
		l.hashes.start(l.nextSeq)
	}
	return l, nil
}

func (l *Ledger) loadHeads() error {
	it, err := l.db.NewIter(store.OrgLogKeys.Bounds())
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; {
		org, _, err := store.DecodeOrgLogKey(it.Key())
		if err != nil {
			return err
		}
		// The org's last entry.
		next := store.AppendOrgLogKey(nil, org+1, 0)
		if org == ^uint32(0) || !it.SeekLT(next) {
			return fmt.Errorf("%w: log of organisation %d vanished while loading", store.ErrCorrupt, org)
		}
		v, err := it.Value()
		if err != nil {
			return err
		}
		last, err := decodeLogEntry(it.Key(), v)
		if err != nil {
			return err
		}
		h, err := l.loadMerkle(org, last)
		if err != nil {
			return fmt.Errorf("ledger: organisation %d: %w", org, err)
		}
		l.heads[org] = h
		if org == ^uint32(0) {
			break
		}
		ok = it.SeekGE(next)
	}
	return nil
}

// loadMerkle rebuilds org's compact range up to last.OrgSeq from its latest
// checkpoint and the log entries after it.
func (l *Ledger) loadMerkle(org uint32, last LogEntry) (*head, error) {
	h := &head{size: last.OrgSeq, chain: last.Chain, rng: rangeFactory.NewEmptyRange(0)}
	// Latest checkpoint at or below the size.
	cpHi := appendCheckpointKey(nil, org, last.OrgSeq+1)
	cpLo := appendCheckpointKey(nil, org, 0)
	it, err := l.db.NewIter(cpLo, cpHi)
	if err != nil {
		return nil, err
	}
	if it.Last() {
		v, err := it.Value()
		if err != nil {
			it.Close()
			return nil, err
		}
		cp, err := decodeCheckpoint(it.Key(), v)
		if err != nil {
			it.Close()
			return nil, err
		}
		r, err := rangeFactory.NewRange(0, cp.Size, cp.Range)
		if err != nil {
			it.Close()
			return nil, fmt.Errorf("%w: checkpoint at %d: %v", store.ErrCorrupt, cp.Size, err)
		}
		h.rng, h.cp = r, cp.Size
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	from := h.rng.End()
	err = l.db.Scan(appendLogKey(nil, org, from+1), appendLogKey(nil, org, last.OrgSeq+1), func(k, v []byte) error {
		e, err := decodeLogEntry(k, v)
		if err != nil {
			return err
		}
		if e.OrgSeq != h.rng.End()+1 {
			return fmt.Errorf("%w: log position %d follows %d", store.ErrCorrupt, e.OrgSeq, h.rng.End())
		}
		return h.rng.Append(leafHash(e.RecordHash), nil)
	})
	if err != nil {
		return nil, err
	}
	if h.rng.End() != h.size {
		return nil, fmt.Errorf("%w: log has %d entries, Merkle range %d", store.ErrCorrupt, h.size, h.rng.End())
	}
	return h, nil
}

// NextSeq returns the sequence number the next record will get.
func (l *Ledger) NextSeq() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.nextSeq
}

// Head returns the size and chain hash of org's log (0 and zeros when
// empty) and its current Merkle root.
func (l *Ledger) Head(org uint32) (size uint64, chain [32]byte, root []byte) {
	l.mu.RLock()
	h := l.heads[org]
	l.mu.RUnlock()
	if h == nil {
		return 0, chain, hasher.EmptyRoot()
	}
	r, err := h.rng.GetRootHash(nil)
	if err != nil {
		panic("BUG: ledger: root of a range from 0: " + err.Error())
	}
	return h.size, h.chain, r
}

// Orgs returns the organisations that have a log.
func (l *Ledger) Orgs() []uint32 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]uint32, 0, len(l.heads))
	for o := range l.heads {
		out = append(out, o)
	}
	return out
}
