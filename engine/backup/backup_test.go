package backup

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// sampleDir writes a few files shaped like a Pebble checkpoint.
func sampleDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"000004.sst":          strings.Repeat("table bytes ", 5000),
		"000005.log":          "wal",
		"MANIFEST-000001":     "manifest",
		"OPTIONS-000003":      "[Options]\n",
		"marker.format.1.024": "",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func pack(t testing.TB, dir string) ([]byte, *Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m := &Manifest{Created: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), LedgerSeq: 42, LastBlock: 7, StoreFormat: 2}
	if err := Write(&buf, dir, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), m
}

func TestRoundTrip(t *testing.T) {
	src := sampleDir(t)
	b, m := pack(t, src)
	if len(m.Files) != 5 {
		t.Fatalf("manifest lists %d files", len(m.Files))
	}
	dst := filepath.Join(t.TempDir(), "restored")
	got, err := Read(bytes.NewReader(b), dst)
	if err != nil {
		t.Fatal(err)
	}
	if got.LedgerSeq != 42 || got.LastBlock != 7 || got.StoreFormat != 2 || !got.Created.Equal(m.Created) || len(got.Files) != 5 {
		t.Errorf("manifest read back: %+v", got)
	}
	for _, f := range m.Files {
		want, _ := os.ReadFile(filepath.Join(src, f.Name))
		have, err := os.ReadFile(filepath.Join(dst, f.Name))
		if err != nil || !bytes.Equal(want, have) {
			t.Errorf("%s: %v, %d bytes, want %d", f.Name, err, len(have), len(want))
		}
	}
	// An empty existing directory is accepted, a non-empty one refused.
	empty := t.TempDir()
	if _, err := Read(bytes.NewReader(b), empty); err != nil {
		t.Errorf("into an empty directory: %v", err)
	}
	if _, err := Read(bytes.NewReader(b), dst); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("into a non-empty directory: %v", err)
	}
}

// rawArchive builds an archive by hand, entries in order.
func rawArchive(t testing.TB, entries ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := zstd.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range entries {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(bytes.Repeat([]byte{'x'}, int(h.Size))); err != nil {
				t.Fatal(err)
			}
		}
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// TestReadRefuses: every damaged or hostile archive is refused with the
// reason, and the directory is left as it was found.
func TestReadRefuses(t *testing.T) {
	good, _ := pack(t, sampleDir(t))
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 1
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "without its manifest"},
		{"not zstd", []byte("PK\x03\x04 a zip file"), "bad archive"},
		{"truncated", good[:len(good)*2/3], "bad archive"},
		{"flipped byte", flipped, "bad archive"},
		{"no manifest", rawArchive(t, &tar.Header{Name: "000004.sst", Size: 3, Typeflag: tar.TypeReg, Mode: 0o600}), "without its manifest"},
		{"path traversal", rawArchive(t, &tar.Header{Name: "../evil", Size: 3, Typeflag: tar.TypeReg, Mode: 0o600}), `"../evil"`},
		{"absolute path", rawArchive(t, &tar.Header{Name: "/etc/passwd", Size: 3, Typeflag: tar.TypeReg, Mode: 0o600}), "plain file name"},
		{"subdirectory", rawArchive(t, &tar.Header{Name: "a/b", Size: 3, Typeflag: tar.TypeReg, Mode: 0o600}), "plain file name"},
		{"symlink", rawArchive(t, &tar.Header{Name: "link", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink}), "not a regular file"},
		{"duplicate", rawArchive(t,
			&tar.Header{Name: "a", Size: 1, Typeflag: tar.TypeReg, Mode: 0o600},
			&tar.Header{Name: "a", Size: 1, Typeflag: tar.TypeReg, Mode: 0o600}), "appears twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "restore")
			_, err := Read(bytes.NewReader(tc.b), dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !errors.Is(err, ErrBadArchive) {
				t.Errorf("%v does not wrap ErrBadArchive", err)
			}
			if _, serr := os.Stat(dir); !os.IsNotExist(serr) {
				t.Errorf("a refused archive left %s behind", dir)
			}
		})
	}
}

// TestReadChecksManifest: a file whose content does not match the
// manifest's checksum, or a file the manifest does not list, is refused.
func TestReadChecksManifest(t *testing.T) {
	src := sampleDir(t)
	var buf bytes.Buffer
	m := &Manifest{}
	if err := Write(&buf, src, m); err != nil {
		t.Fatal(err)
	}
	// Rewrite the archive with one file's content changed, same size.
	rewrite := func(change func(name string, b []byte) []byte, drop string) []byte {
		zr, _ := zstd.NewReader(bytes.NewReader(buf.Bytes()))
		defer zr.Close()
		tr := tar.NewReader(zr)
		var out bytes.Buffer
		zw, _ := zstd.NewWriter(&out)
		tw := tar.NewWriter(zw)
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			var b bytes.Buffer
			b.ReadFrom(tr)
			if h.Name == drop {
				continue
			}
			c := change(h.Name, b.Bytes())
			h.Size = int64(len(c))
			tw.WriteHeader(h)
			tw.Write(c)
		}
		tw.Close()
		zw.Close()
		return out.Bytes()
	}
	changed := rewrite(func(n string, b []byte) []byte {
		if n == "000004.sst" {
			b = append([]byte(nil), b...)
			b[10] ^= 1
		}
		return b
	}, "")
	if _, err := Read(bytes.NewReader(changed), filepath.Join(t.TempDir(), "r")); err == nil || !strings.Contains(err.Error(), "000004.sst: SHA-256") {
		t.Errorf("a changed file: %v", err)
	}
	dropped := rewrite(func(_ string, b []byte) []byte { return b }, "000005.log")
	if _, err := Read(bytes.NewReader(dropped), filepath.Join(t.TempDir(), "r")); err == nil || !strings.Contains(err.Error(), "lists 5 files, the archive holds 4") {
		t.Errorf("a missing file: %v", err)
	}
}

func TestWriteRefusesSubdirectory(t *testing.T) {
	dir := sampleDir(t)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, dir, &Manifest{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a checkpoint with a subdirectory: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	good, _ := pack(f, sampleDir(f))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(rawArchive(f, &tar.Header{Name: "../x", Size: 1, Typeflag: tar.TypeReg}))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := filepath.Join(t.TempDir(), "r")
		m, err := Read(bytes.NewReader(b), dir)
		if err != nil {
			if _, serr := os.Stat(dir); !os.IsNotExist(serr) {
				t.Fatalf("a refused archive left %s behind", dir)
			}
			return
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != len(m.Files) {
			t.Fatalf("%d files unpacked, manifest lists %d", len(ents), len(m.Files))
		}
	})
}
