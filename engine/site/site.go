// Package site keeps organisations' sites: the factories, warehouses,
// shops, filling stations, farms and pharmacies where goods are made,
// kept and sold. Each site has its own region (a county or a township,
// which may differ from the organisation's registered address), and a GLN
// or a site code, so that events naming a location (an SGLN bizLocation,
// a GLN read point) are placed in a region, and a regulator sees the sites
// in its region whoever owns them.
//
// Sites are master data: a Book holds them in memory (a province has tens
// of thousands) and writes each change as one synced batch.
package site

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/gs1"
	"tracecode/engine/internal/wire"
)

// Errors every failure wraps.
var (
	ErrInvalid  = errors.New("site: invalid")
	ErrNotFound = errors.New("site: not found")
	ErrConflict = errors.New("site: conflict")
)

// Kind is what a site is.
type Kind uint8

// The kinds of sites.
const (
	KindFactory   Kind = 1 + iota // 生产厂 (a plant, a mill, a slaughterhouse)
	KindWarehouse                 // 仓库 (a distribution centre, a cold store)
	KindShop                      // 门店 (a shop, a supermarket)
	KindStation                   // 充装站 (a gas filling station)
	KindFarm                      // 种养殖基地 (an orchard, a farm, a ranch)
	KindPharmacy                  // 药店 (a pharmacy, a hospital dispensary)
	KindOther                     // 其他
)

var kindNames = [...]string{"", "factory", "warehouse", "shop", "station", "farm", "pharmacy", "other"}

// KindNamesZH are the kinds' Chinese names, by Kind.
var KindNamesZH = [...]string{"", "生产厂", "仓库", "门店", "充装站", "种养殖基地", "药店", "其他"}

// String returns the kind's name ("factory", "warehouse" …).
func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalText encodes the kind by name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n != "" && n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("%w: kind %q: want one of %s", ErrInvalid, s, strings.Join(kindNames[1:], ", "))
}

// Site is one site of an organisation.
type Site struct {
	Org  uint32 `json:"org"`
	ID   uint32 `json:"id"` // 1, 2 … within the organisation
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
	// Region is the site's GB/T 2260 county (6 digits) or township (9
	// digits) code.
	Region uint32 `json:"region"`
	// GLN is the site's 13-digit GS1 Global Location Number, if it has
	// one; unique across the store.
	GLN string `json:"gln,omitzero"`
	// Code is a site code of the organisation's own or a licence number
	// (a filling station's 充装许可证, a shop's 食品经营许可证), if any.
	Code     string `json:"code,omitzero"`
	Address  string `json:"address,omitzero"`
	Disabled bool   `json:"disabled,omitzero"`
	Created  int64  `json:"created"` // Unix ms
	Updated  int64  `json:"updated,omitzero"`
	// Since is the ledger record from which events see the site: the
	// sequence number the next record had when it was added (0: added
	// before the book kept it, seen by every record).
	Since uint64 `json:"-"`
	// Moves are the site's earlier regions and GLNs, oldest first, each
	// with the record from which it no longer held them: the region index
	// places a captured event by the site as it was (RegionAt).
	Moves []Move `json:"-"`
}

// Move is a region and GLN a site held before record Until.
type Move struct {
	Until  uint64
	Region uint32
	GLN    string
}

// At returns the region and GLN site s had when record seq was
// appended, and whether s existed then.
func (s *Site) At(seq uint64) (region uint32, gln string, existed bool) {
	if s.Since > seq {
		return 0, "", false
	}
	for _, m := range s.Moves {
		if m.Until > seq {
			return m.Region, m.GLN, true
		}
	}
	return s.Region, s.GLN, true
}

// Input is a site as a client sends it, before it is checked.
type Input struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Region  string `json:"region"`
	GLN     string `json:"gln"`
	Code    string `json:"code"`
	Address string `json:"address"`
	// Disabled closes the site (kept for the history that names it).
	Disabled bool `json:"disabled"`
}

// FieldError names the input field at fault.
type FieldError struct {
	Field, Value, Why string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("site: %s: %s", e.Field, e.Why)
	}
	return fmt.Sprintf("site: %s %q: %s", e.Field, e.Value, e.Why)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// text checks a free-text field: valid UTF-8, no control characters, at
// most max bytes, and present if required.
func text(field, s string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return &FieldError{Field: field, Why: "is required"}
	case len(s) > max:
		return &FieldError{Field: field, Why: fmt.Sprintf("is %d bytes, at most %d", len(s), max)}
	case !utf8.ValidString(s):
		return &FieldError{Field: field, Why: "is not UTF-8"}
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return &FieldError{Field: field, Value: s, Why: "has a control character"}
	}
	return nil
}

// Check validates in and returns the site it describes (without org, id
// and times), or every problem, each naming its field.
func (in *Input) Check() (Site, error) {
	var s Site
	var errs []error
	if k, err := ParseKind(in.Kind); err != nil {
		errs = append(errs, &FieldError{Field: "kind", Value: in.Kind, Why: "want one of " + strings.Join(kindNames[1:], ", ")})
	} else {
		s.Kind = k
	}
	if err := text("name", in.Name, 200, true); err != nil {
		errs = append(errs, err)
	}
	s.Name = strings.TrimSpace(in.Name)
	if r, err := ParseRegion(in.Region); err != nil {
		errs = append(errs, err)
	} else {
		s.Region = r
	}
	if in.GLN != "" {
		if _, err := gs1.ParseGLN(in.GLN); err != nil {
			errs = append(errs, &FieldError{Field: "gln", Value: in.GLN, Why: err.Error()})
		} else {
			s.GLN = in.GLN
		}
	}
	if err := text("code", in.Code, 64, false); err != nil {
		errs = append(errs, err)
	}
	if err := text("address", in.Address, 500, false); err != nil {
		errs = append(errs, err)
	}
	s.Code, s.Address, s.Disabled = strings.TrimSpace(in.Code), strings.TrimSpace(in.Address), in.Disabled
	return s, errors.Join(errs...)
}

// ParseRegion reads a site's region: a county (6 digits) or a township
// (9 digits) of GB/T 2260; a province or a city is too coarse for a site.
func ParseRegion(s string) (uint32, error) {
	if len(s) != 6 && len(s) != 9 || strings.Trim(s, "0123456789") != "" {
		return 0, &FieldError{Field: "region", Value: s, Why: "want a 6-digit county or 9-digit township code"}
	}
	var n int
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	r, err := cn.NewRegion(n)
	if err != nil {
		return 0, &FieldError{Field: "region", Value: s, Why: err.Error()}
	}
	if lv := r.Level(); lv != cn.LevelCounty && lv != cn.LevelTownship {
		return 0, &FieldError{Field: "region", Value: s, Why: "is a " + lv.String() + "; a site is in a county or a township"}
	}
	return r.Uint32(), nil
}

// Value versions: 2 appends Since and Moves, written only for a site that
// has them (a store whose sites have none stays readable by the builds
// before version 2).
const version = 2

// AppendBinary appends the stored value of s (its key holds Org and ID).
//
// # Representation
//
//	ver=1 | kind u8 | name str | region uvarint | gln str | code str | address str | disabled u8 | created varint | updated varint
//	ver=2 | (the same) | since uvarint | n uvarint | n × (until uvarint | region uvarint | gln str)
func (s *Site) AppendBinary(dst []byte) []byte {
	w := wire.Writer{B: dst}
	ver := uint8(1)
	if s.Since != 0 || len(s.Moves) > 0 {
		ver = 2
	}
	w.Version(ver)
	w.U8(uint8(s.Kind))
	w.Str(s.Name)
	w.U32(s.Region)
	w.Str(s.GLN)
	w.Str(s.Code)
	w.Str(s.Address)
	w.Bool(s.Disabled)
	w.Varint(s.Created)
	w.Varint(s.Updated)
	if ver == 2 {
		w.Uvarint(s.Since)
		w.Count(len(s.Moves))
		for _, m := range s.Moves {
			w.Uvarint(m.Until)
			w.U32(m.Region)
			w.Str(m.GLN)
		}
	}
	return w.B
}

// Decode decodes the stored value v of organisation org's site id.
func Decode(org, id uint32, v []byte) (Site, error) {
	d := wire.NewReader("site", v)
	d.Version(version)
	ver := uint8(0)
	if len(v) > 0 {
		ver = v[0]
	}
	s := Site{Org: org, ID: id}
	d.Field = "kind"
	s.Kind = Kind(d.U8())
	if d.Err == nil && (s.Kind == 0 || int(s.Kind) >= len(kindNames)) {
		d.Fail(fmt.Sprintf("kind %d", s.Kind))
	}
	d.Field = "name"
	s.Name = d.Str()
	d.Field = "region"
	s.Region = d.U32()
	d.Field = "gln"
	s.GLN = d.Str()
	d.Field = "code"
	s.Code = d.Str()
	d.Field = "address"
	s.Address = d.Str()
	d.Field = "disabled"
	switch d.U8() {
	case 0:
	case 1:
		s.Disabled = true
	default:
		d.Fail("not a boolean")
	}
	d.Field = "times"
	s.Created = d.Varint()
	s.Updated = d.Varint()
	if ver == 2 {
		d.Field = "moves"
		s.Since = d.Uvarint()
		n := d.Count()
		for range n {
			m := Move{Until: d.Uvarint(), Region: d.U32(), GLN: d.Str()}
			if d.Err != nil {
				break
			}
			s.Moves = append(s.Moves, m)
		}
		if d.Err == nil && s.Since == 0 && len(s.Moves) == 0 {
			d.Fail("version 2 without a since or a move")
		}
	}
	return s, d.Done()
}
