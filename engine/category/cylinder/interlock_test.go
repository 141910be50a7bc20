package cylinder

import (
	"slices"
	"testing"

	"tracecode/engine/category"
	"tracecode/engine/code/cn"
)

func uscc(t testing.TB, s string) cn.USCC {
	t.Helper()
	u, err := cn.ParseUSCC(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

const fillerA = "91350100M000100Y43"

// otherFiller returns a second valid USCC, in Lanzhou.
func otherFiller(t testing.TB) cn.USCC {
	t.Helper()
	r, err := cn.ParseRegion("620102")
	if err != nil {
		t.Fatal(err)
	}
	u, err := cn.NewUSCC('9', '1', r, "MA71Q8RT")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func day(y, m, d int) category.Date { return category.MakeDate(y, m, d) }

// TestCheckFillReasons: every reason is found, alone and together.
func TestCheckFillReasons(t *testing.T) {
	a := uscc(t, fillerA)
	b := otherFiller(t)
	station := Station{Filler: a, Media: MediaSet(0).With(O2).With(N2)}
	good := Cylinder{Registered: true, Medium: O2, Filler: a, Made: day(2020, 3, 1), LastInspection: day(2024, 3, 1)}
	tab := DefaultTable()
	today := day(2026, 12, 7)
	for _, tc := range []struct {
		name string
		mod  func(c *Cylinder)
		want []string
	}{
		{"allowed", func(*Cylinder) {}, nil},
		{"not registered", func(c *Cylinder) { *c = Cylinder{} }, []string{"not-registered"}},
		{"not bound", func(c *Cylinder) { c.Filler = cn.USCC{} }, []string{"not-bound"}},
		{"bound elsewhere", func(c *Cylinder) { c.Filler = b }, []string{"bound-elsewhere"}},
		{"overdue", func(c *Cylinder) { c.LastInspection = day(2023, 12, 6) }, []string{"inspection-overdue"}},
		{"never inspected, made long ago", func(c *Cylinder) { c.LastInspection = category.NoDate }, []string{"inspection-overdue"}},
		{"failed", func(c *Cylinder) { c.Failed = true }, []string{"inspection-failed"}},
		{"scrapped", func(c *Cylinder) { c.Scrapped = true }, []string{"scrapped"}},
		{"past scrap age", func(c *Cylinder) { c.ScrapYears = 6 }, []string{"past-scrap-age"}},
		{"wrong medium", func(c *Cylinder) { c.Medium = CO2 }, []string{"wrong-medium"}},
		{"unknown medium", func(c *Cylinder) { c.Medium = MediumUnknown }, []string{"unknown-medium"}},
		{"everything at once", func(c *Cylinder) {
			c.Filler, c.LastInspection, c.Failed, c.Scrapped, c.ScrapYears, c.Medium = b, day(2020, 3, 1), true, true, 5, CO2
		}, []string{"bound-elsewhere", "inspection-overdue", "inspection-failed", "scrapped", "past-scrap-age", "wrong-medium"}},
	} {
		c := good
		tc.mod(&c)
		d := CheckFill(&c, &station, today, tab)
		got := d.Reasons.AppendIDs(nil)
		if !slices.Equal(got, tc.want) || d.Allow != (len(tc.want) == 0) {
			t.Errorf("%s: allow %v reasons %v, want %v", tc.name, d.Allow, got, tc.want)
		}
	}
}

// TestPeriods: the due date follows the medium's period, the override and
// LPG's shorter period after 12 years; the day after the due date is
// overdue, the due date itself is not.
func TestPeriods(t *testing.T) {
	a := uscc(t, fillerA)
	tab := DefaultTable()
	all := MediaSet(^uint32(0))
	st := Station{Filler: a, Media: all}
	for _, tc := range []struct {
		name string
		c    Cylinder
		due  category.Date
	}{
		{"N2 five years", Cylinder{Medium: N2, Made: day(2020, 1, 31), LastInspection: day(2021, 1, 31)}, day(2026, 1, 31)},
		{"Cl2 two years", Cylinder{Medium: Cl2, Made: day(2020, 1, 1), LastInspection: day(2024, 2, 29)}, day(2026, 2, 28)},
		{"O2 three years", Cylinder{Medium: O2, Made: day(2020, 1, 1), LastInspection: category.NoDate}, day(2023, 1, 1)},
		{"LPG four years", Cylinder{Medium: LPG, Made: day(2014, 5, 1), LastInspection: day(2022, 5, 1)}, day(2026, 5, 1)},
		{"LPG three years after twelve", Cylinder{Medium: LPG, Made: day(2010, 5, 1), LastInspection: day(2022, 5, 1)}, day(2025, 5, 1)},
		{"registered period", Cylinder{Medium: N2, PeriodMonths: 24, Made: day(2020, 1, 1), LastInspection: day(2024, 6, 1)}, day(2026, 6, 1)},
	} {
		c := tc.c
		c.Registered, c.Filler = true, a
		d := CheckFill(&c, &st, tc.due, tab)
		if d.Due != tc.due || d.Reasons&InspectionOverdue != 0 {
			t.Errorf("%s: due %v reasons %v, want due %v and not overdue on it", tc.name, d.Due, d.Reasons.AppendIDs(nil), tc.due)
		}
		if d := CheckFill(&c, &st, tc.due+1, tab); d.Reasons&InspectionOverdue == 0 {
			t.Errorf("%s: not overdue the day after %v", tc.name, tc.due)
		}
	}
	// LPG's 15-year life from the table; a cylinder's own scrap age wins.
	c := Cylinder{Registered: true, Filler: a, Medium: LPG, Made: day(2011, 6, 1), LastInspection: day(2025, 1, 1)}
	if d := CheckFill(&c, &st, day(2026, 6, 1), tab); d.ScrapBy != day(2026, 6, 1) || d.Reasons != PastScrapAge {
		t.Errorf("LPG life: scrap by %v reasons %v", d.ScrapBy, d.Reasons.AppendIDs(nil))
	}
	c.ScrapYears = 20
	if d := CheckFill(&c, &st, day(2026, 6, 1), tab); d.Reasons != 0 {
		t.Errorf("LPG with a 20-year scrap age: %v", d.Reasons.AppendIDs(nil))
	}
	// The table is configurable.
	t2 := DefaultTable()
	if err := t2.Set(O2, Period{Months: 12}); err != nil {
		t.Fatal(err)
	}
	o := Cylinder{Registered: true, Filler: a, Medium: O2, Made: day(2025, 1, 1), LastInspection: day(2025, 1, 1)}
	if d := CheckFill(&o, &st, day(2026, 1, 2), t2); d.Reasons != InspectionOverdue {
		t.Errorf("O2 with a 12-month period: %v", d.Reasons.AppendIDs(nil))
	}
	if err := t2.Set(MediumUnknown, Period{Months: 12}); err == nil {
		t.Error("Set accepted the unknown medium")
	}
}

func TestReasonsText(t *testing.T) {
	r := BoundElsewhere | InspectionOverdue
	if got := r.Text("en"); got != "bound to another filling unit, periodic inspection overdue" {
		t.Errorf("en: %q", got)
	}
	if got := r.Text("zh"); got != "已绑定其他充装单位、定期检验已过期" {
		t.Errorf("zh: %q", got)
	}
}

func TestCheckFillAllocs(t *testing.T) {
	a := uscc(t, fillerA)
	c := Cylinder{Registered: true, Medium: LPG, Filler: a, Made: day(2014, 1, 1), LastInspection: day(2022, 1, 1)}
	s := Station{Filler: a, Media: MediaSet(0).With(LPG)}
	tab := DefaultTable()
	var sink Decision
	if n := testing.AllocsPerRun(1000, func() { sink = CheckFill(&c, &s, day(2026, 12, 7), tab) }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
	_ = sink
}

// BenchmarkCheckFill is the interlock's in-process decision, the part of a
// station's check-fill request that is ours: allowed (every check passes)
// and denied (every check fails, all reasons collected).
func BenchmarkCheckFill(b *testing.B) {
	a := uscc(b, fillerA)
	tab := DefaultTable()
	s := Station{Filler: a, Media: MediaSet(0).With(LPG).With(O2)}
	for _, bc := range []struct {
		name string
		c    Cylinder
	}{
		{"case=allow", Cylinder{Registered: true, Medium: LPG, Filler: a, Made: day(2014, 1, 1), LastInspection: day(2024, 1, 1)}},
		{"case=deny-all", Cylinder{Registered: true, Medium: CO2, Made: day(2000, 1, 1), LastInspection: day(2010, 1, 1), Failed: true, Scrapped: true, ScrapYears: 10}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			today := day(2026, 12, 7)
			var d Decision
			for b.Loop() {
				d = CheckFill(&bc.c, &s, today, tab)
			}
			if (bc.name == "case=allow") != d.Allow {
				b.Fatalf("%s: %+v", bc.name, d)
			}
		})
	}
}
