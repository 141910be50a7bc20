package site

import (
	"fmt"
	"slices"
	"sync"

	"tracecode/engine/store"
)

// Book holds every organisation's sites in memory, loaded at Open, and
// writes each change as one synced batch.
type Book struct {
	db *store.DB

	mu    sync.RWMutex
	byOrg map[uint32][]Site // sites of each organisation, by id (ID = index + 1); GUARDED_BY(mu)
	byGLN map[string]ref    // GUARDED_BY(mu)
	// pastGLN: the sites that held a GLN before (Moves). GUARDED_BY(mu).
	pastGLN map[string][]ref

	// Records, when set, runs an addition or a change holding the
	// ledger's report lock, with the sequence number of the next record:
	// the record from which the change is seen (Site.Since, Move.Until).
	// Nil: changes are seen by every record.
	Records func(fn func(next uint64) error) error
}

type ref struct{ org, id uint32 }

// Open loads the sites of db.
func Open(db *store.DB) (*Book, error) {
	bk := &Book{db: db, byOrg: map[uint32][]Site{}, byGLN: map[string]ref{}, pastGLN: map[string][]ref{}}
	err := db.ScanPrefix(store.SiteKeys.Prefix(), func(k, v []byte) error {
		org, id, err := store.DecodeSiteKey(k)
		if err != nil {
			return err
		}
		s, err := Decode(org, id, v)
		if err != nil {
			return err
		}
		if int(id) != len(bk.byOrg[org])+1 {
			return fmt.Errorf("%w: site %d of organisation %d follows site %d", store.ErrCorrupt, id, org, len(bk.byOrg[org]))
		}
		bk.byOrg[org] = append(bk.byOrg[org], s)
		if s.GLN != "" {
			bk.byGLN[s.GLN] = ref{org, id}
		}
		bk.notePast(&s)
		return nil
	})
	return bk, err
}

// notePast indexes the GLNs s held before. REQUIRES bk.mu held (or bk
// not shared yet).
func (bk *Book) notePast(s *Site) {
	for _, m := range s.Moves {
		r := ref{s.Org, s.ID}
		if m.GLN != "" && !slices.Contains(bk.pastGLN[m.GLN], r) {
			bk.pastGLN[m.GLN] = append(bk.pastGLN[m.GLN], r)
		}
	}
}

// atRecord runs fn with the next record's sequence number under
// Records, or with 0 without it.
func (bk *Book) atRecord(fn func(next uint64) error) error {
	if bk.Records == nil {
		return fn(0)
	}
	return bk.Records(fn)
}

// RegionAt returns the region of the site whose GLN was gln when record
// seq was appended (found false: no site had it then).
func (bk *Book) RegionAt(gln string, seq uint64) (region uint32, found bool) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	at := func(r ref) (uint32, bool) {
		s := &bk.byOrg[r.org][r.id-1]
		reg, g, ok := s.At(seq)
		return reg, ok && g == gln
	}
	if r, ok := bk.byGLN[gln]; ok {
		if reg, ok := at(r); ok {
			return reg, true
		}
	}
	for _, r := range bk.pastGLN[gln] {
		if reg, ok := at(r); ok {
			return reg, true
		}
	}
	return 0, false
}

// Before returns the divisions where the region index may hold events
// that today's sites place in a region (by covers) but capture placed
// elsewhere: the regions the region's sites had before they moved into
// it, those of the sites that held their GLNs before, and orgRegion of
// the organisation of each site added after records were kept (Since:
// an event at its GLN before then was placed by its company prefix's
// organisation).
func (bk *Book) Before(covers func(region uint32) bool, orgRegion func(org uint32) uint32) []uint32 {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	var out []uint32
	add := func(r uint32) {
		if r != 0 && !covers(r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, ss := range bk.byOrg {
		for i := range ss {
			s := &ss[i]
			if !covers(s.Region) {
				continue
			}
			for _, m := range s.Moves {
				add(m.Region)
			}
			for _, r := range bk.pastGLN[s.GLN] {
				if o := &bk.byOrg[r.org][r.id-1]; o != s {
					add(o.Region)
					for _, m := range o.Moves {
						add(m.Region)
					}
				}
			}
			if s.Since != 0 && orgRegion != nil {
				add(orgRegion(s.Org))
			}
		}
	}
	slices.Sort(out)
	return out
}

// Add checks in and adds it as a new site of org, at time now (Unix ms).
// A GLN another site holds is ErrConflict.
func (bk *Book) Add(org uint32, in *Input, now int64) (Site, error) {
	s, err := in.Check()
	if err != nil {
		return Site{}, err
	}
	err = bk.atRecord(func(next uint64) error {
		bk.mu.Lock()
		defer bk.mu.Unlock()
		s.Org, s.ID, s.Created = org, uint32(len(bk.byOrg[org]))+1, now
		if next > 1 { // else no record came before it
			s.Since = next
		}
		if err := bk.write(&s, ""); err != nil {
			return err
		}
		bk.byOrg[org] = append(bk.byOrg[org], s)
		return nil
	})
	if err != nil {
		return Site{}, err
	}
	return s, nil
}

// Update replaces site id of org with in, at time now (Unix ms).
func (bk *Book) Update(org, id uint32, in *Input, now int64) (Site, error) {
	s, err := in.Check()
	if err != nil {
		return Site{}, err
	}
	err = bk.atRecord(func(next uint64) error {
		bk.mu.Lock()
		defer bk.mu.Unlock()
		old, err := bk.get(org, id)
		if err != nil {
			return err
		}
		s.Org, s.ID, s.Created, s.Updated, s.Since, s.Moves = org, id, old.Created, now, old.Since, old.Moves
		if next != 0 && (old.Region != s.Region || old.GLN != s.GLN) {
			s.Moves = append(slices.Clip(old.Moves), Move{Until: next, Region: old.Region, GLN: old.GLN})
		}
		if err := bk.write(&s, old.GLN); err != nil {
			return err
		}
		bk.byOrg[org][id-1] = s
		bk.notePast(&s)
		return nil
	})
	if err != nil {
		return Site{}, err
	}
	return s, nil
}

// write commits s, moving its GLN index entry from oldGLN. REQUIRES
// bk.mu held.
func (bk *Book) write(s *Site, oldGLN string) error {
	if s.GLN != "" && s.GLN != oldGLN {
		if r, ok := bk.byGLN[s.GLN]; ok {
			return fmt.Errorf("%w: GLN %s is site %d of organisation %d", ErrConflict, s.GLN, r.id, r.org)
		}
	}
	b := bk.db.NewBatch()
	defer b.Close()
	if err := b.Set(store.SiteKey(s.Org, s.ID), s.AppendBinary(nil)); err != nil {
		return err
	}
	if oldGLN != "" && oldGLN != s.GLN {
		if err := b.Delete(store.SiteByGLNKey(oldGLN)); err != nil {
			return err
		}
	}
	if s.GLN != "" && s.GLN != oldGLN {
		if err := b.Set(store.SiteByGLNKey(s.GLN), store.SiteByGLNValue(s.Org, s.ID)); err != nil {
			return err
		}
	}
	if err := b.Commit(true); err != nil {
		return err
	}
	if oldGLN != s.GLN {
		delete(bk.byGLN, oldGLN)
	}
	if s.GLN != "" {
		bk.byGLN[s.GLN] = ref{s.Org, s.ID}
	}
	return nil
}

// get returns site id of org. REQUIRES bk.mu held.
func (bk *Book) get(org, id uint32) (Site, error) {
	ss := bk.byOrg[org]
	if id == 0 || int(id) > len(ss) {
		return Site{}, fmt.Errorf("%w: organisation %d has no site %d", ErrNotFound, org, id)
	}
	return ss[id-1], nil
}

// Get returns site id of org.
func (bk *Book) Get(org, id uint32) (Site, error) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	return bk.get(org, id)
}

// OfOrg returns org's sites, by id.
func (bk *Book) OfOrg(org uint32) []Site {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	return slices.Clone(bk.byOrg[org])
}

// ByGLN returns the site whose GLN is gln.
func (bk *Book) ByGLN(gln string) (Site, bool) {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	r, ok := bk.byGLN[gln]
	if !ok {
		return Site{}, false
	}
	return bk.byOrg[r.org][r.id-1], true
}

// InRegion returns every site whose region match accepts (a regulator's
// region covering it), by organisation and id.
func (bk *Book) InRegion(match func(region uint32) bool) []Site {
	bk.mu.RLock()
	defer bk.mu.RUnlock()
	var out []Site
	for _, ss := range bk.byOrg {
		for _, s := range ss {
			if match(s.Region) {
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, func(a, b Site) int {
		if a.Org != b.Org {
			return int(int64(a.Org) - int64(b.Org))
		}
		return int(int64(a.ID) - int64(b.ID))
	})
	return out
}
