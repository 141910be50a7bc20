// Package issue is the engine's issuance: master data (organisations,
// products, lots), mint with group commit, import of foreign serials,
// lookup of a scanned code to its block, the blocks' code streams and
// printed formats, the sealed FF1 keys and the per-organisation quotas.
// Its Book holds the in-memory state and the store's write lock; package
// engine's facade delegates to it, and the report transaction, the
// resolver and verification read it through its accessors (access.go).
// The package comment of package engine tells issuance in one paragraph.
package issue

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bits-and-blooms/bloom/v3"

	"tracecode/engine/code/gs1"
	"tracecode/engine/fpe"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// Book is the issuance state of an open store: organisations, products,
// lots, blocks and their indexes, the FF1 keys, the quotas, and the locks
// and mint queue its writers share. The engine's facade (package engine)
// opens one with Open and delegates to it; other parts reach it through
// its read accessors (Block, BlockAt, Org, Product, Lot …).
type Book struct {
	db   *store.DB
	opts Options

	// kek is the key-encryption key new FF1 keys are sealed under when
	// sealed is set (Options.KEK until RotateKEK); sealed says the store's
	// keys are sealed (meta 0x07). Both change only with e.wmu held.
	kek    atomic.Pointer[KEK]
	sealed atomic.Bool

	// format is the store format version (store.FormatV1 …); it only
	// rises, in the batch that writes the first record needing it.
	// REQUIRES e.wmu to change.
	format atomic.Uint64

	// wmu serializes every write: master data, mint groups, release, void,
	// import, reports. A writer builds its batch from st (which only
	// writers change, so holding wmu is enough to read it consistently),
	// commits with fsync, then takes mu to publish. Lock order: wmu
	// before mu.
	wmu sync.Mutex

	// imu serializes imports (each spans several wmu sections).
	imu sync.Mutex

	// mu guards st for readers: RLock to read, Lock (with wmu held) to
	// publish a committed change.
	mu sync.RWMutex
	st *state

	// dbmu keeps the store open for work that reads or writes it outside
	// wmu (imported serial reads, import ingestion, imported-block
	// streams, the engine's other parts): they hold it for reading and
	// check closed; Close takes it for writing before closing Pebble.
	dbmu sync.RWMutex

	// formatters caches a formatter per block id (uint64 → *formatter)
	// for the identity forms of resolved codes; see formatterOf.
	formatters sync.Map

	// noSync: commits skip the fsync. Only Verify's scratch engine, whose
	// store is thrown away when Verify returns, and benchmarks set it.
	noSync bool

	// failed is set when a commit fails; every later write returns it.
	failed atomic.Pointer[error]
	closed atomic.Bool

	mintq struct {
		sync.Mutex
		pending []*mintWaiter
		leading bool // a leader is committing a group or has been handed the lead
	}
}

// Options are what the issuance state needs of the engine's options
// (engine.Options documents each field; Open takes them with defaults
// filled and validated).
type Options struct {
	MaxMintCount                     uint64
	DLBase, ShortBase                string
	BloomFPRate                      float64
	GroupCommitMax                   int
	ShortQuotaPerOrg                 uint64
	MaxLotsPerOrg, MaxProductsPerOrg uint64
	KEK                              *KEK
	Now                              func() time.Time
	Location                         *time.Location
	ReadOnly                         bool

	// Stats folds each write's statistics delta into its batch; nil, or
	// StatsOff returning true (benchmarks), commits without them.
	Stats    *stats.Keeper
	StatsOff func() bool
	// Published, when set, is told of every organisation (o) and product
	// (p) a master-data write publishes, after its commit and with the
	// book's read lock held for writing (it must not call back into the
	// book): the engine keeps its search index current with it.
	Published func(o *Org, p *Product)
}

// state is the whole in-memory view of the store: master data, every block
// and the indexes Lookup uses. Check compares it with a fresh load.
type state struct {
	orgs            map[uint32]*model.Org
	orgByGCP        map[string]uint32
	orgByUSCC       map[string]uint32
	products        map[uint32]*product
	productByGTIN   map[gs1.GTIN]uint32
	productByDrugID map[string]uint32
	productByCode   map[ownCodeKey]uint32
	// productsBySector lists the products whose own code is the prefix
	// of a national code this engine mints (sectorKey): pesticide trace
	// code prefixes and vet-drug enterprise codes, in id order.
	productsBySector map[string][]uint32
	lots             map[uint32]*model.Lot
	lotByNumber      map[lotKey]uint32
	blocks           map[uint64]*model.Block
	idem             map[idemKey]uint64
	// importing holds the request ids of imports in progress: they count
	// as taken before their block is active.
	importing map[idemKey]uint64

	// short indexes the Short-scheme blocks by global counter, sorted by
	// start; shortHW is the first global counter never allocated.
	short     []blockRef
	shortHW   uint64
	shortKeys []*keyGen // index = generation
	// shortByOrg is, per organisation, the short codes its blocks took
	// (released and voided ones included: counters are never reused),
	// against Options.ShortQuotaPerOrg.
	shortByOrg map[uint32]uint64
	// sscc indexes the sscc blocks of each GS1 company prefix by serial
	// reference, sorted by start; the end of the last is the prefix's next
	// serial reference (ssccNext).
	sscc map[string][]blockRef
	// lotsByOrg counts each organisation's lots (lot ids are one 32-bit
	// space shared by all), against Options.MaxLotsPerOrg.
	lotsByOrg map[uint32]uint32
	// productsByOrg counts each organisation's products (product ids are
	// one 32-bit space), against Options.MaxProductsPerOrg.
	productsByOrg map[uint32]uint32

	nextOrg, nextProduct, nextLot uint32
	nextBlock                     uint64
}

type ownCodeKey struct {
	org  uint32
	code string
}

type lotKey struct {
	product uint32
	number  string
}

type idemKey struct {
	org uint32
	id  string
}

// product is a product with its allocation state and block index.
type product struct {
	rec model.Product
	// st and blocks change on mint, release and import; REQUIRES e.mu for
	// readers, wmu+mu for writers.
	st model.ProductState
	// blocks is sorted by start and non-overlapping: the RAM index from a
	// counter to its block. Mint appends (start = high-water).
	blocks []blockRef
	// keys holds the FF1 key generations; index = generation.
	keys []*keyGen
	// imported lists the product's imported blocks with their filters.
	imported []*importedBlock
}

// blockRef is one entry of a sorted block index: [start, end) → block.
type blockRef struct {
	start, end uint64
	b          *model.Block // replaced, never mutated, when the block changes
}

// keyGen is one generation of an FF1 key with its ciphers, built lazily per
// scheme (NewFF1 precomputes per key, radix, length and tweak).
type keyGen struct {
	key []byte
	ff  [serial.NumSchemes]atomic.Pointer[fpe.FF1]
}

// importedBlock is an imported block's bloom filter over its serials.
type importedBlock struct {
	id     uint64
	filter *bloom.BloomFilter // read-only once published
}

func newState() *state {
	return &state{
		orgs:             map[uint32]*model.Org{},
		orgByGCP:         map[string]uint32{},
		orgByUSCC:        map[string]uint32{},
		products:         map[uint32]*product{},
		productByGTIN:    map[gs1.GTIN]uint32{},
		productByDrugID:  map[string]uint32{},
		productByCode:    map[ownCodeKey]uint32{},
		productsBySector: map[string][]uint32{},
		lots:             map[uint32]*model.Lot{},
		lotByNumber:      map[lotKey]uint32{},
		blocks:           map[uint64]*model.Block{},
		idem:             map[idemKey]uint64{},
		importing:        map[idemKey]uint64{},
		shortByOrg:       map[uint32]uint64{},
		sscc:             map[string][]blockRef{},
		lotsByOrg:        map[uint32]uint32{},
		productsByOrg:    map[uint32]uint32{},
		nextOrg:          1,
		nextProduct:      1,
		nextLot:          1,
		nextBlock:        1,
	}
}

// Open reads the issuance state of db: it checks (and on first open
// writes) the store format version and the engine-wide short-code key,
// opens the FF1 keys with o.KEK and loads master data and blocks. Recover
// finishes what a crash interrupted; the caller runs it once its other
// parts are loaded.
func Open(db *store.DB, o Options) (*Book, error) {
	e := &Book{db: db, opts: o}
	e.kek.Store(o.KEK)
	if err := e.init(); err != nil {
		return nil, err
	}
	open, err := keyOpener(db, o.KEK)
	if err != nil {
		return nil, err
	}
	_, sealed, err := storeKEK(db)
	if err != nil {
		return nil, err
	}
	e.sealed.Store(sealed)
	st, err := loadState(db, o.BloomFPRate, open)
	if err != nil {
		return nil, err
	}
	e.st = st
	return e, nil
}

// Recover voids the imports a crash left in progress and, when a KEK is
// given for a store with clear keys, seals them (docs/keys.md).
func (e *Book) Recover() error {
	if err := e.recoverImports(); err != nil {
		return err
	}
	if e.opts.KEK != nil && !e.sealed.Load() && !e.opts.ReadOnly {
		e.wmu.Lock()
		_, err := e.sealAll(context.Background(), e.opts.KEK)
		e.wmu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// init reads the store format version and refuses a store at a newer one;
// on first open it writes the version and the engine-wide short-code key.
// A store with records but no version record was created before the record
// existed: it is at store.FormatV1, and the record is added (read-write
// opens) without touching anything else.
func (e *Book) init() error {
	var schema store.Uint
	found, err := e.db.Get(store.MetaKey(store.MetaSchema), func(v []byte) (err error) {
		schema, err = store.DecodeUint("schema", v)
		return err
	})
	if err != nil {
		return err
	}
	if found {
		if schema > store.SchemaVersion {
			return fmt.Errorf("%w: %s is at store format version %d; this build reads versions %d to %d (run the tracecode release that wrote it, or a newer one)",
				ErrNewerFormat, e.db.Dir(), schema, store.FormatV1, store.SchemaVersion)
		}
		if schema < store.FormatV1 {
			return fmt.Errorf("%w: store format version %d", store.ErrCorrupt, schema)
		}
		e.format.Store(uint64(schema))
		return nil
	}
	empty, err := e.db.Empty()
	if err != nil {
		return err
	}
	e.format.Store(store.FormatV1)
	switch {
	case !empty && e.opts.ReadOnly:
		return nil
	case e.opts.ReadOnly:
		return fmt.Errorf("engine: %s holds no tracecode store (opened read-only)", e.db.Dir())
	}
	b := e.db.NewBatch()
	kek := e.opts.KEK
	switch {
	case !empty:
		b.Set(store.MetaKey(store.MetaSchema), store.Uint(store.FormatV1).AppendBinary(nil))
	case kek == nil:
		b.Set(store.MetaKey(store.MetaSchema), store.Uint(store.FormatV1).AppendBinary(nil))
		k := sealKey(nil, nil, newAESKey(), e.nowMillis())
		b.Set(store.ShortKeyKey(0), k.AppendBinary(nil))
	default:
		// A new store with a KEK never holds a clear key, not even in its
		// write-ahead log.
		e.format.Store(store.FormatV2)
		b.Set(store.MetaKey(store.MetaSchema), store.Uint(store.FormatV2).AppendBinary(nil))
		b.Set(store.MetaKey(store.MetaKEK), store.Uint(kek.id).AppendBinary(nil))
		k := sealKey(kek, store.ShortKeyKey(0), newAESKey(), e.nowMillis())
		b.Set(store.ShortKeyKey(0), k.AppendBinary(nil))
	}
	return b.Commit(true)
}

// Format returns the store format version the store is at (store.FormatV1
// up to store.SchemaVersion).
func (e *Book) Format() uint64 { return e.format.Load() }

// newAESKey returns 32 random bytes from crypto/rand (which does not fail
// on supported platforms).
func newAESKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// Close closes the store (the Book owns it for the engine). Calls that
// start afterwards return ErrClosed; Close waits for every call in progress that uses the store (resolutions,
// lookups, reports, mints, verification, scan-log and API-key writes) and
// for imported-block work (a stream of an imported block stops at its next
// chunk with ErrClosed). A second Close returns ErrClosed.
func (e *Book) Close() error {
	if !e.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	e.dbmu.Lock()
	defer e.dbmu.Unlock()
	// The store admits no new work from here and waits for the work in
	// progress — resolutions, reports, commits, scan-log flushes, open
	// iterators and snapshots — so a call racing Close gets ErrClosed,
	// never a Pebble use-after-close panic. Close does not take wmu: a
	// writer holding it may have an iterator open.
	return e.db.Close()
}

// HoldDB keeps the store open until the returned function is called, or
// returns ErrClosed.
func (e *Book) HoldDB() (release func(), err error) {
	e.dbmu.RLock()
	if e.closed.Load() {
		e.dbmu.RUnlock()
		return nil, ErrClosed
	}
	return e.dbmu.RUnlock, nil
}

// writable returns the error that stops a write, if any. REQUIRES e.wmu.
func (e *Book) writable() error {
	if e.closed.Load() {
		return ErrClosed
	}
	if p := e.failed.Load(); p != nil {
		return fmt.Errorf("%w: %v", ErrFailed, *p)
	}
	if e.opts.ReadOnly {
		return fmt.Errorf("%w: the store is open read-only", ErrState)
	}
	return nil
}

// commit commits b with fsync; a failure poisons the engine, since the
// in-memory state may no longer match what Pebble will recover.
// REQUIRES e.wmu.
func (e *Book) commit(b *store.Batch) error {
	if err := b.Commit(!e.noSync); err != nil {
		// A commit refused before it reached Pebble — a full disk, a
		// failed batch write, the store closing — applied nothing: the
		// state in RAM still matches the store and a retry may succeed.
		if !errors.Is(err, store.ErrDiskFull) && !errors.Is(err, store.ErrClosed) && b.Err() == nil {
			e.failed.Store(&err)
		}
		return err
	}
	return nil
}

// cipher returns the FF1 cipher of key generation g for scheme s (the tweak
// binds the scheme and product id, so the same key never serves two
// domains). It is built on first use and shared by all goroutines.
func (g *keyGen) cipher(s serial.Scheme, productID uint32) *fpe.FF1 {
	if f := g.ff[s].Load(); f != nil {
		return f
	}
	p := s.Params()
	f, err := fpe.NewFF1(g.key, p.Radix, p.Digits, tweak(s, productID))
	if err != nil {
		panic(fmt.Sprintf("BUG: FF1 for scheme %v: %v", s, err))
	}
	g.ff[s].Store(f)
	return f
}

// tweak is the FF1 tweak of scheme s for a product (productID 0 for the
// engine-wide short-code space): "tc" | scheme u8 | product u32 BE.
func tweak(s serial.Scheme, productID uint32) []byte {
	return []byte{'t', 'c', byte(s), byte(productID >> 24), byte(productID >> 16), byte(productID >> 8), byte(productID)}
}

// findBlock returns the index of the entry of refs (sorted by start)
// containing counter c, or -1.
func findBlock(refs []blockRef, c uint64) int {
	i, _ := slices.BinarySearchFunc(refs, c, func(r blockRef, c uint64) int {
		switch {
		case r.end <= c:
			return -1
		case r.start > c:
			return 1
		}
		return 0
	})
	if i < len(refs) && refs[i].start <= c && c < refs[i].end {
		return i
	}
	return -1
}
