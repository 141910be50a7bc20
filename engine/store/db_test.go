package store

import (
	"context"
	"fmt"
	"testing"
)

func TestOptionsDefaultsAndValidate(t *testing.T) {
	var o Options
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.CacheSize != DefaultCacheSize || o.MemTableSize != DefaultMemTableSize || o.Compression != "balanced" {
		t.Fatalf("defaults not filled: %+v", o)
	}
	for _, bad := range []Options{
		{CacheSize: -1},
		{MemTableSize: 1},
		{Compression: "lz4"},
		{L0CompactionThreshold: 10, L0StopWritesThreshold: 5},
		{BlockSize: 10},
	} {
		bad.EnsureDefaults()
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate accepted %+v", bad)
		}
	}
}

func TestDBBatchGetScanIngest(t *testing.T) {
	db, err := Open(t.TempDir(), &Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	b := db.NewBatch()
	for i := uint32(1); i <= 3; i++ {
		b.Set(AppendOrgKey(nil, i), Uint(i*10).AppendBinary(nil))
	}
	if err := b.Commit(true); err != nil {
		t.Fatal(err)
	}
	var got Uint
	found, err := db.Get(AppendOrgKey(nil, 2), func(v []byte) error {
		got, err = DecodeUint("x", v)
		return err
	})
	if !found || err != nil || got != 20 {
		t.Fatalf("Get = %v %v %v", found, err, got)
	}
	if found, _ := db.Has(AppendOrgKey(nil, 9)); found {
		t.Fatal("absent key found")
	}
	n := 0
	if err := db.ScanPrefix([]byte{prefixOrg}, func(k, v []byte) error { n++; return nil }); err != nil || n != 3 {
		t.Fatalf("scan: %d keys, %v", n, err)
	}

	// Ingest 1000 sorted keys; unsorted input fails and ingests nothing.
	cnt, err := db.IngestSorted(context.Background(), func(add func(k, v []byte) error) error {
		for i := 0; i < 1000; i++ {
			if err := add(AppendImportedKey(nil, 1, []byte(fmt.Sprintf("S%05d", i))), Uint(i).AppendBinary(nil)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || cnt != 1000 {
		t.Fatalf("ingest: %d, %v", cnt, err)
	}
	if found, _ := db.Has(AppendImportedKey(nil, 1, []byte("S00999"))); !found {
		t.Fatal("ingested key missing")
	}
	_, err = db.IngestSorted(context.Background(), func(add func(k, v []byte) error) error {
		if err := add(AppendImportedKey(nil, 2, []byte("B")), nil); err != nil {
			return err
		}
		return add(AppendImportedKey(nil, 2, []byte("A")), nil)
	})
	if err == nil {
		t.Fatal("unsorted ingest accepted")
	}
	if found, _ := db.Has(AppendImportedKey(nil, 2, []byte("B"))); found {
		t.Fatal("failed ingest left a key")
	}
	if err := db.SyncWAL(); err != nil {
		t.Fatal(err)
	}
	if db.Stats().DiskUsage == 0 {
		t.Fatal("disk usage 0")
	}
}
