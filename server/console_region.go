package server

import (
	"encoding/json"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/account"
	"tracecode/engine/apikey"
	"tracecode/engine/code/cn"
	"tracecode/engine/model"
	"tracecode/engine/resolve"
	"tracecode/engine/stats"
)

// consolePageSize is the rows of one table page.
const consolePageSize = 50

// regionCounts are the master-data counts of a region.
type regionCounts struct {
	Code                 uint32
	Name                 string
	Orgs, Products, Lots int
	Recalled, Townships  int
	Level                string
	HasChildren          bool
}

// visibleOrgs are the organisations the account sees (as its key does:
// canSeeOrg), in id order.
func (r *consoleReq) visibleOrgs() []model.Org {
	var out []model.Org
	for _, o := range r.s.eng.Issuance().Orgs() {
		if r.s.canSeeOrg(r.key, o.ID) {
			out = append(out, o)
		}
	}
	return out
}

// products are org's products in the account's categories.
func (r *consoleReq) products(org uint32) []model.Product {
	var out []model.Product
	for _, p := range r.s.eng.Issuance().Products(org) {
		if r.acct.Categories.Allows(p.Category) {
			out = append(out, p)
		}
	}
	return out
}

// countOrg adds org's products and lots to c.
func (r *consoleReq) countOrg(c *regionCounts, o *model.Org) {
	c.Orgs++
	for _, p := range r.products(o.ID) {
		c.Products++
		for _, l := range r.s.eng.Issuance().Lots(p.ID) {
			c.Lots++
			if st, err := r.s.eng.Reports().Resolver().LotStatus(&l); err == nil && st.Recall.Seq != 0 {
				c.Recalled++
			}
		}
	}
}

// defaultRegion is where a page starts: the account's region, else (the
// operator) the province of the first organisation, else Gansu.
func (r *consoleReq) defaultRegion() uint32 {
	if r.acct.Region != 0 {
		return r.acct.Region
	}
	for _, o := range r.s.eng.Issuance().Orgs() {
		if reg, err := cn.NewRegion(int(o.Region)); err == nil {
			return reg.Province().Uint32()
		}
	}
	return 620000
}

// regionParam reads ?code= (default defaultRegion) and checks the account
// covers it.
func (r *consoleReq) regionParam() (cn.Region, bool) {
	code := r.defaultRegion()
	if v := string(r.ctx.QueryArgs().Peek("code")); v != "" {
		reg, err := cn.ParseRegion(v)
		if err != nil {
			r.fail(fasthttp.StatusBadRequest, "code: "+err.Error())
			return cn.Region{}, false
		}
		code = reg.Uint32()
	}
	reg, err := cn.NewRegion(int(code))
	if err != nil || !reg.Known() {
		r.fail(fasthttp.StatusBadRequest, "code: "+strconv.FormatUint(uint64(code), 10))
		return cn.Region{}, false
	}
	if r.key.Region != 0 && !apikey.RegionCovers(r.key.Region, code) {
		r.fail(fasthttp.StatusNotFound, r.t("notFound"))
		return cn.Region{}, false
	}
	if r.key.Region == 0 && !(r.key.Org == 0 && r.key.Scopes.Has(apikey.ScopeAdmin)) {
		r.fail(fasthttp.StatusNotFound, r.t("notFound"))
		return cn.Region{}, false
	}
	return reg, true
}

func (r *consoleReq) regionPage() {
	reg, ok := r.regionParam()
	if !ok {
		return
	}
	code := reg.Uint32()
	total := regionCounts{Code: code, Name: r.regionName(code)}
	children := map[uint32]*regionCounts{}
	var rows []*regionCounts
	for _, c := range reg.Children() {
		rc := &regionCounts{Code: c.Uint32(), Name: r.regionLocalName(c), Level: c.Level().String(), HasChildren: len(c.Children()) > 0}
		children[rc.Code] = rc
		rows = append(rows, rc)
	}
	for _, o := range r.visibleOrgs() {
		if !apikey.RegionCovers(code, o.Region) {
			continue
		}
		r.countOrg(&total, &o)
		for cc, rc := range children {
			if apikey.RegionCovers(cc, o.Region) {
				r.countOrg(rc, &o)
				break
			}
		}
	}
	var path []map[string]any
	for _, p := range reg.AppendPath(nil) {
		if r.key.Region == 0 || apikey.RegionCovers(r.key.Region, p.Uint32()) {
			path = append(path, map[string]any{"Code": p.Uint32(), "Name": r.regionLocalName(p)})
		}
	}
	data := map[string]any{"Region": total, "Children": rows, "Crumbs": path}
	r.addStats(data, code)
	r.render("region", data)
}

// regionLocalName is a division's own name (城关区, Chengguan District).
func (r *consoleReq) regionLocalName(reg cn.Region) string {
	lang := cn.Chinese
	if r.lang == "en" {
		lang = cn.English
	}
	if n, ok := reg.Name(lang); ok && n != "" {
		return n
	}
	return reg.String()
}

// statTile is one statistic on the overview.
type statTile struct {
	Label string
	Value uint64
}

// addStats adds the region's statistics of the last 90 days (every
// category, or the account's categories summed) as tiles and the daily
// trend as chart data.
func (r *consoleReq) addStats(data map[string]any, code uint32) {
	today := r.s.eng.Today()
	to := time.Date(int(today/10000), time.Month(today/100%100), int(today%100), 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, 0, -89)
	q := stats.Query{Region: code, From: uint32(from.Year()*10000 + int(from.Month())*100 + from.Day()), To: today}
	cats := []model.Category{0}
	if r.acct.Categories != 0 {
		cats = cats[:0]
		for _, n := range r.acct.Categories.Names() {
			c, _ := model.ParseCategory(n)
			cats = append(cats, c)
		}
	}
	var totals stats.Counts
	var days []uint32
	series := map[stats.Metric][]uint64{}
	trend := []stats.Metric{stats.Commissioned, stats.Shipped, stats.Sold, stats.Scans}
	for _, c := range cats {
		q.Category = c
		a, err := r.s.eng.Statistics().Query(q)
		if err != nil {
			r.s.log.Error("console stats", "err", err)
			return
		}
		for m := range totals {
			totals[m] += a.Totals[m]
		}
		if days == nil {
			for _, b := range a.Buckets {
				days = append(days, b.Start)
			}
			for _, m := range trend {
				series[m] = make([]uint64, len(a.Buckets))
			}
		}
		for i, b := range a.Buckets {
			for _, m := range trend {
				series[m][i] += b.Counts.Get(m)
			}
		}
	}
	tiles := []statTile{}
	for _, m := range []struct {
		k string
		m stats.Metric
	}{{"minted", stats.CodesMinted}, {"commissioned", stats.Commissioned}, {"shipped", stats.Shipped},
		{"received", stats.Received}, {"sold", stats.Sold}, {"scans", stats.Scans}, {"events", stats.Events},
		{"recalls", stats.RecallsOpened}, {"suspicious", stats.Suspicious}, {"alerts", stats.Alerts}} {
		tiles = append(tiles, statTile{r.t(m.k), totals.Get(m.m)})
	}
	xs := make([]int64, len(days))
	for i, d := range days {
		xs[i] = time.Date(int(d/10000), time.Month(d/100%100), int(d%100), 0, 0, 0, 0, time.UTC).Unix()
	}
	chart := map[string]any{"x": xs, "xlabel": r.t("day"), "labels": []string{r.t("commissioned"), r.t("shipped"), r.t("sold"), r.t("scans")}}
	var ys [][]uint64
	for _, m := range trend {
		ys = append(ys, series[m])
	}
	chart["y"] = ys
	b, _ := json.Marshal(chart)
	data["Tiles"] = tiles
	data["Chart"] = template.JS(b) // JSON of numbers and our own labels
}

func (r *consoleReq) orgsPage() {
	args := r.ctx.QueryArgs()
	q := strings.TrimSpace(string(args.Peek("q")))
	var region uint32
	if v := string(args.Peek("region")); v != "" {
		reg, err := cn.ParseRegion(v)
		if err != nil {
			r.fail(fasthttp.StatusBadRequest, "region: "+err.Error())
			return
		}
		region = reg.Uint32()
	}
	var rows []map[string]any
	for _, o := range r.visibleOrgs() {
		if region != 0 && !apikey.RegionCovers(region, o.Region) {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(o.Name+" "+o.NameEN+" "+o.USCC), strings.ToLower(q)) {
			continue
		}
		var c regionCounts
		r.countOrg(&c, &o)
		rows = append(rows, map[string]any{"Org": o, "Region": r.regionName(o.Region), "Counts": c})
	}
	page, prev, next := pageOf(args.GetUintOrZero("page"), len(rows))
	lo, hi := min(page*consolePageSize, len(rows)), min((page+1)*consolePageSize, len(rows))
	qs := url.Values{"q": {q}}
	if region != 0 {
		qs.Set("region", strconv.FormatUint(uint64(region), 10))
	}
	r.render("orgs", map[string]any{"Rows": rows[lo:hi], "Q": q, "RegionQ": string(args.Peek("region")), "Total": len(rows),
		"Prev": prev, "Next": next, "Query": qs.Encode()})
}

// pageOf returns the page shown (0-based) and the previous and next page
// numbers, -1 for none.
func pageOf(page, n int) (cur, prev, next int) {
	last := max(0, (n-1)/consolePageSize)
	cur = min(max(page, 0), last)
	prev, next = cur-1, cur+1
	if next > last {
		next = -1
	}
	return cur, prev, next
}

func (r *consoleReq) orgPage(idText string) {
	id, err := strconv.ParseUint(idText, 10, 32)
	if err != nil || id == 0 {
		r.fail(fasthttp.StatusBadRequest, "org: "+idText)
		return
	}
	o, err := r.s.eng.Issuance().Org(uint32(id))
	if err != nil || !r.s.canSeeOrg(r.key, o.ID) {
		// As the API: an organisation out of reach is answered as absent.
		r.fail(fasthttp.StatusNotFound, r.t("refusedOrg"))
		return
	}
	type lotRow struct {
		Lot    model.Lot
		Status resolve.ClassStatus
	}
	type prodRow struct {
		P    model.Product
		Lots []lotRow
	}
	var prods []prodRow
	for _, p := range r.products(o.ID) {
		pr := prodRow{P: p}
		for _, l := range r.s.eng.Issuance().Lots(p.ID) {
			st, _ := r.s.eng.Reports().Resolver().LotStatus(&l)
			pr.Lots = append(pr.Lots, lotRow{l, st})
		}
		prods = append(prods, pr)
	}
	r.render("org", map[string]any{"Org": o, "Region": r.regionName(o.Region), "Products": prods, "Credit": r.orgCredit(o),
		"Sites": r.siteRows(o.ID)})
}

// codePage looks a code up and shows its private chain as the account's
// key sees it (GET /v1/trace: the same access rules).
func (r *consoleReq) codePage() {
	input := strings.TrimSpace(string(r.ctx.QueryArgs().Peek("c")))
	data := map[string]any{"Input": input}
	if input != "" {
		status, body := r.consoleAPI("GET", "/v1/trace/"+url.PathEscape(input), nil)
		if status != fasthttp.StatusOK {
			r.ctx.SetStatusCode(status)
			data["Error"] = apiDetail(body)
		} else {
			var tr map[string]any
			if err := json.Unmarshal(body, &tr); err != nil {
				r.s.internalError(r.ctx, "console trace", err)
				return
			}
			data["Trace"] = tr
			data["Events"] = traceEvents(tr)
			if tr["access"] == "full" && r.acct.Role != account.RoleOperator && !r.acct.Role.Enterprise() {
				_ = r.s.accounts.Record(r.actor(), account.ActionChainView, account.OutcomeOK, r.s.accounts.OrgSubject(orgOfTrace(tr)), input, "")
			}
		}
	}
	r.render("code", data)
}

// traceEvents are the trace answer's events, oldest first.
func traceEvents(tr map[string]any) []map[string]any {
	var out []map[string]any
	evs, _ := tr["events"].([]any)
	for _, e := range evs {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func orgOfTrace(tr map[string]any) uint32 {
	if p, ok := tr["producer"].(map[string]any); ok {
		if id, ok := p["id"].(float64); ok {
			return uint32(id)
		}
	}
	return 0
}

func (r *consoleReq) auditPage() {
	v := account.ViewerOf(r.key)
	if v == (account.Viewer{}) {
		r.fail(fasthttp.StatusForbidden, r.t("forbidden"))
		return
	}
	before := uint64(r.ctx.QueryArgs().GetUintOrZero("before"))
	es, next, err := r.s.accounts.Audit(v, before, consolePageSize, nil)
	if err != nil {
		r.s.internalError(r.ctx, "console audit", err)
		return
	}
	logins := map[uint32]string{}
	type row struct {
		E     account.AuditEntry
		Actor string
	}
	var rows []row
	for _, e := range es {
		who := e.Actor.Client
		if id := e.Actor.Account; id != 0 {
			if _, ok := logins[id]; !ok {
				if a, err := r.s.accounts.Get(id); err == nil {
					logins[id] = a.Login
				}
			}
			who = logins[id]
		} else if e.Actor.Key != 0 {
			who = "key " + strconv.FormatUint(e.Actor.Key, 16)
		}
		rows = append(rows, row{e, who})
	}
	r.render("audit", map[string]any{"Rows": rows, "Next": next})
}
