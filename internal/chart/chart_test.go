package chart

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func TestMicros(t *testing.T) {
	for us, want := range map[float64]string{0.5: "0.5µs", 250: "250µs", 1500: "1.5ms", 2.5e6: "2.5s"} {
		if got := Micros(us); got != want {
			t.Errorf("Micros(%v) = %q, want %q", us, got, want)
		}
	}
}

// TestPNGEmptyLogAxis renders a latency plot without data: the log axis
// must still get a positive range (gonum refuses [+Inf, −Inf]).
func TestPNGEmptyLogAxis(t *testing.T) {
	p := New("empty", "x", "latency")
	LogLatencyAxis(p)
	b, err := PNG(p, 4*vg.Inch, 2*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if u := string(DataURL(b)); !strings.HasPrefix(u, "data:image/png;base64,") {
		t.Fatalf("DataURL = %.40q…", u)
	}
}

func TestAddLineSkipsEmptyAndDropsNonPositive(t *testing.T) {
	p := New("t", "x", "y")
	if err := AddLine(p, "empty", nil, 0, false); err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(p.X.Min, 1) {
		t.Fatalf("empty series added data (x from %v)", p.X.Min)
	}
	xys := Positive(plotter.XYs{{X: 1, Y: 0}, {X: 2, Y: 5}, {X: 3, Y: -1}})
	if len(xys) != 1 || xys[0].X != 2 {
		t.Fatalf("Positive kept %v", xys)
	}
	if err := AddLine(p, "one", xys, 9, true); err != nil {
		t.Fatal(err)
	}
	if p.X.Min != 2 || p.X.Max != 2 || p.Y.Min != 5 || p.Y.Max != 5 {
		t.Fatalf("axes x %v–%v y %v–%v, want the one point (2, 5)", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
}
