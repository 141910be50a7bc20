package cylinder

import (
	"fmt"
	"strings"

	"tracecode/engine/category"
	"tracecode/engine/code/cn"
)

// Medium is the gas a cylinder is registered for.
type Medium uint8

// The media the default table knows. Numeric values are not persisted
// (records hold the names).
const (
	MediumUnknown Medium = iota
	N2                   // nitrogen
	O2                   // oxygen
	Ar                   // argon
	He                   // helium
	CO2                  // carbon dioxide
	H2                   // hydrogen
	Air                  // compressed air
	SF6                  // sulphur hexafluoride
	N2O                  // nitrous oxide
	LPG                  // liquefied petroleum gas
	C2H2                 // dissolved acetylene
	CNG                  // compressed natural gas (vehicle)
	NH3                  // ammonia (corrosive)
	Cl2                  // chlorine (corrosive)
	SO2                  // sulphur dioxide (corrosive)
	DivingAir            // breathing air for diving
	HighPurity           // non-corrosive gas of 99.999 % purity or more
	numMedia
)

var mediumNames = [numMedia]string{"", "N2", "O2", "Ar", "He", "CO2", "H2", "air", "SF6", "N2O", "LPG", "C2H2", "CNG",
	"NH3", "Cl2", "SO2", "diving-air", "high-purity"}

// MediumNames lists the media names in order.
func MediumNames() []string { return append([]string(nil), mediumNames[1:]...) }

// String returns the medium's name.
func (m Medium) String() string {
	if m < numMedia {
		return mediumNames[m]
	}
	return fmt.Sprintf("medium(%d)", uint8(m))
}

// ParseMedium returns the medium named s (MediumUnknown, false if none).
func ParseMedium(s string) (Medium, bool) {
	for i := 1; i < int(numMedia); i++ {
		if mediumNames[i] == s {
			return Medium(i), true
		}
	}
	return MediumUnknown, false
}

// MediaSet is a set of media (a station's).
type MediaSet uint32

// With returns the set plus m.
func (s MediaSet) With(m Medium) MediaSet { return s | 1<<m }

// Has reports whether m is in the set.
func (s MediaSet) Has(m Medium) bool { return s&(1<<m) != 0 }

// Period is the inspection rule of a medium: the period in months, a
// later period that applies once the cylinder is LaterAfter years old
// (0: never), and the service life in years (0: none by default; the
// cylinder's registered scrap age applies).
type Period struct {
	Months      uint16
	LaterMonths uint16
	LaterAfter  uint16 // years
	LifeYears   uint16
}

// Table holds the inspection periods by medium. Its zero value is not
// usable; DefaultTable returns the defaults, Set changes one medium.
type Table struct {
	byMedium [numMedia]Period
}

// DefaultTable returns the default periods (sources in docs/categories.md;
// every number is secondary and configurable):
//
//	N2, SF6, Ar, He, high-purity non-corrosive   60 months
//	NH3, Cl2, SO2 (corrosive), diving air        24 months
//	LPG                                          48 months, 36 after 12 years; life 15 years
//	C2H2 and every other medium                  36 months
func DefaultTable() *Table {
	t := &Table{}
	for m := range t.byMedium {
		t.byMedium[m] = Period{Months: 36}
	}
	for _, m := range []Medium{N2, SF6, Ar, He, HighPurity} {
		t.byMedium[m] = Period{Months: 60}
	}
	for _, m := range []Medium{NH3, Cl2, SO2, DivingAir} {
		t.byMedium[m] = Period{Months: 24}
	}
	t.byMedium[LPG] = Period{Months: 48, LaterMonths: 36, LaterAfter: 12, LifeYears: 15}
	return t
}

// Set replaces the period of medium m.
func (t *Table) Set(m Medium, p Period) error {
	if m == MediumUnknown || m >= numMedia || p.Months == 0 {
		return fmt.Errorf("%w: period of medium %v: needs a known medium and a period of at least one month", category.ErrInvalid, m)
	}
	t.byMedium[m] = p
	return nil
}

// Period returns the period of medium m.
func (t *Table) Period(m Medium) Period {
	if m >= numMedia {
		return Period{}
	}
	return t.byMedium[m]
}

// Cylinder is what the interlock knows of one cylinder: the registration
// facts and the last inspection. Every field is a value, so a Cylinder is
// cheap to keep in memory per registered code.
type Cylinder struct {
	Registered bool
	Medium     Medium
	// Filler is the filling unit the cylinder is bound to (its USCC); the
	// zero USCC when it is bound to none.
	Filler cn.USCC
	Made   category.Date
	// LastInspection is the date of the last periodic inspection that
	// passed (NoDate: none since manufacture).
	LastInspection category.Date
	// PeriodMonths overrides the table's period (a mixture registered with
	// its shortest component's period); 0: the table's.
	PeriodMonths uint16
	// ScrapYears is the registered scrap age; 0: the table's life for the
	// medium.
	ScrapYears uint16
	Scrapped   bool
	// Failed is set when the last inspection did not pass.
	Failed bool
}

// Station is a filling station asking before a fill: its filling unit and
// the media it fills.
type Station struct {
	Filler cn.USCC
	Media  MediaSet
}

// Reasons is a set of reasons to deny a fill.
type Reasons uint16

// The reasons. A decision lists every reason that holds, not the first.
const (
	NotRegistered     Reasons = 1 << iota // no registration for the code
	NotBound                              // registered but bound to no filling unit
	BoundElsewhere                        // bound to another filling unit
	InspectionOverdue                     // the next periodic inspection is past due
	InspectionFailed                      // the last inspection did not pass
	Scrapped                              // scrapped: the code is void forever
	PastScrapAge                          // older than its scrap age
	WrongMedium                           // the station does not fill the cylinder's medium
	UnknownMedium                         // the registration names no known medium
	numReasons        = 9
)

var reasonText = [numReasons]category.Text{
	{ZH: "未登记", EN: "not registered"},
	{ZH: "未绑定充装单位", EN: "bound to no filling unit"},
	{ZH: "已绑定其他充装单位", EN: "bound to another filling unit"},
	{ZH: "定期检验已过期", EN: "periodic inspection overdue"},
	{ZH: "最近一次检验不合格", EN: "last inspection failed"},
	{ZH: "已报废", EN: "scrapped"},
	{ZH: "超过报废年限", EN: "past its scrap age"},
	{ZH: "本站不充装该介质", EN: "wrong medium for this station"},
	{ZH: "充装介质未知", EN: "unknown medium"},
}

var reasonIDs = [numReasons]string{"not-registered", "not-bound", "bound-elsewhere", "inspection-overdue",
	"inspection-failed", "scrapped", "past-scrap-age", "wrong-medium", "unknown-medium"}

// AppendIDs appends the stable ids of the reasons in r to dst, in order.
func (r Reasons) AppendIDs(dst []string) []string {
	for i := range numReasons {
		if r&(1<<i) != 0 {
			dst = append(dst, reasonIDs[i])
		}
	}
	return dst
}

// Text returns the reasons in r joined for people, in lang ("zh", "en").
func (r Reasons) Text(lang string) string {
	var parts []string
	for i := range numReasons {
		if r&(1<<i) != 0 {
			parts = append(parts, reasonText[i].In(lang))
		}
	}
	sep := ", "
	if lang != "en" {
		sep = "、"
	}
	return strings.Join(parts, sep)
}

// Decision is the interlock's answer.
type Decision struct {
	Allow   bool
	Reasons Reasons
	// Due is the date the next periodic inspection is due (NoDate when
	// the cylinder is not registered); ScrapBy the date it must be
	// scrapped by (NoDate: no scrap age).
	Due     category.Date
	ScrapBy category.Date
}

// CheckFill decides whether station s may fill cylinder c on day today,
// under the periods of t. It collects every reason that holds. It does
// not allocate; see BenchmarkCheckFill.
func CheckFill(c *Cylinder, s *Station, today category.Date, t *Table) Decision {
	d := Decision{Due: category.NoDate, ScrapBy: category.NoDate}
	if !c.Registered {
		d.Reasons = NotRegistered
		return d
	}
	switch {
	case c.Filler.IsZero():
		d.Reasons |= NotBound
	case c.Filler != s.Filler:
		d.Reasons |= BoundElsewhere
	}
	if c.Scrapped {
		d.Reasons |= Scrapped
	}
	if c.Failed {
		d.Reasons |= InspectionFailed
	}
	if c.Medium == MediumUnknown || c.Medium >= numMedia {
		d.Reasons |= UnknownMedium
	} else if !s.Media.Has(c.Medium) {
		d.Reasons |= WrongMedium
	}
	p := t.Period(c.Medium)
	months := int(p.Months)
	if c.PeriodMonths != 0 {
		months = int(c.PeriodMonths)
	}
	from := c.LastInspection
	if from == category.NoDate {
		from = c.Made
	}
	if c.PeriodMonths == 0 && p.LaterAfter != 0 && from >= c.Made.AddMonths(12*int(p.LaterAfter)) {
		months = int(p.LaterMonths)
	}
	if months > 0 {
		d.Due = from.AddMonths(months)
		if today > d.Due {
			d.Reasons |= InspectionOverdue
		}
	}
	life := c.ScrapYears
	if life == 0 {
		life = p.LifeYears
	}
	if life != 0 {
		d.ScrapBy = c.Made.AddMonths(12 * int(life))
		if today >= d.ScrapBy {
			d.Reasons |= PastScrapAge
		}
	}
	d.Allow = d.Reasons == 0
	return d
}
