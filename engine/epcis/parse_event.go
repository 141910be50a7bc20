package epcis

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// field is a bit per standard event member, to check presence and which
// members each event type allows.
type field uint32

const (
	fAction field = 1 << iota
	fEPCList
	fParentID
	fChildEPCs
	fInputEPCList
	fOutputEPCList
	fQuantityList
	fChildQuantityList
	fInputQuantityList
	fOutputQuantityList
	fTransformationID
	fBizStep
	fDisposition
	fPersistentDisposition
	fReadPoint
	fBizLocation
	fBizTransactionList
	fSourceList
	fDestinationList
	fSensorElementList
	fILMD
	// members every type has
	fType
	fEventID
	fEventTime
	fEventTimeZoneOffset
	fRecordTime
	fCertificationInfo
	fErrorDeclaration
	fContext
)

const fCommon = fType | fEventID | fEventTime | fEventTimeZoneOffset | fRecordTime | fCertificationInfo | fErrorDeclaration | fContext

// fieldBits maps a member name to its bit.
var fieldBits = map[string]field{
	"action": fAction, "epcList": fEPCList, "parentID": fParentID, "childEPCs": fChildEPCs,
	"inputEPCList": fInputEPCList, "outputEPCList": fOutputEPCList, "quantityList": fQuantityList,
	"childQuantityList": fChildQuantityList, "inputQuantityList": fInputQuantityList,
	"outputQuantityList": fOutputQuantityList, "transformationID": fTransformationID,
	"bizStep": fBizStep, "disposition": fDisposition, "persistentDisposition": fPersistentDisposition,
	"readPoint": fReadPoint, "bizLocation": fBizLocation, "bizTransactionList": fBizTransactionList,
	"sourceList": fSourceList, "destinationList": fDestinationList, "sensorElementList": fSensorElementList,
	"ilmd": fILMD, "type": fType, "eventID": fEventID, "eventTime": fEventTime,
	"eventTimeZoneOffset": fEventTimeZoneOffset, "recordTime": fRecordTime,
	"certificationInfo": fCertificationInfo, "errorDeclaration": fErrorDeclaration, "@context": fContext,
}

// allowed lists the members each event type may have, from the EPCIS 2.0
// JSON schema.
var allowed = map[EventType]field{
	ObjectEvent: fCommon | fAction | fEPCList | fQuantityList | fBizStep | fDisposition | fPersistentDisposition |
		fReadPoint | fBizLocation | fBizTransactionList | fSourceList | fDestinationList | fSensorElementList | fILMD,
	AggregationEvent: fCommon | fParentID | fChildEPCs | fChildQuantityList | fAction | fBizStep | fDisposition |
		fReadPoint | fBizLocation | fBizTransactionList | fSourceList | fDestinationList | fSensorElementList,
	TransformationEvent: fCommon | fInputEPCList | fInputQuantityList | fOutputEPCList | fOutputQuantityList |
		fTransformationID | fBizStep | fDisposition | fPersistentDisposition | fReadPoint | fBizLocation |
		fBizTransactionList | fSourceList | fDestinationList | fSensorElementList | fILMD,
	TransactionEvent: fCommon | fBizTransactionList | fParentID | fEPCList | fQuantityList | fAction | fBizStep |
		fDisposition | fReadPoint | fBizLocation | fSourceList | fDestinationList | fSensorElementList,
	AssociationEvent: fCommon | fParentID | fChildEPCs | fChildQuantityList | fAction | fBizStep | fDisposition |
		fReadPoint | fBizLocation | fBizTransactionList | fSourceList | fDestinationList | fSensorElementList,
}

// event parses one event object into ev. Problems are recorded; the
// returned error is only for malformed JSON or a fatal limit.
func (p *parser) event(ev *Event) error {
	var have field
	var order []string // member names in input order, for the allowed check
	if k := p.peek(); k != '{' {
		if k == 0 {
			_, err := p.dec.ReadToken()
			return err
		}
		p.fail("", "an event must be an object, not %s", kindName(k))
		return p.dec.SkipValue()
	}
	err := p.object("", func(key string) error {
		bit, std := fieldBits[key]
		if std {
			have |= bit
			order = append(order, key)
		}
		switch key {
		case "type":
			s, ok, err := p.str(key)
			if ok {
				ev.Type = EventType(s)
				if _, known := allowed[ev.Type]; !known {
					p.fail(key, "unknown event type %q (want ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent or AssociationEvent)", s)
				}
			}
			return err
		case "eventID":
			s, ok, err := p.str(key)
			if ok {
				if e := checkURI(s); e != nil {
					p.fail(key, "%v", e)
				}
				ev.EventID = s
			}
			return err
		case "eventTime":
			ev.EventTime, _ = p.timeValue(key)
		case "recordTime":
			ev.RecordTime, _ = p.timeValue(key)
		case "eventTimeZoneOffset":
			s, ok, err := p.str(key)
			if ok {
				if !validOffset(s) {
					p.fail(key, "%q is not a time zone offset ±HH:MM between -14:00 and +14:00", s)
				}
				ev.EventTimeZoneOffset = s
			}
			return err
		case "action":
			s, ok, err := p.str(key)
			if ok {
				switch a := Action(s); a {
				case ActionAdd, ActionObserve, ActionDelete:
					ev.Action = a
				default:
					p.fail(key, "action %q is not ADD, OBSERVE or DELETE", s)
				}
			}
			return err
		case "epcList":
			return p.epcList(key, &ev.EPCList)
		case "childEPCs":
			return p.epcList(key, &ev.ChildEPCs)
		case "inputEPCList":
			return p.epcList(key, &ev.InputEPCList)
		case "outputEPCList":
			return p.epcList(key, &ev.OutputEPCList)
		case "parentID":
			s, ok, err := p.str(key)
			if ok {
				ev.ParentID = p.ident(key, s)
			}
			return err
		case "quantityList":
			return p.quantityList(key, &ev.QuantityList)
		case "childQuantityList":
			return p.quantityList(key, &ev.ChildQuantityList)
		case "inputQuantityList":
			return p.quantityList(key, &ev.InputQuantityList)
		case "outputQuantityList":
			return p.quantityList(key, &ev.OutputQuantityList)
		case "transformationID":
			s, ok, err := p.str(key)
			if ok {
				if e := checkURI(s); e != nil {
					p.fail(key, "%v", e)
				}
				ev.TransformationID = s
			}
			return err
		case "bizStep":
			s, ok, err := p.str(key)
			if ok {
				v, e := ParseBizStep(s)
				if e != nil {
					p.fail(key, "%v", e)
				}
				ev.BizStep = v
			}
			return err
		case "disposition":
			s, ok, err := p.str(key)
			if ok {
				v, e := ParseDisposition(s)
				if e != nil {
					p.fail(key, "%v", e)
				}
				ev.Disposition = v
			}
			return err
		case "persistentDisposition":
			return p.persistentDisposition(key, &ev.PersistentDisposition)
		case "readPoint":
			return p.location(key, &ev.ReadPoint)
		case "bizLocation":
			return p.location(key, &ev.BizLocation)
		case "bizTransactionList":
			return p.bizTransactions(key, &ev.BizTransactionList)
		case "sourceList":
			return p.sourceDests(key, "source", &ev.SourceList)
		case "destinationList":
			return p.sourceDests(key, "destination", &ev.DestinationList)
		case "sensorElementList":
			v, err := p.rawValue()
			if err != nil {
				return err
			}
			if msg := checkArrayOfObjects(v); msg != "" {
				p.fail(key, "%s", msg)
			}
			ev.SensorElementList = v
		case "ilmd":
			v, err := p.rawValue()
			if err != nil {
				return err
			}
			if len(v) == 0 || v[0] != '{' {
				p.fail(key, "ilmd must be an object")
			}
			ev.ILMD = v
		case "certificationInfo":
			return p.certificationInfo(key, ev)
		case "errorDeclaration":
			return p.errorDeclaration(key, ev)
		case "@context":
			v, err := p.rawValue()
			if err != nil {
				return err
			}
			ev.Context = v
		default:
			if !isURI(key) {
				p.fail(key, "unknown event field %q (extensions need a namespace prefix, e.g. \"example:%s\")", key, key)
				return p.dec.SkipValue()
			}
			return p.extension(&ev.Extensions, key, key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sortExtensions(ev.Extensions)
	p.checkEvent(ev, have, order)
	return nil
}

// checkEvent applies the per-type rules once all members are read.
func (p *parser) checkEvent(ev *Event, have field, order []string) {
	for _, m := range [...]struct {
		bit  field
		name string
	}{{fType, "type"}, {fEventTime, "eventTime"}, {fEventTimeZoneOffset, "eventTimeZoneOffset"}} {
		if have&m.bit == 0 {
			p.fail(m.name, "required field %q is missing", m.name)
		}
	}
	if !p.opts.Now.IsZero() && !ev.EventTime.IsZero() {
		if limit := p.opts.Now.Add(p.opts.MaxFutureSkew); ev.EventTime.After(limit) {
			p.fail("eventTime", "eventTime %s is %s in the future (at most %s allowed)",
				ev.EventTime.Format("2006-01-02T15:04:05.999Z07:00"), ev.EventTime.Sub(p.opts.Now).Round(1e9), p.opts.MaxFutureSkew)
		}
	}
	ok, known := allowed[ev.Type]
	if !known {
		return
	}
	for _, name := range order {
		if fieldBits[name]&ok == 0 {
			p.fail(name, "%s does not have the field %q", ev.Type, name)
		}
	}
	need := func(bit field, name, why string) {
		if have&bit == 0 {
			p.fail(name, "%s requires %q%s", ev.Type, name, why)
		}
	}
	nonEmptyE := func(l []Identifier) bool { return len(l) > 0 }
	nonEmptyQ := func(l []QuantityElement) bool { return len(l) > 0 }
	switch ev.Type {
	case ObjectEvent:
		need(fAction, "action", "")
		if ev.EPCList == nil && !nonEmptyQ(ev.QuantityList) && !(ev.SensorElementList != nil && !ev.ReadPoint.IsZero()) {
			p.fail("", "ObjectEvent requires \"epcList\" or a non-empty \"quantityList\" (or sensorElementList with readPoint)")
		}
		if ev.ILMD != nil && have&fAction != 0 && ev.Action != ActionAdd {
			p.fail("ilmd", "ilmd is only allowed with action ADD, not %s", ev.Action)
		}
	case AggregationEvent:
		need(fAction, "action", "")
		if ev.ParentID.IsZero() && have&fAction != 0 && ev.Action != ActionObserve {
			p.fail("parentID", "AggregationEvent requires \"parentID\" unless action is OBSERVE")
		}
		if !nonEmptyE(ev.ChildEPCs) && !nonEmptyQ(ev.ChildQuantityList) && ev.Action != ActionDelete {
			p.fail("", "AggregationEvent requires a non-empty \"childEPCs\" or \"childQuantityList\" unless action is DELETE")
		}
	case TransformationEvent:
		in := nonEmptyE(ev.InputEPCList) || nonEmptyQ(ev.InputQuantityList)
		out := nonEmptyE(ev.OutputEPCList) || nonEmptyQ(ev.OutputQuantityList)
		if !(in && out) && !(ev.TransformationID != "" && (in || out)) {
			p.fail("", "TransformationEvent requires inputs and outputs, or a transformationID with inputs or outputs")
		}
	case TransactionEvent:
		need(fAction, "action", "")
		need(fBizTransactionList, "bizTransactionList", "")
		if have&fBizTransactionList != 0 && len(ev.BizTransactionList) == 0 {
			p.fail("bizTransactionList", "TransactionEvent requires at least one business transaction")
		}
		if ev.EPCList == nil && !nonEmptyQ(ev.QuantityList) && ev.Action != ActionDelete {
			p.fail("", "TransactionEvent requires \"epcList\" or a non-empty \"quantityList\" unless action is DELETE")
		}
	case AssociationEvent:
		need(fAction, "action", "")
		need(fParentID, "parentID", "")
		if !nonEmptyE(ev.ChildEPCs) && !nonEmptyQ(ev.ChildQuantityList) && ev.Action != ActionDelete {
			p.fail("", "AssociationEvent requires a non-empty \"childEPCs\" or \"childQuantityList\" unless action is DELETE")
		}
	}
}

// validOffset checks ±HH:MM with -14:00 ≤ offset ≤ +14:00.
func validOffset(s string) bool {
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return false
	}
	for _, i := range [...]int{1, 2, 4, 5} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	h := int(s[1]-'0')*10 + int(s[2]-'0')
	m := int(s[4]-'0')*10 + int(s[5]-'0')
	return m < 60 && (h < 14 || h == 14 && m == 0)
}

// ident checks and normalises one identifier found at path.
func (p *parser) ident(path, s string) Identifier {
	if err := checkEPC(s); err != nil {
		p.fail(path, "%v", err)
		return Identifier{Raw: s, Canon: s}
	}
	if p.opts.Normalizer == nil {
		return Identifier{Raw: s, Canon: s}
	}
	c, err := p.opts.Normalizer(s)
	if err != nil {
		p.fail(path, "%v", err)
		return Identifier{Raw: s, Canon: s}
	}
	return Identifier{Raw: s, Canon: c}
}

// identLoose is ident for fields that may hold any URI (locations,
// sources, destinations): EPC-like values are normalised, other URIs
// (geo:…, urn:uuid:…) are only checked.
func (p *parser) identLoose(path, s string) Identifier {
	if checkEPC(s) != nil && checkURI(s) == nil {
		return Identifier{Raw: s, Canon: s}
	}
	return p.ident(path, s)
}

// epcList reads an array of identifiers, rejecting duplicates.
func (p *parser) epcList(key string, dst *[]Identifier) error {
	k := p.peek()
	if k != '[' {
		if k == 0 {
			_, err := p.dec.ReadToken()
			return err
		}
		p.fail(key, "must be an array of identifiers, not %s", kindName(k))
		return p.dec.SkipValue()
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return err
	}
	list := []Identifier{}
	var seen map[string]int
	over := false
	for i := 0; p.peek() != ']'; i++ {
		if i >= p.opts.MaxEPCsPerEvent {
			if !over {
				p.add(EventError{Index: p.idx, Field: p.absPath(key), limit: true,
					Reason: fmt.Sprintf("more than %d identifiers in %s (ParseOptions.MaxEPCsPerEvent)", p.opts.MaxEPCsPerEvent, key)})
				over = true
			}
			if err := p.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		path := ""
		if k := p.peek(); k != '"' {
			if k == 0 {
				_, err := p.dec.ReadToken()
				return err
			}
			p.fail(indexPath(key, i), "must be a string, not %s", kindName(k))
			if err := p.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		tok, err := p.dec.ReadToken()
		if err != nil {
			return err
		}
		s := tok.String()
		if err := checkEPC(s); err != nil {
			path = indexPath(key, i)
			p.fail(path, "%v", err)
		}
		if seen == nil {
			seen = make(map[string]int, 16)
		}
		if j, dup := seen[s]; dup {
			p.fail(indexPath(key, i), "duplicate identifier %q (also at index %d)", s, j)
		} else {
			seen[s] = i
		}
		id := Identifier{Raw: s, Canon: s}
		if path == "" && p.opts.Normalizer != nil {
			c, err := p.opts.Normalizer(s)
			if err != nil {
				p.fail(indexPath(key, i), "%v", err)
			} else {
				id.Canon = c
			}
		}
		list = append(list, id)
	}
	*dst = list
	_, err := p.dec.ReadToken()
	return err
}

func indexPath(key string, i int) string {
	return key + "[" + strconv.Itoa(i) + "]"
}

// arrayOf reads an array at key whose elements are objects, calling elem
// for each with the decoder positioned at the element.
func (p *parser) arrayOf(key string, elem func(path string, i int) error) error {
	k := p.peek()
	if k != '[' {
		if k == 0 {
			_, err := p.dec.ReadToken()
			return err
		}
		p.fail(key, "must be an array, not %s", kindName(k))
		return p.dec.SkipValue()
	}
	if _, err := p.dec.ReadToken(); err != nil {
		return err
	}
	for i := 0; p.peek() != ']'; i++ {
		if i >= p.opts.MaxEPCsPerEvent {
			p.add(EventError{Index: p.idx, Field: p.absPath(key), limit: true,
				Reason: fmt.Sprintf("more than %d elements in %s (ParseOptions.MaxEPCsPerEvent)", p.opts.MaxEPCsPerEvent, key)})
			for p.peek() != ']' {
				if err := p.dec.SkipValue(); err != nil {
					return err
				}
			}
			break
		}
		if err := elem(indexPath(key, i), i); err != nil {
			return err
		}
	}
	_, err := p.dec.ReadToken()
	return err
}

// quantityList reads quantity elements {epcClass, quantity, uom}.
func (p *parser) quantityList(key string, dst *[]QuantityElement) error {
	list := []QuantityElement{}
	err := p.arrayOf(key, func(path string, _ int) error {
		var q QuantityElement
		var haveClass bool
		err := p.object(path, func(k string) error {
			switch k {
			case "epcClass":
				haveClass = true
				s, ok, err := p.str(path + ".epcClass")
				if ok {
					q.EPCClass = p.ident(path+".epcClass", s)
				}
				return err
			case "quantity":
				kind := p.peek()
				if kind != '0' {
					if kind == 0 {
						_, err := p.dec.ReadToken()
						return err
					}
					p.fail(path+".quantity", "must be a number, not %s", kindName(kind))
					return p.dec.SkipValue()
				}
				tok, err := p.dec.ReadToken()
				if err != nil {
					return err
				}
				f := tok.Float()
				if math.IsInf(f, 0) || f < 0 {
					p.fail(path+".quantity", "quantity %s is out of range (must be ≥ 0 and finite)", tok.String())
				}
				q.Quantity, q.HasQuantity = f, true
			case "uom":
				s, ok, err := p.str(path + ".uom")
				if ok {
					if !validUOM(s) {
						p.fail(path+".uom", "uom %q is not a UN/ECE Rec. 20 code (2–3 upper-case letters or digits)", s)
					}
					q.UOM = s
				}
				return err
			default:
				p.fail(path+"."+k, "unknown field %q in a quantity element (epcClass, quantity, uom)", k)
				return p.dec.SkipValue()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !haveClass {
			p.fail(path+".epcClass", "quantity element requires \"epcClass\"")
		}
		if q.UOM != "" && !q.HasQuantity {
			p.fail(path+".uom", "uom without quantity")
		}
		list = append(list, q)
		return nil
	})
	*dst = list
	return err
}

func validUOM(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// persistentDisposition reads {set: [...], unset: [...]}.
func (p *parser) persistentDisposition(key string, dst *PersistentDisposition) error {
	err := p.object(key, func(k string) error {
		var list *[]Disposition
		switch k {
		case "set":
			list = &dst.Set
		case "unset":
			list = &dst.Unset
		default:
			p.fail(key+"."+k, "unknown field %q in persistentDisposition (set, unset)", k)
			return p.dec.SkipValue()
		}
		*list = []Disposition{}
		return p.arrayOf(key+"."+k, func(path string, _ int) error {
			s, ok, err := p.str(path)
			if ok {
				d, e := ParseDisposition(s)
				if e != nil {
					p.fail(path, "%v", e)
				}
				for _, x := range *list {
					if x == d {
						p.fail(path, "duplicate disposition %q", s)
					}
				}
				*list = append(*list, d)
			}
			return err
		})
	})
	if err == nil && len(dst.Set) == 0 && len(dst.Unset) == 0 {
		p.fail(key, "persistentDisposition needs a non-empty set or unset")
	}
	return err
}

// location reads a readPoint or bizLocation {id, extensions…}.
func (p *parser) location(key string, dst *Location) error {
	haveID := false
	err := p.object(key, func(k string) error {
		if k == "id" {
			haveID = true
			s, ok, err := p.str(key + ".id")
			if ok {
				dst.ID = p.identLoose(key+".id", s)
			}
			return err
		}
		if !isURI(k) {
			p.fail(key+"."+k, "unknown field %q in %s (extensions need a namespace prefix)", k, key)
			return p.dec.SkipValue()
		}
		return p.extension(&dst.Extensions, key+"."+k, k)
	})
	if err == nil && !haveID {
		p.fail(key+".id", "%s requires \"id\"", key)
	}
	sortExtensions(dst.Extensions)
	return err
}

// bizTransactions reads [{type?, bizTransaction}].
func (p *parser) bizTransactions(key string, dst *[]BizTransaction) error {
	list := []BizTransaction{}
	err := p.arrayOf(key, func(path string, _ int) error {
		var bt BizTransaction
		err := p.object(path, func(k string) error {
			switch k {
			case "type":
				s, ok, err := p.str(path + ".type")
				if ok {
					t, e := ParseBizTransactionType(s)
					if e != nil {
						p.fail(path+".type", "%v", e)
					}
					bt.Type = t
				}
				return err
			case "bizTransaction":
				s, ok, err := p.str(path + ".bizTransaction")
				if ok {
					if e := checkURI(s); e != nil {
						p.fail(path+".bizTransaction", "%v", e)
					}
					bt.ID = s
				}
				return err
			}
			p.fail(path+"."+k, "unknown field %q in a business transaction (type, bizTransaction)", k)
			return p.dec.SkipValue()
		})
		if err != nil {
			return err
		}
		if bt.ID == "" {
			p.fail(path+".bizTransaction", "business transaction requires \"bizTransaction\"")
		}
		list = append(list, bt)
		return nil
	})
	*dst = list
	return err
}

// sourceDests reads [{type, source}] or [{type, destination}].
func (p *parser) sourceDests(key, idKey string, dst *[]SourceDest) error {
	list := []SourceDest{}
	err := p.arrayOf(key, func(path string, _ int) error {
		var sd SourceDest
		var haveType bool
		err := p.object(path, func(k string) error {
			switch k {
			case "type":
				haveType = true
				s, ok, err := p.str(path + ".type")
				if ok {
					t, e := ParseSourceDestType(s)
					if e != nil {
						p.fail(path+".type", "%v", e)
					}
					sd.Type = t
				}
				return err
			case idKey:
				s, ok, err := p.str(path + "." + idKey)
				if ok {
					sd.ID = p.identLoose(path+"."+idKey, s)
				}
				return err
			}
			p.fail(path+"."+k, "unknown field %q (type, %s)", k, idKey)
			return p.dec.SkipValue()
		})
		if err != nil {
			return err
		}
		if !haveType {
			p.fail(path+".type", "%s requires \"type\"", idKey)
		}
		if sd.ID.IsZero() {
			p.fail(path+"."+idKey, "%s requires %q", idKey, idKey)
		}
		list = append(list, sd)
		return nil
	})
	*dst = list
	return err
}

// certificationInfo reads a URI or an array of URIs.
func (p *parser) certificationInfo(key string, ev *Event) error {
	one := func(path string) error {
		s, ok, err := p.str(path)
		if ok {
			if e := checkURI(s); e != nil {
				p.fail(path, "%v", e)
			}
			ev.CertificationInfo = append(ev.CertificationInfo, s)
		}
		return err
	}
	if p.peek() == '[' {
		ev.CertificationInfo = []string{}
		return p.arrayOf(key, func(path string, _ int) error { return one(path) })
	}
	return one(key)
}

// errorDeclaration reads {declarationTime, reason?, correctiveEventIDs?, ext…}.
func (p *parser) errorDeclaration(key string, ev *Event) error {
	ed := &ErrorDeclaration{}
	haveTime := false
	err := p.object(key, func(k string) error {
		path := key + "." + k
		switch k {
		case "declarationTime":
			haveTime = true
			ed.DeclarationTime, _ = p.timeValue(path)
			return nil
		case "reason":
			s, ok, err := p.str(path)
			if ok {
				r, e := ParseErrorReason(s)
				if e != nil {
					p.fail(path, "%v", e)
				}
				ed.Reason = r
			}
			return err
		case "correctiveEventIDs":
			ed.CorrectiveEventIDs = []string{}
			return p.arrayOf(path, func(ip string, _ int) error {
				s, ok, err := p.str(ip)
				if ok {
					if e := checkURI(s); e != nil {
						p.fail(ip, "%v", e)
					}
					ed.CorrectiveEventIDs = append(ed.CorrectiveEventIDs, s)
				}
				return err
			})
		}
		if !isURI(k) {
			p.fail(path, "unknown field %q in errorDeclaration (extensions need a namespace prefix)", k)
			return p.dec.SkipValue()
		}
		return p.extension(&ed.Extensions, path, k)
	})
	if err == nil && !haveTime {
		p.fail(key+".declarationTime", "errorDeclaration requires \"declarationTime\"")
	}
	sortExtensions(ed.Extensions)
	ev.ErrorDeclaration = ed
	return err
}

// checkArrayOfObjects reports whether raw is an array of objects.
func checkArrayOfObjects(raw []byte) string {
	d := jsontext.NewDecoder(bytes.NewReader(raw))
	tok, err := d.ReadToken()
	if err != nil || tok.Kind() != '[' {
		return "must be an array of objects"
	}
	for i := 0; d.PeekKind() != ']'; i++ {
		if d.PeekKind() != '{' {
			return fmt.Sprintf("element %d must be an object", i)
		}
		if err := d.SkipValue(); err != nil {
			return "must be an array of objects"
		}
	}
	return ""
}

// sortExtensions orders extensions by key (keys are unique: the decoder
// rejects duplicate names).
func sortExtensions(x []Extension) {
	sort.Slice(x, func(i, j int) bool { return x[i].Key < x[j].Key })
}
