package digitallink

import (
	"fmt"
	"strings"

	"tracecode/engine/code/gs1"
)

// lookupAI returns the table entry of a numeric AI, or nil.
func lookupAI(code string) *gs1.AI {
	if code == "" {
		return nil
	}
	a, ok := gs1.LookupAI(code)
	if !ok {
		return nil
	}
	return a
}

func indexOf(path []string, ai string) int {
	for i, q := range path {
		if q == ai {
			return i
		}
	}
	return -1
}

// fitQualifiers checks that qs, in order, is a subsequence of one of the
// qualifier paths of key (key.DLPKey): a subset of a path in the path's
// order, never mixing two alternative paths. It returns bad = -1 when it
// is, else the index in qs of the first qualifier that breaks the rule, the
// reason and the sentinel.
func fitQualifiers(key *gs1.AI, qs []gs1.Element) (bad int, reason string, sentinel error) {
	var buf [4]int
	live := buf[:0] // per path: index after the last match, or -1 once dead
	for range key.DLPKey {
		live = append(live, 0)
	}
	for i, q := range qs {
		for j := 0; j < i; j++ {
			if qs[j].AI == q.AI {
				return i, fmt.Sprintf("AI (%s) appears twice in the path", q.AI), ErrDuplicateAI
			}
		}
		known, alive := false, false
		for p, path := range key.DLPKey {
			k := indexOf(path, q.AI)
			if k >= 0 {
				known = true
			}
			if live[p] < 0 {
				continue
			}
			if k >= live[p] {
				live[p] = k + 1
				alive = true
			} else {
				live[p] = -1
			}
		}
		if !known {
			return i, fmt.Sprintf("(%s) is not a key qualifier of (%s), which %s; data attributes go in the query",
				q.AI, key.Code, describePaths(key)), ErrNotQualifier
		}
		if !alive {
			return i, fmt.Sprintf("(%s) cannot follow (%s): (%s) %s, in that order",
				q.AI, qs[i-1].AI, key.Code, describePaths(key)), ErrQualifierOrder
		}
	}
	return -1, "", nil
}

// describePaths words key's qualifier paths: "takes /22/10/21 or /235".
func describePaths(key *gs1.AI) string {
	var b strings.Builder
	for _, path := range key.DLPKey {
		if len(path) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" or ")
		}
		for _, q := range path {
			b.WriteByte('/')
			b.WriteString(q)
		}
	}
	if b.Len() == 0 {
		return "takes no qualifiers"
	}
	return "takes " + b.String()
}

// isSubsequence reports whether qs appear in path in the same order.
func isSubsequence(qs []gs1.Element, path []string) bool {
	k := 0
	for _, q := range qs {
		for k < len(path) && path[k] != q.AI {
			k++
		}
		if k == len(path) {
			return false
		}
		k++
	}
	return true
}

// belongsInPath reports whether the AI ai, found among the attributes,
// would instead extend the qualifiers qs to a valid key-qualifier sequence
// of key: the reference engine then rejects the URI (the AI must be in the
// path). qs must already fit one of key's paths.
func belongsInPath(key *gs1.AI, qs []gs1.Element, ai string) bool {
	for _, path := range key.DLPKey {
		if indexOf(path, ai) >= 0 && isSubsequence(qs, path) {
			return true
		}
	}
	return false
}

// checkAttr applies the Digital Link rules to one attribute AI a (with
// entry e) given the key, the qualifiers and every element before it
// (prior, which includes the key and qs): no duplicate, not a qualifier that belongs in the path, and a
// permitted data attribute. It returns the reason and sentinel, or nil.
func checkAttr(key *gs1.AI, qs, prior []gs1.Element, a gs1.Element, e *gs1.AI) (reason string, sentinel error) {
	for _, p := range prior {
		if p.AI == a.AI {
			return fmt.Sprintf("AI (%s) appears more than once", a.AI), ErrDuplicateAI
		}
	}
	if belongsInPath(key, qs, a.AI) {
		return fmt.Sprintf("(%s) is a key qualifier of (%s) and belongs in the path (%s)",
			a.AI, key.Code, describePaths(key)[len("takes "):]), ErrQualifierInQuery
	}
	if !e.DLAttr {
		return fmt.Sprintf("(%s) %s is not permitted as a Digital Link data attribute", a.AI, e.Title), ErrNotAttribute
	}
	return "", nil
}
