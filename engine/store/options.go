package store

import (
	"errors"
	"fmt"
	"os"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Options tune the Pebble database. The zero value of every field means
// "use the default"; Open copies the Options, fills defaults and validates.
//
// Pebble's own defaults are sized for tests (8 MB cache, 4 MB memtable, the
// oldest on-disk format); docs/storage.md explains each choice below.
type Options struct {
	// Replicator, when set, is told of every committed batch, in commit
	// order, and a synced commit returns only once it says the batch is
	// replicated (see Replicator). Nil: the store is not replicated.
	Replicator Replicator

	// Replica makes the store a replica's: it takes the writer's batches
	// through ApplyReplicated only, and refuses every local commit and
	// ingestion with ErrReplica, so that it never diverges from the
	// writer's (docs/replication.md). False: a local store.
	Replica bool

	// CacheSize is the block cache in bytes, shared by all tables. With cgo
	// it is allocated outside the Go heap. Default 256 MiB. The engine's
	// issuance state lives in RAM regardless; the cache serves master data,
	// imported serials and the per-item records. Size it at about a
	// third of the machine's memory for a resolver.
	CacheSize int64

	// MemTableSize is the size of one memtable in bytes; up to
	// MemTableStopWrites of them may be queued for flushing before writes
	// stall. Default 64 MiB (Pebble's benchmark setting), so that line
	// reports flush in large sequential runs.
	MemTableSize uint64

	// MemTableStopWrites is the number of queued memtables at which writes
	// stop. Default 4.
	MemTableStopWrites int

	// L0CompactionThreshold is the L0 read-amplification at which a
	// compaction starts. Default 2: compact early, keep reads cheap.
	L0CompactionThreshold int

	// L0StopWritesThreshold is the L0 file count at which writes stop.
	// Default 1000: never stall a printing line for L0 debt; compactions
	// catch up (Pebble's benchmark setting).
	L0StopWritesThreshold int

	// Compression is the compression profile: "balanced" (default: MinLZ
	// on L0–L4, zstd-1 on the bottom levels), "fastest" (MinLZ
	// everywhere), "good" (zstd-3 on L6) or "none".
	Compression string

	// BloomBitsPerKey sets the SSTable bloom filter: 10 bits per key gives
	// about 1% false positives. Default 10; a negative value disables
	// filters. Filters make a Get for an absent key skip tables it is not
	// in (note: Pebble's Get does not consult L6 filters).
	BloomBitsPerKey int

	// BlockSize is the target uncompressed size of a data block in bytes.
	// Default 4 KiB, for point reads.
	BlockSize int

	// MaxOpenFiles is a soft limit on open table files. Default 1000.
	MaxOpenFiles int

	// ReadOnly opens the database without write access (no WAL replay
	// writes, no compactions). Writes return an error.
	ReadOnly bool

	// Verbose sends Pebble's informational log lines to stderr. By default
	// only errors are logged.
	Verbose bool

	// FS is the filesystem the database lives on: every file Pebble and
	// the store write (tables, WAL, manifest, ingested tables) goes
	// through it. nil means the operating system's (vfs.Default). Crash
	// tests give a crashable in-memory FS (vfs.NewCrashableMem), whose
	// CrashClone drops what was not synced.
	FS vfs.FS

	// MinFreeBytes is the free space the store keeps on its filesystem:
	// a commit or ingestion that finds less available is refused with
	// ErrDiskFull before it reaches Pebble, whose write-ahead log treats a
	// failed write as fatal (the process would exit). Nothing is applied;
	// writes succeed again once space returns. It must cover what Pebble
	// writes between two commits (memtable flushes, compactions). Default
	// DefaultMinFreeBytes; negative turns the check off. A filesystem that
	// cannot report its free space (an in-memory one) is not checked.
	MinFreeBytes int64
}

// PebbleFormat is the Pebble format major version every store is created
// at and ratcheted to. It is pinned, not pebble.FormatNewest: a format
// ratchet is one-way (a store opened at a newer format can no longer be
// opened by a binary built with an older Pebble), so a dependency bump
// must never change it silently. FormatValueSeparation is
// pebble.FormatNewest of pebble v2.1.7 (columnar blocks, with the flag set
// in pebbleOptions, MinLZ and value separation); every store written so far
// is at it.
//
// To ratchet deliberately: bump Pebble, change this constant in a commit of
// its own whose message says so, run the store tests (TestPebbleFormatPinned
// names the new value) and write the change and the oldest release that can
// still read the store in docs/storage.md ("Format versions"). A store that
// Pebble finds at a newer format than this opens at its own format.
const PebbleFormat = pebble.FormatValueSeparation

// Defaults.
const (
	DefaultCacheSize             = 256 << 20
	DefaultMemTableSize          = 64 << 20
	DefaultMemTableStopWrites    = 4
	DefaultL0CompactionThreshold = 2
	DefaultL0StopWritesThreshold = 1000
	DefaultCompression           = "balanced"
	DefaultBloomBitsPerKey       = 10
	DefaultBlockSize             = 4 << 10
	DefaultMaxOpenFiles          = 1000
)

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = DefaultMemTableSize
	}
	if o.MemTableStopWrites == 0 {
		o.MemTableStopWrites = DefaultMemTableStopWrites
	}
	if o.L0CompactionThreshold == 0 {
		o.L0CompactionThreshold = DefaultL0CompactionThreshold
	}
	if o.L0StopWritesThreshold == 0 {
		o.L0StopWritesThreshold = DefaultL0StopWritesThreshold
	}
	if o.Compression == "" {
		o.Compression = DefaultCompression
	}
	if o.BloomBitsPerKey == 0 {
		o.BloomBitsPerKey = DefaultBloomBitsPerKey
	}
	if o.BlockSize == 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.MaxOpenFiles == 0 {
		o.MaxOpenFiles = DefaultMaxOpenFiles
	}
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.MinFreeBytes == 0 {
		o.MinFreeBytes = DefaultMinFreeBytes
	}
}

// DefaultMinFreeBytes is the default Options.MinFreeBytes: room for a few
// memtable flushes and a compaction.
const DefaultMinFreeBytes = 256 << 20

// Validate reports the first invalid field.
func (o *Options) Validate() error {
	switch {
	case o.Replica && o.Replicator != nil:
		return errors.New("store: Replica and Replicator: a store is a writer or a replica, not both")
	case o.CacheSize < 0:
		return fmt.Errorf("store: CacheSize %d is negative", o.CacheSize)
	case o.MemTableSize < 1<<20 || o.MemTableSize > 4<<30:
		return fmt.Errorf("store: MemTableSize %d is outside [1 MiB, 4 GiB]", o.MemTableSize)
	case o.MemTableStopWrites < 2:
		return fmt.Errorf("store: MemTableStopWrites %d is below 2", o.MemTableStopWrites)
	case o.L0CompactionThreshold < 1:
		return fmt.Errorf("store: L0CompactionThreshold %d is below 1", o.L0CompactionThreshold)
	case o.L0StopWritesThreshold < o.L0CompactionThreshold:
		return fmt.Errorf("store: L0StopWritesThreshold %d is below L0CompactionThreshold %d",
			o.L0StopWritesThreshold, o.L0CompactionThreshold)
	case o.BlockSize < 512 || o.BlockSize > 1<<20:
		return fmt.Errorf("store: BlockSize %d is outside [512, 1 MiB]", o.BlockSize)
	case o.MaxOpenFiles < 16:
		return fmt.Errorf("store: MaxOpenFiles %d is below 16", o.MaxOpenFiles)
	case o.BloomBitsPerKey > 64:
		return fmt.Errorf("store: BloomBitsPerKey %d is above 64", o.BloomBitsPerKey)
	}
	if _, err := compressionSettings(o.Compression); err != nil {
		return err
	}
	return nil
}

func compressionSettings(name string) (pebble.DBCompressionSettings, error) {
	switch name {
	case "balanced":
		return pebble.DBCompressionBalanced, nil
	case "fastest":
		return pebble.DBCompressionFastest, nil
	case "good":
		return pebble.DBCompressionGood, nil
	case "none":
		return pebble.DBCompressionNone, nil
	}
	return pebble.DBCompressionSettings{}, fmt.Errorf("store: Compression %q is not balanced, fastest, good or none", name)
}

// pebbleOptions builds Pebble's options from validated o. The caller owns
// the returned cache reference.
func (o *Options) pebbleOptions() (*pebble.Options, *pebble.Cache) {
	cache := pebble.NewCache(o.CacheSize)
	po := &pebble.Options{
		Cache:                       cache,
		FS:                          o.FS,
		FormatMajorVersion:          PebbleFormat,
		MemTableSize:                o.MemTableSize,
		MemTableStopWritesThreshold: o.MemTableStopWrites,
		L0CompactionThreshold:       o.L0CompactionThreshold,
		L0StopWritesThreshold:       o.L0StopWritesThreshold,
		LBaseMaxBytes:               256 << 20,
		MaxOpenFiles:                o.MaxOpenFiles,
		ReadOnly:                    o.ReadOnly,
		// Two compactions may run at once on a 2-core machine; more would
		// starve the line-facing goroutines.
		CompactionConcurrencyRange: func() (int, int) { return 1, 2 },
		Logger:                     quietLogger{verbose: o.Verbose},
	}
	po.EventListener = &pebble.EventListener{DataCorruption: quietLogger{verbose: o.Verbose}.dataCorruption}
	// Without this, PebbleFormat still writes row-based table format v4
	// and MinLZ silently falls back to Snappy.
	po.Experimental.EnableColumnarBlocks = func() bool { return true }
	for i := range po.Levels {
		l := &po.Levels[i]
		l.BlockSize = o.BlockSize
		l.IndexBlockSize = 256 << 10
		if o.BloomBitsPerKey > 0 {
			l.FilterPolicy = bloom.FilterPolicy(o.BloomBitsPerKey)
		}
	}
	// L0 files are 4 MiB; each lower level's target doubles (Pebble's rule).
	po.TargetFileSizes[0] = 4 << 20
	cs, _ := compressionSettings(o.Compression)
	po.ApplyCompressionSettings(func() pebble.DBCompressionSettings { return cs })
	return po, cache
}

// quietLogger drops Pebble's informational messages unless verbose, and
// sends errors to stderr. Fatalf exits, as Pebble's default logger does.
type quietLogger struct{ verbose bool }

func (l quietLogger) Infof(format string, args ...any) {
	if l.verbose {
		fmt.Fprintf(os.Stderr, "pebble: "+format+"\n", args...)
	}
}

func (quietLogger) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pebble: error: "+format+"\n", args...)
}

func (quietLogger) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pebble: fatal: "+format+"\n", args...)
	os.Exit(4)
}
