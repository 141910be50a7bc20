package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// setMeta closes e and writes (or, with del, deletes) the meta record id
// of its store directly, as an older or newer binary would have left it.
// It returns the directory.
func setMeta(t *testing.T, e *Engine, id byte, v uint64, del bool) string {
	t.Helper()
	dir := e.db.Dir()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(dir, &store.Options{CacheSize: 8 << 20, MemTableSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	if del {
		b.Delete(store.MetaKey(id))
	} else {
		b.Set(store.MetaKey(id), store.Uint(v).AppendBinary(nil))
	}
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOpenRefusesNewerFormat: a store at a format version newer than this
// build reads is refused at Open, naming both versions, and left as it was.
func TestOpenRefusesNewerFormat(t *testing.T) {
	e := openTest(t, "")
	addDrug(t, e, testGTIN, "8612345")
	newer := uint64(store.SchemaVersion + 1)
	dir := setMeta(t, e, store.MetaSchema, newer, false)
	for _, ro := range []bool{false, true} {
		o := &Options{Store: smallStore()}
		o.Store.ReadOnly = ro
		e2, err := Open(dir, o)
		if err == nil {
			e2.Close()
			t.Fatalf("read-only %v: Open accepted a store at format %d", ro, newer)
		}
		want := fmt.Sprintf("store format version %d; this build reads versions %d to %d", newer, store.FormatV1, store.SchemaVersion)
		if !errors.Is(err, model.ErrNewerFormat) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("read-only %v: Open: %v; want ErrNewerFormat naming %s and %q", ro, err, dir, want)
		}
	}
	db, err := store.Open(dir, &store.Options{CacheSize: 8 << 20, MemTableSize: 4 << 20, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got store.Uint
	if _, err := db.Get(store.MetaKey(store.MetaSchema), func(v []byte) (err error) {
		got, err = store.DecodeUint("schema", v)
		return err
	}); err != nil || uint64(got) != newer {
		t.Fatalf("format record after the refused opens: %d, %v; want %d", got, err, newer)
	}
}

// TestOpenStoreWithoutFormatRecord: a store created before the format
// record existed opens at FormatV1, read-only as well as read-write, and
// keeps its engine-wide short-code key, so short codes minted before still
// resolve (Open used to take the store for a new one and write a fresh
// short-code key over generation 0).
func TestOpenStoreWithoutFormatRecord(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	r := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 20, Scheme: serial.Short})
	lines := codes(t, e, r.Block.ID, issue.FormatShort, 0, 20)
	dir := setMeta(t, e, store.MetaSchema, 0, true)

	o := &Options{Store: smallStore()}
	o.Store.ReadOnly = true
	ro, err := Open(dir, o)
	if err != nil {
		t.Fatalf("read-only Open of a store without a format record: %v", err)
	}
	if ro.Format() != store.FormatV1 {
		t.Errorf("read-only Format() = %d, want %d", ro.Format(), store.FormatV1)
	}
	if _, err := ro.Issuance().Lookup(lines[0]); err != nil {
		t.Errorf("read-only Lookup(%q): %v", lines[0], err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}

	e = openTest(t, dir)
	if e.Format() != store.FormatV1 {
		t.Errorf("Format() = %d, want %d", e.Format(), store.FormatV1)
	}
	for i, line := range lines {
		got, err := e.Issuance().Lookup(line)
		if err != nil || got.Block.ID != r.Block.ID || got.Offset != uint64(i) {
			t.Fatalf("short code %d %q after reopening: %+v, %v", i, line, got, err)
		}
	}
	r2, err := e.Issuance().Mint(context.Background(), issue.MintRequest{Product: p.ID, Lot: "L1", Count: 5, Scheme: serial.Short})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range codes(t, e, r2.Block.ID, issue.FormatShort, 0, 5) {
		if _, err := e.Issuance().Lookup(line); err != nil {
			t.Fatalf("new short code %q: %v", line, err)
		}
	}
}

// TestPebbleFormatPinned: stores are created at the pinned Pebble format,
// whatever pebble.FormatNewest of the Pebble in go.mod is; a change of
// store.PebbleFormat must be made on purpose (docs/storage.md).
func TestPebbleFormatPinned(t *testing.T) {
	e := openTest(t, "")
	const want = 24 // pebble.FormatValueSeparation
	if store.PebbleFormat != want || e.PebbleFormat() != want {
		t.Fatalf("Pebble format: pinned %d, store at %d; want %d (ratchet deliberately: see store.PebbleFormat)",
			store.PebbleFormat, e.PebbleFormat(), want)
	}
}
