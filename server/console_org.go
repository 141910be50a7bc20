package server

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// requireOrg refuses a page of one organisation to an account without
// one.
func (r *consoleReq) requireOrg() bool {
	if r.key.Org == 0 || !r.acct.Role.Enterprise() {
		r.fail(fasthttp.StatusForbidden, r.t("forbidden"))
		return false
	}
	return true
}

func (r *consoleReq) productsPage(msg string, errs []string) {
	if !r.requireOrg() {
		return
	}
	type prodRow struct {
		P    model.Product
		Lots []model.Lot
	}
	var rows []prodRow
	for _, p := range r.s.eng.Issuance().Products(r.key.Org) {
		rows = append(rows, prodRow{p, r.s.eng.Issuance().Lots(p.ID)})
	}
	o, _ := r.s.eng.Issuance().Org(r.key.Org)
	r.render("products", map[string]any{"Org": o, "Rows": rows, "Categories": model.CategoryNames(), "Msg": msg, "Errors": errs,
		"Admin": r.key.Scopes.Has(apikey.ScopeAdmin), "Sites": r.siteRows(o.ID), "SiteKinds": siteKinds()})
}

// apiWrite runs a /v1 write as the account and audits it; ok reports a
// 2xx answer, detail the route's message otherwise.
func (r *consoleReq) apiWrite(method, uri string, body any, action account.Action, target string) (status int, answer []byte, ok bool) {
	b, err := json.Marshal(body)
	if err != nil {
		panic("BUG: marshal console form: " + err.Error())
	}
	status, answer = r.consoleAPI(method, uri, b)
	ok = status >= 200 && status < 300
	outcome, detail := account.OutcomeOK, ""
	if !ok {
		outcome, detail = account.OutcomeFailed, apiDetail(answer)
		if status == fasthttp.StatusForbidden || status == fasthttp.StatusNotFound {
			outcome = account.OutcomeDenied
		}
	}
	if err := r.s.accounts.Record(r.actor(), action, outcome, r.s.accounts.OrgSubject(r.key.Org), target, detail); err != nil {
		r.s.log.Error("console audit", "err", err)
	}
	return status, answer, ok
}

func (r *consoleReq) createProduct() {
	if !r.requireOrg() {
		return
	}
	f := r.form
	gcp, _ := strconv.Atoi(f.Get("gcpLength"))
	in := map[string]any{"gtin": f.Get("gtin"), "gcpLength": gcp, "nameZH": f.Get("nameZH"), "nameEN": f.Get("nameEN"),
		"category": f.Get("category")}
	status, ans, ok := r.apiWrite("POST", "/v1/products", in, account.ActionProductAdd, f.Get("gtin"))
	if !ok {
		r.ctx.SetStatusCode(status)
		r.productsPage("", []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/products")
}

func (r *consoleReq) createLot() {
	if !r.requireOrg() {
		return
	}
	f := r.form
	in := map[string]any{"number": f.Get("number"), "produced": f.Get("produced"), "expiry": f.Get("expiry")}
	status, ans, ok := r.apiWrite("POST", "/v1/products/"+url0(f.Get("product"))+"/lots", in, account.ActionLotAdd, f.Get("number"))
	if !ok {
		r.ctx.SetStatusCode(status)
		r.productsPage("", []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/products")
}

// url0 keeps a path segment numeric (a form may send anything).
func url0(s string) string {
	if _, err := strconv.ParseUint(s, 10, 32); err != nil {
		return "0"
	}
	return s
}

func (r *consoleReq) blocksPage(msg string, errs []string) {
	if !r.requireOrg() {
		return
	}
	type blockRow struct {
		B      blockJSON
		Name   string
		Offset uint64
	}
	var rows []blockRow
	for _, b := range r.s.eng.Issuance().Blocks(issue.BlockFilter{Org: r.key.Org}) {
		row := blockRow{B: r.s.blockOut(b)}
		if p, err := r.s.eng.Issuance().Product(b.Product); err == nil {
			row.Name = p.NameZH
		}
		row.Offset = b.ReleasedFrom()
		rows = append(rows, row)
	}
	// Newest first.
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	r.render("blocks", map[string]any{"Rows": rows, "Products": r.s.eng.Issuance().Products(r.key.Org), "Msg": msg, "Errors": errs})
}

func (r *consoleReq) requestBlock() {
	if !r.requireOrg() {
		return
	}
	f := r.form
	count, err := strconv.ParseUint(f.Get("count"), 10, 64)
	if err != nil || count == 0 {
		r.ctx.SetStatusCode(fasthttp.StatusBadRequest)
		r.blocksPage("", []string{fmt.Sprintf("%s: %q", r.t("count"), f.Get("count"))})
		return
	}
	prod, _ := strconv.ParseUint(f.Get("product"), 10, 32)
	in := map[string]any{"product": prod, "lot": f.Get("lot"), "createLot": f.Get("lot") != "", "count": count}
	if lv := f.Get("level"); lv != "" {
		in["level"] = lv
	}
	status, ans, ok := r.apiWrite("POST", "/v1/blocks", in, account.ActionBlockRequest, fmt.Sprintf("product %d lot %s × %d", prod, f.Get("lot"), count))
	if !ok {
		r.ctx.SetStatusCode(status)
		r.blocksPage("", []string{apiDetail(ans)})
		return
	}
	var b blockJSON
	_ = json.Unmarshal(ans, &b)
	r.redirect(fmt.Sprintf("%s/blocks?new=%d", consolePrefix, b.ID))
}

func (r *consoleReq) releaseBlock(id string) {
	if !r.requireOrg() {
		return
	}
	from, err := strconv.ParseUint(r.form.Get("from"), 10, 64)
	if err != nil {
		r.ctx.SetStatusCode(fasthttp.StatusBadRequest)
		r.blocksPage("", []string{fmt.Sprintf("%s: %q", r.t("releaseFrom"), r.form.Get("from"))})
		return
	}
	in := map[string]any{"from": from, "note": r.form.Get("note")}
	status, ans, ok := r.apiWrite("POST", "/v1/blocks/"+url0(id)+"/release", in, account.ActionBlockRelease, "block "+id)
	if !ok {
		r.ctx.SetStatusCode(status)
		r.blocksPage("", []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/blocks")
}

// downloadBlock streams a block's codes in the format asked for, through
// the /v1/blocks/{block}/codes handler itself (its streaming, formats and
// checks) acting as the account's key.
func (r *consoleReq) downloadBlock(id string) {
	c := call{s: r.s, ctx: r.ctx, key: r.key}
	rt, _ := r.s.match([]byte("GET"), []byte("/v1/blocks/"+url0(id)+"/codes"), &c)
	if rt == nil || !r.s.permitted(r.key, rt.scopes) {
		r.fail(fasthttp.StatusForbidden, r.t("forbidden"))
		return
	}
	c.r = rt
	format := string(r.ctx.QueryArgs().Peek("format"))
	if format == "" {
		format = "dl"
	}
	r.ctx.Response.Header.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="block-%s-%s.txt"`, url0(id), strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			return c
		}
		return -1
	}, format)))
	r.ctx.Response.Header.Del("Content-Security-Policy")
	rt.h(r.s, &c)
	if r.ctx.Response.StatusCode() == fasthttp.StatusOK {
		_ = r.s.accounts.Record(r.actor(), account.ActionCodeDownload, account.OutcomeOK, r.s.accounts.OrgSubject(r.key.Org), "block "+id, "format "+format)
	} else {
		r.ctx.Response.Header.Del("Content-Disposition")
	}
}

func (r *consoleReq) uploadPage(result map[string]any, errText string) {
	if !r.requireOrg() {
		return
	}
	r.render("upload", map[string]any{"Result": result, "Error": errText})
}

// upload captures an EPCIS document through POST /v1/events and shows
// the answer: the receipt, or each event's errors.
func (r *consoleReq) upload() {
	if !r.requireOrg() {
		return
	}
	if len(r.file) == 0 {
		r.ctx.SetStatusCode(fasthttp.StatusBadRequest)
		r.uploadPage(nil, r.t("file")+": "+r.t("none"))
		return
	}
	status, ans := r.consoleAPI("POST", "/v1/events", r.file)
	outcome := account.OutcomeOK
	if status >= 300 {
		outcome = account.OutcomeFailed
	}
	_ = r.s.accounts.Record(r.actor(), account.ActionCapture, outcome, r.s.accounts.OrgSubject(r.key.Org),
		fmt.Sprintf("%d bytes", len(r.file)), fmt.Sprintf("status %d", status))
	var res map[string]any
	if json.Unmarshal(ans, &res) != nil {
		res = map[string]any{"detail": string(ans)}
	}
	res["status"] = status
	res["accepted"] = status < 300
	if status >= 300 {
		r.ctx.SetStatusCode(status)
	}
	r.uploadPage(res, "")
}

// custodyOrgs are the organisations codes may be shipped to: every other
// organisation with a company prefix (its party id).
func (r *consoleReq) custodyOrgs() []model.Org {
	var orgs []model.Org
	for _, o := range r.s.eng.Issuance().Orgs() {
		if o.ID != r.key.Org && len(o.GCPs) > 0 {
			orgs = append(orgs, o)
		}
	}
	return orgs
}

func (r *consoleReq) custodyPage() {
	if !r.requireOrg() {
		return
	}
	r.render("custody", map[string]any{"Orgs": r.custodyOrgs()})
}

// custody ships codes to another organisation or receives codes shipped
// to this one: an EPCIS ObjectEvent (bizStep shipping with the receiver
// as owning party, or receiving) captured through POST /v1/events, where
// the custody rules decide.
func (r *consoleReq) custody() {
	if !r.requireOrg() {
		return
	}
	data := map[string]any{"Orgs": r.custodyOrgs()}
	dir := r.form.Get("dir")
	codes := strings.Fields(r.form.Get("codes"))
	data["Dir"], data["Codes"] = dir, strings.Join(codes, "\n")
	fail := func(msg string) {
		r.ctx.SetStatusCode(fasthttp.StatusBadRequest)
		data["Error"] = msg
		r.render("custody", data)
	}
	if len(codes) == 0 || len(codes) > 10000 {
		fail(fmt.Sprintf("%s: %d (1 to 10,000)", r.t("code"), len(codes)))
		return
	}
	ev := map[string]any{"type": "ObjectEvent", "eventTime": r.s.eng.Now().UTC().Format(time.RFC3339), "eventTimeZoneOffset": "+08:00",
		"epcList": codes, "action": "OBSERVE"}
	switch dir {
	case "out":
		ev["bizStep"], ev["disposition"] = "shipping", "in_transit"
		to, _ := strconv.ParseUint(r.form.Get("to"), 10, 32)
		o, err := r.s.eng.Issuance().Org(uint32(to))
		if err != nil || len(o.GCPs) == 0 || o.ID == r.key.Org {
			fail(r.t("org") + ": " + r.form.Get("to"))
			return
		}
		ref := strings.Repeat("0", max(0, 12-len(o.GCPs[0])))
		ev["destinationList"] = []map[string]string{{"type": "owning_party", "destination": "urn:epc:id:pgln:" + o.GCPs[0] + "." + ref}}
	case "in":
		ev["bizStep"], ev["disposition"] = "receiving", "in_progress"
	default:
		fail("dir: " + dir)
		return
	}
	doc := map[string]any{"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"}, "type": "EPCISDocument",
		"schemaVersion": "2.0", "creationDate": r.s.eng.Now().UTC().Format(time.RFC3339), "epcisBody": map[string]any{"eventList": []any{ev}}}
	status, ans, ok := r.apiWrite("POST", "/v1/events", doc, account.ActionCapture, fmt.Sprintf("%s %d codes", ev["bizStep"], len(codes)))
	var res map[string]any
	if json.Unmarshal(ans, &res) != nil {
		res = map[string]any{"detail": string(ans)}
	}
	res["accepted"] = ok
	data["Result"] = res
	if !ok {
		r.ctx.SetStatusCode(status)
	}
	r.render("custody", data)
}
