package cylinder

import (
	"errors"
	"testing"

	"tracecode/engine/code/cn"
	cylcode "tracecode/engine/code/cn/cylinder"
)

func indexed(t testing.TB) *Index {
	t.Helper()
	x := NewIndex(nil)
	a := uscc(t, fillerA)
	x.PutStation(Station{Filler: a, Media: MediaSet(0).With(LPG)})
	c, err := cylcode.Parse("62 001 000456") // LPG, written without its variety
	if err != nil {
		t.Fatal(err)
	}
	x.PutCylinder(c, Cylinder{Registered: true, Medium: LPG, Filler: a, Made: day(2016, 5, 1), LastInspection: day(2024, 5, 1)})
	return x
}

func TestIndexCheck(t *testing.T) {
	x := indexed(t)
	for _, tc := range []struct {
		code  string
		allow bool
		why   Reasons
	}{
		{"62 001 000456", true, 0},
		{"3 62 001 000456", true, 0}, // the same cylinder with its variety
		{"362001000456", true, 0},
		{"3 62 001 000457", false, NotRegistered},
	} {
		d, err := x.Check(tc.code, fillerA, day(2026, 12, 7))
		if err != nil || d.Allow != tc.allow || d.Reasons != tc.why {
			t.Errorf("%s: %+v %v", tc.code, d, err)
		}
	}
	if d, _ := x.Check("62 001 000456", fillerA, day(2028, 5, 2)); d.Reasons != InspectionOverdue {
		t.Errorf("after the period: %v", d.Reasons.AppendIDs(nil))
	}
	if _, err := x.Check("7 62 001 000456", fillerA, day(2026, 12, 7)); !errors.Is(err, cn.ErrRange) {
		t.Errorf("bad code: %v", err)
	}
	if _, err := x.Check("62 001 000456", otherFiller(t).String(), day(2026, 12, 7)); !errors.Is(err, ErrUnknownStation) {
		t.Errorf("unknown station: %v", err)
	}
	if x.Len() != 1 {
		t.Errorf("Len %d", x.Len())
	}
}

func TestIndexCheckAllocs(t *testing.T) {
	x := indexed(t)
	var sink Decision
	if n := testing.AllocsPerRun(1000, func() { sink, _ = x.Check("3 62 001 000456", fillerA, day(2026, 12, 7)) }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	_ = sink
}

// BenchmarkIndexCheck is the whole in-process check a station's request
// makes: parse the scanned code and the station's USCC, look both up,
// decide.
func BenchmarkIndexCheck(b *testing.B) {
	x := indexed(b)
	for i := range 100_000 {
		c, _ := cylcode.Parse("1 62 002 " + string(rune('0'+i/100000%10)) + fmtSeq(i))
		x.PutCylinder(c, Cylinder{Registered: true, Medium: O2})
	}
	b.ReportAllocs()
	today := day(2026, 12, 7)
	for b.Loop() {
		if d, err := x.Check("3 62 001 000456", fillerA, today); err != nil || !d.Allow {
			b.Fatal(d, err)
		}
	}
}

func fmtSeq(i int) string {
	var b [5]byte
	for k := 4; k >= 0; k-- {
		b[k] = byte('0' + i%10)
		i /= 10
	}
	return string(b[:])
}
