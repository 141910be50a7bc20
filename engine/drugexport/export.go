// Package drugexport writes an organisation's drug movements over a
// period as the in/out bills (出入库单据) the national drug trace
// collaboration platform (药品追溯协同服务平台) takes from enterprises.
//
// Our reading of the upload, unconfirmed (docs/categories.md, [U]): the
// platform federates the code-issuing systems, and the one whose upload
// is publicly described is Alibaba Health's 码上放心 interface
// alibaba.alihealth.drug.kyt.uploadinoutbill (as reproduced by
// github.com/bububa/opentaobao, model/drugtrace): one bill per movement,
// its fields named as the interface's parameters. Retail sales and
// dispensing to persons are not in that interface; they go to
// alibaba.alihealth.drug.kyt.druploadretail (bill type 321), and the
// export lists them under that type so that one file holds every
// movement.
//
// A movement is one ledger record the organisation recorded in the
// period that names drug codes: a commissioning (生产入库), a receiving
// (采购入库, a return 退货入库), a shipping (销售出库, a return 退货出库), a
// destruction (销毁出库), a retail sale or a dispensing (零售出库). The
// bill's trace codes are the drug codes the record names; a container
// that is not a drug code itself (a pallet's SSCC) stands for the drug
// codes packed in it now.
package drugexport

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tracecode/engine/apikey"
	"tracecode/engine/category"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// BillType is the platform's bill type (单据类型).
type BillType int

// The bill types the export writes.
const (
	ProductionIn BillType = 101 // 生产入库
	PurchaseIn   BillType = 102 // 采购入库
	ReturnIn     BillType = 103 // 退货入库
	SaleOut      BillType = 201 // 销售出库
	ReturnOut    BillType = 202 // 退货出库
	DestroyOut   BillType = 205 // 销毁出库
	RetailOut    BillType = 321 // 零售出库 (druploadretail)
)

// Physic types (药品类型): codes starting 89 are special drugs.
const (
	PhysicSpecial  = 2 // 特药
	PhysicOrdinary = 3 // 普药
)

// MaxDepth bounds how deep a container is opened to find drug codes.
const MaxDepth = 8

// Errors. ErrInvalid and ErrWrongOrg wrap the engine's model errors, so
// the server answers them 400 and 403.
var (
	ErrInvalid  = fmt.Errorf("%w: drug trace export", model.ErrInvalid)
	ErrWrongOrg = fmt.Errorf("%w: drug trace export", model.ErrWrongOrg)
)

// Source is what the export reads of the engine: its master data, the
// printed form of a code, the party a source or destination names, a
// product's drug profile, the present contents of a container, and the
// ledger and its code index.
type Source interface {
	Org(id uint32) (model.Org, bool)
	Product(id uint32) (model.Product, bool)
	Lot(id uint32) (model.Lot, bool)
	// BlockAt returns the block holding counter of product (nil: none).
	BlockAt(product uint32, counter uint64) *model.Block
	// DrugCode returns the code at offset off of block b as the platform
	// reads it: the 20-digit NMPA code when the block has that form,
	// else the GS1 element string.
	DrugCode(b *model.Block, off uint64) (string, bool)
	// PartyOrg returns the organisation a source or destination id
	// (a PGLN, a USCC) names; 0: none of ours.
	PartyOrg(id string) uint32
	// DrugFields returns the drug profile's master data of product
	// (nil: it has none).
	DrugFields(product uint32) category.Record
	// Children calls fn with the codes packed in code counter of product
	// (product 0: an SSCC) now.
	Children(product uint32, counter uint64, fn func(product uint32, counter uint64)) error
	// OrgLog, Summary and Payload read the ledger (ledger.Ledger's).
	OrgLog(org uint32, fn func(seq uint64) error) error
	Summary(seq uint64) (*ledger.Summary, bool, error)
	Payload(seq uint64) (ledger.Payload, bool, error)
	// Named calls fn with the records that name code counter of product
	// directly or in a run (product 0: an SSCC), in any order.
	Named(product uint32, counter uint64, fn func(seq uint64) bool) error
}

// Request is one export: organisation Org's movements whose event time
// is in [From, To).
type Request struct {
	Org      uint32
	From, To time.Time
}

// Allowed reports whether key k may export org's movements (region is
// the organisation's registered division): the organisation's own keys,
// the operator's, and the regulators whose region covers it.
func Allowed(k apikey.Key, org, region uint32) bool {
	switch {
	case k.Org != 0:
		return k.Org == org
	case k.Scopes.Has(apikey.ScopeAdmin):
		return true
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0:
		return region != 0 && apikey.RegionCovers(k.Region, region)
	}
	return false
}

// Export builds the document of r for key k: who may is checked first
// (ErrWrongOrg), then the period (ErrInvalid: From must be before To, at
// most 366 days apart).
func Export(src Source, k apikey.Key, r Request) (*Document, error) {
	o, ok := src.Org(r.Org)
	if !ok {
		return nil, fmt.Errorf("%w: organisation %d", model.ErrUnknownOrg, r.Org)
	}
	if !Allowed(k, o.ID, o.Region) {
		return nil, fmt.Errorf("%w: organisation %d's movements are its own and its regulators'", ErrWrongOrg, o.ID)
	}
	if r.From.IsZero() || r.To.IsZero() {
		return nil, fmt.Errorf("%w: from and to are both required", ErrInvalid)
	}
	if !r.From.Before(r.To) {
		return nil, fmt.Errorf("%w: from %s is not before to %s", ErrInvalid, r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	}
	if r.To.Sub(r.From) > 366*24*time.Hour {
		return nil, fmt.Errorf("%w: the period from %s to %s is longer than 366 days", ErrInvalid, r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	}
	x := exporter{src: src, org: o, lots: map[uint32]model.Lot{}, prods: map[uint32]model.Product{}}
	doc := &Document{API: UploadAPI, Org: o.USCC, OrgName: o.Name, From: stamp(r.From), To: stamp(r.To)}
	from, to := r.From.UnixMilli(), r.To.UnixMilli()
	err := src.OrgLog(o.ID, func(seq uint64) error {
		s, found, err := src.Summary(seq)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("drugexport: organisation %d's log names record %d, which does not exist", o.ID, seq)
		}
		if s.EventTime < from || s.EventTime >= to || s.Flags&ledger.FlagErrorDeclared != 0 {
			return nil
		}
		bt, ok := billType(s)
		if !ok {
			return nil
		}
		b, ok, err := x.bill(s, bt)
		if err != nil || !ok {
			return err
		}
		doc.Bills = append(doc.Bills, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// billType says which bill a record is (ok false: it moves nothing in or
// out).
func billType(s *ledger.Summary) (BillType, bool) {
	switch s.Kind {
	case ledger.KindCommission:
		return ProductionIn, true
	case ledger.KindEPCIS:
	default:
		return 0, false
	}
	returned := s.Disposition == epcis.DispReturned
	switch s.BizStep {
	case epcis.BizStepCommissioning:
		return ProductionIn, true
	case epcis.BizStepReceiving, epcis.BizStepArriving, epcis.BizStepAccepting:
		if returned {
			return ReturnIn, true
		}
		return PurchaseIn, true
	case epcis.BizStepShipping, epcis.BizStepDeparting:
		if returned {
			return ReturnOut, true
		}
		return SaleOut, true
	case epcis.BizStepDestroying:
		return DestroyOut, true
	case epcis.BizStepRetailSelling, epcis.BizStepDispensing:
		return RetailOut, true
	}
	return 0, false
}

// exporter builds the bills of one export.
type exporter struct {
	src   Source
	org   model.Org
	lots  map[uint32]model.Lot
	prods map[uint32]model.Product
}

// drugCode is one drug code a record names.
type drugCode struct {
	text    string
	product uint32
	lot     uint32
}

// bill builds the bill of record s (ok false: it names no drug code).
func (x *exporter) bill(s *ledger.Summary, bt BillType) (Bill, bool, error) {
	p, found, err := x.src.Payload(s.Seq)
	if err != nil {
		return Bill{}, false, err
	}
	if !found {
		return Bill{}, false, fmt.Errorf("drugexport: record %d has no payload", s.Seq)
	}
	var codes []drugCode
	var first *ledger.Target
	for i := range p.Targets {
		t := &p.Targets[i]
		if t.Kind != ledger.TargetRun {
			continue
		}
		if first == nil {
			first = t
		}
		if x.plainItems(t) {
			continue
		}
		for c := t.First; ; c++ {
			if err := x.collect(t.Product, c, 0, &codes); err != nil {
				return Bill{}, false, err
			}
			if c == t.Last {
				break
			}
		}
	}
	if len(codes) == 0 {
		return Bill{}, false, nil
	}
	b := Bill{BillCode: fmt.Sprintf("TC%d-%d", x.org.ID, s.Seq), BillTime: localTime(s.EventTime), BillType: int(bt),
		PhysicType: PhysicOrdinary, RefUserID: x.org.USCC, OperICCode: s.Credential, OperICName: x.org.Name, ClientType: "2"}
	for _, c := range codes {
		if strings.HasPrefix(c.text, "89") {
			b.PhysicType = PhysicSpecial
		}
		b.codes = append(b.codes, c.text)
	}
	b.TraceCodes = strings.Join(b.codes, ",")
	b.QuReceivable = len(codes)
	from, to := x.org.ID, x.org.ID
	switch bt {
	case PurchaseIn, ReturnIn:
		from = x.partyOf(s.Sources)
		if from == 0 && first != nil {
			if from, err = x.shipper(first, s); err != nil {
				return Bill{}, false, err
			}
		}
	case SaleOut, ReturnOut:
		to = x.partyOf(s.Dests)
	case RetailOut:
		to = 0 // a person
	}
	b.FromUserID, b.FromPerson, b.FromAddress = x.party(from)
	b.ToUserID, b.ToPerson, b.ToAddress = x.party(to)
	for _, tx := range s.BizTx {
		typ, _ := epcis.ParseBizTransactionType(tx.Type)
		switch typ {
		case epcis.BTTDesadv, epcis.BTTInv, epcis.BTTBol:
			if b.FromBillCode == "" {
				b.FromBillCode = docNumber(tx.ID)
			}
		case epcis.BTTPo:
			b.OrderCode = docNumber(tx.ID)
		}
	}
	if b.FromBillCode == "" {
		b.FromBillCode = b.BillCode
	}
	b.DrugListJSON, b.Drugs = x.drugList(codes)
	return b, true, nil
}

// collect appends the drug codes code counter of product stands for:
// itself when it is a drug code, else the drug codes packed in it.
func (x *exporter) collect(product uint32, counter uint64, depth int, out *[]drugCode) error {
	if product != 0 {
		if b := x.src.BlockAt(product, counter); b != nil {
			if p, ok := x.product(product); ok && p.Category == model.CatDrug {
				if s, ok := x.src.DrugCode(b, counter-b.Start); ok {
					*out = append(*out, drugCode{text: s, product: product, lot: b.Lot})
					return nil
				}
			}
		}
	}
	if depth >= MaxDepth {
		return nil
	}
	type node struct {
		product uint32
		counter uint64
	}
	var kids []node
	if err := x.src.Children(product, counter, func(p uint32, c uint64) { kids = append(kids, node{p, c}) }); err != nil {
		return err
	}
	for _, k := range kids {
		if err := x.collect(k.product, k.counter, depth+1, out); err != nil {
			return err
		}
	}
	return nil
}

// plainItems reports whether run t is consumer items of a product that
// is not a drug: nothing in it or packed in it is a drug code, so a
// large commissioning of other goods is skipped whole.
func (x *exporter) plainItems(t *ledger.Target) bool {
	if t.Product == 0 {
		return false
	}
	p, ok := x.product(t.Product)
	if !ok || p.Category == model.CatDrug {
		return false
	}
	b := x.src.BlockAt(t.Product, t.First)
	return b != nil && b.Level == model.LevelItem && t.Last < b.Start+b.Count
}

func (x *exporter) product(id uint32) (model.Product, bool) {
	if p, ok := x.prods[id]; ok {
		return p, true
	}
	p, ok := x.src.Product(id)
	if ok {
		x.prods[id] = p
	}
	return p, ok
}

func (x *exporter) lot(id uint32) model.Lot {
	if l, ok := x.lots[id]; ok {
		return l
	}
	l, _ := x.src.Lot(id)
	x.lots[id] = l
	return l
}

// partyOf returns the first of ours among parties.
func (x *exporter) partyOf(ps []ledger.Pair) uint32 {
	for _, p := range ps {
		if o := x.src.PartyOrg(p.ID); o != 0 {
			return o
		}
	}
	return 0
}

// shipper returns the organisation whose shipping to us, recorded before
// s, named the code t starts with (0: none found).
func (x *exporter) shipper(t *ledger.Target, s *ledger.Summary) (uint32, error) {
	// The latest earlier record may be ours (a receipt before a return);
	// walk back through the candidates for the last shipping to us.
	var seqs []uint64
	if err := x.src.Named(t.Product, t.First, func(seq uint64) bool {
		if seq < s.Seq {
			seqs = append(seqs, seq)
		}
		return true
	}); err != nil {
		return 0, err
	}
	slices.Sort(seqs)
	for i := len(seqs) - 1; i >= 0; i-- {
		sh, found, err := x.src.Summary(seqs[i])
		if err != nil {
			return 0, err
		}
		if !found || sh.Org == x.org.ID || (sh.BizStep != epcis.BizStepShipping && sh.BizStep != epcis.BizStepDeparting) {
			continue
		}
		if to := x.partyOf(sh.Dests); to == 0 || to == x.org.ID {
			return sh.Org, nil
		}
	}
	return 0, nil
}

// party returns an organisation's USCC, name and registered division's
// name ("" for 0: a person or a party not registered here).
func (x *exporter) party(id uint32) (uscc, name, address string) {
	if id == 0 {
		return "", "", ""
	}
	o, ok := x.src.Org(id)
	if !ok {
		return "", "", ""
	}
	if o.Region != 0 {
		address = category.Place(fmt.Sprint(o.Region)).ZH
	}
	return o.USCC, o.Name, address
}

// docNumber returns a business transaction's document number: the part
// after the issuer of a CBV bt URN (urn:epcglobal:cbv:bt:GLN:NUMBER),
// else the id as given.
func docNumber(id string) string {
	if rest, ok := strings.CutPrefix(id, "urn:epcglobal:cbv:bt:"); ok {
		if _, num, ok := strings.Cut(rest, ":"); ok {
			return num
		}
		return rest
	}
	return id
}

// localTime formats unix ms as the platform's bill time, China Standard
// Time.
func localTime(ms int64) string { return time.UnixMilli(ms).In(china).Format(time.DateTime) }

func stamp(t time.Time) string { return t.In(china).Format(time.RFC3339) }

var china = time.FixedZone("CST", 8*3600)

// ParseBound reads a period bound: a date (YYYY-MM-DD, China Standard
// Time; as the end of a period it includes the whole day) or an RFC 3339
// time. name says which bound it is, for the error.
func ParseBound(name, v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, fmt.Errorf("%w: %s is required (YYYY-MM-DD or RFC 3339)", ErrInvalid, name)
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, china); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %q is neither a date YYYY-MM-DD nor RFC 3339 with a zone offset", ErrInvalid, name, v)
	}
	return t, nil
}
