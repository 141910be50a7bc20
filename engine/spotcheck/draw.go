package spotcheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// The draw algorithm's name and version, stored with every draw. A change
// of what any step computes is a new version; old draws keep theirs.
const (
	Algorithm = "tracecode-draw"
	Version   = 1
)

// Subject is one organisation of a population.
type Subject struct {
	Key    string `json:"key"`             // the USCC, or "org:N" for an organisation without one
	Name   string `json:"name"`            // legal name
	Org    uint32 `json:"org,omitzero"`    // the engine's organisation id
	Region string `json:"region,omitzero"` // its GB/T 2260 division
	Class  string `json:"class"`           // risk class at the draw: high, medium-high, medium, low
	// LastInspectors inspected it in the latest earlier draw that drew it:
	// they are not drawn for it again (not the same inspector twice in a row).
	LastInspectors []string `json:"last_inspectors,omitempty"`
}

// Inspector is one account of the inspector pool.
type Inspector struct {
	Login string `json:"login"`
	Name  string `json:"name,omitzero"`
}

// Population is what a draw draws from: the organisations of the plan's
// region and categories, and the regulator's staff. Its canonical form
// (Canonical) is what GET /v1/spotchecks/…/population answers and what
// the draw's population hash covers.
type Population struct {
	Plan       uint32      `json:"plan,omitzero"`
	Region     string      `json:"region,omitzero"`
	Subjects   []Subject   `json:"subjects"`
	Inspectors []Inspector `json:"inspectors"`
}

// Limits of a population file.
const (
	MaxSubjects   = 200000
	MaxInspectors = 10000
	maxPopBytes   = 64 << 20
)

// ParsePopulation reads a population file, checks it (keys and logins
// unique, classes known) and returns it sorted (Canonical's order).
func ParsePopulation(r io.Reader) (Population, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPopBytes+1))
	if err != nil {
		return Population{}, err
	}
	if len(b) > maxPopBytes {
		return Population{}, fmt.Errorf("%w: population: more than %d MiB", ErrInvalid, maxPopBytes>>20)
	}
	var p Population
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return Population{}, fmt.Errorf("%w: population: %v", ErrInvalid, err)
	}
	if d.More() {
		return Population{}, fmt.Errorf("%w: population: trailing data after the JSON object", ErrInvalid)
	}
	return p, p.Check()
}

// Check checks every field and sorts the population.
func (p *Population) Check() error {
	if p.Region != "" {
		if _, err := parseRegion(p.Region); err != nil {
			return fmt.Errorf("%w: population: %v", ErrInvalid, err)
		}
	}
	if len(p.Subjects) > MaxSubjects || len(p.Inspectors) > MaxInspectors {
		return fmt.Errorf("%w: population: %d subjects and %d inspectors, at most %d and %d", ErrInvalid,
			len(p.Subjects), len(p.Inspectors), MaxSubjects, MaxInspectors)
	}
	for i := range p.Subjects {
		s := &p.Subjects[i]
		f := fmt.Sprintf("subjects[%d]", i)
		if err := checkText(f+".key", s.Key, 64, true); err != nil {
			return err
		}
		if err := checkText(f+".name", s.Name, 300, false); err != nil {
			return err
		}
		if s.Region != "" {
			if _, err := parseRegion(s.Region); err != nil {
				return fmt.Errorf("%w: %s: %v", ErrInvalid, f, err)
			}
		}
		if _, err := ParseClass(s.Class); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, f, err)
		}
		for j, l := range s.LastInspectors {
			if err := checkText(fmt.Sprintf("%s.last_inspectors[%d]", f, j), l, 64, true); err != nil {
				return err
			}
		}
		slices.Sort(s.LastInspectors)
		s.LastInspectors = slices.Compact(s.LastInspectors)
	}
	for i := range p.Inspectors {
		f := fmt.Sprintf("inspectors[%d]", i)
		if err := checkText(f+".login", p.Inspectors[i].Login, 64, true); err != nil {
			return err
		}
		if err := checkText(f+".name", p.Inspectors[i].Name, 200, false); err != nil {
			return err
		}
	}
	slices.SortFunc(p.Subjects, func(a, b Subject) int { return cmpStr(a.Key, b.Key) })
	slices.SortFunc(p.Inspectors, func(a, b Inspector) int { return cmpStr(a.Login, b.Login) })
	for i := 1; i < len(p.Subjects); i++ {
		if p.Subjects[i].Key == p.Subjects[i-1].Key {
			return fmt.Errorf("%w: subjects: key %q listed twice", ErrInvalid, p.Subjects[i].Key)
		}
	}
	for i := 1; i < len(p.Inspectors); i++ {
		if p.Inspectors[i].Login == p.Inspectors[i-1].Login {
			return fmt.Errorf("%w: inspectors: login %q listed twice", ErrInvalid, p.Inspectors[i].Login)
		}
	}
	if p.Subjects == nil {
		p.Subjects = []Subject{}
	}
	if p.Inspectors == nil {
		p.Inspectors = []Inspector{}
	}
	return nil
}

// Canonical returns the population's canonical JSON: subjects sorted by
// key, inspectors by login, Go's encoding/json of these types (keys in the
// order declared, no spaces), then one newline. p must have passed Check.
func (p *Population) Canonical() []byte {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // strings and numbers only: cannot fail
	}
	return append(b, '\n')
}

// Hash returns the hex SHA-256 of the canonical form.
func (p *Population) Hash() string {
	h := sha256.Sum256(p.Canonical())
	return hex.EncodeToString(h[:])
}

// Inspection is one organisation drawn and the inspectors drawn for it.
type Inspection struct {
	N          int      `json:"n"` // 1-based position in the draw
	Subject    string   `json:"subject"`
	Name       string   `json:"name"`
	Org        uint32   `json:"org,omitzero"`
	Class      string   `json:"class"`
	Inspectors []string `json:"inspectors"`
}

// Outcome is what a draw gives: anyone running Run on the same plan,
// population and seed gets the same.
type Outcome struct {
	Algorithm   string       `json:"algorithm"`
	Version     int          `json:"version"`
	Seed        string       `json:"seed"`
	Population  string       `json:"population_sha256"`
	Inspections []Inspection `json:"inspections"`
}

// CheckSeed checks a seed: 1–256 bytes of UTF-8 text without control
// characters.
func CheckSeed(seed string) error { return checkText("seed", seed, 256, true) }

// score is SHA-256 of the parts joined by NUL bytes, after the domain
// "tracecode-draw/1" and kind.
func score(kind string, parts ...string) [32]byte {
	h := sha256.New()
	h.Write([]byte("tracecode-draw/1\x00" + kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	var s [32]byte
	h.Sum(s[:0])
	return s
}

// Run draws from pop with plan's ratios and seed (algorithm
// tracecode-draw, version 1; docs/public.md states it for re-implementers):
//
//  1. The subjects are split by risk class, taken high, medium-high,
//     medium, low. A class of N subjects with ratio r basis points gives
//     n = ⌈N·r / 10000⌉ inspections (at most N).
//  2. Each subject's score is SHA-256("tracecode-draw/1" NUL "subject"
//     NUL seed NUL key); a class's n subjects of lowest score (bytes
//     compared as unsigned, ties by key) are drawn, in score order.
//  3. For each drawn subject, every inspector of the pool not conflicted
//     with it (plan conflicts) and not among its last inspectors scores
//     SHA-256("tracecode-draw/1" NUL "inspector" NUL seed NUL key NUL
//     login); the plan's number of inspectors of lowest score (ties by
//     login) are drawn and listed sorted by login. Too few eligible
//     inspectors is an error naming the subject.
func Run(plan *Plan, pop *Population, seed string) (Outcome, error) {
	if err := CheckSeed(seed); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Algorithm: Algorithm, Version: Version, Seed: seed, Population: pop.Hash(), Inspections: []Inspection{}}
	type scored struct {
		s   *Subject
		key [32]byte
	}
	k := int(plan.Inspectors)
	if k < 2 {
		k = 2
	}
	for _, c := range Classes {
		var stratum []scored
		for i := range pop.Subjects {
			if s := &pop.Subjects[i]; s.Class == c.String() {
				stratum = append(stratum, scored{s, score("subject", seed, s.Key)})
			}
		}
		n := (len(stratum)*int(plan.Ratios[c]) + 9999) / 10000
		if n == 0 {
			continue
		}
		slices.SortFunc(stratum, func(a, b scored) int {
			if c := bytes.Compare(a.key[:], b.key[:]); c != 0 {
				return c
			}
			return cmpStr(a.s.Key, b.s.Key)
		})
		for _, sc := range stratum[:min(n, len(stratum))] {
			s := sc.s
			var pool []scored
			var logins []string
			for i := range pop.Inspectors {
				l := pop.Inspectors[i].Login
				if plan.Conflicted(l, s.Key) || slices.Contains(s.LastInspectors, l) {
					continue
				}
				logins = append(logins, l)
			}
			for i, l := range logins {
				pool = append(pool, scored{key: score("inspector", seed, s.Key, l), s: &Subject{Key: logins[i]}})
			}
			if len(pool) < k {
				return Outcome{}, fmt.Errorf("%w: subject %s (%s): %d eligible inspectors after recusal, the plan needs %d",
					ErrInvalid, s.Key, s.Name, len(pool), k)
			}
			slices.SortFunc(pool, func(a, b scored) int {
				if c := bytes.Compare(a.key[:], b.key[:]); c != 0 {
					return c
				}
				return cmpStr(a.s.Key, b.s.Key)
			})
			ins := make([]string, 0, k)
			for _, p := range pool[:k] {
				ins = append(ins, p.s.Key)
			}
			slices.Sort(ins)
			out.Inspections = append(out.Inspections, Inspection{N: len(out.Inspections) + 1, Subject: s.Key, Name: s.Name,
				Org: s.Org, Class: s.Class, Inspectors: ins})
		}
	}
	return out, nil
}
