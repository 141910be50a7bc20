package export

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"tracecode/engine/code"
	"tracecode/engine/epcis"
)

// FSMAColumns is the header row of the FSMA 204 sortable spreadsheet,
// one row per traceability lot per critical tracking event. The FDA
// publishes no fixed header row in the rule (21 CFR 1 Subpart S asks for
// the key data elements "in an electronic sortable spreadsheet"); these
// columns are the KDEs of §1.1325–§1.1350 (receiving §1.1345(a):
// traceability lot code, quantity and unit, product description,
// immediate previous source, receiving location, date, TLC source,
// reference document type and number; shipping §1.1340 with the
// recipient; transformation §1.1350 with the input TLCs), named after the
// Produce Traceability Initiative's FSMA 204 implementation guidance
// (2024: TLC-GTIN, TLC-Batch, Pallet SSCC, TLC Assigned By, Qty & UOM,
// Product Description, Ship-From / Ship-To location, Ref Doc Type and
// Number), plus the event time in UTC and the EPCIS event ID
// (docs/epcis.md, "FSMA 204 export", says what is assumed).
var FSMAColumns = []string{
	"Critical Tracking Event", "Event Date (UTC)", "Event Time (UTC)",
	"Traceability Lot Code", "TLC GTIN", "TLC Lot", "Product Description",
	"Quantity", "Unit of Measure", "Pallet SSCC",
	"Location", "Immediate Previous Source / Ship-From", "Subsequent Recipient / Ship-To",
	"TLC Source (Assigned By)", "Reference Document Type", "Reference Document Number",
	"Input TLCs", "EPCIS Event ID",
}

// Lot is a traceability lot as the store knows it.
type Lot struct {
	GTIN, Lot   string
	Description string // the product's name
	AssignedBy  string // the organisation that assigned the lot code (the producer)
}

// TLC is the traceability lot code: the GTIN and lot as a GS1 element
// string, (01)…(10)….
func (l Lot) TLC() string {
	if l.Lot == "" {
		return "(01)" + l.GTIN
	}
	return "(01)" + l.GTIN + "(10)" + l.Lot
}

// Lookup answers the lot of an identifier an event names (a serialised
// code, or an EPC class); ok false when the store does not know it.
type Lookup func(raw string) (l Lot, ok bool)

// fsmaCTE maps an event to its critical tracking event; "" is not one.
// Assumed mapping (21 CFR 1.1310 defines the events, not their EPCIS
// form): CBV shipping and receiving are Shipping and Receiving, a
// TransformationEvent is Transformation, a commissioning ObjectEvent
// (ADD) is Initial Packing — where a code is first given to a lot.
func fsmaCTE(ev *epcis.Event) string {
	switch {
	case ev.Type == epcis.TransformationEvent:
		return "Transformation"
	case ev.BizStep == epcis.BizStepShipping:
		return "Shipping"
	case ev.BizStep == epcis.BizStepReceiving:
		return "Receiving"
	case ev.Type == epcis.ObjectEvent && ev.Action == epcis.ActionAdd && ev.BizStep == epcis.BizStepCommissioning:
		return "Initial Packing"
	}
	return ""
}

// lotRow is one traceability lot of an event with its quantity.
type lotRow struct {
	lot Lot
	qty float64
	uom string
}

// FSMA writes src's critical tracking events to w as the sortable
// spreadsheet (CSV, RFC 4180, UTF-8, FSMAColumns first): one row per
// traceability lot of each event — a transformation's outputs, with its
// inputs' TLCs in a column; serialised codes counted per lot ("each"),
// quantities as given. Other events are left out. Cells that a
// spreadsheet would read as a formula (=, +, -, @) are written with a
// leading apostrophe. It returns the number of rows written.
func FSMA(w io.Writer, src Source, lookup Lookup) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(FSMAColumns); err != nil {
		return 0, err
	}
	rows := 0
	err := src(func(ev *epcis.Event) error {
		cte := fsmaCTE(ev)
		if cte == "" {
			return nil
		}
		var lots []lotRow
		var inputs []string
		var ssccs []string
		collect := func(ids []epcis.Identifier, qs []epcis.QuantityElement, dst *[]lotRow) {
			for _, id := range ids {
				if c, err := code.Parse(id.Raw); err == nil {
					if s, ok := c.SSCC(); ok {
						ssccs = append(ssccs, string(s[:]))
						continue
					}
				}
				l, ok := lookup(id.Raw)
				if !ok {
					continue
				}
				addLot(dst, l, 1, "each")
			}
			for _, q := range qs {
				l, ok := lookup(q.EPCClass.Raw)
				if !ok {
					continue
				}
				n, uom := q.Quantity, q.UOM
				if !q.HasQuantity {
					n = 0
				}
				if uom == "" {
					uom = "each"
				}
				addLot(dst, l, n, uom)
			}
		}
		if ev.Type == epcis.TransformationEvent {
			var in []lotRow
			collect(ev.InputEPCList, ev.InputQuantityList, &in)
			for _, r := range in {
				inputs = append(inputs, r.lot.TLC())
			}
			collect(ev.OutputEPCList, ev.OutputQuantityList, &lots)
		} else {
			collect(append(slices.Clone(ev.EPCList), ev.ChildEPCs...), append(slices.Clone(ev.QuantityList), ev.ChildQuantityList...), &lots)
		}
		if !ev.ParentID.IsZero() {
			if c, err := code.Parse(ev.ParentID.Raw); err == nil {
				if s, ok := c.SSCC(); ok {
					ssccs = append(ssccs, string(s[:]))
				}
			}
		}
		loc := ev.BizLocation.ID.Raw
		if loc == "" {
			loc = ev.ReadPoint.ID.Raw
		}
		from, to := parties(ev.SourceList), parties(ev.DestinationList)
		switch cte {
		case "Shipping":
			if from == "" {
				from = loc
			}
		case "Receiving":
			if to == "" {
				to = loc
			}
		}
		var docTypes, docIDs []string
		for _, bt := range ev.BizTransactionList {
			docTypes = append(docTypes, string(bt.Type))
			docIDs = append(docIDs, bt.ID)
		}
		t := ev.EventTime.UTC()
		id := ev.EventID
		if id == "" {
			id = epcis.HashID(ev, nil)
		}
		for _, r := range lots {
			qty := strconv.FormatFloat(r.qty, 'f', -1, 64)
			rec := []string{cte, t.Format(time.DateOnly), t.Format("15:04:05.000"),
				r.lot.TLC(), r.lot.GTIN, r.lot.Lot, r.lot.Description,
				qty, r.uom, strings.Join(ssccs, "; "),
				loc, from, to,
				r.lot.AssignedBy, strings.Join(docTypes, "; "), strings.Join(docIDs, "; "),
				strings.Join(inputs, "; "), id}
			for i, v := range rec {
				if v != "" && strings.ContainsRune("=+-@", rune(v[0])) && i != 7 {
					rec[i] = "'" + v
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
			rows++
		}
		return nil
	})
	if err != nil {
		return rows, err
	}
	cw.Flush()
	return rows, cw.Error()
}

// addLot adds n of lot l to rows, summing per lot and unit.
func addLot(rows *[]lotRow, l Lot, n float64, uom string) {
	for i := range *rows {
		if (*rows)[i].lot == l && (*rows)[i].uom == uom {
			(*rows)[i].qty += n
			return
		}
	}
	*rows = append(*rows, lotRow{lot: l, qty: n, uom: uom})
}

// parties lists a source or destination list: the locations when it
// names any (owning and possessing parties otherwise).
func parties(l []epcis.SourceDest) string {
	var locs, others []string
	for _, s := range l {
		if s.Type == epcis.SDTLocation {
			locs = append(locs, s.ID.Raw)
		} else if !slices.Contains(others, s.ID.Raw) {
			others = append(others, s.ID.Raw)
		}
	}
	if len(locs) > 0 {
		return strings.Join(locs, "; ")
	}
	return strings.Join(others, "; ")
}
