package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckFilesFindsDamage flips one byte of one of two tables: CheckFiles
// names that table and only it, and a read of the damaged block returns an
// error AsDamage recognises instead of ending the process.
func TestCheckFilesFindsDamage(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, &Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for part := uint32(0); part < 2; part++ { // two flushes: two tables
		b := db.NewBatch()
		for i := uint32(1); i <= 2000; i++ {
			b.Set(AppendOrgKey(nil, part*10000+i), Uint(i).AppendBinary(nil))
		}
		if err := b.Commit(true); err != nil {
			t.Fatal(err)
		}
		if err := db.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if dmg, err := db.CheckFiles(); err != nil || len(dmg) != 0 {
		t.Fatalf("intact store: %v %v", dmg, err)
	}
	db.Close()
	tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(tables) != 2 {
		t.Fatalf("%d tables, want 2", len(tables))
	}
	raw, err := os.ReadFile(tables[1])
	if err != nil {
		t.Fatal(err)
	}
	raw[100] ^= 0x10 // inside the first data block
	if err := os.WriteFile(tables[1], raw, 0o644); err != nil {
		t.Fatal(err)
	}

	db, err = Open(dir, &Options{CacheSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dmg, err := db.CheckFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(dmg) != 1 || dmg[0].File != filepath.Base(tables[1]) || !strings.Contains(dmg[0].Detail, "checksum") {
		t.Fatalf("CheckFiles = %+v, want %s with a checksum mismatch", dmg, filepath.Base(tables[1]))
	}
	err = db.ScanPrefix([]byte{prefixOrg}, func(k, v []byte) error { return nil })
	if d, ok := AsDamage(err); !ok || d.File != filepath.Base(tables[1]) {
		t.Fatalf("scan over the damaged block: %v (damage %+v, %v)", err, d, ok)
	}
}
