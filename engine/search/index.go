package search

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
)

// HitKind is what a hit is.
type HitKind uint8

// The hit kinds.
const (
	HitOrg HitKind = iota + 1
	HitProduct
)

// String returns "enterprise" or "product".
func (k HitKind) String() string {
	if k == HitOrg {
		return "enterprise"
	}
	return "product"
}

// Match is how a hit matched, best first.
type Match uint8

// The matches, best first.
const (
	MatchKey       Match = iota // the GTIN or USCC
	MatchExact                  // a whole name
	MatchPrefix                 // the start of a name
	MatchWord                   // the start of a word inside a name
	MatchSubstring              // anywhere inside a name
)

// Hit is one organisation or product a query found.
type Hit struct {
	Kind  HitKind
	ID    uint32 // the organisation's or product's id
	Match Match
}

// Result is a query's answer: at most the limit's hits, best first, and
// how many matched in all.
type Result struct {
	Hits  []Hit
	Total int
}

// doc is one indexed organisation or product: its normalised names.
type doc struct {
	kind  HitKind
	id    uint32
	names []string
	size  int // runes of the shortest name: shorter names rank first
}

// ref packs a document's kind and id into one key.
type ref uint64

func refOf(k HitKind, id uint32) ref { return ref(k)<<32 | ref(id) }

// Index is the in-memory index. Its methods are safe for concurrent use:
// queries share a read lock; Put methods take the write lock briefly.
type Index struct {
	mu     sync.RWMutex
	docs   []doc          // by position, which never changes
	pos    map[ref]uint32 // a document's position in docs
	grams  map[gram][]uint32
	byGTIN map[gs1.GTIN]uint32
	byUSCC map[string]uint32
	// maxOrg and maxProduct are the highest ids indexed.
	maxOrg, maxProduct uint32
}

// gram is one rune (second 0) or two adjacent runes of a name; its
// posting list holds the positions of the documents with it, ascending.
type gram struct{ a, b rune }

// New returns an empty index.
func New() *Index {
	return &Index{pos: map[ref]uint32{}, grams: map[gram][]uint32{}, byGTIN: map[gs1.GTIN]uint32{}, byUSCC: map[string]uint32{}}
}

// Build returns an index of orgs and products.
func Build(orgs []model.Org, products []model.Product) *Index {
	x := New()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.docs = make([]doc, 0, len(orgs)+len(products))
	for i := range orgs {
		x.putOrg(&orgs[i])
	}
	for i := range products {
		x.putProduct(&products[i])
	}
	return x
}

// PutOrg adds or updates organisation o.
func (x *Index) PutOrg(o *model.Org) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.putOrg(o)
}

// PutProduct adds or updates product p.
func (x *Index) PutProduct(p *model.Product) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.putProduct(p)
}

// MaxIDs returns the highest organisation and product ids indexed.
func (x *Index) MaxIDs() (org, product uint32) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.maxOrg, x.maxProduct
}

func (x *Index) putOrg(o *model.Org) {
	x.maxOrg = max(x.maxOrg, o.ID)
	if o.USCC != "" {
		x.byUSCC[o.USCC] = o.ID
	}
	x.put(HitOrg, o.ID, o.Name, o.NameEN)
}

func (x *Index) putProduct(p *model.Product) {
	x.maxProduct = max(x.maxProduct, p.ID)
	if !p.GTIN.IsZero() {
		x.byGTIN[p.GTIN] = p.ID
	}
	x.put(HitProduct, p.ID, p.NameZH, p.NameEN)
}

// put indexes the names of document (k, id), replacing what it had.
// REQUIRES x.mu held for writing.
func (x *Index) put(k HitKind, id uint32, names ...string) {
	d := doc{kind: k, id: id, size: 1 << 30}
	for _, n := range names {
		if n = Normalize(n); n != "" && !slices.Contains(d.names, n) {
			d.names = append(d.names, n)
			d.size = min(d.size, utf8.RuneCountInString(n))
		}
	}
	r := refOf(k, id)
	at, ok := x.pos[r]
	if ok {
		old := &x.docs[at]
		if slices.Equal(old.names, d.names) {
			return
		}
		for g := range gramsOf(old.names) {
			ps := x.grams[g]
			if i, found := slices.BinarySearch(ps, at); found {
				ps = slices.Delete(ps, i, i+1)
			}
			if len(ps) == 0 {
				delete(x.grams, g)
			} else {
				x.grams[g] = ps
			}
		}
		x.docs[at] = d
	} else {
		at = uint32(len(x.docs))
		x.docs = append(x.docs, d)
		x.pos[r] = at
	}
	for g := range gramsOf(d.names) {
		ps := x.grams[g]
		if n := len(ps); n == 0 || ps[n-1] < at {
			x.grams[g] = append(ps, at)
			continue
		}
		if i, found := slices.BinarySearch(ps, at); !found {
			x.grams[g] = slices.Insert(ps, i, at)
		}
	}
}

// gramsOf returns the distinct grams of names.
func gramsOf(names []string) map[gram]struct{} {
	out := map[gram]struct{}{}
	for _, n := range names {
		prev := rune(-1)
		for _, r := range n {
			out[gram{a: r}] = struct{}{}
			if prev >= 0 {
				out[gram{a: prev, b: r}] = struct{}{}
			}
			prev = r
		}
	}
	return out
}

// Len returns the number of organisations and products indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.docs)
}

// Search answers q with at most limit hits (DefaultLimit when limit ≤ 0,
// never more than MaxLimit), best first: by how they matched, then the
// shorter name, organisations before products, then id. The work is
// bounded by the shortest posting list of the query's characters.
func (x *Index) Search(q Query, limit int) Result {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	x.mu.RLock()
	defer x.mu.RUnlock()
	switch q.Kind {
	case QueryGTIN:
		if id, ok := x.byGTIN[q.GTIN]; ok {
			return Result{Hits: []Hit{{Kind: HitProduct, ID: id, Match: MatchKey}}, Total: 1}
		}
		return Result{}
	case QueryUSCC:
		if id, ok := x.byUSCC[q.Text]; ok {
			return Result{Hits: []Hit{{Kind: HitOrg, ID: id, Match: MatchKey}}, Total: 1}
		}
		return Result{}
	case QueryText:
	default:
		return Result{}
	}
	lists := x.postings(q.Text)
	if lists == nil {
		return Result{}
	}
	type scored struct {
		Hit
		size int
	}
	var res Result
	best := make([]scored, 0, limit+1)
	less := func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.Match, b.Match), cmp.Compare(a.size, b.size), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	}
next:
	for _, at := range lists[0] {
		for _, l := range lists[1:] {
			if _, found := slices.BinarySearch(l, at); !found {
				continue next
			}
		}
		d := &x.docs[at]
		m, ok := matchOf(d.names, q.Text)
		if !ok {
			continue
		}
		res.Total++
		s := scored{Hit: Hit{Kind: d.kind, ID: d.id, Match: m}, size: d.size}
		if len(best) == limit && less(s, best[limit-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(best, s, less)
		best = slices.Insert(best, i, s)
		if len(best) > limit {
			best = best[:limit]
		}
	}
	res.Hits = make([]Hit, len(best))
	for i, s := range best {
		res.Hits[i] = s.Hit
	}
	return res
}

// postings returns the posting lists of q's grams, shortest first (its
// rune pairs when q has two runes or more, else its one rune): every
// name holding q is in all of them; nil when one is empty. REQUIRES x.mu.
func (x *Index) postings(q string) [][]uint32 {
	var lists [][]uint32
	prev := rune(-1)
	for _, r := range q {
		if prev >= 0 {
			ps := x.grams[gram{a: prev, b: r}]
			if len(ps) == 0 {
				return nil
			}
			lists = append(lists, ps)
		}
		prev = r
	}
	if lists == nil {
		ps := x.grams[gram{a: prev}]
		if len(ps) == 0 {
			return nil
		}
		return [][]uint32{ps}
	}
	slices.SortFunc(lists, func(a, b []uint32) int { return cmp.Compare(len(a), len(b)) })
	return lists
}

// matchOf returns how q matches the best of names.
func matchOf(names []string, q string) (Match, bool) {
	best, ok := MatchSubstring, false
	for _, n := range names {
		i := strings.Index(n, q)
		if i < 0 {
			continue
		}
		var m Match
		switch {
		case len(n) == len(q):
			m = MatchExact
		case i == 0:
			m = MatchPrefix
		case n[i-1] == ' ' || n[i-1] == '(' || n[i-1] == '-':
			m = MatchWord
		default:
			m = MatchSubstring
		}
		if !ok || m < best {
			best, ok = m, true
		}
	}
	return best, ok
}
