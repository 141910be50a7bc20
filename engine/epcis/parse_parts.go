package epcis

import (
	"bytes"
	"fmt"
	"math"

	"github.com/go-json-experiment/json/jsontext"
)

// This file parses the structured members of an event: quantity lists,
// persistent dispositions, locations, business transactions, sources and
// destinations, certification info and error declarations.

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
				if msg := vocabDisp.urnFormError(s); msg != "" {
					p.fail(path, "%s", msg)
				} else if e != nil {
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
			path := locationIDPath(key)
			s, ok, err := p.str(path)
			if ok {
				dst.ID = p.identLoose(path, s)
			}
			return err
		}
		if !isURI(k) {
			p.fail(key+"."+k, "unknown field %q in %s (extensions need a namespace prefix)", k, key)
			return p.dec.SkipValue()
		}
		return p.extension(&dst.Extensions, k)
	})
	if err == nil && !haveID {
		p.fail(key+".id", "%s requires \"id\"", key)
	}
	sortExtensions(dst.Extensions)
	return err
}

// locationIDPath returns key + ".id", without building it for the two
// locations every event may have.
func locationIDPath(key string) string {
	switch key {
	case "readPoint":
		return "readPoint.id"
	case "bizLocation":
		return "bizLocation.id"
	}
	return key + ".id"
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
					if msg := vocabBTT.urnFormError(s); msg != "" {
						p.fail(path+".type", "%s", msg)
					} else if e != nil {
						p.fail(path+".type", "%v", e)
					}
					bt.Type = t
				}
				return err
			case "bizTransaction":
				s, ok, err := p.strRaw(path + ".bizTransaction")
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
					if msg := vocabSDT.urnFormError(s); msg != "" {
						p.fail(path+".type", "%s", msg)
					} else if e != nil {
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
				if msg := vocabErrReasons.urnFormError(s); msg != "" {
					p.fail(path, "%s", msg)
				} else if e != nil {
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
		return p.extension(&ed.Extensions, k)
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
