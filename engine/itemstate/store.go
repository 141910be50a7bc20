package itemstate

import (
	"fmt"
	"sync"

	"tracecode/engine/store"
)

// Store reads chunks from the database through a bounded cache. It is safe
// for concurrent use by any number of readers and one writer at a time (a
// Tx; the engine serialises reports).
type Store struct {
	db       *store.DB
	perShard int
	shards   [numShards]shard
}

const numShards = 16

type chunkID struct {
	block uint64
	chunk uint32
}

func (id chunkID) shard() int { return int((id.block*0x9E3779B1 ^ uint64(id.chunk)) % numShards) }

type shard struct {
	mu sync.RWMutex
	m  map[chunkID]*Chunk // GUARDED_BY(mu); an absent chunk is cached as emptyChunk
	// gen counts publications into this shard. A reader that missed the
	// cache inserts what it read only if gen did not move meanwhile, so a
	// value read before a commit never overwrites the one published after.
	gen uint64 // GUARDED_BY(mu)
}

// DefaultCacheChunks is the default cache bound in chunks. A chunk of a
// line-printed block is typically 20–200 bytes; 256 Ki chunks cover 17
// billion codes' worth of offsets.
const DefaultCacheChunks = 256 << 10

// New returns a Store over db caching at most cacheChunks chunks (0 means
// DefaultCacheChunks). Eviction is random (Go map order): cheap, no
// bookkeeping on the read path, and good enough when the working set fits.
func New(db *store.DB, cacheChunks int) *Store {
	if cacheChunks <= 0 {
		cacheChunks = DefaultCacheChunks
	}
	s := &Store{db: db, perShard: max(cacheChunks/numShards, 1)}
	for i := range s.shards {
		s.shards[i].m = make(map[chunkID]*Chunk)
	}
	return s
}

// Chunk returns chunk number chunk of block, from the cache or the
// database. An absent chunk is returned as an empty Chunk (never nil). The
// result must not be modified.
func (s *Store) Chunk(block uint64, chunk uint32) (*Chunk, error) {
	id := chunkID{block, chunk}
	sh := &s.shards[id.shard()]
	sh.mu.RLock()
	c, ok := sh.m[id]
	gen := sh.gen
	sh.mu.RUnlock()
	if ok {
		return c, nil
	}
	var kb [13]byte
	c, err := s.load(kb[:0], id)
	if err != nil {
		return nil, err
	}
	s.insert(id, c, gen)
	return c, nil
}

// insert caches c, read from the database when the shard's generation was
// gen, unless a publication happened since (then c may be stale).
func (s *Store) insert(id chunkID, c *Chunk, gen uint64) {
	sh := &s.shards[id.shard()]
	sh.mu.Lock()
	if sh.gen == gen {
		if len(sh.m) >= s.perShard {
			for k := range sh.m { // evict one at random
				delete(sh.m, k)
				break
			}
		}
		sh.m[id] = c
	}
	sh.mu.Unlock()
}

func (s *Store) load(kb []byte, id chunkID) (*Chunk, error) {
	c := emptyChunk
	_, err := s.db.Get(AppendKey(kb, id.block, id.chunk), func(v []byte) error {
		var err error
		c, err = DecodeChunk(v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("itemstate: block %d chunk %d: %w", id.block, id.chunk, err)
	}
	return c, nil
}

// State returns the state of offset of block.
func (s *Store) State(block, offset uint64) (State, error) {
	ch, within := chunkOf(offset)
	c, err := s.Chunk(block, ch)
	if err != nil {
		return 0, err
	}
	return c.State(within), nil
}

// publish installs staged chunks in the cache after their commit.
func (s *Store) publish(dirty map[chunkID]*Chunk) {
	for id, c := range dirty {
		sh := &s.shards[id.shard()]
		sh.mu.Lock()
		sh.gen++
		if c.IsEmpty() {
			c = emptyChunk
		}
		sh.m[id] = c
		sh.mu.Unlock()
	}
}
