package engine

import (
	"fmt"
	"sync/atomic"
	"time"

	"tracecode/engine/chain"
	"tracecode/engine/config"
	"tracecode/engine/epcisq"
	"tracecode/engine/issue"
	"tracecode/engine/replica"
	"tracecode/engine/resolve"
	"tracecode/engine/search"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// Options configure an Engine: the store's tuning, the limits of mint and
// import, the printed URL bases, the caches, the quotas, the key-encryption
// key and the clocks (see config.Options for each field and its default).
// The zero value of every field means "use the default".
type Options = config.Options

// Engine is an open store. Create it with Open and release it with Close.
// It is a facade: issuance (master data, mint, import, lookup, blocks,
// streams, keys) is its issue.Book (Issuance), resolution its
// resolve.Resolver, and the report transaction the chain.Chain below
// (Reports).
type Engine struct {
	db   *store.DB
	opts Options

	// iss is the issuance state; it owns the store's write lock, the
	// commit and the closed and failed flags the other parts share.
	iss *issue.Book

	// notices are the recall book, alert rules and outbox, once
	// OpenNotices ran (notice.go); reports give the rules their facts.
	notices atomic.Pointer[Notices]

	// duties are the credit book, complaint desk and spot checks (credit.go).
	duties dutyBooks

	// sector is the category data (sector.go), loaded on first use.
	sector sectorState

	// sites are the organisations' sites (sites.go), loaded on first use.
	sites siteState

	// stats folds each write's statistics into its batch (statscount.go);
	// statsOff (benchmarks only) skips them, for the cost comparison.
	stats    *stats.Keeper
	statsOff bool

	// search is the one-stop query's index of organisations and
	// products (search.go), built at Open and kept current by
	// issue.Options.Published.
	search atomic.Pointer[search.Index]

	// queries is the EPCIS query office (epcisq.go), made on first use.
	queries atomic.Pointer[epcisq.Office]

	// trace is the state of line reports, aggregation, events and
	// resolution (chain.Chain, engine/chain/trace.go), loaded by Open.
	trace atomic.Pointer[chain.Chain]

	// changed is told what each committed report can have changed
	// (OnChanged), nil until set.
	changed atomic.Pointer[func(*resolve.Scopes)]
	// replTargets are the targets of the records a replica applied since
	// its last Refresh (replicate.go).
	replTargets replica.Targets
}

// Open opens (creating if needed) the store in dir. o may be nil for
// defaults. Only one process may open a directory at a time (Pebble holds a
// lock file).
func Open(dir string, o *Options) (*Engine, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	db, err := store.Open(dir, &opts.Store)
	if err != nil {
		return nil, err
	}
	e := &Engine{db: db, opts: opts, stats: stats.NewKeeper(db)}
	// The issuance state's commits fold their statistics in through the
	// engine's keeper.
	iopts := opts.Issue()
	iopts.Stats, iopts.StatsOff, iopts.Published = e.stats, func() bool { return e.statsOff }, e.published
	e.iss, err = issue.Open(db, iopts)
	if err != nil {
		db.Close()
		return nil, err
	}
	e.search.Store(search.Build(e.iss.Orgs(), e.iss.Products(0)))
	if err := e.loadTrace(); err != nil {
		db.Close()
		return nil, fmt.Errorf("engine: open %s: %w", dir, err)
	}
	if err := e.iss.Recover(); err != nil {
		db.Close()
		return nil, err
	}
	return e, nil
}

// Format returns the store format version the store is at (store.FormatV1
// up to store.SchemaVersion).
func (e *Engine) Format() uint64 { return e.iss.Format() }

// PebbleFormat returns the Pebble format major version the store is at.
func (e *Engine) PebbleFormat() uint64 { return e.db.PebbleFormatVersion() }

// Close closes the store. Calls that start afterwards return ErrClosed;
// Close waits for every call in progress that uses the store (resolutions,
// lookups, reports, mints, verification, scan-log and API-key writes) and
// for imported-block work (a stream of an imported block stops at its next
// chunk with ErrClosed). A second Close returns ErrClosed.
func (e *Engine) Close() error { return e.iss.Close() }

// Options returns the options in effect (defaults filled).
func (e *Engine) Options() Options { return e.opts }

// Flush flushes Pebble's memtable to a table (for measurements and tools).
func (e *Engine) Flush() error { return e.db.Flush() }

// Now returns the engine's clock (Options.Now): the time scans and
// reports are stamped with and, through DayOf, the business day.
func (e *Engine) Now() time.Time { return e.opts.Now() }

// Location returns the business-day clock (Options.Location).
func (e *Engine) Location() *time.Location { return e.opts.Location }

// Today returns the engine clock's date in the business-day clock, as
// yyyymmdd: the day expiry is judged on and answers are cached under.
func (e *Engine) Today() uint32 { return e.DayOf(e.nowMillis()) }

// DayOf returns the date of unix milliseconds ms in the business-day
// clock, as yyyymmdd.
func (e *Engine) DayOf(ms int64) uint32 {
	y, m, d := time.UnixMilli(ms).In(e.opts.Location).Date()
	return uint32(y*10000 + int(m)*100 + d)
}
