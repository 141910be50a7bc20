// Package backup packs a store checkpoint into one file and unpacks it:
// a tar stream of the checkpoint's files compressed with zstd, ending with
// a manifest that names every file with its size and SHA-256 and carries
// the ledger position the checkpoint was cut at. Unpacking checks every
// file against the manifest; a damaged, truncated or hostile archive is
// refused and leaves nothing behind.
//
// # Representation
//
//	zstd( tar( file 1 | … | file n | tracecode-backup.json ) )
//
// Entries are regular files with flat names (a Pebble checkpoint has no
// subdirectories); the manifest is the last entry, so a backup is written
// in one pass while its checksums are computed.
package backup

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
)

// ManifestName is the name of the manifest entry, the archive's last.
const ManifestName = "tracecode-backup.json"

// ManifestVersion is the version of the manifest this build writes and
// reads.
const ManifestVersion = 1

// ErrBadArchive is wrapped by every error about the archive's content.
var ErrBadArchive = errors.New("backup: bad archive")

// Manifest describes a backup.
type Manifest struct {
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	// LedgerSeq is the sequence number of the last ledger record in the
	// backup (0: an empty ledger). A store restored from it continues at
	// LedgerSeq+1.
	LedgerSeq uint64 `json:"ledger_seq"`
	// LastBlock is the id of the last block minted or imported (0: none);
	// block ids continue at LastBlock+1.
	LastBlock uint64 `json:"last_block"`
	// StoreFormat is the store's format version (docs/storage.md).
	StoreFormat uint64 `json:"store_format"`
	// ReplSeq is the store's position in the replication log (the last
	// batch it committed as a writer or applied as a replica; 0: none,
	// docs/replication.md). A replica restored from the backup follows
	// the log from ReplSeq+1.
	ReplSeq uint64 `json:"repl_seq,omitempty"`
	// Files are the store's files, in archive order.
	Files []File `json:"files"`
}

// File is one file of the backed-up store.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // hexadecimal
}

// Write packs every file of dir, a store checkpoint, into w and ends the
// archive with m, its Files filled in. dir must hold only regular files.
func Write(w io.Writer, dir string, m *Manifest) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if !e.Type().IsRegular() {
			return fmt.Errorf("backup: %s: not a regular file", filepath.Join(dir, e.Name()))
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tw := tar.NewWriter(zw)
	m.Version = ManifestVersion
	m.Files = m.Files[:0]
	for _, name := range names {
		f, err := packFile(tw, filepath.Join(dir, name), name)
		if err != nil {
			zw.Close()
			return err
		}
		m.Files = append(m.Files, f)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		zw.Close()
		return fmt.Errorf("backup: %w", err)
	}
	hdr := &tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(mb)), ModTime: m.Created, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		zw.Close()
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := tw.Write(mb); err != nil {
		zw.Close()
		return fmt.Errorf("backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		zw.Close()
		return fmt.Errorf("backup: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// packFile writes one file as a tar entry and returns its description.
func packFile(tw *tar.Writer, path, name string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return File{}, fmt.Errorf("backup: %w", err)
	}
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return File{}, fmt.Errorf("backup: %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), f)
	if err != nil {
		return File{}, fmt.Errorf("backup: %s: %w", name, err)
	}
	if n != fi.Size() {
		return File{}, fmt.Errorf("backup: %s changed size while packed (%d, then %d bytes)", name, fi.Size(), n)
	}
	return File{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Read unpacks an archive into dir, which must not exist or be empty (it
// is created with mode 0700 if missing), checks every file against the
// manifest and returns the manifest. On any error what Read wrote is
// removed: dir is left as it was found.
func Read(r io.Reader, dir string) (m *Manifest, err error) {
	created, err := prepareDir(dir)
	if err != nil {
		return nil, err
	}
	var written []string
	defer func() {
		if err == nil {
			return
		}
		for _, p := range written {
			os.Remove(p)
		}
		if created {
			os.Remove(dir)
		}
	}()
	// The window bound keeps a hostile frame header from reserving memory
	// a backup never needs (Write's encoder uses an 8 MiB window).
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(64<<20), zstd.WithDecoderMaxMemory(64<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadArchive, err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	got := map[string]File{}
	for i := 1; ; i++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%w: ends after %d entries without its manifest (truncated?)", ErrBadArchive, i-1)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrBadArchive, i, err)
		}
		if err := checkEntry(hdr); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrBadArchive, i, err)
		}
		if hdr.Name == ManifestName {
			m, err := readManifest(tr, hdr)
			if err != nil {
				return nil, err
			}
			if err := m.check(got); err != nil {
				return nil, err
			}
			if _, err := tr.Next(); err != io.EOF {
				return nil, fmt.Errorf("%w: entries after the manifest", ErrBadArchive)
			}
			return m, syncDir(dir)
		}
		if _, dup := got[hdr.Name]; dup {
			return nil, fmt.Errorf("%w: entry %d: %s appears twice", ErrBadArchive, i, hdr.Name)
		}
		p := filepath.Join(dir, hdr.Name)
		written = append(written, p)
		f, err := unpackFile(tr, p, hdr)
		if err != nil {
			return nil, err
		}
		got[hdr.Name] = f
	}
}

// prepareDir makes sure dir exists and is empty; created says Read made it.
func prepareDir(dir string) (created bool, err error) {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, fmt.Errorf("backup: %w", err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("backup: %w", err)
	case len(ents) > 0:
		return false, fmt.Errorf("backup: %s is not empty (%d entries): restore into an empty or new directory", dir, len(ents))
	}
	return false, nil
}

// checkEntry refuses anything but a regular file with a flat, local name.
func checkEntry(hdr *tar.Header) error {
	if hdr.Typeflag != tar.TypeReg {
		return fmt.Errorf("%q is not a regular file (type %q)", hdr.Name, hdr.Typeflag)
	}
	n := hdr.Name
	if n == "" || n == "." || n == ".." || strings.ContainsAny(n, `/\`+"\x00") || !filepath.IsLocal(n) {
		return fmt.Errorf("name %q: want a plain file name", n)
	}
	if hdr.Size < 0 {
		return fmt.Errorf("%q: negative size", n)
	}
	return nil
}

// maxManifest bounds the manifest entry: a store has thousands of files,
// not millions.
const maxManifest = 64 << 20

func readManifest(tr *tar.Reader, hdr *tar.Header) (*Manifest, error) {
	if hdr.Size > maxManifest {
		return nil, fmt.Errorf("%w: manifest of %d bytes (at most %d)", ErrBadArchive, hdr.Size, maxManifest)
	}
	b, err := io.ReadAll(tr)
	if err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrBadArchive, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrBadArchive, err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("%w: manifest version %d (this build reads %d)", ErrBadArchive, m.Version, ManifestVersion)
	}
	return &m, nil
}

// check compares the files unpacked with the ones the manifest lists.
func (m *Manifest) check(got map[string]File) error {
	if len(m.Files) != len(got) {
		return fmt.Errorf("%w: manifest lists %d files, the archive holds %d", ErrBadArchive, len(m.Files), len(got))
	}
	for _, want := range m.Files {
		g, ok := got[want.Name]
		switch {
		case !ok:
			return fmt.Errorf("%w: %s: in the manifest, not in the archive", ErrBadArchive, want.Name)
		case g.Size != want.Size:
			return fmt.Errorf("%w: %s: %d bytes, the manifest says %d", ErrBadArchive, want.Name, g.Size, want.Size)
		case g.SHA256 != want.SHA256:
			return fmt.Errorf("%w: %s: SHA-256 %s, the manifest says %s", ErrBadArchive, want.Name, g.SHA256, want.SHA256)
		}
	}
	return nil
}

// unpackFile writes one entry to path with fsync and returns what it got.
func unpackFile(tr *tar.Reader, path string, hdr *tar.Header) (File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return File{}, fmt.Errorf("backup: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), tr)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("%w: %s: %v", ErrBadArchive, hdr.Name, err)
	}
	return File{Name: hdr.Name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// syncDir makes the new directory entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: sync %s: %w", dir, err)
	}
	return nil
}
