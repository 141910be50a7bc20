package server

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/account"
	"tracecode/engine/model"
)

// consoleClient is a browser-like client of the console: it keeps the
// cookies the server sets.
type consoleClient struct {
	e       *testEnv
	cookies map[string]string
}

func (e *testEnv) consoleClient() *consoleClient {
	return &consoleClient{e: e, cookies: map[string]string{}}
}

func (c *consoleClient) do(method, uri, form string, headers ...string) resp {
	c.e.t.Helper()
	var jar []string
	for k, v := range c.cookies {
		jar = append(jar, k+"="+v)
	}
	hs := append([]string{}, headers...)
	if len(jar) > 0 {
		hs = append(hs, "Cookie", strings.Join(jar, "; "))
	}
	var body []byte
	if method == "POST" {
		body = []byte(form)
		hs = append(hs, "Content-Type", "application/x-www-form-urlencoded")
	}
	r := c.e.do(method, uri, body, hs...)
	for _, sc := range r.setCookies {
		name, rest, _ := strings.Cut(sc, "=")
		val, _, _ := strings.Cut(rest, ";")
		if val == "" || strings.Contains(sc, "max-age=0") || strings.Contains(sc, "expires=Tue, 10 Nov 2009") {
			delete(c.cookies, name)
		} else {
			c.cookies[name] = val
		}
	}
	return r
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the page at uri.
func (c *consoleClient) csrf(uri string) string {
	c.e.t.Helper()
	r := c.do("GET", uri, "")
	m := csrfField.FindSubmatch(r.body)
	if r.status != 200 || m == nil {
		c.e.t.Fatalf("GET %s: %d, no CSRF token:\n%s", uri, r.status, r.body)
	}
	return string(m[1])
}

// login logs in and returns the login answer.
func (c *consoleClient) login(login, password string) resp {
	c.e.t.Helper()
	tok := c.csrf("/console/login")
	return c.do("POST", "/console/login", url.Values{"csrf": {tok}, "login": {login}, "password": {password}}.Encode())
}

// addAccount creates an account directly in the engine.
func (e *testEnv) addAccount(o account.NewOptions) {
	e.t.Helper()
	if o.Password == "" {
		o.Password = "a long password"
	}
	if _, err := mustAccounts(e.t, e.eng).Add(account.CLI, o); err != nil {
		e.t.Fatal(err)
	}
}

func TestConsoleLoginSessionCSRF(t *testing.T) {
	e := newTestEnv(t, nil)
	e.addAccount(account.NewOptions{Login: "ops", Role: account.RoleOperator})
	c := e.consoleClient()
	if r := c.do("GET", "/console/ops", ""); r.status != 303 || r.h("Location") != "/console/login?next=%2Fconsole%2Fops" {
		t.Fatalf("no session: %d %q", r.status, r.h("Location"))
	}
	// A login form posted without its double-submit token is refused.
	c.csrf("/console/login")
	if r := c.do("POST", "/console/login", "login=ops&password=a+long+password"); r.status != 403 {
		t.Errorf("login without CSRF token: %d", r.status)
	}
	// Session fixation: a session id planted before login is not adopted.
	c.cookies[cookieSession] = strings.Repeat("A", 43)
	if r := c.login("ops", "wrong password!"); r.status != 401 || !strings.Contains(string(r.body), "用户名、密码或动态口令错误") {
		t.Errorf("wrong password: %d", r.status)
	}
	r := c.login("ops", "a long password")
	if r.status != 303 || r.h("Location") != "/console/ops" {
		t.Fatalf("login: %d %q %s", r.status, r.h("Location"), r.body)
	}
	var sc string
	for _, s := range r.setCookies {
		if strings.HasPrefix(s, cookieSession+"=") {
			sc = s
		}
	}
	for _, want := range []string{"HttpOnly", "secure", "SameSite=Strict", "path=/console/"} {
		if !strings.Contains(sc, want) {
			t.Errorf("session cookie %q lacks %s", sc, want)
		}
	}
	if c.cookies[cookieSession] == strings.Repeat("A", 43) || len(c.cookies[cookieSession]) != 43 {
		t.Fatalf("session id after login %q", c.cookies[cookieSession])
	}
	if r := c.do("GET", "/console/ops", ""); r.status != 200 || !strings.Contains(string(r.body), "ops · operator") {
		t.Fatalf("ops page: %d", r.status)
	} else if b := string(r.body); !strings.Contains(b, "磁盘可用时间") || !strings.Contains(b, "测量中") {
		t.Errorf("the ops page of a server up for less than an hour does not show the disk runway as being measured")
	}
	// Every POST needs the session's token: none, or another's, is 403.
	if r := c.do("POST", "/console/logout", ""); r.status != 403 {
		t.Errorf("logout without CSRF token: %d", r.status)
	}
	other := e.consoleClient()
	other.login("ops", "a long password")
	if r := c.do("POST", "/console/logout", "csrf="+other.csrf("/console/ops")); r.status != 403 {
		t.Errorf("logout with another session's token: %d", r.status)
	}
	if r := c.do("POST", "/console/users", "login=sneaky&password=a+long+password&role=operator"); r.status != 403 {
		t.Errorf("create user without CSRF token: %d", r.status)
	}
	if _, err := e.srv.accounts.ByLogin("sneaky"); err == nil {
		t.Error("a CSRF-less POST created an account")
	}
	if r := c.do("POST", "/console/logout", "csrf="+c.csrf("/console/ops")); r.status != 303 {
		t.Errorf("logout: %d", r.status)
	}
	if r := c.do("GET", "/console/ops", ""); r.status != 303 {
		t.Errorf("after logout: %d", r.status)
	}
	// English on request, remembered.
	if r := c.do("GET", "/console/login?lang=en", ""); !strings.Contains(string(r.body), "Log in") {
		t.Error("no English login page")
	}
	if r := c.do("GET", "/console/login", ""); !strings.Contains(string(r.body), "Log in") {
		t.Error("language not remembered")
	}
}

// TestConsoleLockout: five wrong passwords lock the account; the right
// one is then refused too, and the audit log says so.
func TestConsoleLockout(t *testing.T) {
	e := newTestEnv(t, nil)
	e.addAccount(account.NewOptions{Login: "clerk", Role: account.RoleOperator})
	c := e.consoleClient()
	for range 5 {
		c.login("clerk", "wrong password!")
	}
	if r := c.login("clerk", "a long password"); r.status != 401 {
		t.Fatalf("locked account logged in: %d", r.status)
	}
	es, _, err := e.srv.accounts.Audit(account.Viewer{Operator: true}, 0, 10, nil)
	if err != nil || es[0].Outcome != account.OutcomeLocked || es[0].Actor.Client == "" {
		t.Errorf("audit after lockout: %+v %v", es, err)
	}
}

// TestConsoleRegulatorScope: a county regulator sees its county's
// enterprises only, and another county's enterprise page is refused; its
// audit page shows its own logins, not another county's.
func TestConsoleRegulatorScope(t *testing.T) {
	e := newTestEnv(t, nil)
	orgA, orgB, countyA, countyB := twoCountyOrgs(t, e)
	e.addAccount(account.NewOptions{Login: "county.a", Role: account.RoleRegulator, Region: countyA})
	e.addAccount(account.NewOptions{Login: "county.b", Role: account.RoleRegulator, Region: countyB})
	b := e.consoleClient()
	b.login("county.b", "a long password")
	c := e.consoleClient()
	if r := c.login("county.a", "a long password"); r.status != 303 || r.h("Location") != "/console/region" {
		t.Fatalf("login: %d %q", r.status, r.h("Location"))
	}
	r := c.do("GET", "/console/orgs", "")
	if r.status != 200 || !strings.Contains(string(r.body), orgA.Name) || strings.Contains(string(r.body), orgB.Name) {
		t.Errorf("orgs page: %d; has A %v, has B %v", r.status, strings.Contains(string(r.body), orgA.Name), strings.Contains(string(r.body), orgB.Name))
	}
	if r := c.do("GET", fmt.Sprintf("/console/orgs/%d", orgB.ID), ""); r.status != 404 {
		t.Errorf("another county's enterprise: %d", r.status)
	}
	if r := c.do("GET", fmt.Sprintf("/console/orgs/%d", orgA.ID), ""); r.status != 200 || !strings.Contains(string(r.body), orgA.Name) {
		t.Errorf("own enterprise: %d", r.status)
	}
	if r := c.do("GET", fmt.Sprintf("/console/region?code=%d", countyB), ""); r.status != 404 {
		t.Errorf("another county's overview: %d", r.status)
	}
	r = c.do("GET", "/console/region", "")
	if r.status != 200 || !strings.Contains(string(r.body), `id="children"`) {
		t.Errorf("overview: %d", r.status)
	}
	if r := c.do("GET", "/console/notices", ""); r.status != 200 || !strings.Contains(string(r.body), `id="alerts"`) {
		t.Errorf("recalls and alerts: %d", r.status)
	}
	r = c.do("GET", "/console/audit", "")
	if r.status != 200 || !strings.Contains(string(r.body), "county.a") || strings.Contains(string(r.body), "county.b") {
		t.Errorf("audit page shows another county's login (or not its own): %d", r.status)
	}
	// The regulator's views are read-only: enterprise pages are refused.
	if r := c.do("GET", "/console/blocks", ""); r.status != 403 {
		t.Errorf("regulator on blocks: %d", r.status)
	}
}

// TestConsoleEnterpriseBlock: an enterprise user requests a block and
// downloads it through the block route's streaming; another
// organisation's user cannot download it.
func TestConsoleEnterpriseBlock(t *testing.T) {
	e := newTestEnv(t, nil)
	orgA, orgB, _, _ := twoCountyOrgs(t, e)
	e.addAccount(account.NewOptions{Login: "clerk.a", Role: account.RoleEnterpriseUser, Org: orgA.ID})
	e.addAccount(account.NewOptions{Login: "clerk.b", Role: account.RoleEnterpriseUser, Org: orgB.ID})
	prods := e.eng.Issuance().Products(orgA.ID)
	if len(prods) == 0 {
		t.Fatal("organisation A has no product")
	}
	c := e.consoleClient()
	c.login("clerk.a", "a long password")
	tok := c.csrf("/console/blocks")
	r := c.do("POST", "/console/blocks", url.Values{"csrf": {tok}, "product": {fmt.Sprint(prods[0].ID)}, "lot": {"CONSOLE1"}, "count": {"25"}}.Encode())
	m := regexp.MustCompile(`/console/blocks\?new=(\d+)`).FindStringSubmatch(r.h("Location"))
	if r.status != 303 || m == nil {
		t.Fatalf("request block: %d %q %s", r.status, r.h("Location"), r.body)
	}
	r = c.do("GET", "/console/blocks/"+m[1]+"/codes?format=dl", "")
	if r.status != 200 || strings.Count(string(r.body), "\n") != 25 || !strings.Contains(r.h("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q, %d lines", r.status, r.h("Content-Disposition"), strings.Count(string(r.body), "\n"))
	}
	if r := c.do("POST", "/console/blocks", url.Values{"csrf": {tok}, "product": {fmt.Sprint(prods[0].ID)}, "count": {"0"}}.Encode()); r.status != 400 {
		t.Errorf("count 0: %d", r.status)
	}
	other := e.consoleClient()
	other.login("clerk.b", "a long password")
	if r := other.do("GET", "/console/blocks/"+m[1]+"/codes?format=dl", ""); r.status != 404 || strings.Count(string(r.body), "\n") > 3 {
		t.Errorf("another organisation downloads the block: %d", r.status)
	}
	es, _, _ := e.srv.accounts.Audit(account.Viewer{Org: orgA.ID}, 0, 10, nil)
	var acts []string
	for _, en := range es {
		acts = append(acts, en.Action.String())
	}
	if got := strings.Join(acts, " "); !strings.Contains(got, "code-download block-request") {
		t.Errorf("audit of A: %s", got)
	}
}

// TestConsoleHostileWrites: the console's writes are refused to roles
// that may not make them, whatever the form says: an enterprise user
// creates no account, an enterprise admin no account of another
// organisation nor a regulator, a regulator requests no block; a
// regulator limited to a category sees no product of another.
func TestConsoleHostileWrites(t *testing.T) {
	e := newTestEnv(t, nil)
	orgA, orgB, countyA, _ := twoCountyOrgs(t, e)
	e.addAccount(account.NewOptions{Login: "user.a", Role: account.RoleEnterpriseUser, Org: orgA.ID})
	e.addAccount(account.NewOptions{Login: "admin.a", Role: account.RoleEnterpriseAdmin, Org: orgA.ID})
	e.addAccount(account.NewOptions{Login: "reg.a", Role: account.RoleRegulator, Region: countyA})
	post := func(login, path string, form url.Values) resp {
		t.Helper()
		c := e.consoleClient()
		if r := c.login(login, "a long password"); r.status != 303 {
			t.Fatalf("login %s: %d", login, r.status)
		}
		form.Set("csrf", c.csrf("/console/code"))
		return c.do("POST", path, form.Encode())
	}
	user := url.Values{"login": {"mole"}, "password": {"a long password"}, "role": {"enterprise-user"}}
	if r := post("user.a", "/console/users", user); r.status != 403 {
		t.Errorf("enterprise user creates an account: %d", r.status)
	}
	other := url.Values{"login": {"mole"}, "password": {"a long password"}, "role": {"enterprise-user"}, "org": {fmt.Sprint(orgB.ID)}}
	if r := post("admin.a", "/console/users", other); r.status != 403 {
		t.Errorf("admin of A creates an account of B: %d", r.status)
	}
	reg := url.Values{"login": {"mole"}, "password": {"a long password"}, "role": {"regulator"}, "region": {fmt.Sprint(countyA)}}
	if r := post("admin.a", "/console/users", reg); r.status != 403 {
		t.Errorf("admin of A creates a regulator: %d", r.status)
	}
	if _, err := e.srv.accounts.ByLogin("mole"); err == nil {
		t.Error("a refused account exists")
	}
	if r := post("reg.a", "/console/blocks", url.Values{"product": {"1"}, "count": {"5"}}); r.status != 403 {
		t.Errorf("regulator requests a block: %d", r.status)
	}
	// An admin creates its own people through the console.
	if r := post("admin.a", "/console/users", user); r.status != 303 {
		t.Errorf("admin of A creates its clerk: %d %s", r.status, r.body)
	}
	if a, err := e.srv.accounts.ByLogin("mole"); err != nil || a.Org != orgA.ID {
		t.Errorf("the clerk: %+v %v", a, err)
	}

	// Categories narrow what a regulator sees.
	var cats []string
	for _, p := range e.eng.Issuance().Products(orgA.ID) {
		cats = append(cats, p.Category.String())
	}
	if len(cats) == 0 {
		t.Fatal("organisation A has no product")
	}
	var other2 string
	for _, n := range model.CategoryNames() {
		if !strings.Contains(strings.Join(cats, ","), n) {
			other2 = n
			break
		}
	}
	lim, _ := account.ParseCategories(other2)
	e.addAccount(account.NewOptions{Login: "reg.narrow", Role: account.RoleRegulator, Region: countyA, Categories: lim})
	c := e.consoleClient()
	c.login("reg.narrow", "a long password")
	r := c.do("GET", fmt.Sprintf("/console/orgs/%d", orgA.ID), "")
	for _, p := range e.eng.Issuance().Products(orgA.ID) {
		if strings.Contains(string(r.body), p.NameZH) {
			t.Errorf("a regulator of %s sees the %s product %s", other2, p.Category, p.NameZH)
		}
	}
}

// TestConsoleLoginRateLimit: one client address gets LoginRateBurst login
// attempts, whatever names it tries; the next is answered 429 before any
// password is hashed, and the audit log records no attempt for it.
func TestConsoleLoginRateLimit(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.LoginRateLimit, c.LoginRateBurst, c.LimitLoopback = 1e-9, 3, true })
	e.addAccount(account.NewOptions{Login: "clerk", Role: account.RoleOperator})
	c := e.consoleClient()
	for i := range 3 {
		if r := c.login(fmt.Sprintf("nobody%d", i), "wrong password!"); r.status != 401 {
			t.Fatalf("attempt %d: %d", i+1, r.status)
		}
	}
	r := c.login("clerk", "a long password")
	if r.status != 429 || r.h("Retry-After") == "" {
		t.Fatalf("fourth attempt: %d, Retry-After %q", r.status, r.h("Retry-After"))
	}
	es, _, err := e.srv.accounts.Audit(account.Viewer{Operator: true}, 0, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	logins := 0
	for _, en := range es {
		if en.Action == account.ActionLogin {
			logins++
		}
	}
	if logins != 3 {
		t.Errorf("audit has %d login attempts, want the 3 that were hashed", logins)
	}
}

// TestOpsDiskRunway: two hours after starting on an empty store, the
// operator page's disk rows give a growth rate and the months the free
// space lasts at it, in both languages.
func TestOpsDiskRunway(t *testing.T) {
	e := newTestEnv(t, nil)
	srv := e.srv // no request runs while the test moves its start back
	srv.started, srv.diskStart = srv.started.Add(-2*time.Hour), 0
	for lang, want := range map[string]string{"zh": "按当前速度磁盘还可用", "en": "at today's rate the disk lasts"} {
		rows := (&consoleReq{s: srv, lang: lang}).diskHealth()
		if len(rows) != 2 || !strings.Contains(rows[1]["State"], want) {
			t.Errorf("%s: disk rows %v", lang, rows)
		}
	}
}

// mustAccounts returns e's account store.
func mustAccounts(t testing.TB, e *engine.Engine) *account.Store {
	t.Helper()
	s, err := e.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
