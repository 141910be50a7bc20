package engine

// Bulk exports (engine/export): the EPCIS events an organisation sees as
// one streamed document, and its FSMA 204 sortable spreadsheet. The
// events come through the query interface with the organisation's view
// (epcisq.Office.Visible); this file binds the lots to the master data.

import (
	"io"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/code"
	"tracecode/engine/epcis"
	"tracecode/engine/epcisq"
	"tracecode/engine/export"
)

// exportSource is the events org sees whose event time is in [from, to),
// in event-time order, read page by page through the query interface.
func (e *Engine) exportSource(org uint32, from, to time.Time) export.Source {
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
			res, err := e.Queries().Events(k, ps)
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

// ExportEPCIS writes the EPCIS events organisation org sees (as its keys
// would query them) with event times in [from, to), in event-time order,
// to w as one EPCIS 2.0 document — XML when xml, else JSON-LD — streamed
// event by event; it returns how many events it wrote. Who may ask is the
// caller's to check (MayExport).
func (e *Engine) ExportEPCIS(w io.Writer, org uint32, from, to time.Time, xml bool) (int, error) {
	if _, err := e.Org(org); err != nil {
		return 0, err
	}
	return export.EPCIS(w, e.exportSource(org, from, to), xml, e.Now())
}

// ExportFSMA writes organisation org's FSMA 204 sortable spreadsheet for
// the events it sees with event times in [from, to) (CSV,
// export.FSMAColumns); it returns the number of rows.
func (e *Engine) ExportFSMA(w io.Writer, org uint32, from, to time.Time) (int, error) {
	if _, err := e.Org(org); err != nil {
		return 0, err
	}
	return export.FSMA(w, e.exportSource(org, from, to), e.exportLot)
}

// MayExport says whether k may export organisation org's records: its own
// keys, a regulator of its region, the operator (export.MayExport).
func (e *Engine) MayExport(k APIKey, org uint32) error {
	o, err := e.Org(org)
	if err != nil {
		return err
	}
	return export.MayExport(k, o.ID, o.Region, RegionCovers)
}

// exportLot answers the lot of a code this store issued or of an EPC
// class naming a known product.
func (e *Engine) exportLot(raw string) (export.Lot, bool) {
	if res, err := e.Lookup(raw); err == nil {
		p := res.Product
		return export.Lot{GTIN: p.GTIN.String(), Lot: res.Lot.Number, Description: productName(&p), AssignedBy: res.Org.Name}, true
	}
	c, err := code.Parse(raw)
	if err != nil {
		return export.Lot{}, false
	}
	g, ok := c.GTIN()
	if !ok {
		return export.Lot{}, false
	}
	p, err := e.ProductByGTIN(g)
	if err != nil {
		return export.Lot{}, false
	}
	l := export.Lot{GTIN: p.GTIN.String(), Lot: c.Lot(), Description: productName(&p)}
	if o, err := e.Org(p.Org); err == nil {
		l.AssignedBy = o.Name
	}
	return l, true
}

// productName is a product's English name, else its Chinese one.
func productName(p *Product) string {
	if p.NameEN != "" {
		return p.NameEN
	}
	return p.NameZH
}
