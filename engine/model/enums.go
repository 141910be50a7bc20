package model

import (
	"fmt"
	"strings"
)

// Category is a product category of the traceability regulations. The
// numeric values are persisted: never renumber them.
type Category uint8

// The categories. The zero value is not a category.
const (
	CatFarm        Category = 1  // edible farm product (食用农产品)
	CatFood        Category = 2  // food (食品), incl. infant formula
	CatDrug        Category = 3  // drug (药品)
	CatPesticide   Category = 4  // pesticide (农药)
	CatVetDrug     Category = 5  // veterinary drug (兽药)
	CatFeed        Category = 6  // feed (饲料)
	CatFertiliser  Category = 7  // fertiliser (肥料)
	CatSeed        Category = 8  // seed (种子)
	CatElevator    Category = 9  // elevator (电梯), special equipment
	CatGasCylinder Category = 10 // gas cylinder (气瓶), special equipment
	CatHazChem     Category = 11 // hazardous chemical (危险化学品)
	CatFireworks   Category = 12 // fireworks (烟花爆竹)
	CatRareEarth   Category = 13 // rare earth (稀土)
)

const numCategories = 14

var categoryNames = [numCategories]string{"", "farm", "food", "drug", "pesticide", "vet-drug",
	"feed", "fertiliser", "seed", "elevator", "gas-cylinder", "hazchem", "fireworks", "rare-earth"}

// String returns the category's command-line name ("drug", "gas-cylinder", …).
func (c Category) String() string {
	if c.Valid() {
		return categoryNames[c]
	}
	return fmt.Sprintf("category(%d)", uint8(c))
}

// Valid reports whether c is a defined category.
func (c Category) Valid() bool { return c >= 1 && c < numCategories }

// CategoryNames lists the valid category names in numeric order.
func CategoryNames() []string { return append([]string(nil), categoryNames[1:]...) }

// ParseCategory returns the category named s (see CategoryNames).
func ParseCategory(s string) (Category, error) {
	for i := 1; i < numCategories; i++ {
		if categoryNames[i] == s {
			return Category(i), nil
		}
	}
	return 0, fmt.Errorf("unknown category %q (want one of %s)", s, strings.Join(CategoryNames(), ", "))
}

// Level is a packaging level: the unit a code is printed on. Numeric values
// are persisted; a higher level contains lower ones.
type Level uint8

// The packaging levels. The zero value is not a level.
const (
	LevelItem   Level = 1 // the sales unit (each, 最小销售包装)
	LevelInner  Level = 2 // inner pack / bundle (中包装)
	LevelCase   Level = 3 // case / carton (大包装, 箱)
	LevelPallet Level = 4 // pallet / logistic unit (托盘)
)

const numLevels = 5

var levelNames = [numLevels]string{"", "item", "inner", "case", "pallet"}

// String returns the level's name ("item", "inner", "case", "pallet").
func (l Level) String() string {
	if l.Valid() {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", uint8(l))
}

// Valid reports whether l is a defined level.
func (l Level) Valid() bool { return l >= 1 && l < numLevels }

// ParseLevel returns the level named s.
func ParseLevel(s string) (Level, error) {
	for i := 1; i < numLevels; i++ {
		if levelNames[i] == s {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("unknown packaging level %q (want item, inner, case or pallet)", s)
}

// LevelSet is a set of packaging levels, bit l for Level l.
type LevelSet uint8

// Has reports whether l is in the set.
func (s LevelSet) Has(l Level) bool { return l.Valid() && s&(1<<l) != 0 }

// With returns the set with l added.
func (s LevelSet) With(l Level) LevelSet { return s | 1<<l }

// Levels lists the set's levels in ascending order.
func (s LevelSet) Levels() []Level {
	var ls []Level
	for l := LevelItem; l < numLevels; l++ {
		if s.Has(l) {
			ls = append(ls, l)
		}
	}
	return ls
}

// String lists the levels comma-separated ("item,case").
func (s LevelSet) String() string {
	var b strings.Builder
	for i, l := range s.Levels() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.String())
	}
	return b.String()
}

// BlockState is the lifecycle state of a whole block. Per-code states
// (commissioned, packed, …) live in other records; a released tail is
// expressed by Block.Released, not by a state.
type BlockState uint8

// The block states. Numeric values are persisted.
const (
	// BlockActive: the block's codes are issued and may be printed.
	BlockActive BlockState = 1
	// BlockImporting: an import was started and not finished; the block
	// resolves nothing and Open voids it (its serial keys are removed).
	BlockImporting BlockState = 2
	// BlockVoided: every code of the block is void (a destroyed print run,
	// a failed import). Voiding is final.
	BlockVoided BlockState = 3
)

const numBlockStates = 4

var blockStateNames = [numBlockStates]string{"", "active", "importing", "voided"}

// String returns "active", "importing" or "voided".
func (s BlockState) String() string {
	if s >= 1 && s < numBlockStates {
		return blockStateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}
