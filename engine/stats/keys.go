package stats

import (
	"fmt"
	"time"

	"tracecode/engine/internal/wire"
	"tracecode/engine/model"
	"tracecode/engine/store"
)

// row is one stored StatCount record: every category's counts of a
// region (or an organisation) on a day.
//
// # Representation (key 0xE0 | region u32 | day u32, value version 1)
//
//	ver=1 | k uvarint | k × (category u8 | n uvarint | n × (metric u8 | count uvarint))
//
// Categories and, within one, metrics in increasing order, each present
// only with a non-zero count (a metric this build does not know, written
// by a newer one, is read and ignored). Category
// 0 holds what has no category: the organisation metrics and records
// naming no product. Region 2^31 | org is an organisation's own row
// (OrgRow); day is the business day as yyyymmdd. Integers in the key are
// big-endian, so one region's days are contiguous and in date order.
type row struct {
	region uint32
	day    uint32
}

func (r row) appendKey(dst []byte) []byte {
	return store.AppendStatCountKey(dst, r.region, r.day)
}

// decodeRowKey decodes a StatCount key.
func decodeRowKey(k []byte) (row, error) {
	region, day, err := store.DecodeStatCountKey(k)
	return row{region: region, day: day}, err
}

// rowCounts is a row's value: the counts of each category present, in
// increasing category order.
type rowCounts []catCounts

type catCounts struct {
	cat model.Category
	c   Counts
}

// of returns the counts of category cat, adding them (zero) if absent.
func (rc *rowCounts) of(cat model.Category) *Counts {
	for i := range *rc {
		if (*rc)[i].cat == cat {
			return &(*rc)[i].c
		}
	}
	i := len(*rc)
	for i > 0 && (*rc)[i-1].cat > cat {
		i--
	}
	*rc = append(*rc, catCounts{})
	copy((*rc)[i+1:], (*rc)[i:])
	(*rc)[i] = catCounts{cat: cat}
	return &(*rc)[i].c
}

// add adds o's counts to rc's.
func (rc *rowCounts) add(o rowCounts) {
	for i := range o {
		c := rc.of(o[i].cat)
		for m, n := range o[i].c {
			c[m] += n
		}
	}
}

// sum adds the counts of category cat (every category for 0) to dst.
func (rc rowCounts) sum(cat model.Category, dst *Counts) {
	for i := range rc {
		if cat != 0 && rc[i].cat != cat {
			continue
		}
		for m, n := range rc[i].c {
			dst[m] += n
		}
	}
}

const rowVersion = 1

// appendRow appends rc's value encoding.
func appendRow(dst []byte, rc rowCounts) []byte {
	w := wire.Writer{B: dst}
	w.Version(rowVersion)
	w.Count(len(rc))
	for i := range rc {
		c := &rc[i].c
		n := 0
		for _, v := range c {
			if v != 0 {
				n++
			}
		}
		w.U8(uint8(rc[i].cat))
		w.Count(n)
		for m, v := range c {
			if v != 0 {
				w.U8(uint8(m))
				w.Uvarint(v)
			}
		}
	}
	return w.B
}

// decodeRow decodes a StatCount value into rc (reusing its storage).
func decodeRow(v []byte, rc *rowCounts) error {
	*rc = (*rc)[:0]
	d := wire.NewReader("stat counts", v)
	d.Version(rowVersion)
	d.Field = "categories"
	k := d.Uvarint()
	if d.Err == nil && k > 256 {
		d.Fail(fmt.Sprintf("%d categories, at most 256", k))
	}
	last := -1
	for range k {
		d.Field = "category"
		cat := d.U8()
		if d.Err == nil && int(cat) <= last {
			d.Fail(fmt.Sprintf("category %d after %d", cat, last))
		}
		last = int(cat)
		d.Field = "n"
		n := d.Uvarint()
		if d.Err == nil && n > 256 {
			d.Fail(fmt.Sprintf("%d counts, at most 256", n))
		}
		if d.Err != nil {
			break
		}
		*rc = append(*rc, catCounts{cat: model.Category(cat)})
		c := &(*rc)[len(*rc)-1].c
		lastM := -1
		for range n {
			d.Field = "metric"
			m := d.U8()
			if d.Err == nil && int(m) <= lastM {
				d.Fail(fmt.Sprintf("metric %d after %d", m, lastM))
			}
			lastM = int(m)
			d.Field = "count"
			x := d.Uvarint()
			if d.Err != nil {
				break
			}
			if int(m) < len(c) {
				c[m] = x
			}
		}
	}
	return d.Done()
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
	return store.AppendStatActiveKey(dst, m.org, m.period, m.day)
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
