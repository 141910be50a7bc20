package ledger

import (
	"fmt"
	"sync"
)

// summaryCache holds decoded summaries by sequence number. Summaries are
// immutable (the log is append-only), so entries never go stale.
type summaryCache struct {
	perShard int
	shards   [16]struct {
		mu sync.RWMutex
		m  map[uint64]*Summary // GUARDED_BY(mu)
	}
}

func (c *summaryCache) init(n int) {
	c.perShard = max(n/len(c.shards), 1)
	for i := range c.shards {
		c.shards[i].m = make(map[uint64]*Summary)
	}
}

func (c *summaryCache) get(seq uint64) *Summary {
	sh := &c.shards[seq%uint64(len(c.shards))]
	sh.mu.RLock()
	s := sh.m[seq]
	sh.mu.RUnlock()
	return s
}

func (c *summaryCache) put(s *Summary) {
	sh := &c.shards[s.Seq%uint64(len(c.shards))]
	sh.mu.Lock()
	if len(sh.m) >= c.perShard {
		for k := range sh.m { // evict one at random
			delete(sh.m, k)
			break
		}
	}
	sh.m[s.Seq] = s
	sh.mu.Unlock()
}

// Summary returns record seq's summary from the cache or the database. The
// result is shared: do not modify it. found is false for a sequence number
// with no record.
func (l *Ledger) Summary(seq uint64) (s *Summary, found bool, err error) {
	if s := l.cache.get(seq); s != nil {
		return s, true, nil
	}
	var kb [9]byte
	found, err = l.db.Get(AppendSummaryKey(kb[:0], seq), func(v []byte) error {
		d, err := DecodeSummary(seq, v)
		if err != nil {
			return err
		}
		s = &d
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("ledger: record %d: %w", seq, err)
	}
	if found {
		l.cache.put(s)
	}
	return s, found, nil
}

// Payload reads record seq's payload.
func (l *Ledger) Payload(seq uint64) (Payload, bool, error) {
	var p Payload
	var kb [9]byte
	found, err := l.db.Get(AppendPayloadKey(kb[:0], seq), func(v []byte) error {
		var err error
		p, err = DecodePayload(v)
		return err
	})
	if err != nil {
		return p, false, fmt.Errorf("ledger: payload of record %d: %w", seq, err)
	}
	return p, found, nil
}

// PayloadBody reads record seq's payload body (the captured event's JSON)
// without building its targets: one copy, as the store's buffer does not
// outlive the read.
func (l *Ledger) PayloadBody(seq uint64) ([]byte, bool, error) {
	var kb [9]byte
	var body []byte
	found, err := l.db.Get(AppendPayloadKey(kb[:0], seq), func(v []byte) error {
		b, err := DecodePayloadBody(v)
		body = append([]byte{}, b...)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("ledger: payload of record %d: %w", seq, err)
	}
	return body, found, nil
}

// Get reads key from the database (for SeqByHash and ReportID).
func (l *Ledger) Get(key []byte, fn func(v []byte) error) (bool, error) { return l.db.Get(key, fn) }
