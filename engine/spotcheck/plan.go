package spotcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"tracecode/engine/model"
)

// DefaultRatios are the sampling ratios per risk class in basis points
// (hundredths of a percent), indexed by Class: high 30 %, medium-high
// 10 %, medium 2 %, low 1 % (Henan's 2021 risk-weighted ratios; see
// docs/public.md).
var DefaultRatios = [5]uint16{0, 100, 200, 1000, 3000}

// Defaults of a plan.
const (
	DefaultInspectors  = 2  // inspectors per inspection (the rules' minimum)
	DefaultPublishDays = 20 // days from the draw by which results are published
	MaxItems           = 64
	MaxConflicts       = 4096
)

// Conflict says an inspector must never inspect an organisation (回避).
type Conflict struct {
	Inspector string `json:"inspector"` // account login
	Subject   string `json:"uscc"`      // the organisation's USCC (or "org:N")
}

// Plan is a check plan (事项清单): what is checked, in which categories,
// how much of each risk class is drawn, and by how many inspectors.
type Plan struct {
	ID         uint32           // assigned by the book from 1
	Region     uint32           // the regulator's division: the population is drawn below it
	Name       string           // 抽查任务名称
	Items      []string         // what is checked (检查事项)
	Categories []model.Category // product categories whose producers are drawn; empty: every organisation
	Ratios     [5]uint16        // sampling ratio per class (index Class), basis points
	Inspectors uint8            // inspectors per inspection, ≥ 2
	// PublishDays is how many days after a draw its results must be
	// published (一公开): a result is public as soon as it is recorded,
	// and an inspection without one past the deadline is overdue.
	PublishDays uint16
	Conflicts   []Conflict
	Created     int64  // unix ms
	CreatedBy   string // the regulator's login or key name
}

// PlanFile is a plan as JSON: the body of POST /v1/spotchecks/plans, the
// --plan file of `tracecode spotcheck draw`, and what GET answers.
type PlanFile struct {
	ID          uint32                 `json:"id,omitzero"`
	Region      string                 `json:"region,omitzero"`
	Name        string                 `json:"name"`
	Items       []string               `json:"items"`
	Categories  []string               `json:"categories,omitempty"`
	Ratios      map[string]json.Number `json:"ratios,omitempty"` // class → percent
	Inspectors  int                    `json:"inspectors,omitzero"`
	PublishDays int                    `json:"publish_days,omitzero"`
	Conflicts   []Conflict             `json:"conflicts,omitempty"`
	Created     int64                  `json:"created,omitzero"`
	CreatedBy   string                 `json:"created_by,omitzero"`
}

// ParsePlan reads a plan file (at most 1 MiB), checks every field and
// fills the defaults. Unknown fields are refused; errors name the field.
func ParsePlan(r io.Reader) (Plan, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return Plan{}, err
	}
	if len(b) > 1<<20 {
		return Plan{}, fmt.Errorf("%w: plan: more than 1 MiB", ErrInvalid)
	}
	var f PlanFile
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	d.UseNumber()
	if err := d.Decode(&f); err != nil {
		return Plan{}, fmt.Errorf("%w: plan: %v", ErrInvalid, err)
	}
	if d.More() {
		return Plan{}, fmt.Errorf("%w: plan: trailing data after the JSON object", ErrInvalid)
	}
	return f.Plan()
}

// Plan checks the file and returns the plan it describes.
func (f *PlanFile) Plan() (Plan, error) {
	p := Plan{ID: f.ID, Name: f.Name, Ratios: DefaultRatios, Inspectors: DefaultInspectors,
		PublishDays: DefaultPublishDays, Created: f.Created, CreatedBy: f.CreatedBy}
	if f.Region != "" {
		v, err := parseRegion(f.Region)
		if err != nil {
			return Plan{}, err
		}
		p.Region = v
	}
	if err := checkText("name", f.Name, 300, true); err != nil {
		return Plan{}, err
	}
	if len(f.Items) == 0 || len(f.Items) > MaxItems {
		return Plan{}, fmt.Errorf("%w: items: %d check items, want 1–%d", ErrInvalid, len(f.Items), MaxItems)
	}
	for i, it := range f.Items {
		if err := checkText(fmt.Sprintf("items[%d]", i), it, 300, true); err != nil {
			return Plan{}, err
		}
	}
	p.Items = slices.Clone(f.Items)
	for i, c := range f.Categories {
		cat, err := model.ParseCategory(c)
		if err != nil {
			return Plan{}, fmt.Errorf("%w: categories[%d]: %v", ErrInvalid, i, err)
		}
		if !slices.Contains(p.Categories, cat) {
			p.Categories = append(p.Categories, cat)
		}
	}
	slices.Sort(p.Categories)
	for name, v := range f.Ratios {
		c, err := ParseClass(name)
		if err != nil {
			return Plan{}, fmt.Errorf("%w: ratios: %v", ErrInvalid, err)
		}
		bp, err := parseHundredths("ratios."+name, v.String())
		if err != nil {
			return Plan{}, err
		}
		p.Ratios[c] = bp
	}
	if f.Inspectors != 0 {
		if f.Inspectors < 2 || f.Inspectors > 10 {
			return Plan{}, fmt.Errorf("%w: inspectors: %d per inspection, want 2–10 (the rules ask at least 2)", ErrInvalid, f.Inspectors)
		}
		p.Inspectors = uint8(f.Inspectors)
	}
	if f.PublishDays != 0 {
		if f.PublishDays < 1 || f.PublishDays > 365 {
			return Plan{}, fmt.Errorf("%w: publish_days: %d, want 1–365", ErrInvalid, f.PublishDays)
		}
		p.PublishDays = uint16(f.PublishDays)
	}
	if len(f.Conflicts) > MaxConflicts {
		return Plan{}, fmt.Errorf("%w: conflicts: %d, at most %d", ErrInvalid, len(f.Conflicts), MaxConflicts)
	}
	for i, c := range f.Conflicts {
		if err := checkText(fmt.Sprintf("conflicts[%d].inspector", i), c.Inspector, 64, true); err != nil {
			return Plan{}, err
		}
		if err := checkText(fmt.Sprintf("conflicts[%d].uscc", i), c.Subject, 64, true); err != nil {
			return Plan{}, err
		}
		if !slices.Contains(p.Conflicts, c) {
			p.Conflicts = append(p.Conflicts, c)
		}
	}
	slices.SortFunc(p.Conflicts, func(a, b Conflict) int {
		if a.Inspector != b.Inspector {
			return cmpStr(a.Inspector, b.Inspector)
		}
		return cmpStr(a.Subject, b.Subject)
	})
	return p, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// File returns p as its JSON file (every ratio written out).
func (p *Plan) File() PlanFile {
	f := PlanFile{ID: p.ID, Name: p.Name, Items: p.Items, Ratios: map[string]json.Number{},
		Inspectors: int(p.Inspectors), PublishDays: int(p.PublishDays), Conflicts: p.Conflicts,
		Created: p.Created, CreatedBy: p.CreatedBy}
	if p.Region != 0 {
		f.Region = fmt.Sprint(p.Region)
	}
	if f.Items == nil {
		f.Items = []string{}
	}
	for _, c := range p.Categories {
		f.Categories = append(f.Categories, c.String())
	}
	for _, c := range Classes {
		f.Ratios[c.String()] = json.Number(formatHundredths(p.Ratios[c]))
	}
	return f
}

// Covers reports whether the plan draws organisations making products of
// one of cats (every organisation when the plan names no category).
func (p *Plan) Covers(cats []model.Category) bool {
	if len(p.Categories) == 0 {
		return true
	}
	for _, c := range cats {
		if slices.Contains(p.Categories, c) {
			return true
		}
	}
	return false
}

// Conflicted reports whether inspector login is conflicted with subject.
func (p *Plan) Conflicted(login, subject string) bool {
	return slices.Contains(p.Conflicts, Conflict{Inspector: login, Subject: subject})
}

func parseRegion(s string) (uint32, error) {
	if (len(s) != 6 && len(s) != 9) || s[0] == '0' {
		return 0, fmt.Errorf("%w: region %q: want a 6- or 9-digit GB/T 2260 division", ErrInvalid, s)
	}
	var v uint32
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%w: region %q: want a 6- or 9-digit GB/T 2260 division", ErrInvalid, s)
		}
		v = v*10 + uint32(r-'0')
	}
	return v, nil
}
