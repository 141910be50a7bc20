package category

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"

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

// PrivateFields returns, for each event kind, the fields some registered
// profile declares private for it (a fireworks sale's buyer_id, a
// transfer's agent_id).
func PrivateFields() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, p := range Profiles() {
		for _, s := range p.Events() {
			for _, f := range s.Fields {
				if !f.Private {
					continue
				}
				if out[s.Kind] == nil {
					out[s.Kind] = map[string]bool{}
				}
				out[s.Kind][f.Name] = true
			}
		}
	}
	return out
}

// HashPrivateEPCIS replaces, in place, the value of every category
// extension member of ev that a profile declares private for the event's
// kind by "sha256:" and its hex SHA-256, as the category store keeps it:
// the ledger's copy of the event never holds an identity number in the
// clear. A value already hashed is kept, so hashing is idempotent and a
// retried document hashes to the same event (its duplicate is found).
func HashPrivateEPCIS(ev *epcis.Event) {
	kind, _, ok := FromEPCIS(ev)
	if !ok {
		return
	}
	priv := privateOf(kind)
	if len(priv) == 0 {
		return
	}
	for i := range ev.Extensions {
		x := &ev.Extensions[i]
		pre, local, found := strings.Cut(x.Key, ":")
		if !found || ev.Namespaces[pre] != NS || !priv[local] {
			continue
		}
		v := string(x.Value)
		var s string
		if json.Unmarshal(x.Value, &s) == nil {
			v = s
		}
		if v == "" || IsHashed(v) {
			continue
		}
		x.Value, _ = json.Marshal(Hash(v)) // a string always marshals
	}
}

var privateCache struct {
	sync.Mutex
	n   int // profiles when built
	set map[string]map[string]bool
}

// privateOf returns the private fields of event kind, cached until a
// profile is registered.
func privateOf(kind string) map[string]bool {
	privateCache.Lock()
	defer privateCache.Unlock()
	if n := len(Profiles()); privateCache.set == nil || privateCache.n != n {
		privateCache.set, privateCache.n = PrivateFields(), n
	}
	return privateCache.set[kind]
}

// HashPrefix starts a hashed private value.
const HashPrefix = "sha256:"

// Hash returns "sha256:" and the hex SHA-256 of v.
func Hash(v string) string {
	h := sha256.Sum256([]byte(v))
	return HashPrefix + hex.EncodeToString(h[:])
}

// IsHashed reports whether v is a hashed private value.
func IsHashed(v string) bool {
	if len(v) != len(HashPrefix)+64 || v[:len(HashPrefix)] != HashPrefix {
		return false
	}
	_, err := hex.DecodeString(v[len(HashPrefix):])
	return err == nil
}
