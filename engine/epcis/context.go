package epcis

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// standardPrefixes are the prefixes the EPCIS 2.0 context itself defines;
// documents may use them without declaring them.
var standardPrefixes = map[string]string{
	"epcis":   "https://ref.gs1.org/epcis/",
	"cbv":     "https://ref.gs1.org/cbv/",
	"cbvmda":  "urn:epcglobal:cbv:mda:",
	"gs1":     "https://gs1.org/voc/",
	"rdfs":    "http://www.w3.org/2000/01/rdf-schema#",
	"owl":     "http://www.w3.org/2002/07/owl#",
	"xsd":     "http://www.w3.org/2001/XMLSchema#",
	"dcterms": "http://purl.org/dc/terms/",
}

// protectedTerms are the terms of the EPCIS 2.0 context, which marks them
// all @protected: a later context that defines one differently is a
// JSON-LD 1.1 error ("protected term redefinition"). The value is the
// term's IRI when it is a plain string, "" when its definition is an
// object (any redefinition of those is refused).
var protectedTerms = map[string]string{
	"AggregationEvent": "epcis:AggregationEvent", "AssociationEvent": "epcis:AssociationEvent",
	"Collection": "epcis:Collection", "EPCISDocument": "epcis:EPCISDocument",
	"EPCISQueryDocument": "epcis:EPCISQueryDocument", "ObjectEvent": "epcis:ObjectEvent",
	"TransactionEvent": "epcis:TransactionEvent", "TransformationEvent": "epcis:TransformationEvent",
	"action": "epcis:action", "baseURL": "@base", "bizLocation": "", "bizStep": "", "bizTransactionList": "",
	"cbv": "https://ref.gs1.org/cbv/", "cbvmda": "urn:epcglobal:cbv:mda:", "certificationInfo": "",
	"childEPCs": "", "childQuantityList": "", "children": "", "creationDate": "",
	"dcterms": "http://purl.org/dc/terms/", "destinationList": "", "disposition": "", "epcClass": "",
	"epcList": "", "epcis": "https://ref.gs1.org/epcis/", "epcisBody": "epcis:epcisBody",
	"epcisHeader": "epcis:epcisHeader", "errorDeclaration": "", "eventID": "@id", "eventList": "",
	"eventTime": "", "eventTimeZoneOffset": "epcis:eventTimeZoneOffset", "gs1": "https://gs1.org/voc/",
	"id": "@id", "ilmd": "", "inputEPCList": "", "inputQuantityList": "",
	"instanceIdentifier": "epcis:instanceIdentifier", "masterData": "epcis:masterData", "member": "",
	"outputEPCList": "", "outputQuantityList": "", "owl": "http://www.w3.org/2002/07/owl#", "parentID": "",
	"persistentDisposition": "", "quantity": "", "quantityList": "", "queryName": "epcis:queryName",
	"queryResults": "epcis:queryResults", "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "readPoint": "",
	"receiver": "", "recordTime": "", "resultsBody": "epcis:resultsBody", "schemaVersion": "owl:versionInfo",
	"sender": "", "sensorElementList": "", "sourceList": "", "subscriptionID": "epcis:subscriptionID",
	"transformationID": "", "type": "@type", "uom": "epcis:uom", "vocabularyList": "epcis:vocabularyList",
	"xsd": "http://www.w3.org/2001/XMLSchema#",
}

// parseContext reads a JSON-LD @context (a string, an object, or an array
// of both) and returns the prefix → IRI mappings its objects define inline,
// later definitions winning. With requireStandard it also checks that the
// EPCIS 2.0 context is named; the returned message says what is wrong.
// Remote contexts other than the EPCIS one cannot be resolved (no I/O):
// they are kept verbatim in the document but contribute no prefixes.
func parseContext(raw []byte, requireStandard bool) (map[string]string, string) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, "@context is not valid JSON"
	}
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	case string, map[string]any:
		items = []any{x}
	default:
		return nil, "@context must be a URL, an object or an array of them"
	}
	var ns map[string]string
	found := false
	for _, it := range items {
		switch x := it.(type) {
		case string:
			for _, c := range acceptedContexts {
				if x == c {
					found = true
				}
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if def, prot := protectedTerms[k]; prot && (found || !requireStandard) {
					if s, ok := x[k].(string); !ok || def == "" || s != def {
						return ns, fmt.Sprintf("@context redefines %q, a protected term of the EPCIS 2.0 context (JSON-LD 1.1 forbids it; use another prefix)", k)
					}
				}
				iri, ok := x[k].(string)
				if !ok || strings.HasPrefix(k, "@") || strings.HasPrefix(iri, "@") || strings.Contains(k, ":") {
					continue
				}
				if ns == nil {
					ns = make(map[string]string)
				}
				ns[k] = iri
			}
		default:
			return ns, "@context entries must be URLs or objects"
		}
	}
	if requireStandard && !found {
		return ns, "@context does not name the EPCIS 2.0 context " + StandardContext
	}
	return ns, ""
}

// curiePrefix returns the prefix of a compact IRI "prefix:rest", or "" when
// s has no colon, or looks like an absolute IRI with authority (scheme://)
// or a URN.
func curiePrefix(s string) string {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return ""
	}
	if strings.HasPrefix(s[i:], "://") || s[:i] == "urn" || s[:i] == "_" {
		return ""
	}
	return s[:i]
}

// finishNamespaces sets ev.Namespaces to the document (and event-level)
// prefixes that the event actually uses, so that each event carries what it
// needs to be exported on its own.
func (p *parser) finishNamespaces(ev *Event, docNS map[string]string) {
	all := docNS
	if ev.Context != nil {
		evNS, msg := parseContext(ev.Context, false)
		if msg != "" {
			p.fail("@context", "%s", msg)
		}
		if len(evNS) > 0 {
			all = make(map[string]string, len(docNS)+len(evNS))
			for k, v := range docNS {
				all[k] = v
			}
			for k, v := range evNS {
				all[k] = v
			}
		}
	}
	if len(all) == 0 {
		return
	}
	use := func(s string) {
		pre := curiePrefix(s)
		if pre == "" {
			return
		}
		iri, ok := all[pre]
		if !ok {
			return
		}
		if _, done := ev.Namespaces[pre]; done {
			return
		}
		if ev.Namespaces == nil {
			ev.Namespaces = make(map[string]string, 2)
		}
		ev.Namespaces[pre] = iri
	}
	walkExt := func(exts []Extension) {
		for _, x := range exts {
			use(x.Key)
			walkJSON(x.Value, use)
		}
	}
	walkExt(ev.Extensions)
	walkExt(ev.ReadPoint.Extensions)
	walkExt(ev.BizLocation.Extensions)
	if ev.ErrorDeclaration != nil {
		walkExt(ev.ErrorDeclaration.Extensions)
		use(string(ev.ErrorDeclaration.Reason))
	}
	walkJSON(ev.ILMD, use)
	walkJSON(ev.SensorElementList, use)
	for _, c := range ev.CertificationInfo {
		use(c)
	}
	use(ev.TransformationID)
	use(ev.ReadPoint.ID.Raw)
	use(ev.BizLocation.ID.Raw)
	use(ev.BizStep.URI())
	use(ev.Disposition.URI())
	for _, d := range ev.PersistentDisposition.Set {
		use(d.URI())
	}
	for _, d := range ev.PersistentDisposition.Unset {
		use(d.URI())
	}
	for _, b := range ev.BizTransactionList {
		use(b.Type.URI())
		use(b.ID)
	}
	for _, l := range [...][]SourceDest{ev.SourceList, ev.DestinationList} {
		for _, s := range l {
			use(s.Type.URI())
			use(s.ID.Raw)
		}
	}
}

// walkJSON calls f with every object key and string value in raw.
func walkJSON(raw []byte, f func(string)) {
	if len(raw) == 0 {
		return
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			f(x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				f(k)
				walk(e)
			}
		}
	}
	walk(v)
}
