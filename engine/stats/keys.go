package stats

import (
	"encoding/binary"
	"fmt"
	"time"

	"tracecode/engine/internal/wire"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// cell is one stored count: the key of a StatCount record.
//
// # Representation (key 0xE0 | region u32 | category u8 | day u32 | metric u8, value version 1)
//
//	ver=1 | count uvarint
//
// Region 0 is the whole country, category 0 every category; day is the
// business day as yyyymmdd. Integers in the key are big-endian, so one
// region's and category's days are contiguous and in date order.
type cell struct {
	region uint32
	cat    model.Category
	day    uint32
	metric Metric
}

const countKeyLen = 1 + 4 + 1 + 4 + 1

func (c cell) appendKey(dst []byte) []byte {
	dst = append(dst, store.PrefixStatCount)
	dst = binary.BigEndian.AppendUint32(dst, c.region)
	dst = append(dst, byte(c.cat))
	dst = binary.BigEndian.AppendUint32(dst, c.day)
	return append(dst, byte(c.metric))
}

// decodeCountKey decodes a StatCount key.
func decodeCountKey(k []byte) (cell, error) {
	if len(k) != countKeyLen || k[0] != store.PrefixStatCount {
		return cell{}, &store.KeyError{Key: k, Want: "0xE0|region u32|category u8|day u32|metric u8"}
	}
	return cell{region: binary.BigEndian.Uint32(k[1:]), cat: model.Category(k[5]),
		day: binary.BigEndian.Uint32(k[6:]), metric: Metric(k[10])}, nil
}

const countVersion = 1

func appendCount(dst []byte, n uint64) []byte {
	return binary.AppendUvarint(append(dst, countVersion), n)
}

// decodeCount decodes a StatCount value.
func decodeCount(v []byte) (uint64, error) {
	d := wire.NewReader("stat count", v)
	d.Version(countVersion)
	d.Field = "count"
	n := d.Uvarint()
	return n, d.Done()
}

// mark is one StatActive record: org was active in a period.
//
// # Representation (key 0xE1 | org u32 | period u8 | day u32, value version 1)
//
//	ver=1
//
// Period 0 is the day, 1 the month (day is then its first day).
type mark struct {
	org    uint32
	period uint8
	day    uint32
}

func (m mark) appendKey(dst []byte) []byte {
	dst = append(dst, store.PrefixStatActive)
	dst = binary.BigEndian.AppendUint32(dst, m.org)
	dst = append(dst, m.period)
	return binary.BigEndian.AppendUint32(dst, m.day)
}

const markVersion = 1

// Day returns the business day of unix milliseconds ms in loc, as
// yyyymmdd.
func Day(ms int64, loc *time.Location) uint32 {
	y, m, d := time.UnixMilli(ms).In(loc).Date()
	return uint32(y*10000 + int(m)*100 + d)
}

// monthOf returns the first day of day's month.
func monthOf(day uint32) uint32 { return day/100*100 + 1 }

// ParseDay reads a date as yyyy-mm-dd or yyyymmdd and returns it as
// yyyymmdd.
func ParseDay(s string) (uint32, error) {
	for _, layout := range []string{time.DateOnly, "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1970 || t.Year() > 9999 {
				break
			}
			return dayOfTime(t), nil
		}
	}
	return 0, fmt.Errorf("stats: date %q is not yyyy-mm-dd", s)
}

func dayOfTime(t time.Time) uint32 {
	y, m, d := t.Date()
	return uint32(y*10000 + int(m)*100 + d)
}

// dayTime returns day as a UTC midnight.
func dayTime(day uint32) time.Time {
	return time.Date(int(day/10000), time.Month(day/100%100), int(day%100), 0, 0, 0, 0, time.UTC)
}

// FormatDay returns day (yyyymmdd) as yyyy-mm-dd.
func FormatDay(day uint32) string { return dayTime(day).Format(time.DateOnly) }
