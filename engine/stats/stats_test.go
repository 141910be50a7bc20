package stats

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"tracecode/engine/model"
	"tracecode/engine/store"
)

// TestRowRoundTrip: a row's value encodes the non-zero counts of each
// category and decodes to the same counts; the bytes are pinned.
func TestRowRoundTrip(t *testing.T) {
	var rc rowCounts
	rc.of(model.CatFood)[Commissioned] = 300
	rc.of(0)[OrgsActive] = 1
	rc.of(model.CatFood)[LagBucket(time.Hour)] = 2
	v := appendRow(nil, rc)
	want := []byte{1, 2, 0, 1, byte(OrgsActive), 1, byte(model.CatFood), 2, byte(Commissioned), 0xAC, 0x02, byte(Lag0 + 2), 2}
	if !bytes.Equal(v, want) {
		t.Fatalf("encoding % x, want % x", v, want)
	}
	var got rowCounts
	if err := decodeRow(v, &got); err != nil {
		t.Fatal(err)
	}
	var sum, food Counts
	got.sum(0, &sum)
	got.sum(model.CatFood, &food)
	if sum.Get(Commissioned) != 300 || sum.Get(OrgsActive) != 1 || food.Get(OrgsActive) != 0 || food.Get(Lag0+2) != 2 {
		t.Errorf("decoded %+v", got)
	}
}

// TestDecodeRowErrors: a damaged value names its field and wraps the
// store's sentinels.
func TestDecodeRowErrors(t *testing.T) {
	for _, c := range []struct {
		v    []byte
		want string
		err  error
	}{
		{[]byte{2, 0}, "version 2", store.ErrVersion},
		{[]byte{1, 1, 3}, "n:", store.ErrCorrupt},
		{[]byte{1, 2, 3, 0, 2, 0}, "category 2 after 3", store.ErrCorrupt},
		{[]byte{1, 1, 3, 2, 5, 1, 4, 1}, "metric 4 after 5", store.ErrCorrupt},
		{[]byte{1, 1, 3, 1, 5, 1, 9}, "trailing", store.ErrCorrupt},
		{[]byte{1, 1, 3, 1, 5}, "count", store.ErrCorrupt},
	} {
		var rc rowCounts
		err := decodeRow(c.v, &rc)
		if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("% x: %v, want %v naming %q", c.v, err, c.err, c.want)
		}
	}
}

// TestLagBucket: the bucket bounds are inclusive; a record made before
// its event counts in the first.
func TestLagBucket(t *testing.T) {
	for _, c := range []struct {
		lag  time.Duration
		want string
	}{{-time.Minute, "lag_le1m"}, {0, "lag_le1m"}, {time.Minute, "lag_le1m"}, {time.Minute + 1, "lag_le10m"},
		{24 * time.Hour, "lag_le1d"}, {7 * 24 * time.Hour, "lag_le7d"}, {30 * 24 * time.Hour, "lag_gt7d"}} {
		if got := LagBucket(c.lag).String(); got != c.want {
			t.Errorf("LagBucket(%v) = %s, want %s", c.lag, got, c.want)
		}
	}
}

// TestParseDay: both spellings, and an error naming the input.
func TestParseDay(t *testing.T) {
	for in, want := range map[string]uint32{"2026-03-01": 20260301, "20260301": 20260301, "2024-02-29": 20240229} {
		if got, err := ParseDay(in); err != nil || got != want {
			t.Errorf("ParseDay(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-02-30", "2026-3-1", "1969-12-31", "tomorrow"} {
		if _, err := ParseDay(in); err == nil || !strings.Contains(err.Error(), "yyyy-mm-dd") {
			t.Errorf("ParseDay(%q): %v, want an error", in, err)
		}
	}
}

// FuzzDecodeRow: any bytes decode or fail without panicking, and what
// decodes re-encodes to a value that decodes to the same counts.
func FuzzDecodeRow(f *testing.F) {
	var rc rowCounts
	rc.of(model.CatDrug)[Dispensed] = 12
	rc.of(0)[OrgsRegistered] = 3
	f.Add(appendRow(nil, rc))
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, v []byte) {
		var a, b rowCounts
		if decodeRow(v, &a) != nil {
			return
		}
		if err := decodeRow(appendRow(nil, a), &b); err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
		var sa, sb Counts
		a.sum(0, &sa)
		b.sum(0, &sb)
		if sa != sb {
			t.Fatalf("round trip changed the counts: %v → %v", sa, sb)
		}
	})
}

// FuzzParseDay: no panic; an accepted day formats back to a date that
// parses to the same day.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-03-01", "20260301", "2026-02-30", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDay(s)
		if err != nil {
			return
		}
		if d2, err := ParseDay(FormatDay(d)); err != nil || d2 != d {
			t.Fatalf("%q → %d → %q → %d, %v", s, d, FormatDay(d), d2, err)
		}
	})
}
