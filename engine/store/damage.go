package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Damage is a data file whose bytes no longer match the checksums Pebble
// wrote with them: the disk, a copy or a hand changed it after the write.
// Nothing the engine did can cause it; the file must be restored from a
// replica or a backup.
type Damage struct {
	File   string // the file's name in the data directory ("000005.sst"); "" if Pebble did not say
	Detail string // what Pebble found ("block 0/739: crc32c checksum mismatch …")
}

func (d Damage) String() string {
	if d.File == "" {
		return "a data file is damaged: " + d.Detail
	}
	return "data file " + d.File + " is damaged: " + d.Detail
}

// AsDamage reports whether err comes from reading a damaged data file, and
// which. Reads that meet a damaged block return such an error (Pebble's
// checksum failures are not fatal to the process: see dataCorruption).
func AsDamage(err error) (Damage, bool) {
	if err == nil {
		return Damage{}, false
	}
	if info := pebble.ExtractDataCorruptionInfo(err); info != nil {
		return Damage{File: filepath.Base(info.Path), Detail: firstLine(info.Details)}, true
	}
	if pebble.IsCorruptionError(err) {
		return Damage{Detail: firstLine(err)}, true
	}
	return Damage{}, false
}

// firstLine is err's message without the stack traces and hints Pebble's
// errors carry in their verbose form.
func firstLine(err error) string {
	if err == nil {
		return ""
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// dataCorruption is Pebble's DataCorruption event handler. Pebble's
// default exits the process (status 4, with a stack trace); here the read
// that met the damage returns an error instead (see AsDamage), so that
// `tracecode verify` reports it and a server keeps answering from the
// intact files.
func (l quietLogger) dataCorruption(info pebble.DataCorruptionInfo) {
	l.Errorf("on-disk corruption in %s: %s", filepath.Base(info.Path), firstLine(info.Details))
}

// CheckFiles reads every block of every live table and returns the
// damaged tables, in file order. It reads the whole store once, outside
// the block cache.
func (d *DB) CheckFiles() ([]Damage, error) {
	if !d.g.enter() {
		return nil, errClosed("check files")
	}
	defer d.g.leave()
	levels, err := d.db.SSTables()
	if err != nil {
		return nil, fmt.Errorf("store: list tables: %w", err)
	}
	ro := d.po.Clone()
	ro.EnsureDefaults()
	fs := ro.FS
	if fs == nil {
		fs = vfs.Default
	}
	seen := map[string]bool{}
	var out []Damage
	for _, level := range levels {
		for _, t := range level {
			name := fmt.Sprintf("%s.sst", t.BackingSSTNum)
			if seen[name] {
				continue
			}
			seen[name] = true
			if err := checkTable(fs, filepath.Join(d.dir, name), ro.MakeReaderOptions()); err != nil {
				if dmg, ok := AsDamage(err); ok {
					dmg.File = name
					out = append(out, dmg)
					continue
				}
				return out, fmt.Errorf("store: check %s: %w", name, err)
			}
		}
	}
	slices.SortFunc(out, func(a, b Damage) int { return strings.Compare(a.File, b.File) })
	return out, nil
}

// checkTable validates the checksum of every block of one table file.
func checkTable(fs vfs.FS, path string, o sstable.ReaderOptions) error {
	f, err := fs.Open(path)
	if err != nil {
		return err
	}
	readable, err := sstable.NewSimpleReadable(f)
	if err != nil {
		f.Close()
		return err
	}
	r, err := sstable.NewReader(context.Background(), readable, o)
	if err != nil {
		readable.Close()
		if !pebble.IsCorruptionError(err) {
			// An unreadable footer or index is damage too.
			err = fmt.Errorf("%w: %v", pebble.ErrCorruption, err)
		}
		return err
	}
	defer r.Close()
	return r.ValidateBlockChecksums()
}
