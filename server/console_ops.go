package server

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/capacity"
	"tracecode/engine/model"
)

// opsPage is the operator's page: organisations and their prefixes,
// accounts (with a form to create one), API keys, system health. An
// organisation's admin sees its own people and keys and creates its
// people here too.
func (r *consoleReq) opsPage(msg string, errs []string) {
	operator := r.key.Org == 0 && r.key.Scopes.Has(apikey.ScopeAdmin)
	admin := r.key.Org != 0 && r.key.Scopes.Has(apikey.ScopeAdmin)
	if !operator && !admin {
		r.fail(fasthttp.StatusForbidden, r.t("forbidden"))
		return
	}
	data := map[string]any{"Msg": msg, "Errors": errs, "Operator": operator, "Roles": account.RoleNames(), "Categories": model.CategoryNames()}
	if !operator {
		data["Roles"] = []string{account.RoleEnterpriseUser.String(), account.RoleEnterpriseAdmin.String()}
	}
	if operator {
		type orgRow struct {
			O      model.Org
			Region string
		}
		var orgs []orgRow
		for _, o := range r.s.eng.Issuance().Orgs() {
			orgs = append(orgs, orgRow{o, r.regionName(o.Region)})
		}
		data["Orgs"] = orgs
		health := []map[string]string{{"What": r.t("uptime"), "State": time.Since(r.s.started).Round(time.Second).String()}}
		st := r.t("ok")
		if err := r.s.eng.Ping(); err != nil {
			st = err.Error()
		}
		health = append(health, map[string]string{"What": r.t("store"), "State": st})
		st = r.t("ok")
		if err := r.s.scans.Err(); err != nil {
			st = err.Error()
		}
		health = append(health, map[string]string{"What": r.t("scanLog"), "State": st})
		health = append(health, r.diskHealth()...)
		data["Health"] = health
	}
	users, err := r.s.accounts.List(func(a *account.Account) bool { return operator || a.Org == r.key.Org && a.Role.Enterprise() })
	if err != nil {
		r.s.internalError(r.ctx, "console users", err)
		return
	}
	data["Users"] = users
	_, body := r.consoleAPI("GET", "/v1/keys", nil)
	var keys struct{ Keys []keyJSON }
	_ = json.Unmarshal(body, &keys)
	data["Keys"] = keys.Keys
	r.render("ops", data)
}

// diskHealth is the store's size, the filesystem's free space and, from
// the growth since the server started, how long that space lasts.
func (r *consoleReq) diskHealth() []map[string]string {
	st := r.s.eng.Stats()
	rows := []map[string]string{{"What": r.t("diskUse"), "State": fmt.Sprintf(r.t("diskUseFmt"), siBytes(float64(st.DiskUsage)), siBytes(float64(st.DiskFreeBytes)))}}
	rw := capacity.Estimate(r.s.diskStart, st.DiskUsage, time.Since(r.s.started), st.DiskFreeBytes)
	state := r.t("runwayWait")
	switch {
	case rw.Measured && math.IsInf(rw.Months, 1):
		state = r.t("runwayFlat")
	case rw.Measured:
		state = fmt.Sprintf(r.t("runwayFmt"), siBytes(rw.BytesPerDay), rw.Months)
	}
	return append(rows, map[string]string{"What": r.t("diskRunway"), "State": state})
}

// siBytes formats a byte count with three significant digits.
func siBytes(v float64) string {
	for _, u := range []struct {
		div  float64
		name string
	}{{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}} {
		if v >= u.div {
			return fmt.Sprintf("%.3g %s", v/u.div, u.name)
		}
	}
	return fmt.Sprintf("%.0f B", v)
}

// createUser creates an account through POST /v1/users as the account's
// key: the operator any account, an organisation's admin its own people.
func (r *consoleReq) createUser() {
	f := r.form
	in := map[string]any{"login": f.Get("login"), "name": f.Get("name"), "password": f.Get("password"), "role": f.Get("role")}
	if v := f.Get("region"); v != "" {
		in["region"] = v
	}
	if v := strings.TrimSpace(f.Get("org")); v != "" {
		in["org"] = json.Number(url0(v))
	}
	if cats := f["categories"]; len(cats) > 0 {
		in["categories"] = cats
	}
	status, ans := r.consoleAPI("POST", "/v1/users", mustJSON(in))
	if status != fasthttp.StatusCreated {
		r.ctx.SetStatusCode(status)
		r.opsPage("", []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/ops")
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("BUG: marshal: " + err.Error())
	}
	return b
}
