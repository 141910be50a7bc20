package category

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/code"
	"tracecode/engine/model"
)

// Profile is a category: what its products and items must carry, which
// events it knows, what a scan shows and which rules watch it.
type Profile interface {
	// Name is the profile's stable id ("gas-cylinder", "dairy"): stored
	// with products, never renamed.
	Name() string
	// Category is the regulatory category the profile refines (several
	// food profiles refine model.CatFood).
	Category() model.Category
	// Title names the profile for people.
	Title() Text
	// ProductFields and ItemFields are the master data of a product and of
	// one item (a cylinder, an elevator, a lot of apples).
	ProductFields() []FieldSpec
	ItemFields() []FieldSpec
	// Events are the event kinds the profile knows.
	Events() []EventSpec
	// Facts derives what a scan shows from the item's history at time now.
	Facts(h *History, now time.Time) []Fact
	// Rules are the alert rules the profile contributes.
	Rules() []Rule
	// Codes are the sector code formats the profile's items carry.
	Codes() []code.SectorFormat
}

// ProductChecker is implemented by profiles with checks across product
// fields (an SC licence's category matching the food).
type ProductChecker interface {
	CheckProduct(product Record) error
}

// ItemChecker is implemented by profiles with checks across item fields
// or against the product (a cylinder's medium allowed by its variety).
type ItemChecker interface {
	CheckItem(product, item Record) error
}

// EventChecker is implemented by profiles whose events depend on the
// item's history: a fill the interlock denies, a certificate inside a
// safety interval, a transfer beyond a permit.
type EventChecker interface {
	CheckEvent(h *History, e *Event) error
}

// EventSpec declares an event kind.
type EventSpec struct {
	Kind   string // "fill", "maintenance", "harvest" …
	Title  Text
	Fields []FieldSpec
}

// Event is one category event: its kind, when, by whom and its fields.
type Event struct {
	Kind   string
	Time   time.Time
	Org    uint32 // the reporting organisation
	Fields Record
}

// ProductFacter is a profile whose product record alone gives facts
// (a drug's approval number, a pesticide's registration): a scan of a
// code whose item and lot are not registered with the profile shows them.
// A profile whose facts need the item or its events does not implement it.
type ProductFacter interface {
	ProductFacts(product Record) []Fact
}

// History is what the engine knows of one item when it validates an event
// or derives facts: the product's and item's master data, the item's
// region (GB/T 2260, 0 unknown), its category events so far in time order,
// and the master data of the input products its events name (a pesticide
// a use record names), keyed by the code or product id the event gives.
type History struct {
	Product Record
	Item    Record
	Region  uint32
	Events  []Event
	Inputs  map[string]Record
}

// Last returns the latest event of kind (nil if none).
func (h *History) Last(kind string) *Event {
	for i := len(h.Events) - 1; i >= 0; i-- {
		if h.Events[i].Kind == kind {
			return &h.Events[i]
		}
	}
	return nil
}

// Fact is one derived fact for the scan page and the JSON answer.
type Fact struct {
	Key   string `json:"key"` // stable id: "next_inspection"
	Label Text   `json:"label"`
	Value Text   `json:"value"`
	// Status flags the fact: "" neutral, "ok", "warn" (due soon, attention)
	// or "bad" (overdue, denied).
	Status string `json:"status,omitempty"`
	// Public facts are shown to anyone who scans; the others to the
	// organisations on the chain and regulators only.
	Public bool `json:"public"`
}

// Rule is an alert rule a profile contributes: a pure function from an
// item's history and one new event (nil when evaluated on a due date) to
// findings. The engine raises each finding through engine/alert.
type Rule interface {
	Info() RuleInfo
	Check(h *History, e *Event, now time.Time) []Finding
}

// RuleInfo documents a rule.
type RuleInfo struct {
	ID       string // stable, stored in alerts: never rename
	Severity alert.Severity
	Trigger  Text
}

// Finding is what a rule found.
type Finding struct {
	Rule     string
	Severity alert.Severity
	Message  Text
	// Due is when the finding became true (an interval's end), zero when
	// it is the event itself.
	Due time.Time
}

// Alert returns the finding as an engine/alert alert about subject, routed
// to region: the adapter by which category rules raise through the alert
// engine (alert.Eval.Raise fills the id, state and time).
func (f Finding) Alert(subject alert.Subject, region uint32) alert.Alert {
	return alert.Alert{Severity: f.Severity, Subject: subject, Region: region,
		Message: f.Message.EN, MessageZH: f.Message.ZH}
}

var registry struct {
	sync.RWMutex
	byName map[string]Profile
}

// Register adds a profile. It panics on a duplicate name or a profile whose
// declarations are inconsistent (a bug in the profile, found at start-up).
func Register(p Profile) {
	if err := Check(p); err != nil {
		panic("BUG: " + err.Error())
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.byName == nil {
		registry.byName = map[string]Profile{}
	}
	if _, dup := registry.byName[p.Name()]; dup {
		panic("BUG: category profile " + p.Name() + " registered twice")
	}
	registry.byName[p.Name()] = p
}

// Lookup returns the profile named name.
func Lookup(name string) (Profile, bool) {
	registry.RLock()
	defer registry.RUnlock()
	p, ok := registry.byName[name]
	return p, ok
}

// Profiles returns every registered profile, sorted by name.
func Profiles() []Profile {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]Profile, 0, len(registry.byName))
	for _, p := range registry.byName {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// Check verifies a profile's declarations: a name, a valid category, field
// names unique within each list and each with a kind, enum fields with
// values, code fields with a format, event kinds unique, rule ids unique.
func Check(p Profile) error {
	if p.Name() == "" || !p.Category().Valid() {
		return fmt.Errorf("category profile %q: needs a name and a valid category", p.Name())
	}
	lists := map[string][]FieldSpec{"product": p.ProductFields(), "item": p.ItemFields()}
	kinds := map[string]bool{}
	for _, e := range p.Events() {
		if e.Kind == "" || kinds[e.Kind] {
			return fmt.Errorf("category profile %s: event kind %q empty or declared twice", p.Name(), e.Kind)
		}
		kinds[e.Kind] = true
		lists["event "+e.Kind] = e.Fields
	}
	for scope, fs := range lists {
		seen := map[string]bool{}
		for _, f := range fs {
			switch {
			case f.Name == "" || seen[f.Name]:
				return fmt.Errorf("category profile %s: %s field %q empty or declared twice", p.Name(), scope, f.Name)
			case f.Kind == 0 || f.Kind > KindList:
				return fmt.Errorf("category profile %s: %s field %s has no kind", p.Name(), scope, f.Name)
			case f.Kind == KindEnum && len(f.Enum) == 0:
				return fmt.Errorf("category profile %s: %s field %s is an enum without values", p.Name(), scope, f.Name)
			case f.Kind == KindCode && f.Code == 0:
				return fmt.Errorf("category profile %s: %s field %s is a code without a format", p.Name(), scope, f.Name)
			case f.Label.ZH == "" || f.Label.EN == "":
				return fmt.Errorf("category profile %s: %s field %s needs a Chinese and an English label", p.Name(), scope, f.Name)
			}
			seen[f.Name] = true
		}
	}
	ids := map[string]bool{}
	for _, r := range p.Rules() {
		in := r.Info()
		if in.ID == "" || ids[in.ID] || in.Severity < alert.Info || in.Severity > alert.Critical {
			return fmt.Errorf("category profile %s: rule %q: empty, duplicate or without a severity", p.Name(), in.ID)
		}
		ids[in.ID] = true
	}
	return nil
}

// ValidateProduct checks a product's master data against the profile.
// Every problem is reported (errors.Join of *FieldError).
func ValidateProduct(p Profile, product Record) error {
	err := validate("product", p.ProductFields(), product)
	if c, ok := p.(ProductChecker); ok && err == nil {
		err = c.CheckProduct(product)
	}
	return err
}

// ValidateItem checks an item's master data against the profile.
func ValidateItem(p Profile, product, item Record) error {
	err := validate("item", p.ItemFields(), item)
	if c, ok := p.(ItemChecker); ok && err == nil {
		err = c.CheckItem(product, item)
	}
	return err
}

// ValidateEvent checks an event against the profile: a declared kind, its
// fields, and the profile's history checks.
func ValidateEvent(p Profile, h *History, e *Event) error {
	i := slices.IndexFunc(p.Events(), func(s EventSpec) bool { return s.Kind == e.Kind })
	if i < 0 {
		var kinds []string
		for _, s := range p.Events() {
			kinds = append(kinds, s.Kind)
		}
		return &FieldError{Scope: "event", Field: "kind", Value: e.Kind, Reason: fmt.Sprintf("is not an event of %s (%v)", p.Name(), kinds)}
	}
	if e.Time.IsZero() {
		return &FieldError{Scope: e.Kind, Field: "time", Reason: "is required"}
	}
	if err := validate(e.Kind, p.Events()[i].Fields, e.Fields); err != nil {
		return err
	}
	if c, ok := p.(EventChecker); ok {
		return c.CheckEvent(h, e)
	}
	return nil
}

// Evaluate runs every rule of p on event e (nil: a due-date evaluation)
// joining h, and returns the findings in rule order.
func Evaluate(p Profile, h *History, e *Event, now time.Time) []Finding {
	var out []Finding
	for _, r := range p.Rules() {
		out = append(out, r.Check(h, e, now)...)
	}
	return out
}

// IsInvalid reports whether err is a validation error of this package.
func IsInvalid(err error) bool { return errors.Is(err, ErrInvalid) }
