package epcis

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
)

// This file reads one XML event into an Event, with the checks the JSON
// parser applies (shared through parser: ident, checkEvent, the CBV
// vocabularies, times and offsets).

// event reads the event element just started.
func (x *xparser) event(ev *Event, start xml.StartElement) error {
	have := fType // the element name is the type
	var orderBuf [32]string
	order := orderBuf[:0]
	x.used = x.used[:0]
	for _, a := range start.Attr {
		if a.Name.Space != nsXMLNS && !(a.Name.Space == "" && a.Name.Local == "xmlns") {
			x.failAt(x.line(), a.Name.Local, "unknown attribute %q on %s", a.Name.Local, start.Name.Local)
		}
	}
	x.seqLast, x.seqLastName, x.seqOther = -1, "", ""
	if err := x.eventContent(ev, "", &have, &order, 0); err != nil {
		return err
	}
	ev.Extensions = groupExtensions(ev.Extensions)
	ev.ReadPoint.Extensions = groupExtensions(ev.ReadPoint.Extensions)
	ev.BizLocation.Extensions = groupExtensions(ev.BizLocation.Extensions)
	if ev.ErrorDeclaration != nil {
		ev.ErrorDeclaration.Extensions = groupExtensions(ev.ErrorDeclaration.Extensions)
	}
	if len(x.used) > 0 {
		ev.Namespaces = make(map[string]string, len(x.used))
		for _, p := range x.used {
			ev.Namespaces[p] = x.nsOf[p]
		}
	}
	x.checkEvent(ev, have, order)
	return nil
}

// eventContent reads the children of an event, or of an <extension> or
// <baseExtension> wrapper inside it (EPCIS 1.x), which are the event's own.
func (x *xparser) eventContent(ev *Event, wrap string, have *field, order *[]string, depth int) error {
	return x.children(wrap, func(se xml.StartElement) error {
		line := x.line()
		if depth == 0 && !x.v1 && !x.opts.XMLAnyOrder {
			x.checkSequence(ev.Type, se.Name, line)
		}
		if se.Name.Space != "" {
			key := x.qname(se.Name)
			x.use(key)
			v, err := x.anyValue(key, se, 0)
			if err != nil {
				return err
			}
			ev.Extensions = append(ev.Extensions, Extension{Key: key, Value: v})
			return nil
		}
		name := se.Name.Local
		if name == "extension" || name == "baseExtension" {
			if depth >= 4 {
				x.failAt(line, name, "<%s> nested too deeply", name)
				return x.skip()
			}
			return x.eventContent(ev, name, have, order, depth+1)
		}
		bit, std := fieldBits[name]
		if !std || name == "type" || name == "@context" {
			x.failAt(line, name, "unknown element <%s> in %s (extensions need a namespace)", name, ev.Type)
			return x.skip()
		}
		if *have&bit != 0 {
			x.failAt(line, name, "duplicate element <%s>", name)
			return x.skip()
		}
		*have |= bit
		*order = append(*order, name)
		return x.field(ev, name, line)
	})
}

// use records the prefix of a key or value as used by the current event.
func (x *xparser) use(s string) {
	p := curiePrefix(s)
	if p == "" {
		return
	}
	if _, ok := x.nsOf[p]; !ok {
		return
	}
	for _, u := range x.used {
		if u == p {
			return
		}
	}
	x.used = append(x.used, p)
}

// field reads one standard field of an event.
func (x *xparser) field(ev *Event, name string, line int) error {
	switch name {
	case "eventTime", "recordTime":
		s, err := x.text(name)
		if err != nil {
			return err
		}
		t, perr := parseTime(s)
		if perr != nil {
			x.failAt(line, name, "%v", perr)
		} else if name == "eventTime" {
			ev.EventTime = t
		} else {
			ev.RecordTime = t
		}
	case "eventTimeZoneOffset":
		s, err := x.text(name)
		if err != nil {
			return err
		}
		if !validOffset(s) {
			x.failAt(line, name, "%q is not a time zone offset ±HH:MM between -14:00 and +14:00", s)
		}
		ev.EventTimeZoneOffset = s
	case "eventID", "transformationID":
		s, err := x.text(name)
		if err != nil {
			return err
		}
		if e := checkURI(s); e != nil {
			x.failAt(line, name, "%v", e)
		}
		if name == "eventID" {
			ev.EventID = s
		} else {
			ev.TransformationID = s
		}
	case "certificationInfo":
		s, err := x.text(name)
		if err != nil {
			return err
		}
		if e := checkURI(s); e != nil {
			x.failAt(line, name, "%v", e)
		}
		ev.CertificationInfo = append(ev.CertificationInfo, s)
	case "action":
		s, err := x.text(name)
		if err != nil {
			return err
		}
		switch a := Action(s); a {
		case ActionAdd, ActionObserve, ActionDelete:
			ev.Action = a
		default:
			x.failAt(line, name, "action %q is not ADD, OBSERVE or DELETE", s)
		}
	case "epcList":
		return x.epcs(name, &ev.EPCList)
	case "childEPCs":
		return x.epcs(name, &ev.ChildEPCs)
	case "inputEPCList":
		return x.epcs(name, &ev.InputEPCList)
	case "outputEPCList":
		return x.epcs(name, &ev.OutputEPCList)
	case "parentID":
		s, err := x.text(name)
		if err != nil {
			return err
		}
		ev.ParentID = x.identAt(line, name, s, false)
	case "quantityList":
		return x.quantities(name, &ev.QuantityList)
	case "childQuantityList":
		return x.quantities(name, &ev.ChildQuantityList)
	case "inputQuantityList":
		return x.quantities(name, &ev.InputQuantityList)
	case "outputQuantityList":
		return x.quantities(name, &ev.OutputQuantityList)
	case "bizStep":
		s, err := x.text(name)
		if err != nil {
			return err
		}
		v, e := ParseBizStep(s)
		if e != nil {
			x.failAt(line, name, "%v", e)
		}
		ev.BizStep = v
		x.use(string(v))
	case "disposition":
		s, err := x.text(name)
		if err != nil {
			return err
		}
		v, e := ParseDisposition(s)
		if e != nil {
			x.failAt(line, name, "%v", e)
		}
		ev.Disposition = v
		x.use(string(v))
	case "persistentDisposition":
		return x.persistent(ev)
	case "readPoint":
		return x.location(name, &ev.ReadPoint)
	case "bizLocation":
		return x.location(name, &ev.BizLocation)
	case "bizTransactionList":
		return x.bizTransactions(ev)
	case "sourceList":
		return x.sourceDests(name, "source", &ev.SourceList)
	case "destinationList":
		return x.sourceDests(name, "destination", &ev.DestinationList)
	case "sensorElementList":
		v, err := x.sensorElements()
		ev.SensorElementList = v
		return err
	case "ilmd":
		v, err := x.object("ilmd", 0, true)
		ev.ILMD = v
		return err
	case "errorDeclaration":
		return x.errorDeclaration(ev)
	default:
		x.failAt(line, name, "<%s> is not read from XML", name)
		return x.skip()
	}
	return nil
}

// identAt checks and normalises an identifier (loose: any URI for
// locations, sources and destinations).
func (x *xparser) identAt(line int, path, s string, loose bool) Identifier {
	n := len(x.errs)
	var id Identifier
	if loose {
		id = x.identLoose(path, s)
	} else {
		id = x.ident(path, s)
	}
	for i := n; i < len(x.errs); i++ {
		x.errs[i].Reason += " (line " + strconv.Itoa(line) + ")"
	}
	x.use(s)
	return id
}

// epcs reads an EPC list (<epc> children), refusing duplicates.
func (x *xparser) epcs(key string, dst *[]Identifier) error {
	list := make([]Identifier, 0, 4)
	const scanMax = 16
	var seen map[string]int
	over := false
	err := x.children(key, func(se xml.StartElement) error {
		line := x.line()
		i := len(list)
		if se.Name.Space != "" || se.Name.Local != "epc" {
			x.failAt(line, indexPath(key, i), "unexpected element <%s>: %s holds <epc> elements", se.Name.Local, key)
			return x.skip()
		}
		s, err := x.text(indexPath(key, i))
		if err != nil {
			return err
		}
		if i >= x.opts.MaxEPCsPerEvent {
			if !over {
				x.add(EventError{Index: x.idx, Field: x.absPath(key), limit: true,
					Reason: fmt.Sprintf("more than %d identifiers in %s (ParseOptions.MaxEPCsPerEvent)", x.opts.MaxEPCsPerEvent, key)})
				over = true
			}
			return nil
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
			x.failAt(line, indexPath(key, i), "duplicate identifier %q (also at index %d)", s, dupAt)
		}
		list = append(list, x.identAt(line, indexPath(key, i), s, false))
		return nil
	})
	*dst = list
	return err
}

// quantities reads a quantity list (<quantityElement> children).
func (x *xparser) quantities(key string, dst *[]QuantityElement) error {
	list := []QuantityElement{}
	over := false
	err := x.children(key, func(se xml.StartElement) error {
		i := len(list)
		path := indexPath(key, i)
		if se.Name.Space != "" || se.Name.Local != "quantityElement" {
			x.failAt(x.line(), path, "unexpected element <%s>: %s holds <quantityElement> elements", se.Name.Local, key)
			return x.skip()
		}
		if i >= x.opts.MaxEPCsPerEvent {
			if !over {
				x.add(EventError{Index: x.idx, Field: x.absPath(key), limit: true,
					Reason: fmt.Sprintf("more than %d elements in %s (ParseOptions.MaxEPCsPerEvent)", x.opts.MaxEPCsPerEvent, key)})
				over = true
			}
			return x.skip()
		}
		var q QuantityElement
		haveClass := false
		start := x.line()
		err := x.children(path, func(c xml.StartElement) error {
			line := x.line()
			switch c.Name.Local {
			case "epcClass":
				haveClass = true
				s, err := x.text(path + ".epcClass")
				if err == nil {
					q.EPCClass = x.identAt(line, path+".epcClass", s, false)
				}
				return err
			case "quantity":
				if v, ok := attrNS(&c, nsXSI, "nil"); ok && v == "true" {
					return x.skip()
				}
				s, err := x.text(path + ".quantity")
				if err != nil {
					return err
				}
				f, perr := strconv.ParseFloat(s, 64)
				if perr != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < 0 {
					x.failAt(line, path+".quantity", "quantity %q is not a decimal number ≥ 0", s)
				}
				q.Quantity, q.HasQuantity = f, true
				return nil
			case "uom":
				s, err := x.text(path + ".uom")
				if err != nil {
					return err
				}
				if !validUOM(s) {
					x.failAt(line, path+".uom", "uom %q is not a UN/ECE Rec. 20 code (2–3 upper-case letters or digits)", s)
				}
				q.UOM = s
				return nil
			}
			x.failAt(line, path+"."+c.Name.Local, "unknown element <%s> in a quantityElement (epcClass, quantity, uom)", c.Name.Local)
			return x.skip()
		})
		if err != nil {
			return err
		}
		if !haveClass {
			x.failAt(start, path+".epcClass", "quantityElement requires <epcClass>")
		}
		if q.UOM != "" && !q.HasQuantity {
			x.failAt(start, path+".uom", "uom without quantity")
		}
		list = append(list, q)
		return nil
	})
	*dst = list
	return err
}

func attrNS(se *xml.StartElement, space, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == space && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// persistent reads persistentDisposition {unset*, set*}.
func (x *xparser) persistent(ev *Event) error {
	const key = "persistentDisposition"
	pd := &ev.PersistentDisposition
	start := x.line()
	err := x.children(key, func(se xml.StartElement) error {
		line := x.line()
		var list *[]Disposition
		switch se.Name.Local {
		case "set":
			list = &pd.Set
		case "unset":
			list = &pd.Unset
		default:
			x.failAt(line, key+"."+se.Name.Local, "unknown element <%s> in persistentDisposition (set, unset)", se.Name.Local)
			return x.skip()
		}
		path := indexPath(key+"."+se.Name.Local, len(*list))
		s, err := x.text(path)
		if err != nil {
			return err
		}
		d, e := ParseDisposition(s)
		if e != nil {
			x.failAt(line, path, "%v", e)
		}
		for _, o := range *list {
			if o == d {
				x.failAt(line, path, "duplicate disposition %q", s)
			}
		}
		x.use(string(d))
		*list = append(*list, d)
		return nil
	})
	if err == nil && len(pd.Set) == 0 && len(pd.Unset) == 0 {
		x.failAt(start, key, "persistentDisposition needs a non-empty set or unset")
	}
	return err
}

// location reads readPoint or bizLocation {id, extensions…}.
func (x *xparser) location(key string, dst *Location) error {
	haveID := false
	start := x.line()
	var read func(wrap string, depth int) error
	read = func(wrap string, depth int) error {
		return x.children(wrap, func(se xml.StartElement) error {
			line := x.line()
			switch {
			case se.Name.Space == "" && se.Name.Local == "id":
				haveID = true
				s, err := x.text(key + ".id")
				if err == nil {
					dst.ID = x.identAt(line, key+".id", s, true)
				}
				return err
			case se.Name.Space == "" && se.Name.Local == "extension" && depth < 4:
				return read(key+".extension", depth+1)
			case se.Name.Space != "":
				k := x.qname(se.Name)
				x.use(k)
				v, err := x.anyValue(k, se, 0)
				if err == nil {
					dst.Extensions = append(dst.Extensions, Extension{Key: k, Value: v})
				}
				return err
			}
			x.failAt(line, key+"."+se.Name.Local, "unknown element <%s> in %s (extensions need a namespace)", se.Name.Local, key)
			return x.skip()
		})
	}
	if err := read(key, 0); err != nil {
		return err
	}
	if !haveID {
		x.failAt(start, key+".id", "%s requires <id>", key)
	}
	return nil
}

// bizTransactions reads <bizTransaction type="…">ID</bizTransaction>…
func (x *xparser) bizTransactions(ev *Event) error {
	const key = "bizTransactionList"
	list := []BizTransaction{}
	err := x.children(key, func(se xml.StartElement) error {
		line := x.line()
		path := indexPath(key, len(list))
		if se.Name.Space != "" || se.Name.Local != "bizTransaction" {
			x.failAt(line, path, "unexpected element <%s>: bizTransactionList holds <bizTransaction> elements", se.Name.Local)
			return x.skip()
		}
		var bt BizTransaction
		if t, ok := attr(&se, "type"); ok {
			v, e := ParseBizTransactionType(t)
			if e != nil {
				x.failAt(line, path+".type", "%v", e)
			}
			bt.Type = v
			x.use(string(v))
		}
		s, err := x.text(path)
		if err != nil {
			return err
		}
		if e := checkURI(s); e != nil {
			x.failAt(line, path+".bizTransaction", "%v", e)
		}
		bt.ID = s
		x.use(s)
		list = append(list, bt)
		return nil
	})
	ev.BizTransactionList = list
	return err
}

// sourceDests reads <source type="…">ID</source>… (or destination).
func (x *xparser) sourceDests(key, elem string, dst *[]SourceDest) error {
	list := []SourceDest{}
	err := x.children(key, func(se xml.StartElement) error {
		line := x.line()
		path := indexPath(key, len(list))
		if se.Name.Space != "" || se.Name.Local != elem {
			x.failAt(line, path, "unexpected element <%s>: %s holds <%s> elements", se.Name.Local, key, elem)
			return x.skip()
		}
		var sd SourceDest
		if t, ok := attr(&se, "type"); ok {
			v, e := ParseSourceDestType(t)
			if e != nil {
				x.failAt(line, path+".type", "%v", e)
			}
			sd.Type = v
			x.use(string(v))
		} else {
			x.failAt(line, path+".type", "<%s> requires the attribute type", elem)
		}
		s, err := x.text(path)
		if err != nil {
			return err
		}
		if s == "" {
			x.failAt(line, path+"."+elem, "empty %s", elem)
		} else {
			sd.ID = x.identAt(line, path+"."+elem, s, true)
		}
		list = append(list, sd)
		return nil
	})
	*dst = list
	return err
}

// errorDeclaration reads {declarationTime, reason?, correctiveEventIDs?, ext…}.
func (x *xparser) errorDeclaration(ev *Event) error {
	const key = "errorDeclaration"
	ed := &ErrorDeclaration{}
	ev.ErrorDeclaration = ed
	haveTime := false
	start := x.line()
	var read func(wrap string, depth int) error
	read = func(wrap string, depth int) error {
		return x.children(wrap, func(se xml.StartElement) error {
			line := x.line()
			if se.Name.Space != "" {
				k := x.qname(se.Name)
				x.use(k)
				v, err := x.anyValue(k, se, 0)
				if err == nil {
					ed.Extensions = append(ed.Extensions, Extension{Key: k, Value: v})
				}
				return err
			}
			path := key + "." + se.Name.Local
			switch se.Name.Local {
			case "declarationTime":
				haveTime = true
				s, err := x.text(path)
				if err != nil {
					return err
				}
				t, perr := parseTime(s)
				if perr != nil {
					x.failAt(line, path, "%v", perr)
				}
				ed.DeclarationTime = t
				return nil
			case "reason":
				s, err := x.text(path)
				if err != nil {
					return err
				}
				r, e := ParseErrorReason(s)
				if e != nil {
					x.failAt(line, path, "%v", e)
				}
				ed.Reason = r
				x.use(string(r))
				return nil
			case "correctiveEventIDs":
				ed.CorrectiveEventIDs = []string{}
				return x.children(path, func(c xml.StartElement) error {
					ip := indexPath(path, len(ed.CorrectiveEventIDs))
					if c.Name.Local != "correctiveEventID" {
						x.failAt(x.line(), ip, "unexpected element <%s>: correctiveEventIDs holds <correctiveEventID> elements", c.Name.Local)
						return x.skip()
					}
					s, err := x.text(ip)
					if err != nil {
						return err
					}
					if e := checkURI(s); e != nil {
						x.failAt(x.line(), ip, "%v", e)
					}
					ed.CorrectiveEventIDs = append(ed.CorrectiveEventIDs, s)
					return nil
				})
			case "extension":
				if depth < 4 {
					return read(path, depth+1)
				}
			}
			x.failAt(line, path, "unknown element <%s> in errorDeclaration (extensions need a namespace)", se.Name.Local)
			return x.skip()
		})
	}
	if err := read(key, 0); err != nil {
		return err
	}
	if !haveTime {
		x.failAt(start, key+".declarationTime", "errorDeclaration requires <declarationTime>")
	}
	return nil
}

// groupExtensions merges repeated extension elements into one member whose
// value is the array of their values (XML repeats an element where JSON
// has an array), and sorts the result by key.
func groupExtensions(exts []Extension) []Extension {
	if len(exts) < 2 {
		return exts
	}
	out := make([]Extension, 0, len(exts))
	done := make([]bool, len(exts))
	for i := range exts {
		if done[i] {
			continue
		}
		var vals [][]byte
		for j := i; j < len(exts); j++ {
			if exts[j].Key == exts[i].Key {
				vals = append(vals, exts[j].Value)
				done[j] = true
			}
		}
		v := exts[i].Value
		if len(vals) > 1 {
			v = joinArray(vals)
		}
		out = append(out, Extension{Key: exts[i].Key, Value: v})
	}
	sortExtensions(out)
	return out
}

// xsdSequence is the order of each event type's elements in the EPCIS 2.0
// XSD (EPCISEventType's, then the type's own); extension elements of other
// namespaces come last.
var xsdSequence = func() map[EventType]map[string]int {
	common := []string{"eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration", "certificationInfo", "baseExtension"}
	own := map[EventType][]string{
		ObjectEvent: {"epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList",
			"quantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "ilmd", "extension"},
		AggregationEvent: {"parentID", "childEPCs", "action", "bizStep", "disposition", "readPoint", "bizLocation",
			"bizTransactionList", "childQuantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "extension"},
		TransactionEvent: {"bizTransactionList", "parentID", "epcList", "action", "bizStep", "disposition", "readPoint",
			"bizLocation", "quantityList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "extension"},
		TransformationEvent: {"inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID",
			"bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList",
			"sensorElementList", "persistentDisposition", "ilmd", "extension"},
		AssociationEvent: {"parentID", "childEPCs", "childQuantityList", "action", "bizStep", "disposition", "readPoint",
			"bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "extension"},
	}
	m := make(map[EventType]map[string]int, len(own))
	for t, l := range own {
		idx := make(map[string]int, len(common)+len(l))
		for i, n := range append(append([]string{}, common...), l...) {
			idx[n] = i
		}
		m[t] = idx
	}
	return m
}()

// checkSequence holds the elements of an EPCIS 2.0 event to the XSD's
// order: each standard element after the ones before it in the sequence,
// extension elements (other namespaces) after all of them.
func (x *xparser) checkSequence(t EventType, n xml.Name, line int) {
	seq := xsdSequence[t]
	if n.Space != "" {
		if x.seqOther == "" {
			x.seqOther = x.qname(n)
		}
		return
	}
	i, ok := seq[n.Local]
	if !ok {
		return // an unknown element is reported as such
	}
	switch {
	case x.seqOther != "":
		x.failAt(line, n.Local, "<%s> must come before the extension element <%s> (EPCIS 2.0 XSD order)", n.Local, x.seqOther)
	case i < x.seqLast:
		x.failAt(line, n.Local, "<%s> must come before <%s> (EPCIS 2.0 XSD order)", n.Local, x.seqLastName)
	}
	if i > x.seqLast {
		x.seqLast, x.seqLastName = i, n.Local
	}
}
