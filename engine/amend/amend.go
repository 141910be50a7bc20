// Package amend changes a product or a lot after its creation — a
// product's names, description, links and images; a lot's production and
// expiry dates, quantity, origin and site — and keeps the trail of every
// change: who, when, each field's old and new value, and why. Identifiers
// (GTIN, own code, drug id, lot number, organisation) never change; the
// GTIN of a packaging level (inner pack, case) is declared once and never
// changes either.
//
// Rules, decided here for the API and the console alike:
//   - the owning organisation's keys with the admin or mint scope (its
//     enterprise admins and users) and the operator change its records;
//     another organisation's key, a regulator or an inspector may not;
//   - a change of a lot's production or expiry date needs a reason: the
//     dates are what consumers see and what a recall by production window
//     selects;
//   - a lot under a recall in force or on hold keeps its dates until the
//     recall is closed or the hold released;
//   - the trail is read by the organisation, the operator and the
//     regulators whose region covers the organisation's registered
//     address.
//
// The product and lot records are rewritten by issue.Book (AmendProduct,
// AmendLot), in one batch with the trail entry and the details record.
package amend

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"tracecode/engine/apikey"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// Limits of the details.
const (
	MaxDescription = 2000 // characters of a product's description
	MaxImages      = 8    // image URLs of a product
	MaxReason      = 500  // characters of a reason
)

// Editor changes products and lots of a Book and reads their trails.
type Editor struct {
	DB   *store.DB
	Book *issue.Book
	// Frozen says why lot's dates may not change now ("": they may) — a
	// recall in force over it, a hold.
	Frozen func(lot uint32) string
	// Now is the time in Unix milliseconds.
	Now func() int64
}

// ProductEdit is a change of a product: nil fields stay as they are.
type ProductEdit struct {
	NameZH, NameEN *string
	Description    *string
	Links          *[]model.Link // replaces every link
	Images         *[]string     // replaces every image URL
	// LevelGTINs declares the GTINs of packaging levels (inner, case)
	// that have none (issue.Book.AmendProduct checks them); a level
	// declared before keeps its GTIN.
	LevelGTINs map[model.Level]string
	Reason     string // optional for a product
}

// LotEdit is a change of a lot: nil fields stay as they are.
type LotEdit struct {
	Produced, Expiry *uint32 // yyyymmdd, 0 = unknown / none
	Quantity         *uint64
	Unit             *string
	Origin           *string
	Site             *string
	Reason           string // required when a date changes
}

// CommandLine names the operator's key of the command line (tracecode lot
// edit): no account has it (a login has no space).
const CommandLine = "command line"

// By returns the trail's name of key k: "cli" for the command line's key
// (no id, named CommandLine), "account:<login>" for a console account's
// key (no id), else "key:<16 hex>".
func By(k apikey.Key) string {
	if k.ID == 0 && k.Name == CommandLine {
		return "cli"
	}
	if k.ID == 0 && k.Name != "" {
		return "account:" + k.Name
	}
	return fmt.Sprintf("key:%016x", k.ID)
}

// mayEdit refuses a key that may not change org's records.
func mayEdit(k apikey.Key, org uint32, what string) error {
	switch {
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		return nil
	case k.Org != 0 && k.Org == org && (k.Scopes.Has(apikey.ScopeAdmin) || k.Scopes.Has(apikey.ScopeMint)):
		return nil
	case k.Org == 0:
		return fmt.Errorf("%w: %s is organisation %d's; a regulator reads it but does not change it", model.ErrWrongOrg, what, org)
	}
	return fmt.Errorf("%w: %s is organisation %d's; only its admin and user keys change it", model.ErrWrongOrg, what, org)
}

// mayRead reports whether key k reads the trail of organisation org's
// records: the organisation, the operator, a regulator (or inspector) of
// a region covering the organisation's registered address.
func (ed *Editor) mayRead(k apikey.Key, org uint32) bool {
	switch {
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin), k.Org != 0 && k.Org == org:
		return true
	case k.Scopes.Has(apikey.ScopeRegulator):
		o, err := ed.Book.Org(org)
		return err == nil && apikey.RegionCovers(k.Region, o.Region)
	}
	return false
}

// EditProduct applies in to product id as key k. A change of nothing
// writes nothing and returns the product as it is.
func (ed *Editor) EditProduct(ctx context.Context, k apikey.Key, id uint32, in *ProductEdit) (model.Product, Details, error) {
	p, err := ed.Book.Product(id)
	if err != nil {
		return model.Product{}, Details{}, err
	}
	if err := mayEdit(k, p.Org, fmt.Sprintf("product %d", id)); err != nil {
		return model.Product{}, Details{}, err
	}
	if err := checkReason(in.Reason, false); err != nil {
		return model.Product{}, Details{}, err
	}
	var det Details
	p, err = ed.Book.AmendProduct(ctx, id, func(p *model.Product, b *store.Batch) error {
		old, err := ed.details(KindProduct, id)
		if err != nil {
			return err
		}
		det = old
		var cs []Change
		set(&cs, "nameZH", &p.NameZH, in.NameZH)
		set(&cs, "nameEN", &p.NameEN, in.NameEN)
		if in.Description != nil {
			d := strings.TrimSpace(strings.ReplaceAll(*in.Description, "\r\n", "\n"))
			if err := checkLines("description", d, MaxDescription); err != nil {
				return err
			}
			set(&cs, "description", &det.Description, &d)
		}
		if in.Links != nil {
			if !slices.Equal(p.Links, *in.Links) {
				cs = append(cs, Change{"links", linksText(p.Links), linksText(*in.Links)})
				p.Links = slices.Clone(*in.Links)
			}
		}
		if in.Images != nil {
			imgs := *in.Images
			if len(imgs) > MaxImages {
				return model.FieldErrorf("images", strconv.Itoa(len(imgs)), "are %d URLs, at most %d allowed", len(imgs), MaxImages)
			}
			for i, u := range imgs {
				if err := issue.CheckURL(fmt.Sprintf("images[%d]", i), u); err != nil {
					return err
				}
			}
			if !slices.Equal(det.Images, imgs) {
				cs = append(cs, Change{"images", strings.Join(det.Images, "\n"), strings.Join(imgs, "\n")})
				det.Images = slices.Clone(imgs)
			}
		}
		for _, l := range slices.Sorted(maps.Keys(in.LevelGTINs)) {
			field := "levelGTIN." + l.String()
			g, err := gs1.ParseGTIN(in.LevelGTINs[l])
			if err != nil {
				return fmt.Errorf("%w: %s: %w", model.ErrInvalid, field, err)
			}
			if !l.Valid() {
				return model.FieldErrorf("level", l.String(), "is not a packaging level")
			}
			if cur := p.LevelGTINs[l]; cur != g {
				was := ""
				if !cur.IsZero() {
					was = cur.String()
				}
				cs = append(cs, Change{field, was, g.String()})
				p.LevelGTINs[l] = g
			}
		}
		if len(cs) == 0 {
			return errUnchanged
		}
		return ed.stage(b, k, KindProduct, id, in.Reason, cs, &old, &det)
	})
	if errors.Is(err, errUnchanged) {
		p, err = ed.Book.Product(id)
		if err == nil {
			det, err = ed.details(KindProduct, id)
		}
	}
	if err != nil {
		return model.Product{}, Details{}, err
	}
	return p, det, nil
}

// EditLot applies in to lot id as key k. A change of nothing writes
// nothing and returns the lot as it is.
func (ed *Editor) EditLot(ctx context.Context, k apikey.Key, id uint32, in *LotEdit) (model.Lot, Details, error) {
	l, err := ed.Book.Lot(id)
	if err != nil {
		return model.Lot{}, Details{}, err
	}
	p, err := ed.Book.Product(l.Product)
	if err != nil {
		return model.Lot{}, Details{}, err
	}
	if err := mayEdit(k, p.Org, fmt.Sprintf("lot %s of product %d", l.Number, p.ID)); err != nil {
		return model.Lot{}, Details{}, err
	}
	if err := checkReason(in.Reason, false); err != nil {
		return model.Lot{}, Details{}, err
	}
	var det Details
	l, err = ed.Book.AmendLot(ctx, id, func(l *model.Lot, b *store.Batch) error {
		old, err := ed.details(KindLot, id)
		if err != nil {
			return err
		}
		det = old
		var cs []Change
		dates := false
		for _, d := range []struct {
			field string
			cur   *uint32
			to    *uint32
		}{{"produced", &l.Produced, in.Produced}, {"expiry", &l.Expiry, in.Expiry}} {
			if d.to == nil || *d.to == *d.cur {
				continue
			}
			if err := issue.CheckDate(d.field, *d.to); err != nil {
				return err
			}
			cs = append(cs, Change{d.field, model.FormatDate(*d.cur), model.FormatDate(*d.to)})
			*d.cur, dates = *d.to, true
		}
		if dates {
			if err := checkReason(in.Reason, true); err != nil {
				return err
			}
			if why := ed.frozen(id); why != "" {
				return fmt.Errorf("%w: lot %s of product %d is %s: its production and expiry dates stay as they are until that ends",
					model.ErrState, l.Number, l.Product, why)
			}
		}
		if in.Quantity != nil && *in.Quantity != det.Quantity {
			cs = append(cs, Change{"quantity", quantityText(det.Quantity), quantityText(*in.Quantity)})
			det.Quantity = *in.Quantity
		}
		for _, f := range []struct {
			field string
			max   int
			cur   *string
			to    *string
		}{{"unit", 20, &det.Unit, in.Unit}, {"origin", 100, &det.Origin, in.Origin}} {
			if f.to != nil {
				v := strings.TrimSpace(*f.to)
				if err := issue.CheckText(f.field, v, f.max, false); err != nil {
					return err
				}
				set(&cs, f.field, f.cur, &v)
			}
		}
		set(&cs, "site", &l.Site, in.Site)
		if len(cs) == 0 {
			return errUnchanged
		}
		return ed.stage(b, k, KindLot, id, in.Reason, cs, &old, &det)
	})
	if errors.Is(err, errUnchanged) {
		l, err = ed.Book.Lot(id)
		if err == nil {
			det, err = ed.details(KindLot, id)
		}
	}
	if err != nil {
		return model.Lot{}, Details{}, err
	}
	return l, det, nil
}

// errUnchanged ends an amendment that changes nothing, before its batch.
var errUnchanged = errors.New("amend: nothing changes")

// frozen says why lot's dates stay ("" they may change).
func (ed *Editor) frozen(lot uint32) string {
	if ed.Frozen == nil {
		return ""
	}
	return ed.Frozen(lot)
}

// set records a change of *cur to *to (nil: no change asked) and makes it.
func set(cs *[]Change, field string, cur, to *string) {
	if to == nil || *to == *cur {
		return
	}
	*cs = append(*cs, Change{field, *cur, *to})
	*cur = *to
}

// stage adds the trail entry and, if they changed, the details to b.
// REQUIRES the Book's write lock (the amendment callback holds it), which
// serialises the entries' sequence numbers.
func (ed *Editor) stage(b *store.Batch, k apikey.Key, kind Kind, id uint32, reason string, cs []Change, old, det *Details) error {
	n := 0
	if err := ed.DB.ScanPrefix(store.AmendmentPrefix(uint8(kind), id), func(_, _ []byte) error { n++; return nil }); err != nil {
		return err
	}
	e := Entry{Kind: kind, ID: id, Seq: uint32(n) + 1, At: ed.Now(), By: By(k), Org: k.Org, Reason: strings.TrimSpace(reason), Changes: cs}
	if err := b.Set(store.AmendmentKey(uint8(kind), id, e.Seq), e.AppendBinary(nil)); err != nil {
		return err
	}
	if !detailsEqual(old, det) {
		return b.Set(store.DetailsKey(uint8(kind), id), det.AppendBinary(nil))
	}
	return nil
}

func detailsEqual(a, b *Details) bool {
	return a.Description == b.Description && slices.Equal(a.Images, b.Images) && a.Quantity == b.Quantity &&
		a.Unit == b.Unit && a.Origin == b.Origin
}

// details reads the details of record id of kind (zero when none).
func (ed *Editor) details(kind Kind, id uint32) (Details, error) {
	var d Details
	_, err := ed.DB.Get(store.DetailsKey(uint8(kind), id), func(v []byte) (err error) {
		d, err = DecodeDetails(v)
		return err
	})
	return d, err
}

// ProductDetails returns product id's description and images as key k
// may read them (every key that sees the product: they are public).
func (ed *Editor) ProductDetails(id uint32) (Details, error) { return ed.details(KindProduct, id) }

// LotDetails returns lot id's quantity, unit and origin.
func (ed *Editor) LotDetails(id uint32) (Details, error) { return ed.details(KindLot, id) }

// ProductTrail returns product id's amendments as key k may read them
// (Trail).
func (ed *Editor) ProductTrail(k apikey.Key, id uint32) ([]Entry, error) {
	return ed.Trail(k, KindProduct, id)
}

// LotTrail returns lot id's amendments as key k may read them (Trail).
func (ed *Editor) LotTrail(k apikey.Key, id uint32) ([]Entry, error) {
	return ed.Trail(k, KindLot, id)
}

// Trail returns the amendments of record id of kind, oldest first, as
// key k may read them: a key that may not read the owning organisation's
// trail gets the record's unknown error, as for a record that does not
// exist.
func (ed *Editor) Trail(k apikey.Key, kind Kind, id uint32) ([]Entry, error) {
	var org uint32
	switch kind {
	case KindProduct:
		p, err := ed.Book.Product(id)
		if err != nil {
			return nil, err
		}
		if org = p.Org; !ed.mayRead(k, org) {
			return nil, fmt.Errorf("%w %d", model.ErrUnknownProduct, id)
		}
	case KindLot:
		l, err := ed.Book.Lot(id)
		if err != nil {
			return nil, err
		}
		p, err := ed.Book.Product(l.Product)
		if err != nil {
			return nil, err
		}
		if org = p.Org; !ed.mayRead(k, org) {
			return nil, fmt.Errorf("%w %d", model.ErrUnknownLot, id)
		}
	default:
		return nil, fmt.Errorf("%w: amendment kind %v", model.ErrInvalid, kind)
	}
	var out []Entry
	err := ed.DB.ScanPrefix(store.AmendmentPrefix(uint8(kind), id), func(k, v []byte) error {
		e, err := DecodeEntry(k, v)
		out = append(out, e)
		return err
	})
	return out, err
}

// checkReason checks a reason: free text of at most MaxReason characters,
// required when asked.
func checkReason(r string, required bool) error {
	r = strings.TrimSpace(r)
	if r == "" && required {
		return model.FieldErrorf("reason", r, "is required when the production or expiry date changes (consumers see the dates, and recalls by production window select lots by them)")
	}
	return issue.CheckText("reason", r, MaxReason, false)
}

// checkLines checks multi-line text: each line as free text, at most max
// characters in all.
func checkLines(field, s string, max int) error {
	if n := len([]rune(s)); n > max {
		return model.FieldErrorf(field, s, "has %d characters, at most %d allowed", n, max)
	}
	for i, line := range strings.Split(s, "\n") {
		if err := issue.CheckText(fmt.Sprintf("%s line %d", field, i+1), line, max, false); err != nil {
			return err
		}
	}
	return nil
}

func linksText(ls []model.Link) string {
	var sb strings.Builder
	for i, l := range ls {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(l.Type + " " + l.URL)
	}
	return sb.String()
}

func quantityText(q uint64) string {
	if q == 0 {
		return ""
	}
	return strconv.FormatUint(q, 10)
}
