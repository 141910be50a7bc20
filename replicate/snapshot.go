package replicate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// SnapshotBucket is the JetStream object store bucket holding snapshots:
// backups of a store (engine/backup's archive of a Pebble checkpoint)
// with the log position they hold, from which a new replica starts
// instead of replaying the whole log.
const SnapshotBucket = "tracecode-snapshots"

// snapshotPosition is the object metadata key holding a snapshot's log
// position (the last record it holds).
const snapshotPosition = "tracecode-log-position"

// Snapshot is one stored snapshot.
type Snapshot struct {
	Name string
	// Position is the last log record the snapshot's store holds.
	Position uint64
	Size     uint64
	Created  time.Time
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

// PutSnapshot stores the archive r, whose store holds the log up to
// record position, and returns its name.
func PutSnapshot(ctx context.Context, ob jetstream.ObjectStore, position uint64, r io.Reader) (Snapshot, error) {
	now := time.Now().UTC()
	name := fmt.Sprintf("snapshot-%020d-%s.tar.zst", position, now.Format("20060102T150405.000Z"))
	info, err := ob.Put(ctx, jetstream.ObjectMeta{Name: name,
		Metadata: map[string]string{snapshotPosition: strconv.FormatUint(position, 10)}}, r)
	if err != nil {
		return Snapshot{}, fmt.Errorf("replicate: store snapshot %s: %w", name, err)
	}
	return Snapshot{Name: name, Position: position, Size: info.Size, Created: info.ModTime}, nil
}

// NewestSnapshot returns the snapshot holding the furthest log position;
// ok is false when the bucket holds none.
func NewestSnapshot(ctx context.Context, ob jetstream.ObjectStore) (s Snapshot, ok bool, err error) {
	list, err := ob.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return Snapshot{}, false, nil
	}
	if err != nil {
		return Snapshot{}, false, fmt.Errorf("replicate: list %s: %w", SnapshotBucket, err)
	}
	for _, o := range list {
		if o.Deleted {
			continue
		}
		p, perr := strconv.ParseUint(o.Metadata[snapshotPosition], 10, 64)
		if perr != nil {
			continue // not a snapshot of ours
		}
		if !ok || p > s.Position {
			s, ok = Snapshot{Name: o.Name, Position: p, Size: o.Size, Created: o.ModTime}, true
		}
	}
	return s, ok, nil
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
