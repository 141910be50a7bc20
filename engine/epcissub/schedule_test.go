package epcissub

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"tracecode/engine/epcisq"
)

func TestScheduleNext(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, shanghai) // a Sunday
	for _, c := range []struct {
		s    Schedule
		want string
	}{
		{Schedule{Minute: "30"}, "2026-03-01T08:30:00+08:00"},
		{Schedule{Minute: "0"}, "2026-03-01T09:00:00+08:00"},
		{Schedule{Second: "15,45"}, "2026-03-01T08:00:15+08:00"},
		{Schedule{Hour: "[2-3]", Minute: "5"}, "2026-03-02T02:05:00+08:00"},
		{Schedule{DayOfWeek: "1", Hour: "6", Minute: "0"}, "2026-03-02T06:00:00+08:00"},
		{Schedule{DayOfMonth: "29", Month: "2", Hour: "0", Minute: "0"}, "2028-02-29T00:00:00+08:00"},
		{Schedule{Month: "12", DayOfMonth: "31", Hour: "23", Minute: "59", Second: "59"}, "2026-12-31T23:59:59+08:00"},
	} {
		got, ok := c.s.Next(at, shanghai)
		if !ok || got.Format(time.RFC3339) != c.want {
			t.Errorf("%+v: %v %v, want %s", c.s, got, ok, c.want)
		}
	}
	if _, ok := (Schedule{DayOfMonth: "30", Month: "2"}).Next(at, shanghai); ok {
		t.Error("30 February fires")
	}
	for _, c := range []struct {
		s    Schedule
		want string
	}{
		{Schedule{Second: "60"}, "schedule.second"},
		{Schedule{Minute: "a"}, "schedule.minute"},
		{Schedule{Hour: "5-3"}, "schedule.hour"},
		{Schedule{DayOfMonth: "0"}, "schedule.dayOfMonth"},
		{Schedule{Month: "1,,2"}, "schedule.month"},
		{Schedule{DayOfWeek: "8"}, "schedule.dayOfWeek"},
	} {
		if err := c.s.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error naming %s", c.s, err, c.want)
		}
	}
}

// FuzzSchedule: any field value is accepted or refused without a panic,
// and an accepted schedule's next time matches it.
func FuzzSchedule(f *testing.F) {
	f.Add("0", "30", "8", "", "", "")
	f.Add("", "[0-5]", "1,2,3", "1-31", "2", "7")
	f.Add("59", "", "", "29", "2", "")
	f.Fuzz(func(t *testing.T, sec, min, hour, dom, month, dow string) {
		s := Schedule{sec, min, hour, dom, month, dow}
		if s.Check() != nil {
			return
		}
		at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		next, ok := s.Next(at, time.UTC)
		if !ok {
			return
		}
		if !next.After(at) {
			t.Fatalf("%+v: next %v is not after %v", s, next, at)
		}
		f, _ := s.compile()
		wd := int(next.Weekday())
		if wd == 0 {
			wd = 7
		}
		for _, c := range [...]struct {
			set uint64
			v   int
		}{{f.sec, next.Second()}, {f.min, next.Minute()}, {f.hour, next.Hour()}, {f.dom, next.Day()}, {f.month, int(next.Month())}, {f.dow, wd}} {
			if c.set&(1<<c.v) == 0 {
				t.Fatalf("%+v: next %v does not match", s, next)
			}
		}
	})
}

// FuzzDecodeSubscription: any stored value decodes or fails without a
// panic, and a decoded one encodes back to the same bytes.
func FuzzDecodeSubscription(f *testing.F) {
	s := Subscription{ID: 7, Owner: "org:1", Query: "q", Params: []epcisq.Param{{Name: "EQ_bizStep", Value: "shipping|receiving"}},
		KeyID: 3, Org: 1, Scopes: 4, Dest: "https://x.example.cn/", Token: "0123456789abcdef", Stream: true,
		Created: 1, Cursor: 9, Batch: 500, Inflight: 2, InflightHi: 11, InflightN: 3, LastError: "x"}
	f.Add(s.AppendBinary(nil))
	s.Stream, s.Schedule, s.ReportIfEmpty = false, Schedule{Minute: "5"}, true
	f.Add(s.AppendBinary(nil))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := DecodeSubscription(7, v)
		if err != nil {
			return
		}
		again := got.AppendBinary(nil)
		back, err := DecodeSubscription(7, again)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("%x decodes to %+v, which encodes to %x, which decodes to %+v (%v)", v, got, again, back, err)
		}
	})
}
