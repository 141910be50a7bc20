// Package worldfile is the on-disk form of a bench world: the store
// `tracecode bench --world DIR` builds (items commissioned and packed
// item → case → pallet, lot by lot, with their events and a billion
// minted codes), the manifest that says what it holds, and a sample of
// its packed items' codes, grouped by lot, that `tracecode bench` and
// `tracecode loadtest --world DIR` scan.
//
// Layout of DIR:
//
//	world.json   the Manifest (written last: a world without it, or with
//	             another Version, is rebuilt)
//	codes.tsv    the sample: one "lot<TAB>Digital Link URI" line per code,
//	             lots in the manifest's order
//	store/       the tracecode store (engine.Open)
package worldfile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Version names the world's layout and content; a world of another
// version is rebuilt, not reused. Version 2: the product declares its
// case GTIN, so the cases each run mints carry it. Version 3: pallets are
// sscc blocks (SSCCs, packed into by block reference, registered as
// units by the pack, not commissioned).
const Version = "tracecode-bench-world/3"

// File names inside a world directory.
const (
	ManifestFile = "world.json"
	SampleFile   = "codes.tsv"
	StoreDir     = "store"
)

// Manifest says what a world holds and what building it measured.
type Manifest struct {
	Version string `json:"version"`
	// Items is the number of packed items (10 a case, 50 cases a
	// pallet); Minted the codes minted in all, unused ones included.
	Items  int   `json:"items"`
	Minted int64 `json:"minted"`
	// GTIN and Product are the product's; Org the producer's
	// organisation id.
	GTIN    string `json:"gtin"`
	Product uint32 `json:"product"`
	Org     uint32 `json:"org"`
	// Lots are the lots in build order.
	Lots []Lot `json:"lots"`
	// BuiltAt and BuildSeconds: when and how long the build took.
	BuiltAt      time.Time `json:"built_at"`
	BuildSeconds float64   `json:"build_seconds"`
	// Build holds the build's figures: pack_items_per_sec,
	// capture_events_per_sec, disk_bytes_per_packed_item (the per-item
	// areas after compaction), disk_bytes_per_event (the ledger's
	// growth by the captured events, after compaction), events.
	Build map[string]float64 `json:"build"`
}

// Lot is one lot of a world: its blocks and its lines in the sample.
type Lot struct {
	Name string `json:"name"`
	// Items, Cases and Pallets are the ids of the lot's blocks (Pallets
	// an sscc block).
	Items   uint64 `json:"items_block"`
	Cases   uint64 `json:"cases_block"`
	Pallets uint64 `json:"pallets_block"`
	// Count is the lot's packed items.
	Count int `json:"count"`
	// SampleFirst and SampleCount are the lot's lines of codes.tsv
	// (0-based).
	SampleFirst int `json:"sample_first"`
	SampleCount int `json:"sample_count"`
}

// Read reads DIR/world.json. It fails when the file is missing, unreadable
// or of another Version.
func Read(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("world %s: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("world %s: %s is not a world manifest: %w", dir, ManifestFile, err)
	}
	if m.Version != Version {
		return nil, fmt.Errorf("world %s: version %q, this tracecode reads %q", dir, m.Version, Version)
	}
	return &m, nil
}

// Write writes m as DIR/world.json, atomically.
func (m *Manifest) Write(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ManifestFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, ManifestFile))
}

// ReadSample calls fn for each line of DIR/codes.tsv with its lot and code,
// in order. A malformed line is an error naming its number.
func ReadSample(dir string, fn func(lot, code string)) error {
	f, err := os.Open(filepath.Join(dir, SampleFile))
	if err != nil {
		return fmt.Errorf("world %s: %w", dir, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		lot, code, ok := strings.Cut(sc.Text(), "\t")
		if !ok || lot == "" || code == "" {
			return fmt.Errorf("world %s: %s line %d: want lot<TAB>code", dir, SampleFile, n)
		}
		fn(lot, code)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("world %s: %s: %w", dir, SampleFile, err)
	}
	return nil
}
