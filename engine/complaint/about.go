package complaint

// What the engine's callers bring to the desk: a scanned code, resolved
// into what the complaint is about and where it goes, and an API key, as
// the viewer it is.

import (
	"fmt"

	"tracecode/engine/apikey"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
)

// About is what a report form shows of the code complained
// about, and where the complaint goes.
type About struct {
	Code       string
	Product    string
	ProductEN  string
	Producer   string
	ProducerEN string
	Lot        string
	Seller     string
	SellerEN   string
	Subject    Subject
}

// countyOf returns the county-level division of a division code (a
// 9-digit township's county).
func countyOf(r uint32) uint32 {
	if r > 999999 {
		return r / 1000
	}
	return r
}

// Codes is what AboutCode asks of the engine: a code's chain, and an
// organisation.
type Codes interface {
	Resolve(code string) (*resolve.Chain, error)
	Org(id uint32) (model.Org, error)
}

// AboutCode resolves code for a complaint: the product, lot and
// producer, and the seller — the organisation holding the item now, when
// custody moved from the producer. The complaint goes to the county of
// the seller, else the producer's.
func AboutCode(e Codes, code string) (About, error) {
	c, err := e.Resolve(code)
	if err != nil {
		return About{}, fmt.Errorf("%w: code: %v", ErrInvalid, err)
	}
	if c.Org == nil || c.Org.ID == 0 {
		return About{}, fmt.Errorf("%w: code: %q is not a code of a registered product", ErrInvalid, code)
	}
	a := About{Code: code, Producer: c.Org.Name, ProducerEN: c.Org.NameEN}
	a.Subject = Subject{Code: code, Producer: c.Org.ID, Region: countyOf(c.Org.Region)}
	if len(c.DigitalLink) > 0 {
		a.Code, a.Subject.Code = string(c.DigitalLink), string(c.DigitalLink)
	}
	if c.Product != nil {
		a.Product, a.ProductEN, a.Subject.Product = c.Product.NameZH, c.Product.NameEN, c.Product.ID
	}
	if c.Lot != nil {
		a.Lot, a.Subject.Lot = c.Lot.Number, c.Lot.ID
	}
	if h := c.Holder.Org; h != 0 && h != c.Org.ID {
		if o, err := e.Org(h); err == nil {
			a.Seller, a.SellerEN, a.Subject.Seller = o.Name, o.NameEN, o.ID
			if o.Region != 0 {
				a.Subject.Region = countyOf(o.Region)
			}
		}
	}
	return a, nil
}

// KeyViewer is who API key k is to the desk: a regulator of its region,
// the operator, or its organisation.
func KeyViewer(k apikey.Key) Viewer {
	v := Viewer{Org: k.Org, Covers: apikey.RegionCovers}
	switch {
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0:
		v.Region = k.Region
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		v.Operator = true
	}
	return v
}
