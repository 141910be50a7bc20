package engine

// This file gathers what the one-stop public query shows about an
// enterprise or a product from the parts that keep it: master data (the
// registration and the licences its products' category data hold), the
// credit book (published entries and the public lists), the recall book
// (recalls in force) and the spot checks (published results). Public
// fields only: no contacts, no chain, no unpublished credit entry.

import (
	"fmt"
	"strconv"
	"strings"

	"tracecode/engine/category"
	"tracecode/engine/credit"
	"tracecode/engine/spotcheck"
)

// PublicLicence is a licence or registration a product's category data
// record (a food production licence, a pesticide registration).
type PublicLicence struct {
	Label   category.Text
	Value   string
	Product string // the product's Chinese name
}

// EnterpriseView is what the public enterprise page shows.
type EnterpriseView struct {
	Org      Org
	Products []Product
	Licences []PublicLicence
	// Credit holds the published credit entries, newest first; Lists the
	// public lists the organisation is on now (serious violation first).
	Credit []credit.Entry
	Lists  []credit.Kind
	// Recalls are the recalls in force of its products.
	Recalls []*RecallView
	// Spot are its published spot-check results, newest first.
	Spot []spotcheck.PublicResult
}

// PublicEnterprise returns the public view of the organisation key names:
// its USCC, or its id in decimal. An unknown key is ErrUnknownOrg.
func (e *Engine) PublicEnterprise(key string) (EnterpriseView, error) {
	var o Org
	if u := strings.ToUpper(strings.TrimSpace(key)); len(u) == 18 {
		p := e.iss.OrgByUSCC(u)
		if p == nil {
			return EnterpriseView{}, fmt.Errorf("%w with unified social credit code %s", ErrUnknownOrg, u)
		}
		o = *p
	} else {
		id, err := strconv.ParseUint(key, 10, 32)
		if err != nil {
			return EnterpriseView{}, fmt.Errorf("%w %q: give its unified social credit code (18 characters) or its number", ErrUnknownOrg, key)
		}
		if o, err = e.Org(uint32(id)); err != nil {
			return EnterpriseView{}, err
		}
	}
	v := EnterpriseView{Org: o, Products: e.Products(o.ID)}
	for _, p := range v.Products {
		v.Licences = append(v.Licences, e.publicLicences(p)...)
	}
	if o.USCC != "" {
		co, err := e.Credit()
		if err != nil {
			return EnterpriseView{}, err
		}
		v.Credit = co.Book.Entries(o.USCC, e.nowMillis(), false)
		for _, k := range []credit.Kind{credit.SeriousViolation, credit.Abnormal} {
			for _, en := range v.Credit {
				if en.Kind == k && en.Status == credit.StatusActive {
					v.Lists = append(v.Lists, k)
					break
				}
			}
		}
	}
	rs, err := e.PublicRecallsOf(o.ID, 0)
	if err != nil {
		return EnterpriseView{}, err
	}
	v.Recalls = rs
	sc, err := e.SpotChecks()
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
func (e *Engine) publicLicences(p Product) []PublicLicence {
	pp, ok := e.Sectors().ProductProfile(p.ID)
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

// PublicRecallsOf returns the recalls in force of organisation org's
// products (org ≠ 0) or of product (≠ 0); none before OpenNotices.
func (e *Engine) PublicRecallsOf(org, product uint32) ([]*RecallView, error) {
	n := e.Notices()
	if n == nil {
		return nil, nil
	}
	all, err := n.PublicRecalls()
	if err != nil {
		return nil, err
	}
	var out []*RecallView
	for _, r := range all {
		if org != 0 && r.Producer != org {
			continue
		}
		if product != 0 && !e.RecallCovers(r, product) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// RecallCovers reports whether recall r covers some of product's items.
func (e *Engine) RecallCovers(r *RecallView, product uint32) bool {
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
		if lot, err := e.Lot(l); err == nil && lot.Product == product {
			return true
		}
	}
	return false
}
