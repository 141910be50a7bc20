package category

import "time"

// RecordProfile is a profile whose product record is all there is: a register
// of the numbers a label and its certificates carry (feed, fertiliser and
// seed registrations). Each product field named in Parse must read as its
// parser says; every field given is a public fact of every code of the
// product. It has no item fields, events or rules.
type RecordProfile struct {
	Base
	// Parse checks a product field's value (when given) and returns a
	// reason naming what is wrong.
	Parse map[string]func(string) error
}

// CheckProduct implements ProductChecker: each parsed field given reads as
// its layout. Fields are checked in declaration order.
func (p *RecordProfile) CheckProduct(r Record) error {
	for _, f := range p.Product {
		if parse := p.Parse[f.Name]; parse != nil && r.Has(f.Name) {
			if err := parse(r.Get(f.Name)); err != nil {
				return Errf("product", f.Name, r.Get(f.Name), "%v", err)
			}
		}
	}
	return nil
}

// ProductFacts implements ProductFacter: RecordFacts of the product
// fields.
func (p *RecordProfile) ProductFacts(product Record) []Fact { return RecordFacts(product, p.Product) }

// Facts implements Profile: the product record's facts.
func (p *RecordProfile) Facts(h *History, _ time.Time) []Fact { return p.ProductFacts(h.Product) }

// Rules implements Profile: none.
func (*RecordProfile) Rules() []Rule { return nil }

// RecordFacts returns a public fact for each non-private field of specs
// that r gives, in specs' order, labelled with the field's label and
// keyed by its name.
func RecordFacts(r Record, specs []FieldSpec) []Fact {
	var out []Fact
	for _, f := range specs {
		if v := r.Get(f.Name); v != "" && !f.Private {
			out = append(out, Pub(f.Name, f.Label, Same(v), ""))
		}
	}
	return out
}
