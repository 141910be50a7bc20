package server

import (
	"strconv"

	"tracecode/engine/account"
	"tracecode/engine/site"
)

// siteRow is one site as the console lists it.
type siteRow struct {
	site.Site
	KindZH, RegionName string
}

// siteRows returns the sites of org the account may see, with their kind
// and region named.
func (r *consoleReq) siteRows(org uint32) []siteRow {
	so, err := r.s.eng.Sites()
	if err != nil {
		return nil
	}
	ss, err := so.Of(r.key, org)
	if err != nil {
		return nil
	}
	out := make([]siteRow, 0, len(ss))
	for _, s := range ss {
		out = append(out, siteRow{Site: s, KindZH: site.KindNamesZH[s.Kind], RegionName: r.regionName(s.Region)})
	}
	return out
}

// siteKinds returns the kinds a site form offers, by name.
func siteKinds() []string {
	var out []string
	for k := site.KindFactory; k <= site.KindOther; k++ {
		out = append(out, k.String())
	}
	return out
}

// createSite adds a site to the account's organisation through the API.
func (r *consoleReq) createSite() {
	if !r.requireOrg() {
		return
	}
	f := r.form
	in := site.Input{Kind: f.Get("kind"), Name: f.Get("name"), Region: f.Get("region"), GLN: f.Get("gln"), Code: f.Get("code"), Address: f.Get("address")}
	status, ans, ok := r.apiWrite("POST", "/v1/orgs/"+strconv.FormatUint(uint64(r.key.Org), 10)+"/sites", in, account.ActionSiteAdd, in.Name)
	if !ok {
		r.ctx.SetStatusCode(status)
		r.productsPage("", []string{apiDetail(ans)})
		return
	}
	r.redirect(consolePrefix + "/products#sites")
}
