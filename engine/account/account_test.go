package account

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"tracecode/engine/model"
	"tracecode/engine/store"
)

// cheap are Argon2id parameters that keep tests fast; the hashing code is
// the same.
var cheap = Params{Time: 1, Memory: 64, Threads: 1}

type fixture struct {
	t     *testing.T
	db    *store.DB
	dir   string
	clock time.Time
	s     *Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: filepath.Join(t.TempDir(), "db"), clock: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	f.open()
	t.Cleanup(func() { f.db.Close() })
	return f
}

func (f *fixture) open() {
	f.t.Helper()
	var err error
	if f.db, err = store.Open(f.dir, &store.Options{CacheSize: 8 << 20, MemTableSize: 4 << 20}); err != nil {
		f.t.Fatal(err)
	}
	if f.s, err = Open(f.db, Options{Params: cheap, Now: func() time.Time { return f.clock }}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) reopen() {
	f.t.Helper()
	if err := f.db.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.open()
}

func (f *fixture) create(actor Actor, o NewOptions) Account {
	f.t.Helper()
	if o.Password == "" {
		o.Password = "correct horse battery"
	}
	a, err := f.s.Create(actor, o, Subject{Org: o.Org, Region: o.Region})
	if err != nil {
		f.t.Fatalf("create %s: %v", o.Login, err)
	}
	return a
}

func (f *fixture) login(login, password, otp string) (string, Session, error) {
	tok, sess, _, err := f.s.Login(Credentials{Login: login, Password: password, OTP: otp, Client: "192.0.2.1"},
		func(a *Account) Subject { return Subject{Org: a.Org, Region: a.Region} })
	return tok, sess, err
}

func (f *fixture) audit(v Viewer) []AuditEntry {
	f.t.Helper()
	es, _, err := f.s.Audit(v, 0, 1000, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

func TestLoginSessionLogout(t *testing.T) {
	f := newFixture(t)
	a := f.create(CLI, NewOptions{Login: "lz.county", Role: RoleRegulator, Region: 620102})
	if a.ID != 1 || a.Name != "lz.county" {
		t.Fatalf("account %+v", a)
	}
	tok, sess, err := f.login("lz.county", "correct horse battery", "")
	if err != nil {
		t.Fatal(err)
	}
	got, acc, err := f.s.Session(tok)
	if err != nil || acc.ID != a.ID || got.CSRF() != sess.CSRF() {
		t.Fatalf("Session: %+v %+v %v", got, acc, err)
	}
	if err := got.CheckCSRF(sess.CSRF()); err != nil {
		t.Errorf("own CSRF token refused: %v", err)
	}
	for _, bad := range []string{"", sess.CSRF()[1:], strings.Repeat("A", len(sess.CSRF()))} {
		if err := got.CheckCSRF(bad); !errors.Is(err, ErrCSRF) {
			t.Errorf("CSRF token %q accepted: %v", bad, err)
		}
	}
	if err := f.s.Logout(tok, Actor{Account: a.ID}, Subject{Region: 620102}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.Session(tok); !errors.Is(err, ErrSession) {
		t.Errorf("session after logout: %v", err)
	}
	// The session expires after SessionTTL.
	tok, _, err = f.login("lz.county", "correct horse battery", "")
	if err != nil {
		t.Fatal(err)
	}
	f.clock = f.clock.Add(12*time.Hour + time.Second)
	if _, _, err := f.s.Session(tok); !errors.Is(err, ErrSession) {
		t.Errorf("session after 12 h: %v", err)
	}
	es := f.audit(Viewer{Operator: true})
	var acts []string
	for _, e := range es {
		acts = append(acts, e.Action.String()+":"+e.Outcome.String())
	}
	if want := "login:ok logout:ok login:ok user-create:ok"; strings.Join(acts, " ") != want {
		t.Errorf("audit log %q, want %q", strings.Join(acts, " "), want)
	}
	if es[0].Actor.Client != "192.0.2.1" || es[0].Target != "lz.county" || es[0].Actor.Region != 620102 {
		t.Errorf("login entry %+v", es[0])
	}
}

// TestSessionFixation: a session id the client makes up is refused, each
// login issues a new id, and resetting the password or disabling the
// account ends its sessions.
func TestSessionFixation(t *testing.T) {
	f := newFixture(t)
	op := f.create(CLI, NewOptions{Login: "ops", Role: RoleOperator})
	for _, made := range []string{"x", strings.Repeat("A", 43), strings.Repeat("!", 43)} {
		if _, _, err := f.s.Session(made); !errors.Is(err, ErrSession) {
			t.Errorf("made-up session id %q: %v", made, err)
		}
	}
	t1, _, err := f.login("ops", "correct horse battery", "")
	if err != nil {
		t.Fatal(err)
	}
	t2, _, err := f.login("ops", "correct horse battery", "")
	if err != nil {
		t.Fatal(err)
	}
	if t1 == t2 || len(t1) != 43 {
		t.Fatalf("login issued %q then %q", t1, t2)
	}
	if _, err := f.s.ResetPassword(CLI, op.ID, "another long password", Subject{}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{t1, t2} {
		if _, _, err := f.s.Session(tok); !errors.Is(err, ErrSession) {
			t.Errorf("session survived a password reset: %v", err)
		}
	}
	if _, _, err := f.login("ops", "correct horse battery", ""); !errors.Is(err, ErrLogin) {
		t.Errorf("old password after reset: %v", err)
	}
	t3, _, err := f.login("ops", "another long password", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Disable(CLI, op.ID, Subject{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.Session(t3); !errors.Is(err, ErrSession) {
		t.Errorf("session survived disabling: %v", err)
	}
	if _, _, err := f.login("ops", "another long password", ""); !errors.Is(err, ErrLogin) {
		t.Errorf("disabled account logged in: %v", err)
	}
}

// TestLockout: five failures in a row lock the account for 15 minutes,
// during which even the right password is refused; then it opens again.
// A success in between resets the count.
func TestLockout(t *testing.T) {
	f := newFixture(t)
	f.create(CLI, NewOptions{Login: "clerk", Role: RoleOperator})
	for range 4 {
		if _, _, err := f.login("clerk", "wrong password!", ""); !errors.Is(err, ErrLogin) {
			t.Fatal(err)
		}
	}
	if _, _, err := f.login("clerk", "correct horse battery", ""); err != nil {
		t.Fatalf("4 failures locked the account: %v", err)
	}
	for range 5 {
		f.login("clerk", "wrong password!", "")
	}
	if _, _, err := f.login("clerk", "correct horse battery", ""); !errors.Is(err, ErrLogin) {
		t.Fatalf("right password accepted while locked: %v", err)
	}
	f.reopen() // the lock is stored, not remembered
	f.clock = f.clock.Add(14 * time.Minute)
	if _, _, err := f.login("clerk", "correct horse battery", ""); !errors.Is(err, ErrLogin) {
		t.Fatalf("lock ended early: %v", err)
	}
	f.clock = f.clock.Add(2 * time.Minute)
	if _, _, err := f.login("clerk", "correct horse battery", ""); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	var locked int
	for _, e := range f.audit(Viewer{Operator: true}) {
		if e.Action == ActionLogin && e.Outcome == OutcomeLocked {
			locked++
		}
	}
	if locked != 3 { // the 5th failure, then two refusals while locked
		t.Errorf("%d locked entries, want 3", locked)
	}
	// An unknown name is refused the same way and audited.
	if _, _, err := f.login("nobody", "whatever else", ""); !errors.Is(err, ErrLogin) {
		t.Errorf("unknown login: %v", err)
	}
	if e := f.audit(Viewer{Operator: true})[0]; e.Target != "nobody" || e.Outcome != OutcomeFailed {
		t.Errorf("unknown login entry %+v", e)
	}
}

func TestTOTP(t *testing.T) {
	f := newFixture(t)
	a := f.create(CLI, NewOptions{Login: "ops", Role: RoleOperator})
	key, err := f.s.EnableTOTP(CLI, a.ID, Subject{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key.URL(), "otpauth://totp/tracecode:ops?") {
		t.Errorf("key URL %s", key.URL())
	}
	if _, _, err := f.login("ops", "correct horse battery", ""); !errors.Is(err, ErrLogin) {
		t.Errorf("login without the one-time password: %v", err)
	}
	code, err := totp.GenerateCode(key.Secret(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.login("ops", "correct horse battery", code); err != nil {
		t.Errorf("login with the one-time password: %v", err)
	}
}

// TestAuthorizeHostile: an organisation's admin creates enterprise
// accounts of its own organisation only; an enterprise user and a
// regulator create none; each refusal is audited.
func TestAuthorizeHostile(t *testing.T) {
	f := newFixture(t)
	admin := Actor{Account: 7, Org: 3, Admin: true, Region: 620102}
	f.create(admin, NewOptions{Login: "org3.clerk", Role: RoleEnterpriseUser, Org: 3})
	cases := []struct {
		actor Actor
		o     NewOptions
	}{
		{admin, NewOptions{Login: "org4.clerk", Role: RoleEnterpriseUser, Org: 4}},
		{admin, NewOptions{Login: "org4.admin", Role: RoleEnterpriseAdmin, Org: 4}},
		{admin, NewOptions{Login: "fake.reg", Role: RoleRegulator, Region: 620000}},
		{admin, NewOptions{Login: "fake.ops", Role: RoleOperator}},
		{Actor{Account: 8, Org: 3}, NewOptions{Login: "org3.more", Role: RoleEnterpriseUser, Org: 3}},
		{Actor{Account: 9, Region: 620000}, NewOptions{Login: "reg.more", Role: RoleRegulator, Region: 620100}},
	}
	for _, c := range cases {
		c.o.Password = "correct horse battery"
		if _, err := f.s.Create(c.actor, c.o, Subject{Org: c.o.Org}); !errors.Is(err, ErrDenied) {
			t.Errorf("%+v created %s: %v", c.actor, c.o.Login, err)
		}
	}
	other := f.create(CLI, NewOptions{Login: "org4.user", Role: RoleEnterpriseUser, Org: 4})
	if _, err := f.s.Disable(admin, other.ID, Subject{Org: 4}); !errors.Is(err, ErrDenied) {
		t.Errorf("admin of 3 disabled an account of 4: %v", err)
	}
	if _, err := f.s.ResetPassword(admin, other.ID, "taken over now!", Subject{Org: 4}); !errors.Is(err, ErrDenied) {
		t.Errorf("admin of 3 reset a password of 4: %v", err)
	}
	if _, err := f.s.ByLogin("org4.clerk"); !errors.Is(err, ErrNotFound) {
		t.Errorf("refused account exists: %v", err)
	}
	denied := 0
	for _, e := range f.audit(Viewer{Operator: true}) {
		if e.Outcome == OutcomeDenied {
			denied++
		}
	}
	if denied != len(cases)+2 {
		t.Errorf("%d denied entries, want %d", denied, len(cases)+2)
	}
}

func TestCreateInvalid(t *testing.T) {
	f := newFixture(t)
	f.create(CLI, NewOptions{Login: "taken", Role: RoleOperator})
	for _, c := range []struct {
		o    NewOptions
		want string
	}{
		{NewOptions{Login: "ab", Role: RoleOperator}, "login"},
		{NewOptions{Login: "Upper", Role: RoleOperator}, "position 1"},
		{NewOptions{Login: "short.pw", Role: RoleOperator, Password: "short"}, "password"},
		{NewOptions{Login: "no.role"}, "role"},
		{NewOptions{Login: "reg.noregion", Role: RoleRegulator}, "region"},
		{NewOptions{Login: "reg.badregion", Role: RoleRegulator, Region: 629999}, "region"},
		{NewOptions{Login: "ent.noorg", Role: RoleEnterpriseUser}, "org"},
		{NewOptions{Login: "ops.region", Role: RoleOperator, Region: 620000}, "region"},
		{NewOptions{Login: "ent.cats", Role: RoleEnterpriseUser, Org: 1, Categories: CategoriesOf(model.CatDrug)}, "categories"},
		{NewOptions{Login: "reg.cats", Role: RoleRegulator, Region: 620000, Categories: 1}, "categories"},
	} {
		if c.o.Password == "" {
			c.o.Password = "correct horse battery"
		}
		_, err := f.s.Create(CLI, c.o, Subject{})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v (want ErrInvalid naming %s)", c.o, err, c.want)
		}
	}
	if _, err := f.s.Create(CLI, NewOptions{Login: "taken", Role: RoleOperator, Password: "correct horse battery"}, Subject{}); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate login: %v", err)
	}
}

// TestAuditScope: a county regulator reads the entries of its county and
// the townships below it, not another county's; an organisation's admin
// its organisation's; the log survives a restart and its sequence goes on.
func TestAuditScope(t *testing.T) {
	f := newFixture(t)
	f.create(CLI, NewOptions{Login: "chengguan", Role: RoleRegulator, Region: 620102})
	f.create(CLI, NewOptions{Login: "qilihe", Role: RoleRegulator, Region: 620103})
	f.create(CLI, NewOptions{Login: "township", Role: RoleInspector, Region: 620102001})
	f.create(CLI, NewOptions{Login: "org5.user", Role: RoleEnterpriseUser, Org: 5})
	f.reopen()
	if err := f.s.Record(Actor{Org: 5, Region: 620103}, ActionBlockRequest, OutcomeOK, Subject{Org: 5, Region: 620103}, "block 1", ""); err != nil {
		t.Fatal(err)
	}
	all := f.audit(Viewer{Operator: true})
	if len(all) != 5 || all[0].Seq != 5 || all[4].Seq != 1 {
		t.Fatalf("audit log after reopen: %+v", all)
	}
	targets := func(es []AuditEntry) string {
		var out []string
		for _, e := range es {
			out = append(out, e.Target)
		}
		return strings.Join(out, " ")
	}
	if got := targets(f.audit(Viewer{Region: 620102})); got != "township chengguan" {
		t.Errorf("county 620102 reads %q", got)
	}
	if got := targets(f.audit(Viewer{Region: 620103})); got != "block 1 qilihe" {
		t.Errorf("county 620103 reads %q", got)
	}
	if got := targets(f.audit(Viewer{Region: 620000})); got != "block 1 township qilihe chengguan" {
		t.Errorf("province reads %q", got)
	}
	if got := targets(f.audit(Viewer{Org: 5})); got != "block 1 org5.user" {
		t.Errorf("org 5 reads %q", got)
	}
	if got := f.audit(Viewer{}); len(got) != 0 {
		t.Errorf("nobody reads %d entries", len(got))
	}
	// Paging: two at a time, newest first.
	page, next, err := f.s.Audit(Viewer{Operator: true}, 0, 2, nil)
	if err != nil || len(page) != 2 || page[0].Seq != 5 || next != 4 {
		t.Fatalf("page 1: %d entries, next %d, %v", len(page), next, err)
	}
	page, next, err = f.s.Audit(Viewer{Operator: true}, next, 2, nil)
	if err != nil || len(page) != 2 || page[0].Seq != 3 || next != 2 {
		t.Fatalf("page 2: %+v, next %d, %v", page, next, err)
	}
	if a := f.create(CLI, NewOptions{Login: "after.reopen", Role: RoleOperator}); a.ID != 5 {
		t.Errorf("account id after reopen %d, want 5", a.ID)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	pw, err := newPasswordHash("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	a := Account{ID: 9, Login: "lz.county", Name: "城关区市场监管局", Role: RoleInspector, Org: 4, Region: 620102001,
		Categories: CategoriesOf(model.CatFood, model.CatDrug), Created: 1, Disabled: 2, Failures: 3, LockedUntil: 4, TOTP: "ABC", pw: pw}
	got, err := DecodeAccount(9, a.AppendBinary(nil))
	if err != nil || got != a {
		t.Fatalf("account round trip: %+v %v", got, err)
	}
	if !got.pw.matches("correct horse battery") || got.pw.matches("correct horse batter") {
		t.Error("decoded hash does not check the password")
	}
	v := a.AppendBinary(nil)
	if _, err := DecodeAccount(9, v[:len(v)-1]); !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "name") {
		t.Errorf("truncated account: %v", err)
	}
	e := AuditEntry{Seq: 3, Time: 5, Actor: Actor{Account: 1, Key: 1 << 60, Org: 2, Region: 620102, Client: "cli"},
		Subject: Subject{Org: 3, Region: 620103}, Action: ActionCapture, Outcome: OutcomeDenied, Target: "t", Detail: "d"}
	ge, err := DecodeAuditEntry(3, e.AppendBinary(nil))
	if err != nil || ge != e {
		t.Fatalf("audit round trip: %+v %v", ge, err)
	}
	if got := CategoriesOf(model.CatFood, model.CatDrug).Names(); strings.Join(got, ",") != "food,drug" {
		t.Errorf("names %v", got)
	}
	if c, err := ParseCategories("food, drug"); err != nil || c != CategoriesOf(model.CatFood, model.CatDrug) {
		t.Errorf("ParseCategories: %v %v", c, err)
	}
	if _, err := ParseCategories("food,candy"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseCategories candy: %v", err)
	}
}
