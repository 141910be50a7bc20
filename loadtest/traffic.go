package loadtest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Accept is the response type a scan asks for.
type Accept uint8

// The Accept headers a scan sends.
const (
	// AcceptJSON asks for the JSON chain (Accept: application/json).
	AcceptJSON Accept = iota
	// AcceptHTML asks for the scan page (Accept: text/html), as a phone's
	// browser does.
	AcceptHTML
	numAccepts
)

// String returns the name used in flags and results.json.
func (a Accept) String() string {
	if a == AcceptHTML {
		return "html"
	}
	return "json"
}

// header returns the Accept header value.
func (a Accept) header() string {
	if a == AcceptHTML {
		return "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
	}
	return "application/json"
}

// Mix says what traffic a run offers. The zero value is not valid; start from
// DefaultMix.
type Mix struct {
	// Forms weighs the URL forms; weights need not sum to 1. A form whose
	// corpus pool is empty is dropped (its weight shared by the others) and
	// Traffic.Warnings says so.
	Forms [numForms]float64
	// Accepts weighs JSON and HTML requests.
	Accepts [numAccepts]float64
	// Forged is the share of requests, in [0, 1), that send a valid code
	// with one serial character changed. The resolver should answer 404 (or
	// 400 when a check character fails): those are counted as correct
	// rejections, not errors.
	Forged float64
	// Theta is the Zipf exponent of code popularity, in [0, 1); 0 is uniform.
	Theta float64
	// Scrambled spreads popular codes over the corpus (YCSB
	// ScrambledZipfian); it requires Theta = 0.99.
	Scrambled bool
	// Seed makes the traffic reproducible: request i's choices depend only on
	// Seed and i.
	Seed uint64
	// Hot sends a share of the Digital Link and /resolve scans to one
	// range of their pools — a lot of a bench world (LoadWorld) — drawn
	// uniformly: "one hot lot" (a recall, a promotion). Zero: off.
	Hot Hot
}

// Hot is a share of traffic on one range of the Digital Link and /resolve
// pools: entries First .. First+Count-1.
type Hot struct {
	Share        float64 // in [0, 1)
	First, Count uint32
}

// DefaultMix is what a run offers unless told otherwise: mostly Digital Link
// scans from phones, some short codes and /resolve look-ups, 80 % JSON, 5 %
// forged, YCSB's scrambled Zipf with θ = 0.99.
var DefaultMix = Mix{
	Forms:     [numForms]float64{FormDL: 0.7, FormShort: 0.2, FormResolve: 0.1},
	Accepts:   [numAccepts]float64{AcceptJSON: 0.8, AcceptHTML: 0.2},
	Forged:    0.05,
	Theta:     ScrambledTheta,
	Scrambled: true,
	Seed:      1,
}

// ParseWeights parses "dl=0.7,short=0.2,resolve=0.1" (or
// "json=1,html=0") into weights indexed by names; missing names get 0.
func ParseWeights(s string, names []string) ([]float64, error) {
	w := make([]float64, len(names))
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("weight %q: want name=number", kv)
		}
		i := indexOf(names, strings.TrimSpace(k))
		if i < 0 {
			return nil, fmt.Errorf("weight %q: unknown name %q (want one of %s)", kv, k, strings.Join(names, ", "))
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("weight %q: %q is not a number ≥ 0", kv, v)
		}
		w[i] = f
	}
	return w, nil
}

func indexOf(names []string, k string) int {
	for i, n := range names {
		if n == k {
			return i
		}
	}
	return -1
}

// FormNames and AcceptNames are the names ParseWeights takes for Mix.Forms
// and Mix.Accepts.
var (
	FormNames   = []string{"dl", "short", "resolve"}
	AcceptNames = []string{"json", "html"}
)

// Traffic turns a request index into a request: which code, in which form,
// with which Accept header, forged or not. It is immutable and safe for
// concurrent use; Pick and Append allocate nothing.
type Traffic struct {
	corpus *Corpus
	mix    Mix
	// formCum and acceptCum are cumulative normalised weights; the last entry
	// is 1.
	formCum   [numForms]float64
	acceptCum [numAccepts]float64
	// pickers choose an item per form (nil for an unused form).
	pickers  [numForms]picker
	warnings []string
}

// picker chooses an item index in [0, n) from a uniform variate.
type picker struct {
	n         uint64
	zipf      *Zipfian
	scrambled *ScrambledZipfian
}

func (p *picker) item(u float64) uint64 {
	switch {
	case p.scrambled != nil:
		return p.scrambled.Item(u)
	case p.zipf != nil:
		return p.zipf.Rank(u)
	}
	return uint64(u * float64(p.n)) // uniform
}

// NewTraffic validates mix against corpus and precomputes the generators.
func NewTraffic(c *Corpus, mix Mix) (*Traffic, error) {
	t := &Traffic{corpus: c, mix: mix}
	if !(mix.Forged >= 0 && mix.Forged < 1) {
		return nil, fmt.Errorf("loadtest: forged share %v not in [0, 1)", mix.Forged)
	}
	if mix.Scrambled && mix.Theta != ScrambledTheta {
		return nil, fmt.Errorf("loadtest: scrambled zipfian needs theta %v, got %v", ScrambledTheta, mix.Theta)
	}
	if h := mix.Hot; h.Share != 0 {
		if !(h.Share > 0 && h.Share < 1) || h.Count == 0 {
			return nil, fmt.Errorf("loadtest: hot share %v not in (0, 1), or an empty hot range", h.Share)
		}
		for _, f := range []Form{FormDL, FormResolve} {
			if n := c.Len(f); n > 0 && uint64(h.First)+uint64(h.Count) > uint64(n) {
				return nil, fmt.Errorf("loadtest: hot range %d+%d beyond the corpus's %d %s codes", h.First, h.Count, n, f)
			}
		}
	}
	var sum float64
	for f := Form(0); f < numForms; f++ {
		w := mix.Forms[f]
		if w > 0 && c.Len(f) == 0 {
			t.warnings = append(t.warnings, fmt.Sprintf("no %s codes in the corpus: the %s share (weight %g) goes to the other forms", f, f, w))
			w = 0
		}
		sum += w
		t.formCum[f] = sum
	}
	if sum == 0 {
		return nil, fmt.Errorf("loadtest: no codes for any requested form (corpus has dl=%d short=%d resolve=%d)",
			c.Len(FormDL), c.Len(FormShort), c.Len(FormResolve))
	}
	for f := range t.formCum {
		t.formCum[f] /= sum
	}
	t.formCum[numForms-1] = 1
	sum = 0
	for a := Accept(0); a < numAccepts; a++ {
		sum += mix.Accepts[a]
		t.acceptCum[a] = sum
	}
	if sum == 0 {
		return nil, fmt.Errorf("loadtest: accept weights are all zero")
	}
	for a := range t.acceptCum {
		t.acceptCum[a] /= sum
	}
	t.acceptCum[numAccepts-1] = 1
	for f := Form(0); f < numForms; f++ {
		n := uint64(c.Len(f))
		if n == 0 {
			continue
		}
		p := picker{n: n}
		var err error
		switch {
		case mix.Scrambled:
			p.scrambled, err = NewScrambledZipfian(n)
		case mix.Theta > 0:
			p.zipf, err = NewZipfian(n, mix.Theta)
		}
		if err != nil {
			return nil, err
		}
		t.pickers[f] = p
	}
	return t, nil
}

// Warnings returns what NewTraffic had to adjust.
func (t *Traffic) Warnings() []string { return append([]string(nil), t.warnings...) }

// Mix returns the mix the traffic was built with.
func (t *Traffic) Mix() Mix { return t.mix }

// Pick is one request's choices.
type Pick struct {
	Form   Form
	Accept Accept
	// Forged is true when the request sends a mutated, never-issued code.
	Forged bool
	// Item is the index of the code within the form's pool.
	Item uint32
}

// Pick returns request i's choices; the same seed and i give the same Pick.
func (t *Traffic) Pick(i int64) Pick {
	x := splitmix64(t.mix.Seed ^ uint64(i)*0x9E3779B97F4A7C15)
	var p Pick
	u := unit(x)
	for p.Form < numForms-1 && u >= t.formCum[p.Form] {
		p.Form++
	}
	for t.pickers[p.Form].n == 0 { // float rounding landed on an unused form
		p.Form = (p.Form + numForms - 1) % numForms
	}
	x = splitmix64(x)
	u = unit(x)
	for p.Accept < numAccepts-1 && u >= t.acceptCum[p.Accept] {
		p.Accept++
	}
	x = splitmix64(x)
	p.Forged = unit(x) < t.mix.Forged
	x = splitmix64(x)
	p.Item = uint32(t.pickers[p.Form].item(unit(x)))
	if h := t.mix.Hot; h.Share > 0 && p.Form != FormShort {
		x = splitmix64(x)
		if unit(x) < h.Share {
			x = splitmix64(x)
			p.Item = h.First + uint32(unit(x)*float64(h.Count))
		}
	}
	if p.Forged && t.corpus.pools[p.Form][p.Item].mut == t.corpus.pools[p.Form][p.Item].n {
		p.Forged = false // nothing safe to change in this code
	}
	return p
}

// Append appends the request path (with query) for p to dst.
func (t *Traffic) Append(dst []byte, p Pick) []byte {
	tm := t.corpus.pools[p.Form][p.Item]
	n := len(dst)
	dst = append(dst, t.corpus.arena[tm.off:tm.off+tm.n]...)
	if p.Forged {
		dst[n+int(tm.mut)] = forge(dst[n+int(tm.mut)])
	}
	return dst
}
