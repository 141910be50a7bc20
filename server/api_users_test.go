package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/code/cn"
	"tracecode/engine/model"
)

// twoCountyOrgs returns two demo organisations registered in different
// counties, and each one's county.
func twoCountyOrgs(t *testing.T, e *testEnv) (a, b model.Org, ca, cb uint32) {
	t.Helper()
	for _, o := range e.eng.Issuance().Orgs() {
		r, err := cn.NewRegion(int(o.Region))
		if err != nil || r.Level() < cn.LevelCounty || !r.County().Known() {
			continue
		}
		c := r.County().Uint32()
		switch {
		case a.ID == 0:
			a, ca = o, c
		case c != ca:
			return a, o, ca, c
		}
	}
	t.Fatal("the demo has no two organisations in different counties")
	return
}

// newKey creates an API key directly in the store.
func (e *testEnv) newKey(o apikey.Options) string {
	e.t.Helper()
	tok, _, err := e.srv.Keys().Create(o)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func TestUsersAPI(t *testing.T) {
	e := newTestEnv(t, nil)
	orgA, orgB, countyA, _ := twoCountyOrgs(t, e)
	op := e.newKey(apikey.Options{Scopes: apikey.ScopeAdmin, Name: "op"})
	adminA := e.newKey(apikey.Options{Org: orgA.ID, Scopes: apikey.ScopeAdmin, Name: "admin A"})
	mintA := e.newKey(apikey.Options{Org: orgA.ID, Scopes: apikey.ScopeMint, Name: "mint A"})

	r := e.api("POST", "/v1/users", op, fmt.Sprintf(`{"login":"county.a","password":"a long password","role":"regulator","region":"%d","categories":["food","drug"]}`, countyA))
	if r.status != 201 || !strings.Contains(string(r.body), `"categories":["food","drug"]`) || r.h("Location") != "/v1/users/1" {
		t.Fatalf("operator creates a regulator: %d %s", r.status, r.body)
	}
	r = e.api("POST", "/v1/users", adminA, `{"login":"clerk.a","password":"a long password","role":"enterprise-user"}`)
	if r.status != 201 || !strings.Contains(string(r.body), fmt.Sprintf(`"org":%d`, orgA.ID)) {
		t.Fatalf("admin creates its own clerk: %d %s", r.status, r.body)
	}
	for _, c := range []struct {
		key, body string
		status    int
		want      string
	}{
		// Hostile: another organisation's people, a regulator, an operator.
		{adminA, fmt.Sprintf(`{"login":"clerk.b","password":"a long password","role":"enterprise-user","org":%d}`, orgB.ID), 403, "own organisation"},
		{adminA, fmt.Sprintf(`{"login":"admin.b","password":"a long password","role":"enterprise-admin","org":%d}`, orgB.ID), 403, "own organisation"},
		{adminA, fmt.Sprintf(`{"login":"fake.reg","password":"a long password","role":"regulator","region":"%d"}`, countyA), 403, "only enterprise accounts"},
		{adminA, `{"login":"fake.ops","password":"a long password","role":"operator"}`, 403, "only enterprise accounts"},
		{mintA, `{"login":"clerk.c","password":"a long password","role":"enterprise-user"}`, 403, "admin"},
		// Malformed.
		{op, `{"login":"x","password":"a long password","role":"operator"}`, 400, "login"},
		{op, `{"login":"boss","password":"a long password","role":"boss"}`, 400, "role"},
		{op, `{"login":"reg.x","password":"a long password","role":"regulator","region":"62"}`, 400, "region"},
		{op, `{"login":"reg.y","password":"short","role":"regulator","region":"620102"}`, 400, "password"},
		{op, `{"login":"clerk.a","password":"a long password","role":"operator"}`, 409, "taken"},
		{op, `{"login":"ent.z","password":"a long password","role":"enterprise-user","org":9999}`, 400, "no organisation 9999"},
	} {
		r := e.api("POST", "/v1/users", c.key, c.body)
		if r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("POST %s: %d %s (want %d naming %q)", c.body, r.status, r.body, c.status, c.want)
		}
	}
	if _, err := e.srv.accounts.ByLogin("clerk.b"); err == nil {
		t.Error("a refused account exists")
	}
	var list struct{ Users []userJSON }
	r = e.api("GET", "/v1/users", adminA, "")
	if err := json.Unmarshal(r.body, &list); err != nil || r.status != 200 || len(list.Users) != 1 || list.Users[0].Login != "clerk.a" {
		t.Errorf("admin A lists %d %s", r.status, r.body)
	}
	r = e.api("GET", "/v1/users", op, "")
	if err := json.Unmarshal(r.body, &list); err != nil || len(list.Users) != 2 {
		t.Errorf("operator lists %s", r.body)
	}
}

// TestAuditAPI: a county regulator reads its county's audit entries and
// not another county's; a key that is neither admin nor regulator reads
// nothing.
func TestAuditAPI(t *testing.T) {
	e := newTestEnv(t, nil)
	orgA, orgB, countyA, countyB := twoCountyOrgs(t, e)
	for _, o := range []account.NewOptions{
		{Login: "clerk.a", Role: account.RoleEnterpriseUser, Org: orgA.ID},
		{Login: "clerk.b", Role: account.RoleEnterpriseUser, Org: orgB.ID},
	} {
		o.Password = "a long password"
		if _, err := mustAccounts(e.t, e.eng).Add(account.CLI, o); err != nil {
			t.Fatal(err)
		}
	}
	regA := e.newKey(apikey.Options{Scopes: apikey.ScopeRegulator, Region: countyA, Name: "county A"})
	regB := e.newKey(apikey.Options{Scopes: apikey.ScopeRegulator, Region: countyB, Name: "county B"})
	read := func(key string) string {
		r := e.api("GET", "/v1/audit", key, "")
		var out struct{ Entries []auditJSON }
		if r.status != 200 || json.Unmarshal(r.body, &out) != nil {
			t.Fatalf("GET /v1/audit: %d %s", r.status, r.body)
		}
		var ts []string
		for _, en := range out.Entries {
			ts = append(ts, en.Target)
		}
		return strings.Join(ts, " ")
	}
	if got := read(regA); got != "clerk.a" {
		t.Errorf("county A reads %q", got)
	}
	if got := read(regB); got != "clerk.b" {
		t.Errorf("county B reads %q", got)
	}
	mint := e.newKey(apikey.Options{Org: orgA.ID, Scopes: apikey.ScopeMint, Name: "mint"})
	if r := e.api("GET", "/v1/audit", mint, ""); r.status != 403 {
		t.Errorf("mint key reads the audit log: %d", r.status)
	}
	if r := e.api("GET", "/v1/audit?limit=0", regA, ""); r.status != 400 || !strings.Contains(string(r.body), "limit") {
		t.Errorf("limit=0: %d %s", r.status, r.body)
	}
}

// TestKeysAudited: creating and revoking an API key is in the audit log.
func TestKeysAudited(t *testing.T) {
	e := newTestEnv(t, nil)
	op := e.newKey(apikey.Options{Scopes: apikey.ScopeAdmin, Name: "op"})
	r := e.api("POST", "/v1/keys", op, `{"scopes":["regulator"],"region":"620102","name":"county key"}`)
	var k keyJSON
	if r.status != 201 || json.Unmarshal(r.body, &k) != nil {
		t.Fatalf("create key: %d %s", r.status, r.body)
	}
	if r := e.api("DELETE", "/v1/keys/"+k.ID, op, ""); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	es, _, err := e.srv.accounts.Audit(account.Viewer{Region: 620102}, 0, 10, nil)
	if err != nil || len(es) != 2 || es[0].Action != account.ActionKeyRevoke || es[1].Action != account.ActionKeyCreate ||
		!strings.Contains(es[1].Target, k.ID) {
		t.Errorf("audit: %+v %v", es, err)
	}
}
