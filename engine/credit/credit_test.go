package credit

import (
	"errors"
	"testing"
	"time"

	"tracecode/engine/store"
)

const (
	usccA = "91620102MA71LY016E" // Chengguan District, Lanzhou
	usccB = "91620503MA72MJ02XD" // Maiji District, Tianshui
)

var (
	subjA    = Subject{USCC: usccA, Org: 1, Region: 620102001}
	lanzhou  = Actor{By: "key:lanzhou", Region: 620100}
	tianshui = Actor{By: "key:tianshui", Region: 620500}
	t0       = time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)).UnixMilli()
)

func openBook(t *testing.T) (*store.DB, *Book) {
	t.Helper()
	db, err := store.Open(t.TempDir(), &store.Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b, err := Open(db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return db, b
}

func serious() Input {
	return Input{Kind: SeriousViolation, Gravity: Special, Doc: "兰市监罚〔2026〕12号",
		SummaryZH: "生产销售不符合食品安全标准的乳制品", SummaryEN: "Made and sold dairy products below the food safety standard"}
}

func TestAddMinimumsAndRegion(t *testing.T) {
	_, b := openBook(t)
	r, err := b.Add(lanzhou, subjA, serious(), t0)
	if err != nil {
		t.Fatal(err)
	}
	loc := b.Config().Location
	if got := time.UnixMilli(r.RepairFrom).In(loc).Format("2006-01-02"); got != "2027-03-01" {
		t.Errorf("special entry: repair from %s, want a year after publication", got)
	}
	if got := time.UnixMilli(r.Expiry).In(loc).Format("2006-01-02"); got != "2029-03-01" {
		t.Errorf("expiry %s, want three years", got)
	}
	// A repair date before the minimum is raised to it.
	in := Input{Kind: Penalty, Gravity: Minor, Doc: "警告 1", SummaryZH: "警告", RepairFrom: t0 + 1}
	r, err = b.Add(lanzhou, subjA, in, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := time.UnixMilli(r.RepairFrom).In(loc).Format("2006-01-02"); got != "2026-06-01" {
		t.Errorf("minor entry: repair from %s, want three months", got)
	}
	// Hostile: Tianshui's regulator writes about a Lanzhou organisation.
	if _, err := b.Add(tianshui, subjA, serious(), t0); !errors.Is(err, ErrForbidden) {
		t.Errorf("another region's regulator: %v, want ErrForbidden", err)
	}
	if _, err := b.Add(Actor{By: "key:org", Org: 1}, subjA, serious(), t0); !errors.Is(err, ErrForbidden) {
		t.Errorf("an organisation's key: %v, want ErrForbidden", err)
	}
	if n := len(b.Entries(usccA, t0, true)); n != 2 {
		t.Errorf("%d entries after refused writes, want 2", n)
	}
	bad := serious()
	bad.Doc = ""
	if _, err := b.Add(lanzhou, subjA, bad, t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("no document: %v", err)
	}
	if _, err := b.Add(lanzhou, Subject{USCC: "91620102MA71LY016F", Region: 620102}, serious(), t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad check character: %v", err)
	}
}

func TestIdempotentAdd(t *testing.T) {
	_, b := openBook(t)
	in := serious()
	in.RequestID = "r-1"
	r1, err := b.Add(lanzhou, subjA, in, t0)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := b.Add(lanzhou, subjA, in, t0+5000)
	if err != nil || r2.Seq != r1.Seq {
		t.Fatalf("retry: %v seq %d, want %d", err, r2.Seq, r1.Seq)
	}
	if n := len(b.Entries(usccA, t0, true)); n != 1 {
		t.Errorf("%d entries after a retry", n)
	}
}

func TestRepairWorkflow(t *testing.T) {
	_, b := openBook(t)
	e, err := b.Add(lanzhou, subjA, Input{Kind: Penalty, Gravity: Minor, Doc: "警告 2", SummaryZH: "标签不规范"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	org := Actor{By: "key:a", Org: 1}
	if _, err := b.Apply(org, e.Seq, "标签已改正", "", t0+1000); !errors.Is(err, ErrState) {
		t.Errorf("application before the minimum: %v", err)
	}
	later := t0 + 100*24*3600*1000
	if _, err := b.Apply(Actor{By: "key:b", Org: 2}, e.Seq, "not mine", "", later); !errors.Is(err, ErrForbidden) {
		t.Errorf("another organisation applies: %v", err)
	}
	if _, err := b.Apply(org, e.Seq, "标签已改正", "", later); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(org, e.Seq, "again", "", later); !errors.Is(err, ErrState) {
		t.Errorf("second pending application: %v", err)
	}
	if got := b.Pending(nil, later); len(got) != 1 || got[0].Repair != "applied" {
		t.Errorf("pending: %+v", got)
	}
	if _, err := b.Decide(tianshui, e.Seq, true, "ok", "", later); !errors.Is(err, ErrForbidden) {
		t.Errorf("another region decides: %v", err)
	}
	if _, err := b.Decide(lanzhou, e.Seq, false, "整改材料不全", "", later); err != nil {
		t.Fatal(err)
	}
	v, _ := b.Entry(e.Seq, later)
	if v.Status != StatusActive || v.Repair != "refused" {
		t.Errorf("after refusal: %s %s", v.Status, v.Repair)
	}
	if _, err := b.Apply(org, e.Seq, "补充材料", "", later+1); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Decide(lanzhou, e.Seq, true, "准予修复", "", later+2); err != nil {
		t.Fatal(err)
	}
	v, _ = b.Entry(e.Seq, later+3)
	if v.Status != StatusRepaired || v.Repair != "approved" || len(v.History) != 4 {
		t.Errorf("after approval: %s %s %d", v.Status, v.Repair, len(v.History))
	}
	if n := len(b.Entries(usccA, later+3, false)); n != 0 {
		t.Errorf("a repaired entry is still published (%d)", n)
	}
}

func TestRiskListsWarning(t *testing.T) {
	_, b := openBook(t)
	if c := b.RiskClass(usccA, t0); c != RiskLow {
		t.Errorf("no entries: %s", c)
	}
	if _, err := b.Add(lanzhou, subjA, Input{Kind: RecallHistory, SummaryZH: "召回"}, t0); err != nil {
		t.Fatal(err)
	}
	if c := b.RiskClass(usccA, t0); c != RiskMedium {
		t.Errorf("recall: %s", c)
	}
	if _, ok := b.Warning(usccA, t0); ok {
		t.Error("a warning without a serious violation")
	}
	in := serious()
	in.PublishFrom = t0 + 1000
	if _, err := b.Add(lanzhou, subjA, in, t0); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Warning(usccA, t0); ok {
		t.Error("a warning before publish-from")
	}
	w, ok := b.Warning(usccA, t0+1000)
	if !ok || w.SummaryEN == "" {
		t.Errorf("warning: %v %+v", ok, w)
	}
	if c := b.RiskClass(usccA, t0+1000); c != RiskHigh {
		t.Errorf("serious violation: %s", c)
	}
	if l := b.Listed(t0 + 1000); len(l) != 1 || l[0].USCC != usccA {
		t.Errorf("listed: %+v", l)
	}
	if l := b.Listed(w.Expiry); len(l) != 0 {
		t.Errorf("listed after expiry: %d", len(l))
	}
	if c := b.RiskClass(usccB, t0+1000); c != RiskLow {
		t.Errorf("another organisation: %s", c)
	}
}

func TestReopenAndTamper(t *testing.T) {
	db, b := openBook(t)
	for i := 0; i < 3; i++ {
		if _, err := b.Add(lanzhou, subjA, serious(), t0+int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Verify(); err != nil {
		t.Fatal(err)
	}
	b2, err := Open(db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b2.Entries(usccA, t0+10, true)); n != 3 {
		t.Fatalf("reopened: %d entries", n)
	}
	// Signatures are by the writer's credential, verifiable with its key.
	if pk := b2.PublicKey("key:lanzhou"); string(pk) != string(b2.recs[0].PubKey[:]) {
		t.Error("record not signed with the writer's key")
	}
	// Change one summary byte in the store: Open and Verify refuse.
	var v []byte
	if _, err := db.Get(Key(2), func(x []byte) error { v = append([]byte(nil), x...); return nil }); err != nil {
		t.Fatal(err)
	}
	r, _ := Decode(2, v)
	r.SummaryEN = "edited"
	bt := db.NewBatch()
	bt.Set(Key(2), r.AppendBinary(nil))
	if err := bt.Commit(true); err != nil {
		t.Fatal(err)
	}
	bt.Close()
	if err := b.Verify(); !errors.Is(err, ErrTampered) {
		t.Errorf("Verify after an edit: %v", err)
	}
	if _, err := Open(db, Config{}); !errors.Is(err, ErrTampered) {
		t.Errorf("Open after an edit: %v", err)
	}
}

func TestParseBody(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	u, in, err := ParseBody([]byte(`{"uscc":"91620102MA71LY016E","kind":"abnormal","document":"兰市监异〔2026〕3号","summary_zh":"通过登记的住所无法联系","publish_from":"2026-03-01"}`), loc)
	if err != nil || u != usccA || in.Kind != Abnormal || in.PublishFrom != time.Date(2026, 3, 1, 0, 0, 0, 0, loc).UnixMilli() {
		t.Fatalf("%v %s %+v", err, u, in)
	}
	for body, field := range map[string]string{
		`{"uscc":"x","kind":"abnormal"}`:                                                                       "uscc",
		`{"uscc":"91620102MA71LY016E","kind":"worse","document":"d","summary_zh":"s"}`:                         "kind",
		`{"uscc":"91620102MA71LY016E","kind":"penalty","document":"d","summary_zh":"s","expiry":"2026-13-01"}`: "expiry",
		`{"uscc":"91620102MA71LY016E","kind":"penalty","document":"d","summary_zh":"s","gravity":"huge"}`:      "gravity",
		`{"uscc":"91620102MA71LY016E","kind":"penalty","summary_zh":"s"}`:                                      "document",
		`{"uscc":"91620102MA71LY016E","kind":"penalty","document":"d","summary_zh":"s","color":"red"}`:         "color",
		`{"uscc":"91620102MA71LY016E","kind":"penalty","document":"d","summary_zh":"s"} {}`:                    "trailing",
	} {
		_, _, err := ParseBody([]byte(body), loc)
		if !errors.Is(err, ErrInvalid) || !contains(err.Error(), field) {
			t.Errorf("%s: %v, want an error naming %s", body, err, field)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func FuzzParseBody(f *testing.F) {
	f.Add([]byte(`{"uscc":"91620102MA71LY016E","kind":"serious-violation","gravity":"special","document":"兰市监罚〔2026〕12号","summary_zh":"生产销售不合格乳制品","publish_from":"2026-03-01","expiry":"2029-03-01"}`))
	f.Add([]byte(`{"uscc":"91620102MA71LY016E","kind":"positive","summary_en":"ISO 22000","document":"CNCA-1"}`))
	f.Add([]byte(`{}`))
	loc := time.FixedZone("CST", 8*3600)
	f.Fuzz(func(t *testing.T, b []byte) {
		u, in, err := ParseBody(b, loc)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if CheckUSCC(u) != nil || in.Check() != nil {
			t.Fatalf("accepted what Check refuses: %q %+v", u, in)
		}
	})
}

func FuzzDecode(f *testing.F) {
	r := Record{Type: TypeEntry, USCC: usccA, Kind: Penalty, Gravity: Minor, Doc: "d", SummaryZH: "s", By: "key:1", Time: t0}
	f.Add(r.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		r, err := Decode(1, v)
		if err != nil {
			return
		}
		if got := r.AppendBinary(nil); string(got) != string(v) {
			t.Fatalf("decode → encode differs:\n%x\n%x", v, got)
		}
	})
}
