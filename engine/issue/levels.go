package issue

import (
	"fmt"
	"slices"

	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// Packaging levels by GS1's rules (General Specifications §4): each
// packaging level of a trade item has a GTIN of its own — the item's, the
// inner pack's, the case's — and a logistic unit (a pallet, a mixed case)
// has an SSCC. A product's GTIN identifies its lowest level; it declares
// the GTINs of its higher levels (Product.LevelGTINs) at creation or
// later (AmendProduct), and a mint of such a level prints that GTIN.

// levelGTINField names level l's GTIN in errors.
func levelGTINField(l Level) string { return "level GTIN (" + l.String() + ")" }

// checkLevelGTIN checks text s as the GTIN of level l of product p (whose
// GTIN and GCPLength are set) and returns it. It must be a GTIN with a
// valid check digit, an indicator digit other than 9 (variable measure),
// under the item GTIN's company prefix (the indicator-digit form of the
// item GTIN is), distinct from the product's other GTINs (also, the
// levels declared in the same request) and no other product's GTIN.
// REQUIRES e.wmu.
func (e *Book) checkLevelGTIN(p *Product, l Level, s string, also *model.LevelGTINs) (gs1.GTIN, error) {
	field := levelGTINField(l)
	if l != model.LevelInner && l != model.LevelCase {
		return gs1.GTIN{}, fieldErr("level", l.String(), "has no GTIN of its own: only inner and case do (a pallet is a logistic unit, identified by an SSCC)")
	}
	if p.GTIN.IsZero() {
		return gs1.GTIN{}, fieldErr(field, s, "product %d has no GTIN: its levels' GTINs are under the item GTIN's company prefix", p.ID)
	}
	g, err := gs1.ParseGTIN(s)
	if err != nil {
		return gs1.GTIN{}, fmt.Errorf("%w: %s: %w", ErrInvalid, field, err)
	}
	if g.Indicator() == '9' {
		return gs1.GTIN{}, fieldErr(field, s, "has indicator digit 9, which GS1 reserves for variable-measure items")
	}
	n := int(p.GCPLength)
	if n == 0 || string(g[1:1+n]) != string(p.GTIN[1:1+n]) {
		return gs1.GTIN{}, fieldErr(field, s, "is not under company prefix %s of product %d's GTIN %s "+
			"(a level's GTIN is the brand owner's: the item GTIN with another indicator digit, or another GTIN of the prefix)",
			p.GTIN[1:1+n], p.ID, p.GTIN)
	}
	if g == p.GTIN {
		return gs1.GTIN{}, fieldErr(field, s, "is product %d's own GTIN: each packaging level needs a distinct GTIN", p.ID)
	}
	for _, x := range []*model.LevelGTINs{&p.LevelGTINs, also} {
		if x == nil {
			continue
		}
		if o, ok := x.LevelOf(g); ok && o != l {
			return gs1.GTIN{}, fieldErr(field, s, "is already the GTIN of level %v of product %d", o, p.ID)
		}
	}
	if id, dup := e.st.productByGTIN[g]; dup && id != p.ID {
		return gs1.GTIN{}, fmt.Errorf("%w: %s: GTIN %s is product %d's", ErrExists, field, g, id)
	}
	return g, nil
}

// setLevelGTINs checks the level GTINs of in (level → GTIN text) and sets
// them in p. A level already declared keeps its GTIN: asking for the same
// one changes nothing, another one is refused. REQUIRES e.wmu.
func (e *Book) setLevelGTINs(p *Product, in map[Level]string) error {
	levels := make([]Level, 0, len(in))
	for l := range in {
		levels = append(levels, l)
	}
	slices.Sort(levels)
	var add model.LevelGTINs
	for _, l := range levels {
		s := in[l]
		g, err := e.checkLevelGTIN(p, l, s, &add)
		if err != nil {
			return err
		}
		if cur := p.LevelGTINs[l]; !cur.IsZero() {
			if cur != g {
				return fieldErr(levelGTINField(l), s, "product %d's %v GTIN is %s: a declared level GTIN never changes (codes may be printed with it)",
					p.ID, l, cur)
			}
			continue
		}
		if !p.Levels.Has(l) {
			return fieldErr(levelGTINField(l), s, "level %v is not one of product %d's packaging levels (%s)", l, p.ID, p.Levels)
		}
		add[l] = g
	}
	for _, l := range add.Declared() {
		p.LevelGTINs[l] = add[l]
	}
	return nil
}

// putLevelGTINIndex adds the GTIN index entries of p's level GTINs that
// old lacks to b.
func putLevelGTINIndex(b *store.Batch, p *Product, old *model.LevelGTINs) {
	for _, l := range p.LevelGTINs.Declared() {
		if old == nil || old[l].IsZero() {
			b.Set(store.ProductByGTINKey(p.LevelGTINs[l]), store.Uint(p.ID).AppendBinary(nil))
		}
	}
}

// indexLevelGTINs maps p's level GTINs to p. REQUIRES exclusive access to
// st.
func (st *state) indexLevelGTINs(p *Product) {
	for _, l := range p.LevelGTINs.Declared() {
		st.productByGTIN[p.LevelGTINs[l]] = p.ID
	}
}

// BlockGTIN returns the GTIN block b's codes are printed with: the GTIN
// its product declares for its level if the block was minted with it
// (model.BlockFlagLevelGTIN), else the product's GTIN.
func BlockGTIN(p *Product, b *Block) gs1.GTIN {
	if b.Flags&model.BlockFlagLevelGTIN != 0 {
		if g := p.LevelGTINs.Of(b.Level); !g.IsZero() {
			return g
		}
	}
	return p.GTIN
}

// printsGTIN reports whether blocks of scheme s of product p print GS1
// forms (Digital Link, element string, EPC) with a GTIN: every scheme but
// short codes and SSCCs, for a product with a GTIN.
func printsGTIN(p *Product, s Scheme) bool {
	return !p.GTIN.IsZero() && s != serial.Short && s != serial.SSCC
}
