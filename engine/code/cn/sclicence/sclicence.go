// Package sclicence parses the food production licence number (食品生产许可
// 证编号, 食品生产许可管理办法): SC followed by 14 digits,
//
//	digits 1-3    food category (1xx food, 2xx food additive; the second and
//	              third digits are the category of the 食品生产许可分类目录)
//	digits 4-9    the issuing authority's GB/T 2260 region (province 2, city
//	              2, county 2)
//	digits 10-13  sequence
//	digit  14     check digit
//
// The check digit's algorithm is not published in any text we could read,
// so it is not verified: a structurally valid Licence may still carry a
// wrong check digit. Licence is a small comparable array with AppendText.
package sclicence

import (
	"tracecode/engine/code/cn"
	"tracecode/engine/code/cn/internal/field"
)

const name = "SC food production licence"

// Licence is "SC" and 14 digits. The zero value is not valid.
type Licence [16]byte

// Parse validates a licence number: SC (either case) and 14 digits, a
// category starting 1 (food) or 2 (food additive) and a GB/T 2260 region.
func Parse(s string) (Licence, error) {
	var l Licence
	t := field.Trim(s)
	if err := field.ASCII(name, t); err != nil {
		return l, err
	}
	if len(t) < 2 || (t[0]|0x20) != 's' || (t[1]|0x20) != 'c' {
		i := 0
		if len(t) > 0 && (t[0]|0x20) == 's' {
			i = 1
		}
		if i >= len(t) {
			return l, field.Length(name, t, "16 (SC and 14 digits)")
		}
		return l, field.Char(name, t, i, "the prefix SC")
	}
	if err := field.Digits(name, t, 2, len(t)); err != nil {
		return l, err
	}
	if len(t) != len(l) {
		return l, field.Length(name, t, "16 (SC and 14 digits)")
	}
	if t[2] != '1' && t[2] != '2' {
		return l, field.Bad(name, "category", 3, 3, t[2:5], "does not start with 1 (food) or 2 (food additive)", cn.ErrRange)
	}
	if _, err := cn.NewRegion(field.Atoi(t[5:11])); err != nil {
		return l, field.Bad(name, "region", 6, 6, t[5:11], "is not a GB/T 2260 division code", cn.ErrRegion)
	}
	copy(l[:], t)
	l[0], l[1] = 'S', 'C'
	return l, nil
}

// Category returns the 3-digit category.
func (l Licence) Category() string { return string(l[2:5]) }

// IsAdditive reports whether the licence is for food additives (2xx).
func (l Licence) IsAdditive() bool { return l[2] == '2' }

// Region returns the issuing authority's division.
func (l Licence) Region() cn.Region {
	r, _ := cn.NewRegion(field.Atoi(l[5:11])) // validated by Parse
	return r
}

// Sequence returns the 4-digit sequence.
func (l Licence) Sequence() string { return string(l[11:15]) }

// Check returns the check digit (not verified; see the package doc).
func (l Licence) Check() byte { return l[15] }

// String returns the licence number.
func (l Licence) String() string { return string(l[:]) }

// AppendText appends the licence number to dst.
func (l Licence) AppendText(dst []byte) []byte { return append(dst, l[:]...) }

// IsZero reports whether l is the zero value.
func (l Licence) IsZero() bool { return l[0] == 0 }

// CategoryName returns the Chinese and English name of a food category of
// the 食品生产许可分类目录 ("" when the table does not hold it). The table
// is the 2016 catalogue's numbering as commonly reproduced; it is not
// confirmed against the catalogue's text (docs/categories.md).
func CategoryName(cat string) (zh, en string) {
	if n, ok := categories[cat]; ok {
		return n[0], n[1]
	}
	return "", ""
}

var categories = map[string][2]string{
	"101": {"粮食加工品", "grain products"},
	"102": {"食用油、油脂及其制品", "edible oils and fats"},
	"103": {"调味品", "condiments"},
	"104": {"肉制品", "meat products"},
	"105": {"乳制品", "dairy products"},
	"106": {"饮料", "beverages"},
	"107": {"方便食品", "convenience foods"},
	"108": {"饼干", "biscuits"},
	"109": {"罐头", "canned food"},
	"110": {"冷冻饮品", "frozen drinks"},
	"111": {"速冻食品", "quick-frozen food"},
	"112": {"薯类和膨化食品", "potato and puffed food"},
	"113": {"糖果制品", "confectionery"},
	"114": {"茶叶及相关制品", "tea products"},
	"115": {"酒类", "alcoholic drinks"},
	"116": {"蔬菜制品", "vegetable products"},
	"117": {"水果制品", "fruit products"},
	"118": {"炒货食品及坚果制品", "roasted seeds and nuts"},
	"119": {"蛋制品", "egg products"},
	"120": {"可可及焙烤咖啡产品", "cocoa and roasted coffee"},
	"121": {"食糖", "sugar"},
	"122": {"水产制品", "aquatic products"},
	"123": {"淀粉及淀粉制品", "starch products"},
	"124": {"糕点", "pastries"},
	"125": {"豆制品", "soy products"},
	"126": {"蜂产品", "bee products"},
	"127": {"保健食品", "health food"},
	"128": {"特殊医学用途配方食品", "food for special medical purposes"},
	"129": {"婴幼儿配方食品", "infant formula"},
	"130": {"特殊膳食食品", "special dietary food"},
	"131": {"其他食品", "other food"},
}
