package server

// Console pages of the public duties: the complaint inbox (regulators
// act on complaints routed to them; an enterprise sees those about it,
// without the complainant) and the credit page (a regulator writes entries
// and decides repairs; an enterprise reads its record and applies for
// repair). Every write runs the /v1 route as the account.

import (
	"encoding/json"
	"strconv"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/complaint"
	"tracecode/engine/credit"
	"tracecode/engine/model"
)

// complaintsPage lists the account's inbox (GET /v1/complaints).
func (r *consoleReq) complaintsPage(msg string, errs []string) {
	cs, err := r.s.eng.Complaints().Inbox(r.key)
	if err != nil {
		errs = append(errs, err.Error())
	}
	type row struct {
		complaint.Complaint
		Created, Due, Region, Product, Producer, Seller string
		Photos                                          []int
		Open                                            bool
	}
	var rows []row
	for _, c := range cs {
		x := row{Complaint: c, Created: fmtMillis(c.Created), Due: fmtMillis(c.Due - 1), Region: r.regionName(c.Region),
			Open: c.State == complaint.Received || c.State == complaint.Accepted}
		if p, err := r.s.eng.Issuance().Product(c.Product); err == nil {
			x.Product = pickText(r.lang, p.NameZH, p.NameEN)
		}
		for id, dst := range map[uint32]*string{c.Producer: &x.Producer, c.Seller: &x.Seller} {
			if o, err := r.s.eng.Issuance().Org(id); err == nil && id != 0 {
				*dst = pickText(r.lang, o.Name, o.NameEN)
			}
		}
		for i := range c.Photos {
			x.Photos = append(x.Photos, i+1)
		}
		rows = append(rows, x)
	}
	r.render("complaints", map[string]any{"Complaints": rows, "Msg": msg, "Errors": errs,
		"Acts": r.key.Scopes.Has(apikey.ScopeRegulator) || (r.key.Org == 0 && r.key.Scopes.Has(apikey.ScopeAdmin))})
}

// complaintStep posts an accept, refuse or close.
func (r *consoleReq) complaintStep(tracking string) {
	in := map[string]string{"action": r.form.Get("action"), "note": r.form.Get("note")}
	status, ans, ok := r.apiWrite("POST", "/v1/complaints/"+tracking+"/decision", in, account.ActionComplaintStep, tracking)
	if !ok {
		r.ctx.SetStatusCode(status)
		r.complaintsPage("", []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/complaints")
}

// complaintPhoto serves a complaint's photo to the account (the route's
// own check: the regulator it is routed to).
func (r *consoleReq) complaintPhoto(tracking, n string) {
	status, body := r.consoleAPI("GET", "/v1/complaints/"+tracking+"/photos/"+n, nil)
	if status != fasthttp.StatusOK {
		r.fail(status, apiDetail(body))
		return
	}
	r.ctx.SetContentType(complaint.PhotoType(body))
	r.ctx.SetBody(body)
}

// creditPage shows the regulator's desk (new entry, pending repairs) or
// the enterprise's own record.
func (r *consoleReq) creditPage(msg string, errs []string) {
	data := map[string]any{"Msg": msg, "Errors": errs, "Kinds": []string{"penalty", "abnormal", "serious-violation", "spot-check-failed", "positive"}}
	regulator := r.key.Scopes.Has(apikey.ScopeRegulator) && r.key.Region != 0
	data["Regulator"] = regulator
	if regulator {
		var orgs []model.Org
		for _, o := range r.visibleOrgs() {
			if o.USCC != "" {
				orgs = append(orgs, o)
			}
		}
		data["Orgs"] = orgs
		var pending []credit.Entry
		if co, err := r.s.eng.Credit(); err != nil {
			errs = append(errs, err.Error())
		} else {
			pending = co.RepairsPending(r.key)
		}
		data["Pending"] = r.creditRows(pending)
	}
	if r.key.Org != 0 {
		if o, err := r.s.eng.Issuance().Org(r.key.Org); err == nil && o.USCC != "" {
			v, err := r.s.creditView(r.key, o.USCC)
			if err != nil {
				errs = append(errs, err.Error())
			}
			data["Own"] = v
			data["OwnRows"] = r.creditRows(v.Entries)
		}
	}
	data["Errors"] = errs
	r.render("credit", data)
}

// creditRow is an entry as the console shows it.
type creditRow struct {
	credit.Entry
	Org, Summary, Publish, RepairFrom, Expiry string
	CanApply                                  bool
}

func (r *consoleReq) creditRows(es []credit.Entry) []creditRow {
	now := r.s.eng.Now().UnixMilli()
	var out []creditRow
	for _, e := range es {
		x := creditRow{Entry: e, Summary: pickText(r.lang, e.SummaryZH, e.SummaryEN),
			Publish: fmtMillis(e.PublishFrom), RepairFrom: fmtMillis(e.RepairFrom), Expiry: fmtMillis(e.Expiry)}
		if o, err := r.s.eng.Issuance().Org(e.Org); err == nil {
			x.Org = pickText(r.lang, o.Name, o.NameEN)
		}
		x.CanApply = e.Kind.Negative() && e.Status == credit.StatusActive && e.Repair != "applied" && e.RepairFrom <= now
		out = append(out, x)
	}
	return out
}

// creditAdd posts a new entry (POST /v1/credit).
func (r *consoleReq) creditAdd() {
	f := r.form
	in := map[string]string{"uscc": f.Get("uscc"), "kind": f.Get("kind"), "gravity": f.Get("gravity"), "document": f.Get("document"),
		"summary_zh": f.Get("summary_zh"), "summary_en": f.Get("summary_en"), "publish_from": f.Get("publish_from"), "expiry": f.Get("expiry")}
	for k, v := range in {
		if v == "" && k != "kind" && k != "uscc" {
			delete(in, k)
		}
	}
	status, ans, ok := r.apiWrite("POST", "/v1/credit", in, account.ActionCreditEntry, f.Get("uscc"))
	if !ok {
		r.ctx.SetStatusCode(status)
		r.creditPage("", []string{apiDetail(ans)})
		return
	}
	var rec credit.Record
	_ = json.Unmarshal(ans, &rec)
	r.creditPage(r.t("creditAdded")+" #"+strconv.FormatUint(rec.Seq, 10), nil)
}

// creditRepair posts a repair application (the enterprise) or decision
// (the regulator) on entry seq.
func (r *consoleReq) creditRepair(seq, step string) {
	in := map[string]any{"note": r.form.Get("note")}
	uri := "/v1/credit/entries/" + seq + "/repair"
	if step == "decision" {
		in["approve"] = r.form.Get("approve") == "true"
		uri = "/v1/credit/entries/" + seq + "/decision"
	}
	status, ans, ok := r.apiWrite("POST", uri, in, account.ActionCreditRepair, seq)
	if !ok {
		r.ctx.SetStatusCode(status)
		r.creditPage("", []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/credit")
}

// orgCredit is the credit record of organisation o as the account sees
// it (nil when it has no USCC).
func (r *consoleReq) orgCredit(o model.Org) map[string]any {
	if o.USCC == "" {
		return nil
	}
	v, err := r.s.creditView(r.key, o.USCC)
	if err != nil {
		return map[string]any{"Error": err.Error()}
	}
	return map[string]any{"View": v, "Rows": r.creditRows(v.Entries)}
}
