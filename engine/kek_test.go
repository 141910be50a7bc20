package engine

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tracecode/engine/issue"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

func newTestKEK(t testing.TB) *issue.KEK {
	t.Helper()
	k, err := issue.NewKEK()
	if err != nil {
		t.Fatal(err)
	}
	return &k
}

// openKEK opens dir with kek (nil: none) and the test clock; the caller
// closes the engine.
func openKEK(dir string, kek *issue.KEK) (*Engine, error) {
	return Open(dir, &Options{Store: smallStore(), KEK: kek, Now: func() time.Time { return testClock }})
}

// keyMaterial returns every FF1 key the engine holds in memory.
func keyMaterial(e *Engine) [][]byte { return e.iss.KeyMaterial() }

// filesHolding returns the files under dir that contain one of keys.
func filesHolding(t *testing.T, dir string, keys [][]byte) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if bytes.Contains(b, k) {
				found = append(found, filepath.Base(path))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestKEKCopyCannotProduceSerials: with a KEK, no FF1 key is anywhere in
// the data directory's files (WAL, tables, manifest), and a copy of the
// directory opened without the KEK, or with another one, is refused
// naming the KEK it needs. Without a KEK the keys were stored in the
// clear, and a copy could enumerate every serial.
func TestKEKCopyCannotProduceSerials(t *testing.T) {
	dir := t.TempDir()
	kek := newTestKEK(t)
	e, err := openKEK(dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	p := addDrug(t, e, testGTIN, "8612345")
	r := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10})
	mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", Count: 10, Scheme: serial.Short})
	line := codes(t, e, r.Block.ID, issue.FormatDL, 3, 1)[0]
	keys := keyMaterial(e)
	if sealed, id := e.Issuance().KeysSealed(); !sealed || id != kek.ID() || e.Format() != store.FormatV2 {
		t.Fatalf("KeysSealed() = %v %q, format %d; want sealed under %s at format 2", sealed, id, e.Format(), kek.ID())
	}
	if err := e.Issuance().Check(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("%d keys in memory, want the short-code key and the product's", len(keys))
	}
	if f := filesHolding(t, dir, keys); len(f) > 0 {
		t.Fatalf("FF1 keys in the clear in %v", f)
	}

	cp := t.TempDir()
	if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []*issue.KEK{nil, newTestKEK(t)} {
		for _, ro := range []bool{true, false} {
			o := &Options{Store: smallStore(), KEK: k}
			o.Store.ReadOnly = ro
			e2, err := Open(cp, o)
			if err == nil {
				e2.Close()
				t.Fatalf("KEK %v, read-only %v: the copy opened", k != nil, ro)
			}
			if !errors.Is(err, issue.ErrKEK) || !strings.Contains(err.Error(), kek.ID()) {
				t.Fatalf("KEK %v, read-only %v: %v; want ErrKEK naming KEK %s", k != nil, ro, err, kek.ID())
			}
		}
	}
	e, err = openKEK(cp, kek)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got, err := e.Issuance().Lookup(line); err != nil || got.Offset != 3 {
		t.Fatalf("the copy with the KEK: %+v, %v", got, err)
	}
}

// TestKEKSealsClearStore: a store created without a KEK keeps its keys in
// the clear and still opens; given a KEK, Open seals every key (format 2),
// codes resolve as before, and from then on the store needs the KEK.
func TestKEKSealsClearStore(t *testing.T) {
	dir := t.TempDir()
	e, err := openKEK(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := addDrug(t, e, testGTIN, "8612345")
	r := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10})
	s := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", Count: 10, Scheme: serial.Short})
	lines := []string{codes(t, e, r.Block.ID, issue.FormatDL, 4, 1)[0], codes(t, e, s.Block.ID, issue.FormatShort, 5, 1)[0]}
	if sealed, _ := e.Issuance().KeysSealed(); sealed || e.Format() != store.FormatV1 {
		t.Fatalf("a store without a KEK: sealed %v, format %d", sealed, e.Format())
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	kek := newTestKEK(t)
	e, err = openKEK(dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	if sealed, id := e.Issuance().KeysSealed(); !sealed || id != kek.ID() || e.Format() != store.FormatV2 {
		t.Fatalf("after Open with a KEK: sealed %v %q, format %d", sealed, id, e.Format())
	}
	p2 := addDrug(t, e, testGTIN2, "8612346")
	r2 := mint(t, e, issue.MintRequest{Product: p2.ID, Lot: "L2", CreateLot: true, Count: 10})
	lines = append(lines, codes(t, e, r2.Block.ID, issue.FormatDL, 0, 1)[0])
	if err := e.Issuance().Check(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := openKEK(dir, nil); !errors.Is(err, issue.ErrKEK) {
		t.Fatalf("sealed store without the KEK: %v", err)
	}
	e, err = openKEK(dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, l := range lines {
		if _, err := e.Issuance().Lookup(l); err != nil {
			t.Fatalf("%s after sealing: %v", l, err)
		}
	}
}

// TestRotateKEK: after RotateKEK the store opens with the new KEK, codes
// resolve as before, and the old KEK no longer opens it.
func TestRotateKEK(t *testing.T) {
	dir := t.TempDir()
	old, next := newTestKEK(t), newTestKEK(t)
	e, err := openKEK(dir, old)
	if err != nil {
		t.Fatal(err)
	}
	p := addDrug(t, e, testGTIN, "8612345")
	r := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 10})
	line := codes(t, e, r.Block.ID, issue.FormatDL, 7, 1)[0]
	if _, err := e.Issuance().RotateKEK(context.Background(), *old); !errors.Is(err, issue.ErrKEK) {
		t.Fatalf("rotating to the same KEK: %v", err)
	}
	n, err := e.Issuance().RotateKEK(context.Background(), *next)
	if err != nil || n != 2 {
		t.Fatalf("RotateKEK: %d, %v; want the 2 keys", n, err)
	}
	// Keys made after the rotation are sealed under the new KEK.
	p2 := addDrug(t, e, testGTIN2, "8612346")
	r2 := mint(t, e, issue.MintRequest{Product: p2.ID, Lot: "L2", CreateLot: true, Count: 10})
	line2 := codes(t, e, r2.Block.ID, issue.FormatDL, 1, 1)[0]
	if err := e.Issuance().Check(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = openKEK(dir, old)
	if !errors.Is(err, issue.ErrKEK) || !strings.Contains(err.Error(), next.ID()) || !strings.Contains(err.Error(), old.ID()) {
		t.Fatalf("open with the old KEK: %v; want ErrKEK naming both KEKs", err)
	}
	e, err = openKEK(dir, next)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, l := range []string{line, line2} {
		if _, err := e.Issuance().Lookup(l); err != nil {
			t.Fatalf("%s after rotation: %v", l, err)
		}
	}
}

// TestSealedKeyTampering: in a sealed store, a clear key written over a
// product's key, or another product's sealed key moved onto it, is
// refused at Open, naming the record.
func TestSealedKeyTampering(t *testing.T) {
	kek := newTestKEK(t)
	for _, tc := range []struct {
		name string
		val  func(db *store.DB) []byte
		want error
	}{
		{"clear key", func(*store.DB) []byte {
			return (&store.Key{Bytes: make([]byte, 32)}).AppendBinary(nil)
		}, store.ErrCorrupt},
		{"moved sealed key", func(db *store.DB) []byte {
			var v []byte
			db.Get(store.ProductKeyKey(2, 0), func(b []byte) error { v = append([]byte(nil), b...); return nil })
			return v
		}, issue.ErrKEK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			e, err := openKEK(dir, kek)
			if err != nil {
				t.Fatal(err)
			}
			addDrug(t, e, testGTIN, "8612345")
			addDrug(t, e, testGTIN2, "8612346")
			e.Close()
			db, err := store.Open(dir, &store.Options{CacheSize: 8 << 20, MemTableSize: 4 << 20})
			if err != nil {
				t.Fatal(err)
			}
			b := db.NewBatch()
			b.Set(store.ProductKeyKey(1, 0), tc.val(db))
			if err := b.Commit(true); err != nil {
				t.Fatal(err)
			}
			db.Close()
			_, err = openKEK(dir, kek)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "2500000001") {
				t.Fatalf("Open: %v; want %v naming record 2500000001", err, tc.want)
			}
		})
	}
}

func TestParseKEK(t *testing.T) {
	k := newTestKEK(t)
	text := k.AppendText(nil)
	got, err := issue.ParseKEK(append(append([]byte(" \n"), bytes.ToUpper(text)...), '\n'))
	if err != nil || got != *k {
		t.Fatalf("round trip: %v", err)
	}
	for in, want := range map[string]string{
		"":                "has 0 characters",
		string(text[:63]): "has 63 characters",
		string(text[:10]) + "g" + string(text[11:]): "character 11 is not a hexadecimal digit",
		strings.Repeat("0", 64):                     "all zeros",
	} {
		if _, err := issue.ParseKEK([]byte(in)); !errors.Is(err, issue.ErrKEK) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKEK(%q): %v; want %q", in, err, want)
		}
	}
}

// FuzzParseKEK: ParseKEK never panics, never echoes its input, and what it
// accepts prints back to the same key.
func FuzzParseKEK(f *testing.F) {
	f.Add([]byte("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"))
	f.Add([]byte(" 00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\n"))
	f.Add([]byte("zz"))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := issue.ParseKEK(in)
		if err != nil {
			if len(in) >= 8 && strings.Contains(err.Error(), string(in)) {
				t.Fatalf("error %q echoes the input", err)
			}
			return
		}
		k2, err := issue.ParseKEK(k.AppendText(nil))
		if err != nil || k2 != k || !bytes.EqualFold(k.AppendText(nil), bytes.TrimSpace(in)) {
			t.Fatalf("round trip of %q: %v", in, err)
		}
	})
}
