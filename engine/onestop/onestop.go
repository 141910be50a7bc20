// Package onestop gathers what the one-stop public query shows about an
// enterprise or a product from the parts that keep it: master data (the
// registration and the licences its products' category data hold), the
// credit book (published entries and the public lists), the recall book
// (recalls in force) and the spot checks (published results). Public
// fields only: no contacts, no chain, no unpublished credit entry. It asks
// the engine through Engine.
package onestop

import (
	"fmt"
	"strconv"
	"strings"

	"tracecode/engine/category"
	"tracecode/engine/credit"
	"tracecode/engine/model"
	"tracecode/engine/notice"
	"tracecode/engine/sector"
	"tracecode/engine/spotcheck"
)

// Engine is what the one-stop query asks of the engine: the master data
// (the issue.Book), the credit office, the spot checks, a product's
// category profile, the recalls in force and the clock.
type Engine interface {
	Org(id uint32) (model.Org, error)
	OrgByUSCC(uscc string) *model.Org
	Products(org uint32) []model.Product
	Lot(id uint32) (model.Lot, error)
	Credit() (*credit.Office, error)
	SpotChecks() (*spotcheck.Office, error)
	// ProductProfile returns product's category profile (sector.Office).
	ProductProfile(product uint32) (sector.ProductProfile, bool)
	// PublicRecalls returns the recalls in force; none before the notice
	// office opened.
	PublicRecalls() ([]*notice.RecallView, error)
	NowMillis() int64
}

// Office answers the one-stop query's enterprise and recall questions.
type Office struct{ e Engine }

// NewOffice returns the one-stop office over e.
func NewOffice(e Engine) *Office { return &Office{e: e} }

// PublicLicence is a licence or registration a product's category data
// record (a food production licence, a pesticide registration).
type PublicLicence struct {
	Label   category.Text
	Value   string
	Product string // the product's Chinese name
}

// EnterpriseView is what the public enterprise page shows.
type EnterpriseView struct {
	Org      model.Org
	Products []model.Product
	Licences []PublicLicence
	// Credit holds the published credit entries, newest first; Lists the
	// public lists the organisation is on now (serious violation first).
	Credit []credit.Entry
	Lists  []credit.Kind
	// Recalls are the recalls in force of its products.
	Recalls []*notice.RecallView
	// Spot are its published spot-check results, newest first.
	Spot []spotcheck.PublicResult
}

// Enterprise returns the public view of the organisation key names:
// its USCC, or its id in decimal. An unknown key is ErrUnknownOrg.
func (x *Office) Enterprise(key string) (EnterpriseView, error) {
	var o model.Org
	if u := strings.ToUpper(strings.TrimSpace(key)); len(u) == 18 {
		p := x.e.OrgByUSCC(u)
		if p == nil {
			return EnterpriseView{}, fmt.Errorf("%w with unified social credit code %s", model.ErrUnknownOrg, u)
		}
		o = *p
	} else {
		id, err := strconv.ParseUint(key, 10, 32)
		if err != nil {
			return EnterpriseView{}, fmt.Errorf("%w %q: give its unified social credit code (18 characters) or its number", model.ErrUnknownOrg, key)
		}
		if o, err = x.e.Org(uint32(id)); err != nil {
			return EnterpriseView{}, err
		}
	}
	v := EnterpriseView{Org: o, Products: x.e.Products(o.ID)}
	for _, p := range v.Products {
		v.Licences = append(v.Licences, x.publicLicences(p)...)
	}
	if o.USCC != "" {
		co, err := x.e.Credit()
		if err != nil {
			return EnterpriseView{}, err
		}
		v.Credit = co.Book.Entries(o.USCC, x.e.NowMillis(), false)
		for _, k := range []credit.Kind{credit.SeriousViolation, credit.Abnormal} {
			for _, en := range v.Credit {
				if en.Kind == k && en.Status == credit.StatusActive {
					v.Lists = append(v.Lists, k)
					break
				}
			}
		}
	}
	rs, err := x.RecallsOf(o.ID, 0)
	if err != nil {
		return EnterpriseView{}, err
	}
	v.Recalls = rs
	sc, err := x.e.SpotChecks()
	if err != nil {
		return EnterpriseView{}, err
	}
	if v.Spot, err = sc.PublicResults(o.ID); err != nil {
		return EnterpriseView{}, err
	}
	return v, nil
}

// publicLicences returns the licence and registration codes product p's
// category data holds (public code fields only).
func (x *Office) publicLicences(p model.Product) []PublicLicence {
	pp, ok := x.e.ProductProfile(p.ID)
	if !ok {
		return nil
	}
	prof, ok := category.Lookup(pp.Profile)
	if !ok {
		return nil
	}
	var out []PublicLicence
	for _, f := range prof.ProductFields() {
		if f.Kind != category.KindCode || f.Private {
			continue
		}
		if v := pp.Fields[f.Name]; v != "" {
			out = append(out, PublicLicence{Label: f.Label, Value: v, Product: p.NameZH})
		}
	}
	return out
}

// RecallsOf returns the recalls in force of organisation org's
// products (org ≠ 0) or of product (≠ 0); none before the notice office opened.
func (x *Office) RecallsOf(org, product uint32) ([]*notice.RecallView, error) {
	all, err := x.e.PublicRecalls()
	if err != nil {
		return nil, err
	}
	var out []*notice.RecallView
	for _, r := range all {
		if org != 0 && r.Producer != org {
			continue
		}
		if product != 0 && !x.RecallCovers(r, product) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// RecallCovers reports whether recall r covers some of product's items.
func (x *Office) RecallCovers(r *notice.RecallView, product uint32) bool {
	s := &r.Scope
	if s.Window != nil && s.Window.Product == product {
		return true
	}
	for _, p := range s.Products {
		if p == product {
			return true
		}
	}
	for _, l := range r.Lots() {
		if lot, err := x.e.Lot(l); err == nil && lot.Product == product {
			return true
		}
	}
	return false
}
