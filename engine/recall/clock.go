package recall

import (
	"fmt"
	"time"
)

// Sector says which recall rules' clocks apply. Numeric values are
// persisted.
type Sector uint8

// The sectors.
const (
	// SectorFood: 食品召回管理办法 (food, infant formula, edible farm
	// products, meat, dairy, oil, liquor).
	SectorFood Sector = 1
	// SectorDrug: 药品召回管理办法 (drugs; also veterinary drugs by
	// default).
	SectorDrug Sector = 2
	// SectorOther: every other product; the food table's clocks by default.
	SectorOther Sector = 3
)

var sectorNames = [...]string{"", "food", "drug", "other"}

// String returns "food", "drug" or "other".
func (s Sector) String() string {
	if s >= SectorFood && s <= SectorOther {
		return sectorNames[s]
	}
	return fmt.Sprintf("sector(%d)", uint8(s))
}

// MarshalText writes the name.
func (s Sector) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Clock is the deadlines of one level of one sector.
type Clock struct {
	// Start: the recall must start (recipients notified, sale and use
	// stopped) within this time of its creation.
	Start time.Duration
	// Ack: every recipient must acknowledge within this time.
	Ack time.Duration
	// FinishWorkingDays: the recall must be finished within this many
	// working days (0: the sector's rules set no finish deadline).
	FinishWorkingDays int
}

// Clocks holds one Clock per sector and level, and the days that are not
// working days besides weekends.
type Clocks struct {
	Food, Drug, Other [3]Clock // indexed by level − 1
	// Holidays are dates (yyyymmdd) that are not working days; Workdays
	// are weekend dates that are (调休). Both empty by default: the
	// calendar is the operator's configuration.
	Holidays, Workdays map[uint32]bool
	// Location is the zone of working days (default Asia/Shanghai).
	Location *time.Location
}

// DefaultClocks returns the documented defaults (docs/recall.md):
//
//   - food, 食品召回管理办法 (2015) art. 13 and 16 [secondary source]: level
//     I, II, III start within 24, 48, 72 hours and finish within 10, 20, 30
//     working days; recipients acknowledge by the start deadline;
//   - drugs, 药品召回管理办法: notices within 1, 3, 7 days (the 2007
//     text's 24/48/72 h stop-use notices; the 2022 text reportedly 1/3/7
//     days [unverified]) — recipients acknowledge within 1, 3, 7 days; no
//     finish deadline in the text (progress reports instead);
//   - other products: the food table.
func DefaultClocks() Clocks {
	food := [3]Clock{
		{Start: 24 * time.Hour, Ack: 24 * time.Hour, FinishWorkingDays: 10},
		{Start: 48 * time.Hour, Ack: 48 * time.Hour, FinishWorkingDays: 20},
		{Start: 72 * time.Hour, Ack: 72 * time.Hour, FinishWorkingDays: 30},
	}
	drug := [3]Clock{
		{Start: 24 * time.Hour, Ack: 24 * time.Hour},
		{Start: 48 * time.Hour, Ack: 72 * time.Hour},
		{Start: 72 * time.Hour, Ack: 168 * time.Hour},
	}
	return Clocks{Food: food, Drug: drug, Other: food}
}

// Of returns the clock of a sector and level.
func (c *Clocks) Of(s Sector, l Level) Clock {
	if l < LevelI || l > LevelIII {
		return Clock{}
	}
	switch s {
	case SectorDrug:
		return c.Drug[l-1]
	case SectorOther:
		return c.Other[l-1]
	}
	return c.Food[l-1]
}

func (c *Clocks) loc() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}

// AddWorkingDays returns the end (the last millisecond) of the n-th
// working day after the day of from: a recall created on a Friday with 10
// working days finishes at the end of the second Friday after.
func (c *Clocks) AddWorkingDays(from time.Time, n int) time.Time {
	d := from.In(c.loc())
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, d.Location())
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		ymd := uint32(day.Year()*10000 + int(day.Month())*100 + day.Day())
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		if (weekend && !c.Workdays[ymd]) || c.Holidays[ymd] {
			continue
		}
		n--
	}
	return day.AddDate(0, 0, 1).Add(-time.Millisecond)
}

// Deadlines sets r's AckBy, StartBy and FinishBy from its sector, level
// and creation time.
func (c *Clocks) Deadlines(r *Recall) {
	k := c.Of(r.Sector, r.Level)
	t := time.UnixMilli(r.Created)
	r.StartBy = t.Add(k.Start).UnixMilli()
	r.AckBy = t.Add(k.Ack).UnixMilli()
	r.FinishBy = 0
	if k.FinishWorkingDays > 0 {
		r.FinishBy = c.AddWorkingDays(t, k.FinishWorkingDays).UnixMilli()
	}
}
