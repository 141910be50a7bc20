package category

import (
	"encoding/json"
	"slices"
	"strings"

	"tracecode/engine/epcis"
)

// NS is the namespace IRI of the category extension members in EPCIS
// events; documents bind it to a prefix in their @context
// ({"tc": "https://ns.tracecode.cn/category/1#"}). Prefix is the prefix
// Extensions writes.
const (
	NS     = "https://ns.tracecode.cn/category/1#"
	Prefix = "tc"
)

// KindField is the extension member naming the category event kind
// ("tc:kind": "fill").
const KindField = "kind"

// FromEPCIS returns the category event kind and fields an EPCIS event
// carries: its extension members whose prefix the event binds to NS, by
// local name. String values are taken as they are; numbers and booleans
// as their JSON text. ok is false when the event has no tc:kind.
func FromEPCIS(ev *epcis.Event) (kind string, fields Record, ok bool) {
	for _, x := range ev.Extensions {
		pre, local, found := strings.Cut(x.Key, ":")
		if !found || ev.Namespaces[pre] != NS {
			continue
		}
		v := string(x.Value)
		var s string
		if json.Unmarshal(x.Value, &s) == nil {
			v = s
		}
		if local == KindField {
			kind, ok = v, true
			continue
		}
		if fields == nil {
			fields = Record{}
		}
		fields[local] = v
	}
	return kind, fields, ok
}

// Extensions returns the extension members of a category event in NS
// (prefix Prefix), sorted by key as epcis.Event keeps them: tc:kind and
// every field as a JSON string. Set ev.Namespaces[Prefix] = NS on the
// event that carries them.
func Extensions(kind string, fields Record) []epcis.Extension {
	out := make([]epcis.Extension, 0, len(fields)+1)
	add := func(k, v string) {
		raw, _ := json.Marshal(v) // a string always marshals
		out = append(out, epcis.Extension{Key: Prefix + ":" + k, Value: raw})
	}
	add(KindField, kind)
	for k, v := range fields {
		add(k, v)
	}
	slices.SortFunc(out, func(a, b epcis.Extension) int { return strings.Compare(a.Key, b.Key) })
	return out
}
