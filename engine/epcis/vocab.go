package epcis

import (
	"fmt"
	"strings"
)

// BizStep is a CBV business step: a bare CBV 2.0 term such as "shipping"
// (the BizStep… constants), or a custom vocabulary URI. Parsing accepts the
// bare, URN (urn:epcglobal:cbv:bizstep:shipping), web URI
// (https://ref.gs1.org/cbv/BizStep-shipping) and cbv: CURIE forms and keeps
// the bare form; the empty value means "absent".
type BizStep string

// Disposition is a CBV disposition: a bare CBV 2.0 term ("in_transit") or a
// custom vocabulary URI, normalised like BizStep.
type Disposition string

// BizTransactionType is a CBV business transaction type ("po", "inv", …) or
// a custom vocabulary URI; empty means the type is absent (it is optional).
type BizTransactionType string

// SourceDestType is the type of a source or destination: "owning_party",
// "possessing_party", "location", or a custom vocabulary URI.
type SourceDestType string

// ErrorReason is the reason of an error declaration: "did_not_occur",
// "incorrect_data", or a custom vocabulary URI; empty means absent.
type ErrorReason string

// vocab describes one CBV vocabulary and its three spellings.
type vocab struct {
	name  string // field name used in error messages
	urn   string // CBV 1.x URN prefix
	web   string // CBV 2.0 web URI prefix
	curie string // the same web prefix as a cbv: CURIE
	// terms maps each bare term to its web URI (built once: a stored
	// event's document spells every CBV value as one).
	terms map[string]string
}

func newVocab(name, urn, web string, terms []string) *vocab {
	v := &vocab{name: name, urn: urn, web: webCBV + web, curie: "cbv:" + web, terms: make(map[string]string, len(terms))}
	for _, t := range terms {
		v.terms[t] = v.web + t
	}
	return v
}

// webCBV is the namespace of the CBV 2.0 web vocabulary.
const webCBV = "https://ref.gs1.org/cbv/"

var (
	vocabBizStep    = newVocab("bizStep", "urn:epcglobal:cbv:bizstep:", "BizStep-", bizStepTerms)
	vocabDisp       = newVocab("disposition", "urn:epcglobal:cbv:disp:", "Disp-", dispositionTerms)
	vocabBTT        = newVocab("bizTransaction type", "urn:epcglobal:cbv:btt:", "BTT-", bizTransactionTypeTerms)
	vocabSDT        = newVocab("source/destination type", "urn:epcglobal:cbv:sdt:", "SDT-", sourceDestTypeTerms)
	vocabErrReasons = newVocab("error reason", "urn:epcglobal:cbv:er:", "ER-", errorReasonTerms)
)

// normalize returns the bare term for any spelling of a CBV term, s itself
// for a custom vocabulary URI, and an error for anything else. A value in a
// CBV namespace that is not a CBV term is an error: CBV forbids custom values
// there.
func (v *vocab) normalize(s string) (string, error) {
	if _, ok := v.terms[s]; ok {
		return s, nil
	}
	for _, p := range [...]string{v.urn, v.web, v.curie} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			if _, ok := v.terms[rest]; ok {
				return rest, nil
			}
			return "", fmt.Errorf("%q is not a CBV 2.0 %s", s, v.name)
		}
	}
	if strings.HasPrefix(s, "urn:epcglobal:cbv:") || strings.HasPrefix(s, webCBV) {
		return "", fmt.Errorf("%q is in a CBV namespace but not a CBV 2.0 %s", s, v.name)
	}
	if !isURI(s) {
		return "", fmt.Errorf("%q is neither a CBV 2.0 %s nor a URI (custom vocabulary must be a URI)", s, v.name)
	}
	return s, nil
}

// isCBV reports whether s is a bare CBV term of v.
func (v *vocab) isCBV(s string) bool {
	_, ok := v.terms[s]
	return ok
}

// webURI returns the CBV 2.0 web URI of a bare term and s unchanged
// otherwise.
func (v *vocab) webURI(s string) string {
	if w, ok := v.terms[s]; ok {
		return w
	}
	return s
}

// ParseBizStep normalises any accepted spelling of a business step.
func ParseBizStep(s string) (BizStep, error) {
	n, err := vocabBizStep.normalize(s)
	return BizStep(n), err
}

// IsCBV reports whether b is a standard CBV 2.0 business step.
func (b BizStep) IsCBV() bool { return vocabBizStep.isCBV(string(b)) }

// URI returns the CBV 2.0 web URI of a standard step, or the custom URI.
func (b BizStep) URI() string { return vocabBizStep.webURI(string(b)) }

// ParseDisposition normalises any accepted spelling of a disposition.
func ParseDisposition(s string) (Disposition, error) {
	n, err := vocabDisp.normalize(s)
	return Disposition(n), err
}

// IsCBV reports whether d is a standard CBV 2.0 disposition.
func (d Disposition) IsCBV() bool { return vocabDisp.isCBV(string(d)) }

// URI returns the CBV 2.0 web URI of a standard disposition, or the custom URI.
func (d Disposition) URI() string { return vocabDisp.webURI(string(d)) }

// ParseBizTransactionType normalises any accepted spelling of a business
// transaction type.
func ParseBizTransactionType(s string) (BizTransactionType, error) {
	n, err := vocabBTT.normalize(s)
	return BizTransactionType(n), err
}

// URI returns the CBV 2.0 web URI of a standard type, or the custom URI.
func (t BizTransactionType) URI() string { return vocabBTT.webURI(string(t)) }

// ParseSourceDestType normalises any accepted spelling of a source or
// destination type.
func ParseSourceDestType(s string) (SourceDestType, error) {
	n, err := vocabSDT.normalize(s)
	return SourceDestType(n), err
}

// URI returns the CBV 2.0 web URI of a standard type, or the custom URI.
func (t SourceDestType) URI() string { return vocabSDT.webURI(string(t)) }

// ParseErrorReason normalises any accepted spelling of an error reason.
func ParseErrorReason(s string) (ErrorReason, error) {
	n, err := vocabErrReasons.normalize(s)
	return ErrorReason(n), err
}

// URI returns the CBV 2.0 web URI of a standard reason, or the custom URI.
func (r ErrorReason) URI() string { return vocabErrReasons.webURI(string(r)) }

// urnFormError reports a CBV value in a form the EPCIS 2.0 JSON schema
// forbids (its vocab-other-uri pattern): the CBV 1.x URN
// (urn:epcglobal:cbv:bizstep:shipping) or the old ns.gs1.org/cbv web
// form. Those spellings are normal in XML and are read there; in JSON the
// bare term or the https://ref.gs1.org/cbv/ URI is written. It returns
// "" for any other value.
func (v *vocab) urnFormError(s string) string {
	if !strings.HasPrefix(s, "urn:epcglobal:cbv:") && !strings.HasPrefix(s, "https://ns.gs1.org/cbv/") && !strings.HasPrefix(s, "http://ns.gs1.org/cbv/") {
		return ""
	}
	msg := fmt.Sprintf("%q: the EPCIS 2.0 JSON schema forbids CBV URN values in JSON", s)
	if t, err := v.normalize(s); err == nil && v.isCBV(t) {
		msg += fmt.Sprintf("; write %q (or %s)", t, v.web+t)
	}
	return msg
}
