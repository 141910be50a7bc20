package issue

import (
	"context"
	"fmt"
	"slices"

	"tracecode/engine/store"
)

// An amendment rewrites a product's or a lot's record after creation
// (package engine/amend decides who may and keeps the trail): the Book
// checks the new record, writes it in one batch with whatever the
// amendment adds, and publishes it. Identifiers never change.

// CheckURL checks an absolute http(s) URL as a product link's: at most
// 2000 bytes of the characters RFC 3986 allows, without user information.
func CheckURL(field, s string) error { return checkURL(field, s) }

// CheckDate checks a yyyymmdd date between 1900 and 2199 (0: none).
func CheckDate(field string, d uint32) error { return checkDate(field, d) }

// AmendProduct rewrites product id: change receives a copy of the current
// record under the write lock, may change its names and links, may
// declare the GTIN of a packaging level that has none (LevelGTINs, checked
// as AddProduct checks them; a declared one never changes), and may add
// records of its own to b (they commit with the product). The new record
// is checked as AddProduct checks one; a change of any identifier (GTIN,
// own code, drug id, organisation, category, levels, scheme) is refused.
// ctx is checked before the write lock is taken.
func (e *Book) AmendProduct(ctx context.Context, id uint32, change func(p *Product, b *store.Batch) error) (Product, error) {
	if err := ctx.Err(); err != nil {
		return Product{}, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return Product{}, err
	}
	cur := e.st.products[id]
	if cur == nil {
		return Product{}, fmt.Errorf("%w %d", ErrUnknownProduct, id)
	}
	old := cur.rec
	p := old
	p.Links = slices.Clone(old.Links)
	b := e.db.NewBatch()
	defer b.Close()
	if err := change(&p, b); err != nil {
		return Product{}, err
	}
	if p.ID != old.ID || p.Revision != old.Revision || p.Org != old.Org || p.GTIN != old.GTIN || p.GCPLength != old.GCPLength || p.OwnCode != old.OwnCode ||
		p.DrugID != old.DrugID || p.Category != old.Category || p.Levels != old.Levels || p.DefaultScheme != old.DefaultScheme ||
		p.Created != old.Created {
		return Product{}, fmt.Errorf("BUG: an amendment of product %d changed an identifier", id)
	}
	if p.LevelGTINs != old.LevelGTINs {
		in := map[Level]string{}
		for l := range p.LevelGTINs {
			g := p.LevelGTINs[l]
			switch {
			case g == old.LevelGTINs[l]:
			case g.IsZero():
				return Product{}, fieldErr(levelGTINField(Level(l)), "", "product %d's %v GTIN is %s: a declared level GTIN is never removed (codes may be printed with it)",
					id, Level(l), old.LevelGTINs[l])
			default:
				in[Level(l)] = g.String()
			}
		}
		p.LevelGTINs = old.LevelGTINs
		if err := e.setLevelGTINs(&p, in); err != nil {
			return Product{}, err
		}
		putLevelGTINIndex(b, &p, &old.LevelGTINs)
	}
	if err := CheckText("name", p.NameZH, 200, true); err != nil {
		return Product{}, err
	}
	if err := CheckText("english name", p.NameEN, 200, false); err != nil {
		return Product{}, err
	}
	for _, l := range p.Links {
		if err := CheckText("link type", l.Type, 64, true); err != nil {
			return Product{}, err
		}
		if err := checkURL("link url", l.URL); err != nil {
			return Product{}, err
		}
	}
	// Every rewrite is a new revision, whatever changed: caches of what
	// is derived from the record (the server's JSON, category facts) key
	// on it, on a replica too.
	p.Revision = old.Revision + 1
	b.Set(store.AppendProductKey(nil, p.ID), store.AppendProduct(nil, &p))
	if err := e.commit(b); err != nil {
		return Product{}, err
	}
	e.mu.Lock()
	cur.rec = p
	e.st.indexLevelGTINs(&p)
	if e.opts.Published != nil {
		e.opts.Published(nil, &p)
	}
	e.mu.Unlock()
	return p, nil
}

// AmendLot rewrites lot id: change receives a copy of the current record
// under the write lock, may change its production and expiry dates and
// its site, and may add records of its own to b. The new record is
// checked as AddLot checks one (the expiry not before the production
// date); its product and number never change. ctx is checked before the
// write lock is taken.
func (e *Book) AmendLot(ctx context.Context, id uint32, change func(l *Lot, b *store.Batch) error) (Lot, error) {
	if err := ctx.Err(); err != nil {
		return Lot{}, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return Lot{}, err
	}
	cur := e.st.lots[id]
	if cur == nil {
		return Lot{}, fmt.Errorf("%w %d", ErrUnknownLot, id)
	}
	l := *cur
	b := e.db.NewBatch()
	defer b.Close()
	if err := change(&l, b); err != nil {
		return Lot{}, err
	}
	if l.ID != cur.ID || l.Product != cur.Product || l.Number != cur.Number || l.Created != cur.Created || l.Revision != cur.Revision {
		return Lot{}, fmt.Errorf("BUG: an amendment of lot %d changed an identifier", id)
	}
	if err := checkDate("production date", l.Produced); err != nil {
		return Lot{}, err
	}
	if err := checkDate("expiry date", l.Expiry); err != nil {
		return Lot{}, err
	}
	if l.Produced != 0 && l.Expiry != 0 && l.Expiry < l.Produced {
		return Lot{}, fieldErr("expiry date", FormatDate(l.Expiry), "is before the production date %s", FormatDate(l.Produced))
	}
	if err := CheckText("site", l.Site, 100, false); err != nil {
		return Lot{}, err
	}
	l.Revision = cur.Revision + 1
	b.Set(store.AppendLotKey(nil, l.ID), store.AppendLot(nil, &l))
	if err := e.commit(b); err != nil {
		return Lot{}, err
	}
	e.mu.Lock()
	e.st.lots[id] = &l
	e.mu.Unlock()
	return l, nil
}
