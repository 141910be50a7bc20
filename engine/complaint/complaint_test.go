package complaint

import (
	"errors"
	"strings"
	"testing"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/store"
)

var cst = time.FixedZone("CST", 8*3600)

func covers(region, code uint32) bool {
	for code > region {
		if code > 999999 {
			code /= 1000
		} else if code%100 != 0 {
			code = code / 100 * 100
		} else if code%10000 != 0 {
			code = code / 10000 * 10000
		} else {
			return false
		}
		if code == region {
			return true
		}
	}
	return code == region
}

func TestCalendarDeadline(t *testing.T) {
	c := DefaultCalendar()
	for _, tc := range []struct{ filed, due string }{
		// Monday 2 March: the 7th working day after it is Wednesday 11 March.
		{"2026-03-02 09:00", "2026-03-11"},
		// Friday 2026-09-18: 9-20 is a working Sunday, 9-25..27 are
		// the Mid-Autumn holidays.
		{"2026-09-18 15:00", "2026-09-29"},
		// Across the National Day holidays, with 10-10 a working Saturday.
		{"2026-09-30 10:00", "2026-10-15"},
		// Spring Festival 2027 (statutory days only).
		{"2027-02-04 10:00", "2027-02-17"},
	} {
		f, _ := time.ParseInLocation("2006-01-02 15:04", tc.filed, cst)
		d := c.Deadline(f, 7)
		if got := d.Add(-time.Millisecond).Format("2006-01-02"); got != tc.due {
			t.Errorf("filed %s: due end of %s, want %s", tc.filed, got, tc.due)
		}
	}
	if c.Working(time.Date(2026, 10, 1, 12, 0, 0, 0, cst)) || !c.Working(time.Date(2026, 10, 10, 12, 0, 0, 0, cst)) {
		t.Error("National Day or its working Saturday")
	}
	bad := NewCalendar(cst)
	for in, want := range map[string]string{"2026-13-01 holiday": "line 1", "# x\n2026-10-01 rest": "line 2", "2026-10-05 workday": "Monday", "2026-10-01": "line 1"} {
		if err := bad.Parse([]byte(in)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error naming %s", in, err, want)
		}
	}
	if len(bad.Days()) != 0 {
		t.Error("a refused file added days")
	}
}

func FuzzParseCalendar(f *testing.F) {
	b, _ := calendarFiles.ReadFile("calendars/cn-2026.txt")
	f.Add(b)
	f.Add([]byte("2027-02-07 workday x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := NewCalendar(cst)
		if err := c.Parse(b); err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatal(err)
			}
			return
		}
		// What parsed writes back as lines that parse to the same days.
		c2 := NewCalendar(cst)
		if err := c2.Parse([]byte(strings.Join(c.Days(), "\n"))); err != nil {
			t.Fatal(err)
		}
		if strings.Join(c.Days(), "|") != strings.Join(c2.Days(), "|") {
			t.Fatal("round trip differs")
		}
	})
}

func openDesk(t *testing.T) (*store.DB, *Desk, *alert.Evaluator) {
	t.Helper()
	db, err := store.Open(t.TempDir(), &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err := Open(db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ax, err := alert.New(db, alert.Config{}, OverdueRule{})
	if err != nil {
		t.Fatal(err)
	}
	d.SetAlerts(ax)
	return db, d, ax
}

var (
	subj = Subject{Code: "https://id.example/01/06901234000115/21/A1", Product: 1, Lot: 2, Producer: 1, Seller: 4, Region: 620102}
	jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 100)...)
	t0   = time.Date(2026, 3, 2, 9, 0, 0, 0, cst).UnixMilli()
)

func TestSubmitLookupAct(t *testing.T) {
	_, d, ax := openDesk(t)
	in := Input{Code: subj.Code, Name: "张三", Phone: "138 0000 1234", Text: "奶粉结块,有异味", Photos: [][]byte{jpeg}}
	c, err := d.Submit(in, subj, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tracking) != 14 || c.State != Received || time.UnixMilli(c.Due-1).In(cst).Format("2006-01-02") != "2026-03-11" {
		t.Fatalf("%+v", c)
	}
	// Duplicate within the window; the same text tomorrow is new.
	if _, err := d.Submit(in, subj, t0+3600e3); !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), c.Tracking) {
		t.Errorf("duplicate: %v", err)
	}
	// The complainant looks it up with the phone; another phone sees nothing.
	if st, err := d.Lookup(c.Tracking, "138 0000 1234"); err != nil || st.State != Received {
		t.Errorf("lookup: %v %+v", err, st)
	}
	if _, err := d.Lookup(c.Tracking, "139 0000 1234"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another phone: %v", err)
	}
	county := Viewer{Region: 620102, Covers: covers}
	other := Viewer{Region: 620503, Covers: covers}
	producer := Viewer{Org: 1}
	if cs, _ := d.Inbox(county, 0); len(cs) != 1 || cs[0].Phone == "" {
		t.Errorf("county inbox: %+v", cs)
	}
	if cs, _ := d.Inbox(other, 0); len(cs) != 0 {
		t.Errorf("another county's inbox: %+v", cs)
	}
	cs, _ := d.Inbox(producer, 0)
	if len(cs) != 1 || cs[0].Name != "" || cs[0].Phone != "" || len(cs[0].Photos) != 0 {
		t.Errorf("the producer sees the complainant: %+v", cs)
	}
	if _, _, err := d.Photo(producer, c.Tracking, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("the producer reads a photo: %v", err)
	}
	if b, typ, err := d.Photo(county, c.Tracking, 0); err != nil || typ != "image/jpeg" || len(b) != len(jpeg) {
		t.Errorf("photo: %v %s %d", err, typ, len(b))
	}
	// Hostile steps.
	if _, err := d.Act(producer, "key:p", c.Tracking, Accept, "", t0); !errors.Is(err, ErrForbidden) {
		t.Errorf("the producer accepts: %v", err)
	}
	if _, err := d.Act(other, "key:o", c.Tracking, Accept, "", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("another county accepts: %v", err)
	}
	if _, err := d.Act(county, "key:c", c.Tracking, Close, "done", t0); !errors.Is(err, ErrState) {
		t.Errorf("close before accept: %v", err)
	}
	if _, err := d.Act(county, "key:c", c.Tracking, Accept, "", t0+1000); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Act(county, "key:c", c.Tracking, Close, "", t0+2000); !errors.Is(err, ErrInvalid) {
		t.Errorf("close without result: %v", err)
	}
	if _, err := d.Act(county, "key:c", c.Tracking, Close, "责令经营者退货并处罚", t0+2000); err != nil {
		t.Fatal(err)
	}
	st, _ := d.Lookup(c.Tracking, "138 0000 1234")
	if st.State != Closed || st.Result != "责令经营者退货并处罚" || len(st.Steps) != 3 {
		t.Errorf("status after closing: %+v", st)
	}
	// The accepted complaint's deadline was cancelled: nothing fires.
	if _, err := ax.NewScheduler(func() time.Time { return time.UnixMilli(c.Due + 1) }, nil).FireDue(); err != nil {
		t.Fatal(err)
	}
	if as, _ := ax.List(alert.Actor{Operator: true}, alert.Filter{}); len(as) != 0 {
		t.Errorf("an accepted complaint raised %d overdue alerts", len(as))
	}
}

func TestOverdueAlert(t *testing.T) {
	db, d, ax := openDesk(t)
	c, err := d.Submit(Input{Code: subj.Code, Anonymous: true, Text: "标签与实物不符"}, subj, t0)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := d.Lookup(c.Tracking, ""); err != nil || !st.Anonymous {
		t.Errorf("anonymous lookup: %v %+v", err, st)
	}
	fired := 0
	sch := ax.NewScheduler(func() time.Time { return time.UnixMilli(c.Due + 1) }, nil)
	if _, err := sch.FireDue(); err != nil {
		t.Fatal(err)
	}
	as, err := ax.List(alert.Actor{Region: 620102}, alert.Filter{Rule: RuleOverdue})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if strings.Contains(a.Message, c.Tracking) && a.Region == 620102 {
			fired++
		}
	}
	if fired != 1 {
		t.Errorf("%d overdue alerts, want 1: %+v", fired, as)
	}
	_ = db
}

func TestSubmitRefusesBadInput(t *testing.T) {
	_, d, _ := openDesk(t)
	for in, field := range map[*Input]string{
		{Code: subj.Code, Phone: "13800001234", Text: "有问题有问题"}:                                                                            "name",
		{Code: subj.Code, Name: "李四", Text: "有问题有问题"}:                                                                                      "phone",
		{Code: subj.Code, Name: "李四", Phone: "call me", Text: "有问题有问题"}:                                                                    "phone",
		{Code: subj.Code, Name: "李四", Phone: "13800001234", Text: "坏"}:                                                                     "text",
		{Code: "", Name: "李四", Phone: "13800001234", Text: "有问题有问题"}:                                                                       "code",
		{Code: subj.Code, Name: "李四", Phone: "13800001234", Text: "有问题有问题", Photos: [][]byte{[]byte("GIF89a......")}}:                      "photos[0]",
		{Code: subj.Code, Name: "李四", Phone: "13800001234", Text: "有问题有问题", Photos: [][]byte{append(jpeg, make([]byte, MaxPhotoSize)...)}}: "photos[0]",
	} {
		if _, err := d.Submit(*in, subj, t0); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), field) {
			t.Errorf("%+v: %v, want an error naming %s", in.Name+in.Phone+in.Text, err, field)
		}
	}
	if cs, _ := d.Inbox(Viewer{Operator: true}, 0); len(cs) != 0 {
		t.Errorf("refused complaints stored: %d", len(cs))
	}
}

func FuzzParseBody(f *testing.F) {
	f.Add([]byte(`{"code":"https://id.example/01/06901234000115/21/A1","name":"张三","phone":"13800001234","text":"奶粉结块,有异味","photos":["/9j/4AAQ"]}`))
	f.Add([]byte(`{"code":"x","anonymous":true,"text":"标签与实物不符"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ParseBody(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatal(err)
			}
			return
		}
		if err := in.Check(); err != nil {
			t.Fatalf("accepted what Check refuses: %v", err)
		}
	})
}

func FuzzDecode(f *testing.F) {
	c := Complaint{Created: t0, Code: "c", Region: 620102, Name: "n", Phone: "1", Text: "t", Photos: [][32]byte{{1}}, State: Accepted,
		Changes: []Change{{State: Accepted, Time: t0, By: "key:1", Note: "ok"}}}
	f.Add(c.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := Decode("TS0000000000AB", v)
		if err != nil {
			return
		}
		if string(c.AppendBinary(nil)) != string(v) {
			t.Fatal("decode → encode differs")
		}
	})
}
