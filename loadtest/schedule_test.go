package loadtest

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestScheduleConstant(t *testing.T) {
	s, err := NewSchedule([]Phase{{Rate: 1000, Duration: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Total() != 2000 {
		t.Fatalf("total %d, want 2000", s.Total())
	}
	// Request i is meant to go at exactly i ms: the wrk2 schedule.
	for _, i := range []int64{0, 1, 2, 999, 1000, 1999} {
		if got, want := s.At(i), i*int64(time.Millisecond); got != want {
			t.Errorf("At(%d) = %d, want %d", i, got, want)
		}
	}
}

func TestScheduleSteps(t *testing.T) {
	s, err := NewSchedule([]Phase{
		{Rate: 100, Duration: time.Second, Warmup: true},
		{Rate: 200, Duration: 500 * time.Millisecond},
		{Rate: 400, Duration: 250 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFirst := []int64{0, 100, 200}
	for p, w := range wantFirst {
		first, end := s.PhaseRange(p)
		if first != w {
			t.Errorf("phase %d first index %d, want %d", p, first, w)
		}
		if got := s.At(first); got != int64(s.PhaseStart(p)) {
			t.Errorf("phase %d: first request at %v, want the phase start %v", p, time.Duration(got), s.PhaseStart(p))
		}
		// Every request of a phase falls inside it.
		next := int64(s.Duration())
		if p+1 < len(wantFirst) {
			next = int64(s.PhaseStart(p + 1))
		}
		if last := s.At(end - 1); last >= next || last < int64(s.PhaseStart(p)) {
			t.Errorf("phase %d: last request at %v outside [%v, %v)", p, time.Duration(last), s.PhaseStart(p), time.Duration(next))
		}
	}
	if s.Total() != 300 || s.Duration() != 1750*time.Millisecond {
		t.Errorf("total %d duration %v", s.Total(), s.Duration())
	}
	// Phase 1 is 200/s from 1 s: request 100+k at 1 s + 5 ms·k.
	if got, want := s.At(110), int64(time.Second+50*time.Millisecond); got != want {
		t.Errorf("At(110) = %v, want %v", time.Duration(got), time.Duration(want))
	}
	assertMonotone(t, s)
	if s.PhaseOf(299) != 2 || s.PhaseOf(300) != 3 {
		t.Errorf("PhaseOf: %d %d", s.PhaseOf(299), s.PhaseOf(300))
	}
}

func TestScheduleRamp(t *testing.T) {
	// 0 → 2000 req/s over 1 s: 1000 requests, N(t) = 1000·t², so request j
	// is meant at √(j/1000) s.
	s, err := NewSchedule([]Phase{{Rate: 0, EndRate: 2000, Duration: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Total() != 1000 {
		t.Fatalf("total %d, want 1000", s.Total())
	}
	for _, j := range []int64{1, 10, 250, 999} {
		want := math.Sqrt(float64(j)/1000) * 1e9
		if got := float64(s.At(j)); math.Abs(got-want) > 1 {
			t.Errorf("At(%d) = %.0f ns, want %.0f", j, got, want)
		}
	}
	assertMonotone(t, s)
	// An up-ramp's gaps shrink.
	if g1, g2 := s.At(11)-s.At(10), s.At(901)-s.At(900); g2 >= g1 {
		t.Errorf("gaps %d then %d: want shrinking", g1, g2)
	}
	// Down-ramp 1000 → 500 over 2 s: 1500 requests, gaps grow.
	d, err := NewSchedule([]Phase{{Rate: 1000, EndRate: 500, Duration: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Total() != 1500 {
		t.Fatalf("down-ramp total %d", d.Total())
	}
	assertMonotone(t, d)
	if d.At(d.Total()-1) >= int64(2*time.Second) {
		t.Errorf("last request after the phase end")
	}
}

func assertMonotone(t *testing.T, s *Schedule) {
	t.Helper()
	for i := int64(1); i < s.Total(); i++ {
		if s.At(i) < s.At(i-1) {
			t.Fatalf("At(%d) = %d < At(%d) = %d", i, s.At(i), i-1, s.At(i-1))
		}
	}
}

func TestScheduleInvalid(t *testing.T) {
	for _, ph := range [][]Phase{
		nil,
		{{Rate: 10, Duration: 0}},
		{{Rate: -1, Duration: time.Second}},
		{{Rate: 0, Duration: time.Second}},
		{{Rate: 1e9, Duration: time.Second}},
	} {
		if _, err := NewSchedule(ph); !errors.Is(err, ErrSchedule) {
			t.Errorf("%+v: err = %v, want ErrSchedule", ph, err)
		}
	}
}

func BenchmarkScheduleAt(b *testing.B) {
	s, _ := NewSchedule([]Phase{{Rate: 1000, EndRate: 5000, Duration: time.Minute}})
	b.ReportAllocs()
	var sink int64
	for i := 0; b.Loop(); i++ {
		sink += s.at(0, int64(i)%s.Total())
	}
	_ = sink
}
