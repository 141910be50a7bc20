package epcis

import (
	"fmt"
	"sort"
	"strconv"
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
	var orderBuf [32]string // member names in input order, for the allowed check
	order := orderBuf[:0]
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
			s, ok, err := p.strRaw(key)
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
				if msg := vocabBizStep.urnFormError(s); msg != "" {
					p.fail(key, "%s", msg)
				} else if e != nil {
					p.fail(key, "%v", e)
				}
				ev.BizStep = v
			}
			return err
		case "disposition":
			s, ok, err := p.str(key)
			if ok {
				v, e := ParseDisposition(s)
				if msg := vocabDisp.urnFormError(s); msg != "" {
					p.fail(key, "%s", msg)
				} else if e != nil {
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
			return p.extension(&ev.Extensions, key)
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
	ok |= p.extraAllowed
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
// ParseOffset reads an eventTimeZoneOffset, "±HH:MM" between -14:00 and
// +14:00, in minutes east of UTC. Anything else is an error: a malformed
// offset is never read as +00:00.
func ParseOffset(s string) (int, error) {
	if !validOffset(s) {
		return 0, fmt.Errorf("epcis: %q is not a time zone offset ±HH:MM between -14:00 and +14:00", s)
	}
	v := (int(s[1]-'0')*10+int(s[2]-'0'))*60 + int(s[4]-'0')*10 + int(s[5]-'0')
	if s[0] == '-' {
		v = -v
	}
	return v, nil
}

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
	list := make([]Identifier, 0, 4)
	// Duplicates: a linear scan while the list is short, a map beyond.
	const scanMax = 16
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
		dupAt := -1
		if i < scanMax {
			for j := range list {
				if list[j].Raw == s {
					dupAt = j
					break
				}
			}
		} else {
			if seen == nil {
				seen = make(map[string]int, 2*scanMax)
				for j := range list {
					seen[list[j].Raw] = j
				}
			}
			if j, dup := seen[s]; dup {
				dupAt = j
			} else {
				seen[s] = i
			}
		}
		if dupAt >= 0 {
			p.fail(indexPath(key, i), "duplicate identifier %q (also at index %d)", s, dupAt)
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

// sortExtensions orders extensions by key (keys are unique: the decoder
// rejects duplicate names).
func sortExtensions(x []Extension) {
	sort.Slice(x, func(i, j int) bool { return x[i].Key < x[j].Key })
}
