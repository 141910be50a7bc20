package export

// The export office: the EPCIS events an organisation sees as one streamed
// document, and its FSMA 204 sortable spreadsheet, over the engine. The
// events come through the query interface with the organisation's view
// (epcisq.Office.Visible); this file binds the lots to the master data.

import (
	"io"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/code"
	"tracecode/engine/code/gs1"
	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
	"tracecode/engine/model"
)

// Engine is what the exports ask of the engine: the master data (the
// issue.Book), the query interface and the clock.
type Engine interface {
	Org(id uint32) (model.Org, error)
	ProductByGTIN(g gs1.GTIN) (model.Product, error)
	Lookup(input string) (model.LookupResult, error)
	Queries() *epcisq.Office
	Now() time.Time
}

// Office exports an organisation's records over the engine.
type Office struct{ e Engine }

// NewOffice returns the export office over e.
func NewOffice(e Engine) *Office { return &Office{e: e} }

// source is the events org sees whose event time is in [from, to),
// in event-time order, read page by page through the query interface.
func (x *Office) source(org uint32, from, to time.Time) Source {
	k := apikey.Key{Org: org, Scopes: apikey.ScopeEvents}
	base := []epcisq.Param{{Name: "GE_eventTime", Value: from.UTC().Format(time.RFC3339Nano)},
		{Name: "LT_eventTime", Value: to.UTC().Format(time.RFC3339Nano)}, {Name: "orderBy", Value: "eventTime"},
		{Name: "perPage", Value: "1000"}}
	return func(fn func(ev *epcis.Event) error) error {
		token := ""
		for {
			ps := base
			if token != "" {
				ps = append(append([]epcisq.Param(nil), base...), epcisq.Param{Name: "nextPageToken", Value: token})
			}
			res, err := x.e.Queries().Events(k, ps)
			if err != nil {
				return err
			}
			for i := range res.Events {
				if err := fn(&res.Events[i].Event); err != nil {
					return err
				}
			}
			if token = res.Next; token == "" {
				return nil
			}
		}
	}
}

// EPCIS writes the EPCIS events organisation org sees (as its keys
// would query them) with event times in [from, to), in event-time order,
// to w as one EPCIS 2.0 document — XML when xml, else JSON-LD — streamed
// event by event; it returns how many events it wrote. Who may ask is the
// caller's to check (MayExport).
func (x *Office) EPCIS(w io.Writer, org uint32, from, to time.Time, xml bool) (int, error) {
	if _, err := x.e.Org(org); err != nil {
		return 0, err
	}
	return EPCIS(w, x.source(org, from, to), xml, x.e.Now())
}

// FSMA writes organisation org's FSMA 204 sortable spreadsheet for
// the events it sees with event times in [from, to) (CSV,
// export.FSMAColumns); it returns the number of rows.
func (x *Office) FSMA(w io.Writer, org uint32, from, to time.Time) (int, error) {
	if _, err := x.e.Org(org); err != nil {
		return 0, err
	}
	return FSMA(w, x.source(org, from, to), x.lot)
}

// MayExport says whether k may export organisation org's records: its own
// keys, a regulator of its region, the operator (export.MayExport).
func (x *Office) MayExport(k apikey.Key, org uint32) error {
	o, err := x.e.Org(org)
	if err != nil {
		return err
	}
	return MayExport(k, o.ID, o.Region, apikey.RegionCovers)
}

// lot answers the lot of a code this store issued or of an EPC
// class naming a known product.
func (x *Office) lot(raw string) (Lot, bool) {
	if res, err := x.e.Lookup(raw); err == nil {
		p := res.Product
		return Lot{GTIN: p.GTIN.String(), Lot: res.Lot.Number, Description: productName(&p), AssignedBy: res.Org.Name}, true
	}
	c, err := code.Parse(raw)
	if err != nil {
		return Lot{}, false
	}
	g, ok := c.GTIN()
	if !ok {
		return Lot{}, false
	}
	p, err := x.e.ProductByGTIN(g)
	if err != nil {
		return Lot{}, false
	}
	l := Lot{GTIN: p.GTIN.String(), Lot: c.Lot(), Description: productName(&p)}
	if o, err := x.e.Org(p.Org); err == nil {
		l.AssignedBy = o.Name
	}
	return l, true
}

// productName is a product's English name, else its Chinese one.
func productName(p *model.Product) string {
	if p.NameEN != "" {
		return p.NameEN
	}
	return p.NameZH
}
