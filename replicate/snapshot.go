package replicate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// SnapshotBucket is the JetStream object store bucket holding snapshots:
// backups of a store (engine/backup's archive of a Pebble checkpoint)
// with the log position they hold, from which a new replica starts
// instead of replaying the whole log.
const SnapshotBucket = "tracecode-snapshots"

// Object metadata keys of a snapshot: its log position (the last record
// it holds) and the stream sequence of the last message holding records
// up to it, where a replica restored from it starts consuming.
const (
	snapshotPosition  = "tracecode-log-position"
	snapshotStreamSeq = "tracecode-stream-seq"
)

// Snapshot is one stored snapshot.
type Snapshot struct {
	Name string
	// Position is the last log record the snapshot's store holds.
	Position uint64
	// StreamSeq is the stream sequence of the last message whose records
	// the snapshot's store holds (StreamSeqOf): a replica restored from it
	// consumes the log from the message after (0: unknown, from the
	// stream's first).
	StreamSeq uint64
	Size      uint64
	Created   time.Time
}

// SnapshotStore opens (creating if missing) the snapshot bucket, stored
// on c.Replicas NATS nodes.
func SnapshotStore(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.ObjectStore, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	ob, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      SnapshotBucket,
		Description: "tracecode: store snapshots with their log position",
		Storage:     jetstream.FileStorage,
		Replicas:    c.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("replicate: bucket %s: %w", SnapshotBucket, err)
	}
	return ob, nil
}

// PutSnapshot stores the archive r, whose store holds the log up to at
// (at.RecordSeq; at.StreamSeq is where its replicas start consuming, see
// StreamSeqOf), and returns it.
func PutSnapshot(ctx context.Context, ob jetstream.ObjectStore, at Position, r io.Reader) (Snapshot, error) {
	now := time.Now().UTC()
	name := fmt.Sprintf("snapshot-%020d-%s.tar.zst", at.RecordSeq, now.Format("20060102T150405.000Z"))
	info, err := ob.Put(ctx, jetstream.ObjectMeta{Name: name,
		Metadata: map[string]string{
			snapshotPosition:  strconv.FormatUint(at.RecordSeq, 10),
			snapshotStreamSeq: strconv.FormatUint(at.StreamSeq, 10),
		}}, r)
	if err != nil {
		return Snapshot{}, fmt.Errorf("replicate: store snapshot %s: %w", name, err)
	}
	return Snapshot{Name: name, Position: at.RecordSeq, StreamSeq: at.StreamSeq, Size: info.Size, Created: info.ModTime}, nil
}

// Snapshots lists the bucket's snapshots, oldest (lowest position) first.
func Snapshots(ctx context.Context, ob jetstream.ObjectStore) ([]Snapshot, error) {
	list, err := ob.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("replicate: list %s: %w", SnapshotBucket, err)
	}
	var ss []Snapshot
	for _, o := range list {
		if o.Deleted {
			continue
		}
		p, perr := strconv.ParseUint(o.Metadata[snapshotPosition], 10, 64)
		if perr != nil {
			continue // not a snapshot of ours
		}
		st, _ := strconv.ParseUint(o.Metadata[snapshotStreamSeq], 10, 64) // absent: 0, from the first message
		ss = append(ss, Snapshot{Name: o.Name, Position: p, StreamSeq: st, Size: o.Size, Created: o.ModTime})
	}
	slices.SortFunc(ss, func(a, b Snapshot) int {
		if c := cmp.Compare(a.Position, b.Position); c != 0 {
			return c
		}
		return a.Created.Compare(b.Created)
	})
	return ss, nil
}

// NewestSnapshot returns the snapshot holding the furthest log position
// not beyond upTo (0: any); ok is false when the bucket holds none.
func NewestSnapshot(ctx context.Context, ob jetstream.ObjectStore, upTo uint64) (s Snapshot, ok bool, err error) {
	ss, err := Snapshots(ctx, ob)
	if err != nil {
		return Snapshot{}, false, err
	}
	for i := len(ss) - 1; i >= 0; i-- {
		if upTo == 0 || ss[i].Position <= upTo {
			return ss[i], true, nil
		}
	}
	return Snapshot{}, false, nil
}

// PruneSnapshots deletes all but the keep newest snapshots and returns
// those deleted.
func PruneSnapshots(ctx context.Context, ob jetstream.ObjectStore, keep int) ([]Snapshot, error) {
	ss, err := Snapshots(ctx, ob)
	if err != nil || len(ss) <= keep {
		return nil, err
	}
	old := ss[:len(ss)-max(keep, 0)]
	for i, s := range old {
		if err := ob.Delete(ctx, s.Name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return old[:i], fmt.Errorf("replicate: delete snapshot %s: %w", s.Name, err)
		}
	}
	return old, nil
}

// StreamSeqOf returns the stream sequence of the last message of the log
// whose records all lie at or before record position pos (0 when none
// does, or pos is 0): a store at pos consumes the log from the message
// after it, skipping only the records it holds of that one. It searches
// the messages' HeaderLast by bisection (a few dozen reads for any log).
func StreamSeqOf(ctx context.Context, s jetstream.Stream, pos uint64) (uint64, error) {
	if pos == 0 {
		return 0, nil
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("replicate: stream info: %w", err)
	}
	last := func(seq uint64) (uint64, error) {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			return 0, fmt.Errorf("replicate: message %d: %w", seq, err)
		}
		v, err := strconv.ParseUint(m.Header.Get(HeaderLast), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("replicate: message %d: header %s: %w", seq, HeaderLast, err)
		}
		return v, nil
	}
	// Invariant: every message below lo is at or before pos (lo-1 the
	// answer so far); every message at or after hi is beyond it.
	lo, hi := info.State.FirstSeq, info.State.LastSeq+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		l, err := last(mid)
		if err != nil {
			return 0, err
		}
		if l <= pos {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo <= info.State.FirstSeq {
		return 0, nil
	}
	return lo - 1, nil
}

// GetSnapshot writes the snapshot's archive to w.
func GetSnapshot(ctx context.Context, ob jetstream.ObjectStore, name string, w io.Writer) error {
	r, err := ob.Get(ctx, name)
	if err != nil {
		return fmt.Errorf("replicate: snapshot %s: %w", name, err)
	}
	defer r.Close()
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("replicate: snapshot %s: %w", name, err)
	}
	return nil
}

// FindSnapshotStore opens the snapshot bucket if it exists; ok is false
// when no snapshot was ever stored.
func FindSnapshotStore(ctx context.Context, js jetstream.JetStream) (ob jetstream.ObjectStore, ok bool, err error) {
	ob, err = js.ObjectStore(ctx, SnapshotBucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("replicate: bucket %s: %w", SnapshotBucket, err)
	}
	return ob, true, nil
}
