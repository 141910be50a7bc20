package server

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/model"
)

// The console's pages of one product and one lot: their facts, the trail
// of their changes and, for the owning organisation's people, the form
// that changes them. Reads and writes run the /v1 routes as the account's
// key (GET and PATCH /v1/products/{product}, /v1/lots/{lot} and their
// …/changes), so a regulator sees what its key sees and changes nothing.

// amendView is what the product and lot pages show.
type amendView struct {
	Product productDetailJSON
	Lot     *lotDetailJSON
	Lots    []lotJSON
	Trail   []amendmentJSON
	// Edit: the account's organisation owns the record (the form shows;
	// the route decides).
	Edit bool
	// Form holds the form's values: the record's, or what was sent.
	Form map[string]string
}

// consoleGet runs a /v1 GET as the account and decodes its JSON answer;
// ok is false (and the page answered) when it is not 200.
func (r *consoleReq) consoleGet(uri string, v any) bool {
	status, ans := r.consoleAPI("GET", uri, nil)
	if status != fasthttp.StatusOK {
		r.fail(fasthttp.StatusNotFound, r.t("notFound"))
		return false
	}
	if err := json.Unmarshal(ans, v); err != nil {
		r.s.internalError(r.ctx, "console "+uri, err)
		return false
	}
	return true
}

// loadAmendView reads product id (and lot, if not 0) with its trail.
func (r *consoleReq) loadAmendView(product, lot string) (*amendView, bool) {
	v := &amendView{}
	trail := "/v1/products/" + url0(product) + "/changes"
	if lot != "" {
		v.Lot = &lotDetailJSON{}
		if !r.consoleGet("/v1/lots/"+url0(lot), v.Lot) {
			return nil, false
		}
		product = strconv.FormatUint(uint64(v.Lot.Product), 10)
		trail = "/v1/lots/" + url0(lot) + "/changes"
	}
	if !r.consoleGet("/v1/products/"+url0(product), &v.Product) {
		return nil, false
	}
	// A regulator limited to categories sees no other category's product.
	if c, err := model.ParseCategory(v.Product.Category); err != nil || !r.acct.Categories.Allows(c) {
		r.fail(fasthttp.StatusNotFound, r.t("notFound"))
		return nil, false
	}
	var tr struct {
		Changes []amendmentJSON `json:"changes"`
	}
	if !r.consoleGet(trail, &tr) {
		return nil, false
	}
	// Newest first, in China Standard Time to the minute.
	for i := len(tr.Changes) - 1; i >= 0; i-- {
		a := tr.Changes[i]
		if t, err := time.Parse(time.RFC3339, a.At); err == nil {
			a.At = t.In(chinaTime).Format("2006-01-02 15:04")
		}
		v.Trail = append(v.Trail, a)
	}
	if v.Lot == nil {
		var ls struct {
			Lots []lotJSON `json:"lots"`
		}
		if !r.consoleGet("/v1/products/"+url0(product)+"/lots", &ls) {
			return nil, false
		}
		v.Lots = ls.Lots
	}
	v.Edit = r.acct.Role.Enterprise() && r.key.Org != 0 && r.key.Org == v.Product.Org
	p, l := &v.Product, v.Lot
	if l == nil {
		var links []string
		for _, k := range p.Links {
			links = append(links, k.Type+" "+k.URL)
		}
		v.Form = map[string]string{"nameZH": p.NameZH, "nameEN": p.NameEN, "description": p.Description,
			"images": strings.Join(p.Images, "\n"), "links": strings.Join(links, "\n")}
	} else {
		q := ""
		if l.Quantity != 0 {
			q = strconv.FormatUint(l.Quantity, 10)
		}
		v.Form = map[string]string{"produced": l.Produced, "expiry": l.Expiry, "quantity": q, "unit": l.Unit,
			"origin": l.Origin, "site": l.Site}
	}
	return v, true
}

func (r *consoleReq) productPage(id string, errs []string) {
	v, ok := r.loadAmendView(id, "")
	if !ok {
		return
	}
	r.renderAmend("product", v, errs)
}

func (r *consoleReq) lotPage(id string, errs []string) {
	v, ok := r.loadAmendView("", id)
	if !ok {
		return
	}
	r.renderAmend("lot", v, errs)
}

// renderAmend renders the product or lot page; after a refused change
// the form keeps what was sent.
func (r *consoleReq) renderAmend(page string, v *amendView, errs []string) {
	if len(errs) > 0 {
		for k := range v.Form {
			v.Form[k] = r.form.Get(k)
		}
		v.Form["reason"] = r.form.Get("reason")
	}
	r.render(page, map[string]any{"V": v, "Errors": errs, "Saved": string(r.ctx.QueryArgs().Peek("saved")) != ""})
}

func (r *consoleReq) editProduct(id string) {
	if !r.requireOrg() {
		return
	}
	f := r.form
	links := []linkJSON{}
	for _, l := range lines(f.Get("links")) {
		typ, u, _ := strings.Cut(l, " ")
		links = append(links, linkJSON{Type: typ, URL: strings.TrimSpace(u)})
	}
	images := lines(f.Get("images"))
	if images == nil {
		images = []string{} // none: every image removed
	}
	in := map[string]any{"nameZH": f.Get("nameZH"), "nameEN": f.Get("nameEN"), "description": f.Get("description"),
		"images": images, "links": links, "reason": f.Get("reason")}
	status, ans, ok := r.apiWrite("PATCH", "/v1/products/"+url0(id), in, account.ActionProductEdit, "product "+url0(id))
	switch {
	case status == fasthttp.StatusForbidden:
		// Another organisation's record: refused, without its page.
		r.fail(status, r.t("forbidden")+" "+apiDetail(ans))
		return
	case !ok:
		r.ctx.SetStatusCode(status)
		r.productPage(id, []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/products/" + url0(id) + "?saved=1")
}

func (r *consoleReq) editLot(id string) {
	if !r.requireOrg() {
		return
	}
	f := r.form
	in := map[string]any{"produced": f.Get("produced"), "expiry": f.Get("expiry"), "unit": f.Get("unit"),
		"origin": f.Get("origin"), "site": f.Get("site"), "reason": f.Get("reason")}
	switch q := strings.TrimSpace(f.Get("quantity")); q {
	case "":
		in["quantity"] = 0
	default:
		n, err := strconv.ParseUint(q, 10, 64)
		if err != nil {
			r.ctx.SetStatusCode(fasthttp.StatusBadRequest)
			r.lotPage(id, []string{fmt.Sprintf("%s: %q", r.t("quantity"), q)})
			return
		}
		in["quantity"] = n
	}
	status, ans, ok := r.apiWrite("PATCH", "/v1/lots/"+url0(id), in, account.ActionLotEdit, "lot "+url0(id))
	switch {
	case status == fasthttp.StatusForbidden:
		// Another organisation's record: refused, without its page.
		r.fail(status, r.t("forbidden")+" "+apiDetail(ans))
		return
	case !ok:
		r.ctx.SetStatusCode(status)
		r.lotPage(id, []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/lots/" + url0(id) + "?saved=1")
}
