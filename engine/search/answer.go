package search

import "tracecode/engine/model"

// Master is what an answer and a refresh ask of the master data.
type Master interface {
	Org(id uint32) (model.Org, error)
	OrgByID(id uint32) *model.Org
	Product(id uint32) (model.Product, error)
}

// Found is one organisation or product found, with its public master
// data: Org is the organisation (a product's producer), Product is set
// for a product.
type Found struct {
	Kind    HitKind
	Match   Match
	Org     model.Org
	Product *model.Product
}

// Answer is the answer to a query: the hits, best first, and how many
// matched in all.
type Answer struct {
	Query Query
	Hits  []Found
	Total int
}

// Answer answers the one-stop query q: products by name or GTIN,
// organisations by name or USCC, at most limit hits (DefaultLimit when
// limit ≤ 0, never more than MaxLimit), with their master data from m. A
// malformed query (a GTIN or USCC with a wrong check character, too long,
// empty) is an error wrapping ErrInvalid that names what is wrong.
func (x *Index) Answer(q string, limit int, m Master) (Answer, error) {
	pq, err := ParseQuery(q)
	if err != nil {
		return Answer{}, err
	}
	r := x.Search(pq, limit)
	a := Answer{Query: pq, Total: r.Total, Hits: make([]Found, 0, len(r.Hits))}
	for _, h := range r.Hits {
		f := Found{Kind: h.Kind, Match: h.Match}
		switch h.Kind {
		case HitOrg:
			o, err := m.Org(h.ID)
			if err != nil {
				continue
			}
			f.Org = o
		default:
			p, err := m.Product(h.ID)
			if err != nil {
				continue
			}
			f.Product = &p
			if o, err := m.Org(p.Org); err == nil {
				f.Org = o
			}
		}
		a.Hits = append(a.Hits, f)
	}
	return a, nil
}

// Refresh puts into the index the organisations and products a
// replica's reload brought: organisations above the highest id indexed
// (ids are dense and never reused, and an organisation's names never
// change once written), and every product again, since an amendment
// (engine/amend) may have renamed one.
func (x *Index) Refresh(m Master) {
	org, _ := x.MaxIDs()
	for id := org + 1; ; id++ {
		o := m.OrgByID(id)
		if o == nil {
			break
		}
		x.PutOrg(o)
	}
	for id := uint32(1); ; id++ {
		p, err := m.Product(id)
		if err != nil {
			break
		}
		x.PutProduct(&p)
	}
}
