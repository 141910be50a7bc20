package server

// Console pages of the random spot checks (双随机、一公开): a regulator
// creates a check plan, draws from it (with a seed published in advance,
// or one the server records), sees the organisations and inspectors
// drawn, records each inspection's result, which publishes it; an
// enterprise sees the published results of its own inspections. Every
// write runs the /v1 route as the account (consoleAPI), so the API's
// checks hold: a regulator of another region gets 404, an enterprise 403.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/model"
	"tracecode/engine/spotcheck"
)

// spotRoute dispatches /console/spotchecks…; it reports whether the path
// was one of its own.
func (r *consoleReq) spotRoute(p string, get, post bool) bool {
	seg := strings.Split(strings.Trim(p, "/"), "/")
	if len(seg) == 0 || seg[0] != "spotchecks" {
		return false
	}
	switch {
	case len(seg) == 1 && get:
		r.spotPage("", nil)
	case len(seg) == 2 && seg[1] == "plans" && post:
		r.spotPlanCreate()
	case len(seg) == 3 && seg[1] == "plans" && get:
		r.spotPlanPage(seg[2], nil)
	case len(seg) == 4 && seg[1] == "plans" && seg[3] == "plan.json" && get:
		r.spotJSON("/v1/spotchecks/plans/" + seg[2])
	case len(seg) == 4 && seg[1] == "plans" && seg[3] == "draws" && post:
		r.spotDrawCreate(seg[2])
	case len(seg) == 3 && seg[1] == "draws" && get:
		r.spotDrawPage(seg[2], "", nil)
	case len(seg) == 4 && seg[1] == "draws" && (seg[3] == "population.json" || seg[3] == "draw.json") && get:
		uri := "/v1/spotchecks/draws/" + seg[2]
		if seg[3] == "population.json" {
			uri += "/population"
		}
		r.spotJSON(uri)
	case len(seg) == 6 && seg[1] == "draws" && seg[3] == "inspections" && seg[5] == "result" && post:
		r.spotResult(seg[2], seg[4])
	default:
		return false
	}
	return true
}

// spotRegulator reports whether the account plans and draws: a regulator
// (or inspector) of a region.
func (r *consoleReq) spotRegulator() bool {
	return r.key.Scopes.Has(apikey.ScopeRegulator) && r.key.Region != 0
}

// spotPage lists the plans and draws the account sees, with the form of a
// new plan; an enterprise sees its published inspections.
func (r *consoleReq) spotPage(msg string, errs []string) {
	data := map[string]any{"Msg": msg, "Regulator": r.spotRegulator(), "Classes": spotClasses(),
		"Inspectors": spotcheck.DefaultInspectors, "PublishDays": spotcheck.DefaultPublishDays}
	data["Categories"] = model.CategoryNames()
	if sc, err := r.s.eng.SpotChecks(); err != nil {
		errs = append(errs, err.Error())
	} else if r.key.Org == 0 || r.spotRegulator() {
		type planRow struct {
			spotcheck.Plan
			Region string
			Draws  int
		}
		var plans []planRow
		for _, p := range sc.Book.Plans(func(p *spotcheck.Plan) bool { return spotcheck.Visible(r.key, p.Region) }) {
			n := len(sc.Book.Draws(func(d *spotcheck.Draw) bool { return d.Plan == p.ID }))
			plans = append(plans, planRow{Plan: p, Region: r.regionName(p.Region), Draws: n})
		}
		data["Plans"] = plans
		data["Draws"] = r.spotDrawRows(sc.Book.Draws(func(d *spotcheck.Draw) bool { return spotcheck.Visible(r.key, d.Region) }))
	}
	if r.key.Org != 0 {
		var rs []spotcheck.PublicResult
		sc, err := r.s.eng.SpotChecks()
		if err == nil {
			rs, err = sc.PublicResults(r.key.Org)
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
		type ownRow struct {
			spotcheck.PublicResult
			Result, Date, Region string
		}
		var own []ownRow
		for _, x := range rs {
			own = append(own, ownRow{PublicResult: x, Result: x.Code.Text(r.lang), Date: fmtMillis(x.Recorded), Region: r.regionName(x.Region)})
		}
		data["Own"] = own
		data["Enterprise"] = true
	}
	data["Errors"] = errs
	r.render("spotchecks", data)
}

// spotClass is a risk class with its default ratio, for the plan form.
type spotClass struct {
	Name, Label string
	Default     string
}

func spotClasses() []spotClass {
	var out []spotClass
	for _, c := range spotcheck.Classes {
		v := spotcheck.DefaultRatios[c]
		pct := strconv.Itoa(int(v / 100))
		if v%100 != 0 {
			pct = strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%02d", v/100, v%100), "0"), ".")
		}
		out = append(out, spotClass{Name: c.String(), Label: "risk." + c.String(), Default: pct})
	}
	return out
}

// spotDrawRow is a draw as the lists show it.
type spotDrawRow struct {
	spotcheck.Draw
	PlanName, Created, PublishBy, Region string
	Done, Total                          int
}

func (r *consoleReq) spotDrawRows(ds []spotcheck.Draw) []spotDrawRow {
	sc, err := r.s.eng.SpotChecks()
	if err != nil {
		return nil
	}
	var out []spotDrawRow
	for _, d := range ds {
		row := spotDrawRow{Draw: d, Created: fmtMillis(d.Created), PublishBy: fmtMillis(d.PublishBy), Region: r.regionName(d.Region),
			Done: len(sc.Book.Results(d.ID)), Total: len(d.Outcome.Inspections)}
		if p, err := sc.Book.Plan(d.Plan); err == nil {
			row.PlanName = p.Name
		}
		out = append(out, row)
	}
	return out
}

// lines splits a textarea into its non-empty trimmed lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// spotPlanCreate posts the plan form (POST /v1/spotchecks/plans).
func (r *consoleReq) spotPlanCreate() {
	f := r.form
	pf := spotcheck.PlanFile{Name: strings.TrimSpace(f.Get("name")), Items: lines(f.Get("items")), Categories: f["category"],
		Ratios: map[string]json.Number{}}
	for _, c := range spotcheck.Classes {
		if v := strings.TrimSpace(f.Get("ratio-" + c.String())); v != "" {
			pf.Ratios[c.String()] = json.Number(v)
		}
	}
	if v := strings.TrimSpace(f.Get("inspectors")); v != "" {
		pf.Inspectors, _ = strconv.Atoi(v)
	}
	if v := strings.TrimSpace(f.Get("publish_days")); v != "" {
		pf.PublishDays, _ = strconv.Atoi(v)
	}
	for i, l := range lines(f.Get("conflicts")) {
		login, uscc, ok := strings.Cut(strings.Join(strings.Fields(l), " "), " ")
		if !ok {
			r.ctx.SetStatusCode(fasthttp.StatusBadRequest)
			r.spotPage("", []string{fmt.Sprintf("%s %d: %q", r.t("spotConflictLine"), i+1, l)})
			return
		}
		pf.Conflicts = append(pf.Conflicts, spotcheck.Conflict{Inspector: login, Subject: uscc})
	}
	status, ans, ok := r.apiWrite("POST", "/v1/spotchecks/plans", pf, account.ActionSpotPlan, pf.Name)
	if !ok {
		r.ctx.SetStatusCode(status)
		r.spotPage("", []string{apiDetail(ans)})
		return
	}
	var p spotcheck.PlanFile
	_ = json.Unmarshal(ans, &p)
	r.redirect(fmt.Sprintf("%s/spotchecks/plans/%d", consolePrefix, p.ID))
}

// spotPlanPage shows a plan, the population a draw would take now and the
// draw form.
func (r *consoleReq) spotPlanPage(id string, errs []string) {
	n, err := strconv.ParseUint(id, 10, 32)
	if err != nil {
		r.fail(fasthttp.StatusNotFound, r.t("notFound"))
		return
	}
	sc, err := r.s.eng.SpotChecks()
	if err != nil {
		r.fail(fasthttp.StatusInternalServerError, err.Error())
		return
	}
	p, err := sc.Plan(r.key, uint32(n))
	if err != nil {
		r.fail(fasthttp.StatusNotFound, r.t("notFound"))
		return
	}
	data := map[string]any{"Plan": p, "File": p.File(), "Region": r.regionName(p.Region), "Regulator": r.spotRegulator(),
		"Created": fmtMillis(p.Created)}
	type ratio struct{ Class, Pct string }
	var ratios []ratio
	for _, c := range spotcheck.Classes {
		ratios = append(ratios, ratio{Class: c.String(), Pct: p.File().Ratios[c.String()].String()})
	}
	data["Ratios"] = ratios
	pop, err := sc.Population(&p)
	if err != nil {
		errs = append(errs, err.Error())
	} else {
		data["Population"] = pop
		data["PopHash"] = pop.Hash()
	}
	data["Draws"] = r.spotDrawRows(sc.Book.Draws(func(d *spotcheck.Draw) bool { return d.Plan == p.ID }))
	data["Errors"] = errs
	r.render("spotplan", data)
}

// spotDrawCreate posts a draw of plan id with the form's seed (none: the
// server's random seed, recorded).
func (r *consoleReq) spotDrawCreate(id string) {
	seed := strings.TrimSpace(r.form.Get("seed"))
	status, ans, ok := r.apiWrite("POST", "/v1/spotchecks/plans/"+id+"/draws", map[string]string{"seed": seed}, account.ActionSpotDraw, "plan "+id)
	if !ok {
		if status == fasthttp.StatusForbidden || status == fasthttp.StatusNotFound {
			r.fail(status, apiDetail(ans))
			return
		}
		r.ctx.SetStatusCode(status)
		r.spotPlanPage(id, []string{apiDetail(ans)})
		return
	}
	var d struct {
		ID uint64 `json:"id"`
	}
	_ = json.Unmarshal(ans, &d)
	r.redirect(fmt.Sprintf("%s/spotchecks/draws/%d", consolePrefix, d.ID))
}

// spotDrawPage shows a draw: its seed and how to re-run it, the
// inspections with their inspectors and results, and the result form of
// each open inspection.
func (r *consoleReq) spotDrawPage(id, msg string, errs []string) {
	status, body := r.consoleAPI("GET", "/v1/spotchecks/draws/"+id, nil)
	if status != fasthttp.StatusOK {
		r.fail(status, apiDetail(body))
		return
	}
	var d spotDrawJSON
	if err := json.Unmarshal(body, &d); err != nil {
		r.s.internalError(r.ctx, "console draw", err)
		return
	}
	for _, t := range []*string{&d.Created, &d.PublishBy} {
		if x, err := time.Parse(time.RFC3339, *t); err == nil {
			*t = x.In(chinaTime).Format("2006-01-02 15:04")
		}
	}
	for i := range d.Inspections {
		if res := d.Inspections[i].Result; res != nil {
			if x, err := time.Parse(time.RFC3339, res.Recorded); err == nil {
				res.Recorded = x.In(chinaTime).Format("2006-01-02 15:04")
			}
		}
	}
	data := map[string]any{"Draw": d, "Msg": msg, "Errors": errs, "Regulator": r.spotRegulator(), "Codes": spotcheck.Codes[:]}
	if n, err := strconv.ParseUint(d.Region, 10, 32); err == nil {
		data["Region"] = r.regionName(uint32(n))
	}
	if sc, err := r.s.eng.SpotChecks(); err == nil {
		if p, err := sc.Plan(r.key, d.Plan); err == nil {
			data["Plan"] = p
		}
	}
	r.render("spotdraw", data)
}

// spotResult posts an inspection's result.
func (r *consoleReq) spotResult(draw, n string) {
	f := r.form
	in := map[string]any{"code": f.Get("code"), "note": strings.TrimSpace(f.Get("note")), "lots": lines(f.Get("lots")),
		"codes": lines(f.Get("codes"))}
	status, ans, ok := r.apiWrite("POST", "/v1/spotchecks/draws/"+draw+"/inspections/"+n+"/result", in, account.ActionSpotResult, draw+"-"+n)
	if !ok && (status == fasthttp.StatusForbidden || status == fasthttp.StatusNotFound) {
		r.fail(status, apiDetail(ans))
		return
	}
	if !ok {
		r.ctx.SetStatusCode(status)
		r.spotDrawPage(draw, "", []string{apiDetail(ans)})
		return
	}
	r.redirect(fmt.Sprintf("%s/spotchecks/draws/%s#inspection-%s", consolePrefix, draw, n))
}

// spotJSON serves a /v1 spot-check document to the account as a download
// (the plan, a draw, its population: what `tracecode spotcheck draw`
// re-runs a draw from).
func (r *consoleReq) spotJSON(uri string) {
	status, body := r.consoleAPI("GET", uri, nil)
	if status != fasthttp.StatusOK {
		r.fail(status, apiDetail(body))
		return
	}
	r.ctx.SetContentType("application/json")
	r.ctx.Response.Header.Set("Content-Disposition", `attachment; filename="spotcheck-`+strings.ReplaceAll(strings.TrimPrefix(uri, "/v1/spotchecks/"), "/", "-")+`.json"`)
	r.ctx.SetBody(body)
}
