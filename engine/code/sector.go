package code

import (
	"fmt"
	"strings"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/cylinder"
	"tracecode/engine/code/cn/drugapproval"
	"tracecode/engine/code/cn/eartag"
	"tracecode/engine/code/cn/elevator"
	"tracecode/engine/code/cn/fireworks"
	"tracecode/engine/code/cn/pesticide"
	"tracecode/engine/code/cn/sclicence"
	"tracecode/engine/code/cn/seedqr"
)

// SectorFormat names a national sector code or number: the identifiers of
// special equipment, farm inputs, livestock, food and drug licences that
// product categories carry (engine/category). They are not trace codes the
// engine issues, and several share a shape with one (a 20-digit elevator
// registration code looks like an NMPA drug code), so Parse does not
// return them; ParseSector lists every reading a string has.
type SectorFormat uint8

// The sector formats. The zero value is not a format.
const (
	SectorElevatorReg    SectorFormat = iota + 1 // 注册代码, 20 digits
	SectorElevatorDevice                         // 设备代码, 18 characters
	SectorElevatorRescue                         // 救援识别码, 5 or 6 digits (only when asked for)
	SectorCylinder                               // 气瓶登记代码
	SectorPesticide                              // 农药追溯码, 32 digits or its QR URL
	SectorPesticideReg                           // 农药登记证号, PD/WP/LS + 8 digits
	SectorEarTag                                 // 畜禽标识, 15 digits
	SectorSCLicence                              // 食品生产许可证编号, SC + 14 digits
	SectorSeedQR                                 // 种子标签二维码, four lines
	SectorFireworks                              // 烟花爆竹经营许可证, (X)PF〔Y〕N / (X)LS〔Y〕N
	SectorDrugApproval                           // 国药准字 + letter + 8 digits
	numSectorFormats
)

var sectorNames = [numSectorFormats]string{"", "elevator-reg", "elevator-device", "elevator-rescue", "cylinder",
	"pesticide", "pesticide-reg", "ear-tag", "sc-licence", "seed-qr", "fireworks-licence", "drug-approval"}

// String returns the format's name as `tracecode codes parse` prints it.
func (f SectorFormat) String() string {
	if f > 0 && f < numSectorFormats {
		return sectorNames[f]
	}
	return fmt.Sprintf("sector(%d)", uint8(f))
}

// ParseSectorFormat returns the sector format named s.
func ParseSectorFormat(s string) (SectorFormat, error) {
	for i := 1; i < int(numSectorFormats); i++ {
		if sectorNames[i] == s {
			return SectorFormat(i), nil
		}
	}
	return 0, fmt.Errorf("%w: sector format %q (want one of %s)", ErrUnknownFormat, s, strings.Join(sectorNames[1:], ", "))
}

// SectorField is one named field of a parsed sector code.
type SectorField struct {
	Name  string // "class", "region", "variety" …
	Value string // the field's text
	Note  string // what the value means, when known: a division's name, a variety's name
}

// Sector is one reading of a string as a sector format: the canonical text
// and fields, or the parser's error (naming the field and 1-based
// position).
type Sector struct {
	Format    SectorFormat
	Canonical string
	Fields    []SectorField
	Err       error
}

// ParseSector returns every sector format s has the shape of, each parsed:
// possibly none, possibly several (a 15-digit string is an ear tag; 20
// digits an elevator registration code). The rescue id, whose shape (five
// or six digits) is too common to guess, is tried only through
// ParseSectorAs.
func ParseSector(s string) []Sector {
	t := strings.TrimSpace(s)
	var out []Sector
	for f := SectorFormat(1); f < numSectorFormats; f++ {
		if f != SectorElevatorRescue && sectorShape(f, t) {
			out = append(out, ParseSectorAs(t, f))
		}
	}
	return out
}

// sectorShape reports whether trimmed s looks like format f, without
// validating it.
func sectorShape(f SectorFormat, s string) bool {
	switch f {
	case SectorElevatorReg:
		return len(s) == 20 && allDigits(s)
	case SectorElevatorDevice:
		return len(s) == 18 && allDigits(s[:13]) && allDigits(s[14:])
	case SectorCylinder:
		c := strings.ReplaceAll(s, " ", "")
		return (len(c) == 11 || len(c) == 12) && len(s) <= 15 && allAlnum(c) && c[0] >= '0' && c[0] <= '9'
	case SectorPesticide:
		return (len(s) == 32 && allDigits(s)) ||
			((hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://")) && len(s) > 32 && allDigits(s[len(s)-32:]))
	case SectorPesticideReg:
		return len(s) == 10 && (hasPrefixFold(s, "PD") || hasPrefixFold(s, "WP") || hasPrefixFold(s, "LS")) && allDigits(s[2:])
	case SectorEarTag:
		return len(s) == 15 && allDigits(s)
	case SectorSCLicence:
		return hasPrefixFold(s, "SC") && len(s) > 2 && allDigits(s[2:])
	case SectorSeedQR:
		return strings.Count(s, "\n") >= 3
	case SectorFireworks:
		return (strings.HasPrefix(s, "(") || strings.HasPrefix(s, "（")) &&
			(strings.Contains(s, "PF") || strings.Contains(s, "LS") || strings.Contains(s, "pf") || strings.Contains(s, "ls")) &&
			!strings.HasPrefix(s, "(0") && !strings.HasPrefix(s, "(1") && !strings.HasPrefix(s, "(2")
	case SectorDrugApproval:
		return strings.HasPrefix(s, "国药准字")
	}
	return false
}

func allAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(s[i] >= '0' && s[i] <= '9') && !(c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// ParseSectorAs parses s as sector format f.
func ParseSectorAs(s string, f SectorFormat) Sector {
	r := Sector{Format: f}
	add := func(name, value, note string) { r.Fields = append(r.Fields, SectorField{name, value, note}) }
	region := func(name string, g cn.Region) {
		add(name, g.String(), g.FullName(cn.Chinese))
	}
	switch f {
	case SectorElevatorReg:
		c, err := elevator.ParseRegCode(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = c.String()
		zh, en := elevator.KindName(c.Class()[0])
		add("class", c.Class(), zh+" "+en)
		region("region", c.Region())
		y, m := c.Registered()
		add("registered", fmt.Sprintf("%04d-%02d", y, int(m)), "")
		add("sequence", c.Sequence(), "")
	case SectorElevatorDevice:
		c, err := elevator.ParseDeviceCode(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = c.String()
		zh, en := elevator.KindName(c.Variety()[0])
		add("variety", c.Variety(), zh+" "+en)
		note := "provincial licence"
		if c.NationalLicence() {
			note = "national licence"
		}
		add("maker", c.Maker(), note)
		add("year", fmt.Sprint(c.Year()), "")
		add("sequence", c.Sequence(), "")
	case SectorElevatorRescue:
		c, err := elevator.ParseRescueID(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = c.String()
	case SectorCylinder:
		c, err := cylinder.Parse(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = c.String()
		zh, en := c.Variety().Name()
		add("variety", string(rune(c.Variety())), zh+" "+en)
		region("province", c.Province())
		note := "filling unit"
		if c.IsVehicle() {
			note = "vehicle cylinder: O and the city"
		}
		add("filler", c.Filler(), note)
		add("sequence", c.Sequence(), "")
	case SectorPesticide:
		q, err := pesticide.ParseQR(s)
		if r.Err = err; err != nil {
			return r
		}
		c := q.Code
		r.Canonical = c.String()
		if q.URL != "" {
			add("url", q.URL, "")
		}
		add("registration kind", string(rune(c.Kind())), c.Kind().Prefix())
		add("registration", c.RegistrationSuffix(), "last six digits of the registration number")
		zh, en := c.Production().Name()
		add("production", string(rune(c.Production())), zh+" "+en)
		add("spec", c.Spec(), "")
		add("random", c.Random(), "")
	case SectorPesticideReg:
		n, err := pesticide.ParseRegNumber(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = n.String()
		add("kind", n.String()[:2], "")
		add("year", fmt.Sprint(n.Year()), "")
		add("sequence", n.String()[6:], "")
	case SectorEarTag:
		t, err := eartag.Parse(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = t.String()
		zh, en := t.Species().Name()
		add("species", string(rune(t.Species())), zh+" "+en)
		region("county", t.County())
		add("sequence", t.Sequence(), "")
	case SectorSCLicence:
		l, err := sclicence.Parse(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = l.String()
		zh, en := sclicence.CategoryName(l.Category())
		add("category", l.Category(), strings.TrimSpace(zh+" "+en))
		region("region", l.Region())
		add("sequence", l.Sequence(), "")
		add("check", string(rune(l.Check())), "not verified: the algorithm is not public")
	case SectorSeedQR:
		l, err := seedqr.Parse(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = l.String()
		add("variety", l.Variety, "")
		add("producer", l.Producer, "")
		add("unit id", l.Unit, "")
		add("url", l.URL, "")
	case SectorFireworks:
		l, err := fireworks.Parse(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = l.String()
		kind := "wholesale"
		if l.Kind() == fireworks.Retail {
			kind = "retail"
		}
		add("kind", l.Kind().String(), kind)
		region("province", l.Province())
		add("year", fmt.Sprint(l.Year()), "")
		add("sequence", l.Sequence(), "")
	case SectorDrugApproval:
		n, err := drugapproval.Parse(s)
		if r.Err = err; err != nil {
			return r
		}
		r.Canonical = n.String()
		add("class", string(rune(n.Class())), drugapproval.ClassName(n.Class()))
		add("source", n.Source(), "")
		add("year", n.Year(), "")
		add("sequence", n.Sequence(), "")
	default:
		r.Err = fmt.Errorf("%w: sector format %d", ErrUnknownFormat, uint8(f))
	}
	return r
}
