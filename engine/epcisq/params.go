package epcisq

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"tracecode/engine/code"
	"tracecode/engine/code/epc"
	"tracecode/engine/epcis"
)

// Regions is what an Env answers for WD_ parameters given a division:
// whether a location lies in a division (the location's registered
// organisation — its GLN's company prefix — is of the division or below).
// An Env without it answers a division with no event.
type Regions interface {
	LocationIn(location string, division uint32) bool
}

// wd is one WD_ value: a division (GB/T 2260, 6 or 9 digits) or a
// location identifier as captured.
type wd struct {
	division uint32
	id       string
}

// classPat is a MATCH_…EPCClass value: a GTIN and lot (an LGTIN class),
// or a GTIN with any lot (an idpat:sgtin pattern or a GTIN's class).
type classPat struct {
	gtin, lot string
	anyLot    bool
}

// quantityCond is one EQ_/GT_/GE_/LT_/LE_quantity.
type quantityCond struct {
	op string
	v  float64
}

// eventConds are the conditions answered on the event as captured
// (after the summary's): WD_, MATCH_…EPCClass, quantities,
// transformation ID and the error declaration's fields.
type eventConds struct {
	WDReadPoints, WDBizLocations      []wd
	ClassEPC, ClassInput, ClassOutput []classPat
	ClassAny                          []classPat
	Quantities                        []quantityCond
	TransformationIDs                 []string
	ErrorReasons, CorrectiveIDs       []string
	GEErrorDeclTime, LTErrorDeclTime  int64
	hasErrorDeclTime                  bool
	// Ext are the EQ_ and EXISTS_ parameters of extension fields.
	Ext []extCond
}

// extCond is one EQ_{namespace}#{name} or EXISTS_{namespace}#{name}: an
// event extension field (a top-level member the model does not
// interpret) whose IRI is the namespace and name, present (exists) or
// with one of the values (a JSON string's text, or a number or boolean
// as written).
type extCond struct {
	iri, alt string // namespace + name; namespace + "#" + name
	values   []string
	exists   bool
}

// extParam reads an extension-field parameter's namespace and name
// (EPCIS 2.0 §8.2.7.1: the parameter's name is EQ_ or EXISTS_, the
// namespace IRI, a pound sign and the field's local name); ok is false
// for a name that is not one.
func extParam(name string) (op string, c extCond, ok bool) {
	switch {
	case strings.HasPrefix(name, "EQ_"):
		op = "EQ_"
	case strings.HasPrefix(name, "EXISTS_"):
		op = "EXISTS_"
	default:
		return "", extCond{}, false
	}
	rest := name[len(op):]
	i := strings.LastIndexByte(rest, '#')
	if i <= 0 || i == len(rest)-1 || !strings.Contains(rest[:i], ":") {
		return "", extCond{}, false
	}
	ns, local := rest[:i], rest[i+1:]
	return op, extCond{iri: ns + local, alt: ns + "#" + local, exists: op == "EXISTS_"}, true
}

// matches reports whether ev has the field (with one of the values).
func (c *extCond) matches(ev *epcis.Event) bool {
	for _, x := range ev.Extensions {
		pre, local, found := strings.Cut(x.Key, ":")
		iri := x.Key
		if ns, ok := ev.Namespaces[pre]; found && ok {
			iri = ns + local
		}
		if iri != c.iri && iri != c.alt {
			continue
		}
		if c.exists {
			return true
		}
		v := string(x.Value)
		var str string
		if json.Unmarshal(x.Value, &str) == nil {
			v = str
		}
		if slices.Contains(c.values, v) {
			return true
		}
	}
	return false
}

// parsedOnly reports whether a condition needs the parsed event: all but
// WD_, which match answers on the summary's locations (the same values).
func (c *eventConds) parsedOnly() bool {
	return len(c.ClassEPC)+len(c.ClassInput)+len(c.ClassOutput)+len(c.ClassAny)+
		len(c.Quantities)+len(c.TransformationIDs)+len(c.ErrorReasons)+len(c.CorrectiveIDs)+len(c.Ext) > 0 || c.hasErrorDeclTime
}

func (c *eventConds) any() bool {
	return len(c.WDReadPoints)+len(c.WDBizLocations)+len(c.ClassEPC)+len(c.ClassInput)+len(c.ClassOutput)+len(c.ClassAny)+
		len(c.Quantities)+len(c.TransformationIDs)+len(c.ErrorReasons)+len(c.CorrectiveIDs)+len(c.Ext) > 0 || c.hasErrorDeclTime
}

// parseClass reads an EPC class or class pattern: urn:epc:class:lgtin:…,
// urn:epc:idpat:sgtin:CP.IR.*, a Digital Link with AI 01 (and 10), or a
// GTIN's element string.
func parseClass(p Param, v string) (classPat, error) {
	if strings.HasPrefix(v, "urn:epc:idpat:") {
		k, err := epc.ParseKey(v)
		if err != nil || !k.Pattern || k.Scheme != "sgtin" {
			return classPat{}, bad(p, "%q is not an SGTIN class pattern (urn:epc:idpat:sgtin:CompanyPrefix.ItemRef.*)", v)
		}
		for _, e := range k.Elements {
			if e.AI == "01" {
				return classPat{gtin: e.Value, anyLot: true}, nil
			}
		}
		return classPat{}, bad(p, "%q names no GTIN", v)
	}
	c, ok := classOf(v)
	if !ok {
		return classPat{}, bad(p, "%q is not an EPC class (urn:epc:class:lgtin:…, urn:epc:idpat:sgtin:…*, or a Digital Link with a GTIN)", v)
	}
	return c, nil
}

// classOf reads the class an event's epcClass names (a GTIN and its lot,
// if any).
func classOf(v string) (classPat, bool) {
	c, err := code.Parse(v)
	if err != nil {
		return classPat{}, false
	}
	var out classPat
	for _, e := range c.Elements {
		switch e.AI {
		case "01":
			out.gtin = e.Value
		case "10":
			out.lot = e.Value
		}
	}
	out.anyLot = out.lot == ""
	return out, out.gtin != ""
}

// setEvent reads the parameters answered on the event; handled is false
// for a name it does not know.
func (q *Query) setEvent(p Param) (handled bool, err error) {
	name := p.Name
	c := &q.ev
	switch name {
	case "WD_readPoint", "WD_bizLocation":
		vs, err := list(p)
		if err != nil {
			return true, err
		}
		for _, v := range vs {
			w := wd{id: v}
			if len(v) == 6 || len(v) == 9 {
				if n, err := strconv.ParseUint(v, 10, 32); err == nil && n > 0 {
					w = wd{division: uint32(n)}
				}
			}
			if name == "WD_readPoint" {
				c.WDReadPoints = append(c.WDReadPoints, w)
			} else {
				c.WDBizLocations = append(c.WDBizLocations, w)
			}
		}
	case "MATCH_epcClass", "MATCH_inputEPCClass", "MATCH_outputEPCClass", "MATCH_anyEPCClass":
		vs, err := list(p)
		if err != nil {
			return true, err
		}
		dst := map[string]*[]classPat{"MATCH_epcClass": &c.ClassEPC, "MATCH_inputEPCClass": &c.ClassInput,
			"MATCH_outputEPCClass": &c.ClassOutput, "MATCH_anyEPCClass": &c.ClassAny}[name]
		for _, v := range vs {
			cp, err := parseClass(p, v)
			if err != nil {
				return true, err
			}
			*dst = append(*dst, cp)
		}
	case "EQ_quantity", "GT_quantity", "GE_quantity", "LT_quantity", "LE_quantity":
		v, err := strconv.ParseFloat(p.Value, 64)
		if err != nil || v < 0 || v != v || v > 1e300 {
			return true, bad(p, "is not a non-negative number")
		}
		c.Quantities = append(c.Quantities, quantityCond{op: name[:2], v: v})
	case "EQ_transformationID", "EQ_correctiveEventID":
		vs, err := list(p)
		if err != nil {
			return true, err
		}
		if name == "EQ_transformationID" {
			c.TransformationIDs = vs
		} else {
			c.CorrectiveIDs = vs
		}
	case "EQ_errorReason":
		vs, err := list(p)
		if err != nil {
			return true, err
		}
		for _, v := range vs {
			r, err := epcis.ParseErrorReason(v)
			if err != nil {
				return true, bad(p, "%v", err)
			}
			c.ErrorReasons = append(c.ErrorReasons, string(r))
		}
	case "GE_errorDeclarationTime", "LT_errorDeclarationTime":
		t, err := parseTime(p)
		if err != nil {
			return true, err
		}
		if !c.hasErrorDeclTime {
			c.GEErrorDeclTime, c.LTErrorDeclTime, c.hasErrorDeclTime = -1<<63, 1<<63-1, true
		}
		if name[:2] == "GE" {
			c.GEErrorDeclTime = t
		} else {
			c.LTErrorDeclTime = t
		}
	default:
		op, x, ok := extParam(name)
		if !ok {
			return false, nil
		}
		if op == "EXISTS_" {
			if p.Value != "" && p.Value != "true" {
				return true, bad(p, "takes no value (or true)")
			}
		} else {
			vs, err := list(p)
			if err != nil {
				return true, err
			}
			x.values = vs
		}
		c.Ext = append(c.Ext, x)
	}
	return true, nil
}

// matchesPlaces applies the WD_ conditions to an event's read point and
// business location (as captured: the event's, or its summary's, which
// holds the same strings for a captured event).
func (q *Query) matchesPlaces(readPoint, bizLocation string, env Env) bool {
	c := &q.ev
	if len(c.WDReadPoints)+len(c.WDBizLocations) == 0 {
		return true
	}
	regions, _ := env.(Regions)
	inWD := func(ws []wd, loc string) bool {
		if len(ws) == 0 {
			return true
		}
		if loc == "" {
			return false
		}
		return slices.ContainsFunc(ws, func(w wd) bool {
			if w.division == 0 {
				return w.id == loc
			}
			return regions != nil && regions.LocationIn(loc, w.division)
		})
	}
	return inWD(c.WDReadPoints, readPoint) && inWD(c.WDBizLocations, bizLocation)
}

// matchesEvent applies the event conditions to ev.
func (q *Query) matchesEvent(ev *epcis.Event, env Env) bool {
	c := &q.ev
	if !c.any() {
		return true
	}
	if !q.matchesPlaces(ev.ReadPoint.ID.Raw, ev.BizLocation.ID.Raw, env) {
		return false
	}
	classIn := func(pats []classPat, lists ...[]epcis.QuantityElement) bool {
		if len(pats) == 0 {
			return true
		}
		for _, l := range lists {
			for _, qe := range l {
				have, ok := classOf(qe.EPCClass.Raw)
				if !ok {
					continue
				}
				for _, w := range pats {
					if w.gtin == have.gtin && (w.anyLot || w.lot == have.lot) {
						return true
					}
				}
			}
		}
		return false
	}
	if !classIn(c.ClassEPC, ev.QuantityList, ev.ChildQuantityList) || !classIn(c.ClassInput, ev.InputQuantityList) ||
		!classIn(c.ClassOutput, ev.OutputQuantityList) ||
		!classIn(c.ClassAny, ev.QuantityList, ev.ChildQuantityList, ev.InputQuantityList, ev.OutputQuantityList) {
		return false
	}
	if len(c.Quantities) > 0 && !quantityMatch(c.Quantities, ev) {
		return false
	}
	if len(c.TransformationIDs) > 0 && !slices.Contains(c.TransformationIDs, ev.TransformationID) {
		return false
	}
	for i := range c.Ext {
		if !c.Ext[i].matches(ev) {
			return false
		}
	}
	if len(c.ErrorReasons)+len(c.CorrectiveIDs) > 0 || c.hasErrorDeclTime {
		d := ev.ErrorDeclaration
		switch {
		case d == nil:
			return false
		case len(c.ErrorReasons) > 0 && !slices.Contains(c.ErrorReasons, string(d.Reason)):
			return false
		case len(c.CorrectiveIDs) > 0 && !slices.ContainsFunc(d.CorrectiveEventIDs, func(id string) bool { return slices.Contains(c.CorrectiveIDs, id) }):
			return false
		case c.hasErrorDeclTime && (d.DeclarationTime.UnixMilli() < c.GEErrorDeclTime || d.DeclarationTime.UnixMilli() >= c.LTErrorDeclTime):
			return false
		}
	}
	return true
}

// quantityMatch: one quantity element of ev meets every comparison.
func quantityMatch(conds []quantityCond, ev *epcis.Event) bool {
	for _, l := range [...][]epcis.QuantityElement{ev.QuantityList, ev.ChildQuantityList, ev.InputQuantityList, ev.OutputQuantityList} {
		for _, qe := range l {
			if !qe.HasQuantity {
				continue
			}
			ok := true
			for _, c := range conds {
				switch c.op {
				case "EQ":
					ok = ok && qe.Quantity == c.v
				case "GT":
					ok = ok && qe.Quantity > c.v
				case "GE":
					ok = ok && qe.Quantity >= c.v
				case "LT":
					ok = ok && qe.Quantity < c.v
				case "LE":
					ok = ok && qe.Quantity <= c.v
				default:
					panic(fmt.Sprintf("BUG: quantity comparison %q", c.op))
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}
