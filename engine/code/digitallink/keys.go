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

// aiNum numbers an AI code as gs1's table index does: 2-digit codes are
// 0..99, 3-digit 100..1099, 4-digit 1100..11099. Comparing numbers instead
// of strings halved the cost of the qualifier checks in Parse (callgrind:
// memequal calls dominated fitQualifiers). ok is false unless code has 2 to
// 4 digits.
func aiNum(code string) (n uint16, ok bool) {
	if len(code) < 2 || len(code) > 4 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(code); i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	switch len(code) {
	case 3:
		v += 100
	case 4:
		v += 1100
	}
	return uint16(v), true
}

// Bounds of the qualifier paths: the 2026-01-27 dictionary has at most 2
// alternative paths per key and 3 qualifiers per path; init checks.
const (
	maxPaths = 4
	maxQual  = 8
)

// keyInfo is a primary key with its qualifier paths (gs1.AI.DLPKey) as AI
// numbers.
type keyInfo struct {
	ai    *gs1.AI
	paths [maxPaths][maxQual]uint16
	lens  [maxPaths]uint8
	n     uint8 // number of paths
}

// index returns the position of the AI number q in path p, or -1.
func (k *keyInfo) index(p int, q uint16) int {
	for i := 0; i < int(k.lens[p]); i++ {
		if k.paths[p][i] == q {
			return i
		}
	}
	return -1
}

var (
	keyIndex [11100]uint8 // AI number → 1 + index in keyInfos; 0 if not a key
	keyInfos []keyInfo
)

func init() {
	ais := gs1.AIs()
	for i := range ais {
		a := &ais[i]
		if a.DLPKey == nil {
			continue
		}
		num, ok := aiNum(a.Code)
		if !ok || len(a.DLPKey) > maxPaths || len(keyInfos) >= 255 {
			panic("BUG: digitallink: primary key table bounds exceeded at AI " + a.Code)
		}
		k := keyInfo{ai: a, n: uint8(len(a.DLPKey))}
		for p, path := range a.DLPKey {
			if len(path) > maxQual {
				panic("BUG: digitallink: qualifier path too long for AI " + a.Code)
			}
			k.lens[p] = uint8(len(path))
			for j, q := range path {
				if k.paths[p][j], ok = aiNum(q); !ok {
					panic("BUG: digitallink: bad qualifier " + q + " of AI " + a.Code)
				}
			}
		}
		keyInfos = append(keyInfos, k)
		keyIndex[num] = uint8(len(keyInfos))
	}
}

// keyOf returns the keyInfo of a primary-key AI number, or nil.
func keyOf(num uint16) *keyInfo {
	if int(num) >= len(keyIndex) || keyIndex[num] == 0 {
		return nil
	}
	return &keyInfos[keyIndex[num]-1]
}

// quals checks the key qualifiers of one key as they come, in path order:
// together they must be a subsequence of one of the key's qualifier paths
// (a subset in the path's order, never mixing two alternative paths), each
// AI at most once.
type quals struct {
	k *keyInfo
	// live is per path the index after the last qualifier matched, or -1
	// once the path cannot hold the qualifiers seen.
	live [maxPaths]int8
	// seen holds the accepted qualifiers. Each one advances a live path,
	// so there are at most maxQual.
	seen [maxQual]uint16
	last string // code of the last accepted qualifier, for messages
	n    int
}

func newQuals(k *keyInfo) quals { return quals{k: k} }

// add accepts the next qualifier (code, number q) or returns why not.
func (s *quals) add(code string, q uint16) (reason string, sentinel error) {
	for i := 0; i < s.n; i++ {
		if s.seen[i] == q {
			return fmt.Sprintf("AI (%s) appears twice in the path", code), ErrDuplicateAI
		}
	}
	known, alive := false, false
	for p := 0; p < int(s.k.n); p++ {
		j := s.k.index(p, q)
		if j >= 0 {
			known = true
		}
		if s.live[p] < 0 {
			continue
		}
		if j >= int(s.live[p]) {
			s.live[p] = int8(j + 1)
			alive = true
		} else {
			s.live[p] = -1
		}
	}
	if !known {
		return fmt.Sprintf("(%s) is not a key qualifier of (%s), which %s; data attributes go in the query",
			code, s.k.ai.Code, describePaths(s.k.ai)), ErrNotQualifier
	}
	if !alive {
		return fmt.Sprintf("(%s) cannot follow (%s): (%s) %s, in that order",
			code, s.last, s.k.ai.Code, describePaths(s.k.ai)), ErrQualifierOrder
	}
	s.seen[s.n] = q
	s.n++
	s.last = code
	return "", nil
}

// has reports whether q is among the accepted qualifiers.
func (s *quals) has(q uint16) bool {
	for i := 0; i < s.n; i++ {
		if s.seen[i] == q {
			return true
		}
	}
	return false
}

// belongs reports whether the AI number q, not yet seen, would extend the
// accepted qualifiers to a valid key-qualifier sequence: then it must be in
// the path, not in the query (the reference engine tries it at every
// position of the path).
func (s *quals) belongs(q uint16) bool {
	for p := 0; p < int(s.k.n); p++ {
		if s.live[p] >= 0 && s.k.index(p, q) >= 0 {
			return true
		}
	}
	return false
}

// checkAttr applies the Digital Link rules to the attribute a (entry e,
// number q), given the key number, the qualifiers and the numbers of the
// attributes before it: no duplicate, not a qualifier that belongs in the
// path, and a permitted data attribute. It returns the reason and
// sentinel, or "" and nil.
func checkAttr(key uint16, s *quals, prior []uint16, a gs1.Element, e *gs1.AI, q uint16) (reason string, sentinel error) {
	dup := q == key || s.has(q)
	for _, p := range prior {
		dup = dup || p == q
	}
	if dup {
		return fmt.Sprintf("AI (%s) appears more than once", a.AI), ErrDuplicateAI
	}
	if s.belongs(q) {
		return fmt.Sprintf("(%s) is a key qualifier of (%s) and belongs in the path (%s)",
			a.AI, s.k.ai.Code, describePaths(s.k.ai)[len("takes "):]), ErrQualifierInQuery
	}
	if !e.DLAttr {
		return fmt.Sprintf("(%s) %s is not permitted as a Digital Link data attribute", a.AI, e.Title), ErrNotAttribute
	}
	return "", nil
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

func indexOf(path []string, ai string) int {
	for i, q := range path {
		if q == ai {
			return i
		}
	}
	return -1
}
