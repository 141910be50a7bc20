// Package elevator parses the national identification codes of special
// equipment (特种设备) as elevators carry them: the 20-digit registration
// code (注册代码, the legacy code on the 使用标志), the 18-character
// equipment code (设备代码, the lifetime code of 特种设备目录 equipment) and
// the local rescue identifier (救援识别码, the short number a trapped
// passenger reads out to 96333).
//
// Layouts (secondary sources; see docs/categories.md):
//
//	注册代码  CCCC RRRRRR YYYYMM NNNN   class 4 + GB/T 2260 region of the
//	                                   registering authority 6 + year and
//	                                   month of registration 6 + sequence 4
//	设备代码  VVVV MMMMM YYYY SSSSS     variety 4 (特种设备目录) + maker 5
//	                                   (licensing authority 2, 10 = national,
//	                                   + licence sequence 3) + year made 4 +
//	                                   sequence 5 (a letter then 4 digits past
//	                                   99999)
//
// Neither layout has a check digit. Every type is a small comparable array
// of the code's ASCII characters with AppendText; parsing allocates nothing
// unless it fails. Errors are the cn package's (*cn.CharError,
// *cn.FieldError, wrapping cn.ErrSyntax, cn.ErrRange, cn.ErrRegion …) with
// 1-based positions.
package elevator

import (
	"time"

	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

const (
	regName    = "special-equipment registration code"
	deviceName = "special-equipment code"
	rescueName = "elevator rescue id"
)

// RegCode is a 20-digit 注册代码. The zero value is not a valid code.
type RegCode [20]byte

// ParseRegCode validates a 20-digit registration code: digits only, a
// class whose first digit names an equipment kind (1-9), a GB/T 2260
// region, a real year (1950-2099) and month.
func ParseRegCode(s string) (RegCode, error) {
	var c RegCode
	t := field.Trim(s)
	if err := field.Digits(regName, t, 0, len(t)); err != nil {
		return c, err
	}
	if len(t) != len(c) {
		return c, field.Length(regName, t, "20")
	}
	if t[0] == '0' {
		return c, field.Bad(regName, "class", 1, 4, t[:4], "the first digit names the kind of equipment (1 boiler … 3 elevator … 9 vehicle); 0 is none", cn.ErrRange)
	}
	if _, err := cn.NewRegion(field.Atoi(t[4:10])); err != nil {
		return c, field.Bad(regName, "region", 5, 6, t[4:10], "is not a GB/T 2260 division code", cn.ErrRegion)
	}
	if y := field.Atoi(t[10:14]); y < 1950 || y > 2099 {
		return c, field.Bad(regName, "year", 11, 4, t[10:14], "is not a registration year 1950-2099", cn.ErrDate)
	}
	if m := field.Atoi(t[14:16]); m < 1 || m > 12 {
		return c, field.Bad(regName, "month", 15, 2, t[14:16], "is not 01-12", cn.ErrDate)
	}
	copy(c[:], t)
	return c, nil
}

// Class returns the 4-digit equipment class (3110 曳引驱动乘客电梯 …).
func (c RegCode) Class() string { return string(c[:4]) }

// Region returns the registering authority's division.
func (c RegCode) Region() cn.Region {
	r, _ := cn.NewRegion(field.Atoi(c[4:10])) // validated by ParseRegCode
	return r
}

// Registered returns the year and month of registration.
func (c RegCode) Registered() (int, time.Month) {
	return field.Atoi(c[10:14]), time.Month(field.Atoi(c[14:16]))
}

// Sequence returns the 4-digit sequence number.
func (c RegCode) Sequence() string { return string(c[16:]) }

// IsElevator reports whether the class is an elevator's (3xxx).
func (c RegCode) IsElevator() bool { return c[0] == '3' }

// String returns the 20 digits.
func (c RegCode) String() string { return string(c[:]) }

// AppendText appends the 20 digits to dst.
func (c RegCode) AppendText(dst []byte) []byte { return append(dst, c[:]...) }

// IsZero reports whether c is the zero value.
func (c RegCode) IsZero() bool { return c[0] == 0 }

// DeviceCode is an 18-character 设备代码. The zero value is not a valid
// code.
type DeviceCode [18]byte

// ParseDeviceCode validates an 18-character equipment code: a 4-digit
// variety whose first digit names an equipment kind, a 5-digit maker code
// whose first two digits are 10 (national licence) or a province, a year
// 1950-2099 and a sequence of 5 digits or an upper-case letter and 4
// digits. Lower-case letters are folded to upper case.
func ParseDeviceCode(s string) (DeviceCode, error) {
	var c DeviceCode
	t := field.Trim(s)
	if len(t) != len(c) {
		if err := field.Digits(deviceName, t, 0, min(len(t), 13)); err != nil {
			return c, err
		}
		return c, field.Length(deviceName, t, "18")
	}
	if err := field.Digits(deviceName, t, 0, 13); err != nil {
		return c, err
	}
	copy(c[:], t)
	if l := c[13] | 0x20; l >= 'a' && l <= 'z' {
		c[13] = l - 0x20
	}
	if !field.IsDigit(c[13]) && !field.IsUpper(c[13]) {
		return DeviceCode{}, field.Char(deviceName, t, 13, "a digit or a letter")
	}
	if err := field.Digits(deviceName, t, 14, 18); err != nil {
		return DeviceCode{}, err
	}
	if t[0] == '0' {
		return DeviceCode{}, field.Bad(deviceName, "variety", 1, 4, t[:4], "the first digit names the kind of equipment (1 boiler … 3 elevator … 9 vehicle); 0 is none", cn.ErrRange)
	}
	if a := field.Atoi(t[4:6]); a != 10 {
		if _, err := cn.NewRegion(a * 10000); err != nil {
			return DeviceCode{}, field.Bad(deviceName, "licensing authority", 5, 2, t[4:6], "is neither 10 (national) nor a GB/T 2260 province", cn.ErrRegion)
		}
	}
	if y := field.Atoi(t[9:13]); y < 1950 || y > 2099 {
		return DeviceCode{}, field.Bad(deviceName, "year", 10, 4, t[9:13], "is not a year of manufacture 1950-2099", cn.ErrDate)
	}
	return c, nil
}

// Variety returns the 4-digit variety of the 特种设备目录 (3110 …).
func (c DeviceCode) Variety() string { return string(c[:4]) }

// Maker returns the 5-digit maker code: licensing authority 2 + licence
// sequence 3 (licence TS2210890 → 10890).
func (c DeviceCode) Maker() string { return string(c[4:9]) }

// NationalLicence reports whether the maker's licence is national (maker
// code starting 10) rather than provincial.
func (c DeviceCode) NationalLicence() bool { return c[4] == '1' && c[5] == '0' }

// Year returns the year of manufacture.
func (c DeviceCode) Year() int { return field.Atoi(c[9:13]) }

// Sequence returns the 5-character sequence.
func (c DeviceCode) Sequence() string { return string(c[13:]) }

// IsElevator reports whether the variety is an elevator's (3xxx).
func (c DeviceCode) IsElevator() bool { return c[0] == '3' }

// String returns the 18 characters.
func (c DeviceCode) String() string { return string(c[:]) }

// AppendText appends the 18 characters to dst.
func (c DeviceCode) AppendText(dst []byte) []byte { return append(dst, c[:]...) }

// IsZero reports whether c is the zero value.
func (c DeviceCode) IsZero() bool { return c[0] == 0 }

// RescueID is the 5- or 6-digit rescue identifier on an elevator's 使用标志,
// a local alias of the device (Shenzhen uses 6 digits, 漳州 5). The zero
// value is not valid.
type RescueID struct {
	n   uint8   // number of digits, 5 or 6
	dig [6]byte // the digits, left-aligned
}

// ParseRescueID validates a 5- or 6-digit rescue identifier.
func ParseRescueID(s string) (RescueID, error) {
	var r RescueID
	t := field.Trim(s)
	if err := field.Digits(rescueName, t, 0, len(t)); err != nil {
		return r, err
	}
	if len(t) != 5 && len(t) != 6 {
		return r, field.Length(rescueName, t, "5 or 6")
	}
	r.n = uint8(len(t))
	copy(r.dig[:], t)
	return r, nil
}

// String returns the digits.
func (r RescueID) String() string { return string(r.dig[:r.n]) }

// AppendText appends the digits to dst.
func (r RescueID) AppendText(dst []byte) []byte { return append(dst, r.dig[:r.n]...) }

// IsZero reports whether r is the zero value.
func (r RescueID) IsZero() bool { return r.n == 0 }

// KindName returns the name of the equipment kind a class or variety's
// first digit names, in Chinese and English ("" for an unknown digit).
func KindName(first byte) (zh, en string) {
	switch first {
	case '1':
		return "锅炉", "boiler"
	case '2':
		return "压力容器", "pressure vessel"
	case '3':
		return "电梯", "elevator"
	case '4':
		return "起重机械", "lifting appliance"
	case '5':
		return "客运索道", "passenger ropeway"
	case '6':
		return "大型游乐设施", "large amusement device"
	case '7':
		return "压力管道元件", "pressure piping component"
	case '8':
		return "压力管道", "pressure piping"
	case '9':
		return "场（厂）内专用机动车辆", "on-site motor vehicle"
	}
	return "", ""
}
