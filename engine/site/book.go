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
}

type ref struct{ org, id uint32 }

// Open loads the sites of db.
func Open(db *store.DB) (*Book, error) {
	bk := &Book{db: db, byOrg: map[uint32][]Site{}, byGLN: map[string]ref{}}
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
		return nil
	})
	return bk, err
}

// Add checks in and adds it as a new site of org, at time now (Unix ms).
// A GLN another site holds is ErrConflict.
func (bk *Book) Add(org uint32, in *Input, now int64) (Site, error) {
	s, err := in.Check()
	if err != nil {
		return Site{}, err
	}
	bk.mu.Lock()
	defer bk.mu.Unlock()
	s.Org, s.ID, s.Created = org, uint32(len(bk.byOrg[org]))+1, now
	if err := bk.write(&s, ""); err != nil {
		return Site{}, err
	}
	bk.byOrg[org] = append(bk.byOrg[org], s)
	return s, nil
}

// Update replaces site id of org with in, at time now (Unix ms).
func (bk *Book) Update(org, id uint32, in *Input, now int64) (Site, error) {
	s, err := in.Check()
	if err != nil {
		return Site{}, err
	}
	bk.mu.Lock()
	defer bk.mu.Unlock()
	old, err := bk.get(org, id)
	if err != nil {
		return Site{}, err
	}
	s.Org, s.ID, s.Created, s.Updated = org, id, old.Created, now
	if err := bk.write(&s, old.GLN); err != nil {
		return Site{}, err
	}
	bk.byOrg[org][id-1] = s
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
