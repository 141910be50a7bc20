// Package config holds the options of an engine (engine.Options is
// config.Options) with their defaults and checks: Open copies them, fills
// the defaults (EnsureDefaults) and validates them (Validate).
package config

import (
	"fmt"
	"time"

	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// Options configure an engine (engine.Open). The zero value of every field means "use the
// default"; Open copies the Options, fills defaults (EnsureDefaults) and
// validates them.
type Options struct {
	// Store tunes Pebble (block cache 256 MiB, memtable 64 MiB, bloom
	// filters, compression; see store.Options).
	Store store.Options

	// MaxMintCount is the largest count one mint request may ask for.
	// Default 10,000,000,000; a block of any size costs one record, so the
	// limit only guards against typos. Per-scheme caps apply as well.
	MaxMintCount uint64

	// DLBase is the scheme and host (and optional path stem) of printed
	// GS1 Digital Link URIs, without a trailing slash. Default
	// "https://id.gs1.org"; a deployment sets its own resolver host.
	DLBase string

	// ShortBase is the scheme and host of short-code URLs, which print as
	// ShortBase + "/c/" + CODE. Default "https://tc.example.cn" — a
	// placeholder every deployment replaces with its resolver host.
	ShortBase string

	// BloomFPRate is the false-positive rate of the in-memory bloom filter
	// built for each imported block (bits-and-blooms/bloom/v3). Default
	// 0.001, which costs about 14.4 bits per imported serial.
	BloomFPRate float64

	// GroupCommitMax bounds how many concurrent mint requests share one
	// batch and one fsync. Default 1024.
	GroupCommitMax int

	// ResolveCache bounds, in entries, each of the resolver's in-memory
	// caches of shared records: decoded event summaries, and the records
	// and present parent of pallets and logistic units. Each fills only
	// as resolutions touch records, up to about 300 bytes per summary and
	// 100 per container entry. Default 1,048,576: every event of a store
	// with 10^8 packed items and two events per pallet (4·10^5) stays
	// cached, at most about 400 MB in all. docs/capacity.md sizes it.
	ResolveCache int

	// MaxTimeline bounds how many of a lot's, and of a product's, records
	// a resolved code's timeline shows: the newest MaxTimeline of each
	// (Chain.TimelineTruncated says some were left out). The code's own
	// records and its containers' are always shown. Default 1,000.
	MaxTimeline int
	// ShortQuotaPerOrg is how many codes of the engine-wide short-code
	// space (serial.CapShort, 10^12, shared by every organisation) one
	// organisation's blocks may take in all; released and voided codes
	// stay taken. A mint past it is refused with a *CapError naming the
	// quota (with AllowPartial it gets what is left of the quota). Default
	// 10,000,000,000 (1% of the space): no tenant alone can exhaust it.
	// It must be below serial.CapShort.
	ShortQuotaPerOrg uint64

	// KEK is the key-encryption key the FF1 keys are sealed under in the
	// store (docs/keys.md). nil: a store whose keys are sealed is refused
	// (ErrKEK); a new store, or one created without a KEK, keeps its keys
	// in the clear — for development, the demo and tests; tracecode warns.
	// Given for a store with clear keys, Open seals them (read-write opens).
	KEK *issue.KEK

	// MaxLotsPerOrg and MaxProductsPerOrg bound how many lots and products
	// one organisation may create: lot and product ids are 32-bit spaces
	// shared by every organisation. Past them a creation fails with
	// ErrCap naming the quota. Defaults 10,000,000 lots and 100,000
	// products; each must be below 2^32-1, so that no organisation alone
	// can use up its space.
	MaxLotsPerOrg, MaxProductsPerOrg uint64

	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time

	// Location is the business-day clock: the zone in which a lot's
	// expiry date ends, recall dates are told and the resolver's and the
	// response cache's day keys turn over. Default Asia/Shanghai (China
	// Standard Time, UTC+8 without daylight saving; a fixed UTC+8 zone
	// where the host has no zone database). One clock for every date
	// decision, so an item and its lot never disagree about expiry.
	Location *time.Location
}

// Defaults.
const (
	DefaultMaxMintCount   = 10_000_000_000
	DefaultDLBase         = "https://id.gs1.org"
	DefaultShortBase      = "https://tc.example.cn"
	DefaultBloomFPRate    = 0.001
	DefaultGroupCommitMax = 1024
	DefaultResolveCache   = 1 << 20
	DefaultMaxTimeline    = 1000
	// DefaultShortQuotaPerOrg is 1% of the short-code space.
	DefaultShortQuotaPerOrg  = serial.CapShort / 100
	DefaultMaxLotsPerOrg     = 10_000_000
	DefaultMaxProductsPerOrg = 100_000
)

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	o.Store.EnsureDefaults()
	if o.MaxMintCount == 0 {
		o.MaxMintCount = DefaultMaxMintCount
	}
	if o.DLBase == "" {
		o.DLBase = DefaultDLBase
	}
	if o.ShortBase == "" {
		o.ShortBase = DefaultShortBase
	}
	if o.BloomFPRate == 0 {
		o.BloomFPRate = DefaultBloomFPRate
	}
	if o.GroupCommitMax == 0 {
		o.GroupCommitMax = DefaultGroupCommitMax
	}
	if o.ResolveCache == 0 {
		o.ResolveCache = DefaultResolveCache
	}
	if o.MaxTimeline == 0 {
		o.MaxTimeline = DefaultMaxTimeline
	}
	if o.ShortQuotaPerOrg == 0 {
		o.ShortQuotaPerOrg = DefaultShortQuotaPerOrg
	}
	if o.MaxLotsPerOrg == 0 {
		o.MaxLotsPerOrg = DefaultMaxLotsPerOrg
	}
	if o.MaxProductsPerOrg == 0 {
		o.MaxProductsPerOrg = DefaultMaxProductsPerOrg
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = DefaultLocation
	}
}

// DefaultLocation is the default business-day clock, Asia/Shanghai.
var DefaultLocation = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// Validate reports the first invalid field.
func (o *Options) Validate() error {
	if err := o.Store.Validate(); err != nil {
		return err
	}
	if err := issue.ValidBase("DLBase", o.DLBase); err != nil {
		return err
	}
	if err := issue.ValidBase("ShortBase", o.ShortBase); err != nil {
		return err
	}
	if !(o.BloomFPRate > 0 && o.BloomFPRate < 0.5) {
		return model.FieldErrorf("BloomFPRate", fmt.Sprint(o.BloomFPRate), "must be in (0, 0.5)")
	}
	if o.GroupCommitMax < 1 {
		return model.FieldErrorf("GroupCommitMax", fmt.Sprint(o.GroupCommitMax), "must be at least 1")
	}
	if o.MaxTimeline < 1 {
		return model.FieldErrorf("MaxTimeline", fmt.Sprint(o.MaxTimeline), "must be at least 1")
	}
	if o.ResolveCache < 16 {
		return model.FieldErrorf("ResolveCache", fmt.Sprint(o.ResolveCache), "must be at least 16 entries")
	}
	if o.ShortQuotaPerOrg >= serial.CapShort {
		return model.FieldErrorf("ShortQuotaPerOrg", fmt.Sprint(o.ShortQuotaPerOrg),
			"must be below the short-code space's cap %d, so that no organisation alone can exhaust it", uint64(serial.CapShort))
	}
	if o.MaxLotsPerOrg >= 1<<32-1 {
		return model.FieldErrorf("MaxLotsPerOrg", fmt.Sprint(o.MaxLotsPerOrg), "must be below 2^32-1, the lot id space")
	}
	if o.MaxProductsPerOrg >= 1<<32-1 {
		return model.FieldErrorf("MaxProductsPerOrg", fmt.Sprint(o.MaxProductsPerOrg), "must be below 2^32-1, the product id space")
	}
	return nil
}

// Issue returns the options the issuance state (issue.Book) takes from o;
// the caller adds its statistics keeper and publication hook.
func (o *Options) Issue() issue.Options {
	return issue.Options{
		MaxMintCount:      o.MaxMintCount,
		DLBase:            o.DLBase,
		ShortBase:         o.ShortBase,
		BloomFPRate:       o.BloomFPRate,
		GroupCommitMax:    o.GroupCommitMax,
		ShortQuotaPerOrg:  o.ShortQuotaPerOrg,
		MaxLotsPerOrg:     o.MaxLotsPerOrg,
		MaxProductsPerOrg: o.MaxProductsPerOrg,
		KEK:               o.KEK,
		Now:               o.Now,
		Location:          o.Location,
		ReadOnly:          o.Store.ReadOnly,
	}
}
