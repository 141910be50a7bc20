package store

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/batchrepr"
)

// ErrReplica is wrapped by the errors of local commits on a replica's
// store (Options.Replica): a replica takes writes only from the writer's
// log.
var ErrReplica = errors.New("store: this store is a replica: writes go to the writer")

// Families is a set of key families: groups of prefixes whose in-memory
// state the engine loads together at Open. A replica that applied a
// batch reloads the families the batch touched (BatchFamilies), and only
// those.
type Families uint16

// The key families.
const (
	// FamIssue: master data, id allocations, keys, blocks, imports
	// (0x01–0x6F but the replication position).
	FamIssue Families = 1 << iota
	// FamTrace: item state, units, recalls, the ledger and its indexes,
	// custody and aggregation (0x70–0x9F).
	FamTrace
	// FamNotices: recalls, holds, alerts, the outbox and endpoints
	// (0xA0–0xB3, 0xB8).
	FamNotices
	// FamDuties: credit records and complaints (0xBA–0xBF).
	FamDuties
	// FamSector: category data of organisations, products, items and
	// events.
	FamSector
	// FamScans: per-item scan counts and raw scans (0xC0–0xC7).
	FamScans
	// FamKeys: API keys (0xC8–0xCF).
	FamKeys
	// FamAccounts: people's accounts, sessions and the audit log
	// (0xD0–0xDF).
	FamAccounts
	// FamStats: statistics counters (0xE0–0xEF).
	FamStats
	// FamOther: spot checks and any prefix not above.
	FamOther

	// FamAll is every family.
	FamAll Families = 1<<iota - 1
)

// familyOf returns the family of keys starting with prefix p.
func familyOf(p byte) Families {
	switch p {
	case prefixSectorOrg, prefixSectorProduct, prefixSectorItem, prefixSectorEvent:
		return FamSector
	}
	switch {
	case p < 0x70:
		return FamIssue
	case p < 0xA0:
		return FamTrace
	case p < 0xB4 || p == prefixEndpoint:
		return FamNotices
	case p >= 0xBA && p < 0xC0:
		return FamDuties
	case p >= 0xC0 && p < 0xC8:
		return FamScans
	case p >= 0xC8 && p < 0xD0:
		return FamKeys
	case p >= 0xD0 && p < 0xE0:
		return FamAccounts
	case p >= 0xE0 && p < 0xF0:
		return FamStats
	}
	return FamOther
}

// keyFamily returns the family of key k (none for the replication
// position, which every replicated batch sets).
func keyFamily(k []byte) Families {
	if len(k) == 0 {
		return FamOther
	}
	if k[0] == prefixMeta && len(k) == 2 && k[1] == MetaReplSeq {
		return 0
	}
	return familyOf(k[0])
}

// BatchFamilies returns the families of the keys a committed batch's
// representation sets or deletes. A range deletion spanning several
// prefixes counts as every family. A damaged representation is an
// error wrapping ErrCorrupt.
func BatchFamilies(repr []byte) (f Families, err error) {
	err = walkBatch(repr, func(kind pebble.InternalKeyKind, k, v []byte) error {
		f |= keyFamily(k)
		if kind == pebble.InternalKeyKindRangeDelete && (len(v) == 0 || len(k) == 0 || v[0] != k[0]) {
			f |= FamAll
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return f, nil
}

// batchPosition returns the replication position a committed batch's
// representation sets (the last MetaReplSeq it writes), ErrCorrupt for a
// damaged one or one that sets none.
func batchPosition(repr []byte) (seq uint64, err error) {
	found := false
	err = walkBatch(repr, func(kind pebble.InternalKeyKind, k, v []byte) error {
		if kind == pebble.InternalKeyKindSet && len(k) == 2 && k[0] == prefixMeta && k[1] == MetaReplSeq {
			u, err := DecodeUint("replication position", v)
			if err != nil {
				return err
			}
			seq, found = uint64(u), true
		}
		return nil
	})
	switch {
	case err != nil:
		return 0, err
	case !found:
		return 0, fmt.Errorf("%w: batch sets no replication position", ErrCorrupt)
	}
	return seq, nil
}

// walkBatch calls fn with each operation of a committed batch's
// representation, in order. Pebble's batch reader trusts the lengths it
// reads (a batch it made); a damaged one from the log may run it out of
// bounds, so a panic, a short header or a reader error is ErrCorrupt.
func walkBatch(repr []byte, fn func(kind pebble.InternalKeyKind, k, v []byte) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: batch: %v", ErrCorrupt, v)
		}
	}()
	if len(repr) < batchrepr.HeaderLen {
		return fmt.Errorf("%w: batch of %d bytes, shorter than its header", ErrCorrupt, len(repr))
	}
	r := batchrepr.Read(repr)
	for {
		kind, k, v, ok, err := r.Next()
		if err != nil {
			return fmt.Errorf("%w: batch: %v", ErrCorrupt, err)
		}
		if !ok {
			return nil
		}
		if err := fn(kind, k, v); err != nil {
			return err
		}
	}
}

// BatchPayloads calls fn with the value of every ledger payload
// (EventPayload: a record's targets and body) a committed batch's
// representation sets, ErrCorrupt for a damaged batch.
func BatchPayloads(repr []byte, fn func(v []byte) error) error {
	return walkBatch(repr, func(kind pebble.InternalKeyKind, k, v []byte) error {
		if kind == pebble.InternalKeyKindSet && len(k) == 9 && k[0] == prefixEventPayload {
			return fn(v)
		}
		return nil
	})
}
