package drugexport

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
)

// UploadAPI names the interface whose parameters the bills' fields are.
const UploadAPI = "alibaba.alihealth.drug.kyt.uploadinoutbill"

// Document is one export: the organisation, the period and its bills in
// log order.
//
// # Representation (XML, UTF-8)
//
//	<DrugTraceUpload api="…uploadinoutbill" org="USCC" orgName="…" from="RFC 3339" to="RFC 3339">
//	  <Bill><bill_code>…</bill_code> … <drug_list_json>[…]</drug_list_json></Bill>…
//	</DrugTraceUpload>
//
// Each Bill element holds one element per interface parameter, in the
// order of Bill's fields; empty ones are left out.
type Document struct {
	XMLName xml.Name `xml:"DrugTraceUpload"`
	API     string   `xml:"api,attr"`
	Org     string   `xml:"org,attr"` // the organisation's USCC
	OrgName string   `xml:"orgName,attr"`
	From    string   `xml:"from,attr"` // the period, China Standard Time, RFC 3339
	To      string   `xml:"to,attr"`
	Bills   []Bill   `xml:"Bill"`
}

// Bill is one in/out bill, its fields named as the upload interface's
// parameters. Which value each takes is our reading ([U] in
// docs/categories.md): the platform ids (ref_ent_id, ent_id) are the
// enterprises' USCCs, since the platform's own ids are assigned at its
// registration and unknown here.
type Bill struct {
	BillCode     string `xml:"bill_code"`                // "TC" + organisation id + "-" + record sequence: unique per enterprise
	BillTime     string `xml:"bill_time"`                // the event time, China Standard Time, YYYY-MM-DD hh:mm:ss
	BillType     int    `xml:"bill_type"`                // BillType
	PhysicType   int    `xml:"physic_type"`              // 2 special (a code starting 89), 3 ordinary
	RefUserID    string `xml:"ref_user_id"`              // the uploading enterprise (its USCC)
	FromUserID   string `xml:"from_user_id,omitempty"`   // the sender (its USCC)
	ToUserID     string `xml:"to_user_id,omitempty"`     // the receiver (its USCC); none for a retail sale
	OperICCode   string `xml:"oper_ic_code,omitempty"`   // the credential that recorded it
	OperICName   string `xml:"oper_ic_name,omitempty"`   // the uploading enterprise's name
	ClientType   string `xml:"client_type"`              // always 2
	TraceCodes   string `xml:"trace_codes"`              // the drug codes, comma separated
	QuReceivable int    `xml:"qu_receivable"`            // how many codes
	FromBillCode string `xml:"from_bill_code,omitempty"` // the despatch advice, invoice or bill of lading number, else bill_code
	OrderCode    string `xml:"order_code,omitempty"`     // the purchase order number
	FromPerson   string `xml:"from_person,omitempty"`    // the sender's name
	ToPerson     string `xml:"to_person,omitempty"`      // the receiver's name
	FromAddress  string `xml:"from_address,omitempty"`   // the sender's registered division
	ToAddress    string `xml:"to_address,omitempty"`     // the receiver's registered division
	DrugListJSON string `xml:"drug_list_json"`           // Drugs as the interface's JSON

	Drugs []Drug   `xml:"-"`
	codes []string // TraceCodes, split
}

// Codes returns the bill's trace codes.
func (b *Bill) Codes() []string { return b.codes }

// Drug is one entry of a bill's drug list: the codes of one product and
// production batch.
type Drug struct {
	CodeCount      int    `json:"codeCount"`
	CommDrugID     string `json:"commDrugId"`     // the 7-digit NMPA drug identification code, else the approval number
	ExpireDate     string `json:"exprieDate"`     // the lot's expiry, YYYY-MM-DD (the interface's spelling)
	PhysicInfo     string `json:"physicInfo"`     // the product's name
	PkgSpec        string `json:"pkgSpec"`        // the drug profile's strength
	ProduceBatchNo string `json:"produceBatchNo"` // the lot number
	ProduceDate    string `json:"produceDate"`    // YYYY-MM-DD
}

// drugList groups codes by product and lot, in order of appearance.
func (x *exporter) drugList(codes []drugCode) (string, []Drug) {
	type key struct{ product, lot uint32 }
	idx := map[key]int{}
	var out []Drug
	for _, c := range codes {
		k := key{c.product, c.lot}
		if i, ok := idx[k]; ok {
			out[i].CodeCount++
			continue
		}
		idx[k] = len(out)
		p, _ := x.product(c.product)
		l := x.lot(c.lot)
		d := Drug{CodeCount: 1, CommDrugID: p.DrugID, PhysicInfo: p.NameZH, ProduceBatchNo: l.Number,
			ProduceDate: ymd(l.Produced), ExpireDate: ymd(l.Expiry)}
		if f := x.src.DrugFields(c.product); f != nil {
			d.PkgSpec = f.Get("strength")
			if d.CommDrugID == "" {
				d.CommDrugID = f.Get("approval")
			}
		}
		out = append(out, d)
	}
	b, _ := json.Marshal(out)
	return string(b), out
}

// ymd formats a yyyymmdd date as YYYY-MM-DD ("" for 0).
func ymd(d uint32) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// AppendXML appends the document as XML with its declaration.
func (d *Document) AppendXML(dst []byte) ([]byte, error) {
	b, err := xml.MarshalIndent(d, "", "  ")
	if err != nil {
		return dst, err
	}
	dst = append(dst, xml.Header...)
	dst = append(dst, b...)
	return append(dst, '\n'), nil
}
