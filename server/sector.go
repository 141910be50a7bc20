package server

import (
	"fmt"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/apikey"
	"tracecode/engine/category"
	"tracecode/engine/sector"
)

// The category (sector) routes: a product's profile and master data, an
// item's master data, a filling station's media, and the fill interlock.
// The engine validates (engine/sector with the profiles of
// engine/category); these handlers check who asks and translate JSON.
func (s *Server) sectorRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/v1/products/{product}/profile", h: (*Server).apiGetProfile},
		{method: "PUT", pattern: "/v1/products/{product}/profile", scopes: apikey.ScopeAdmin | apikey.ScopeMint, keepsCache: true, h: (*Server).apiSetProfile},
		{method: "GET", pattern: "/v1/products/{product}/items", h: (*Server).apiListSectorItems},
		{method: "PUT", pattern: "/v1/items", scopes: apikey.ScopeAdmin | apikey.ScopeMint, h: (*Server).apiRegisterItem},
		{method: "PUT", pattern: "/v1/orgs/{org}/station", scopes: apikey.ScopeAdmin, keepsCache: true, h: (*Server).apiSetStation},
		{method: "POST", pattern: "/v1/cylinders/check-fill", metric: "check_fill", h: (*Server).apiCheckFill},
	}
}

type profileJSON struct {
	Product uint32          `json:"product"`
	Profile string          `json:"profile"`
	Fields  category.Record `json:"fields"`
	Updated string          `json:"updated"`
}

func (s *Server) apiGetProfile(c *call) {
	p, ok := s.visibleProduct(c, 0)
	if !ok {
		return
	}
	pp, ok := s.eng.Sectors().ProductProfile(p.ID)
	if !ok {
		problem(c.ctx, fasthttp.StatusNotFound, "not-found", fmt.Sprintf("product %d has no category profile", p.ID))
		return
	}
	writeJSON(c, fasthttp.StatusOK, profileJSON{pp.Product, pp.Profile, pp.Fields, msTime(pp.Updated)})
}

func (s *Server) apiSetProfile(c *call) {
	p, ok := s.visibleProduct(c, 0)
	if !ok {
		return
	}
	var in struct {
		Profile string          `json:"profile"`
		Fields  category.Record `json:"fields"`
	}
	if !readJSON(c, &in) {
		return
	}
	pp, err := s.eng.Sectors().SetProductProfile(c.wctx, sector.ProfileSpec{Org: c.key.Org, Product: p.ID, Profile: in.Profile, Fields: in.Fields})
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, profileJSON{pp.Product, pp.Profile, pp.Fields, msTime(pp.Updated)})
}

type sectorItemJSON struct {
	Product uint32          `json:"product"`
	Counter uint64          `json:"counter,omitzero"`
	Lot     uint32          `json:"lot,omitzero"`
	Fields  category.Record `json:"fields"`
	Updated string          `json:"updated"`
}

func sectorItemOut(it sector.Item) sectorItemJSON {
	return sectorItemJSON{Product: it.Product, Counter: it.Key.Counter, Lot: it.Key.Lot, Fields: it.Fields, Updated: msTime(it.Updated)}
}

func (s *Server) apiListSectorItems(c *call) {
	p, ok := s.visibleProduct(c, 0)
	if !ok {
		return
	}
	items, err := s.eng.Sectors().Items(p.ID)
	if err != nil {
		engineError(c, err)
		return
	}
	out := make([]sectorItemJSON, 0, len(items))
	for _, it := range items {
		out = append(out, sectorItemOut(it))
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"items": out})
}

func (s *Server) apiRegisterItem(c *call) {
	var in struct {
		Code    string          `json:"code"`
		Product uint32          `json:"product"`
		Lot     string          `json:"lot"`
		Fields  category.Record `json:"fields"`
	}
	if !readJSON(c, &in) {
		return
	}
	it, err := s.eng.Sectors().RegisterItem(c.wctx, sector.ItemSpec{Org: c.key.Org, Code: in.Code, Product: in.Product, Lot: in.Lot, Fields: in.Fields})
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, sectorItemOut(it))
}

func (s *Server) apiSetStation(c *call) {
	id, ok := pathOrg(c)
	if !ok {
		return
	}
	if c.key.Org != 0 && c.key.Org != id {
		problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", fmt.Sprintf("this key acts for organisation %d, not %d", c.key.Org, id))
		return
	}
	var in struct {
		Media []string `json:"media"`
	}
	if !readJSON(c, &in) {
		return
	}
	o, err := s.eng.Sectors().SetStation(c.wctx, id, in.Media)
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"org": o.Org, "media": o.Media, "updated": msTime(o.Updated)})
}

// apiCheckFill is the fill interlock: a filling station's scale or gun
// asks before every fill. The key must be the station's own (its
// organisation's USCC is the station), a regulator's or the operator's.
func (s *Server) apiCheckFill(c *call) {
	var in struct {
		Code     string `json:"code"`
		Station  string `json:"station"`
		Operator string `json:"operator"`
	}
	if !readJSON(c, &in) {
		return
	}
	if in.Code == "" || in.Station == "" {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "code and station are required")
		return
	}
	if c.key.Org != 0 {
		o, err := s.eng.Issuance().Org(c.key.Org)
		if err != nil || o.USCC != in.Station {
			problem(c.ctx, fasthttp.StatusForbidden, "wrong-org",
				fmt.Sprintf("this key acts for organisation %d, not for the filling station %s", c.key.Org, in.Station))
			return
		}
	}
	d, err := s.eng.Sectors().CheckFill(in.Code, in.Station, time.Now())
	if err != nil {
		engineError(c, err)
		return
	}
	out := struct {
		Allow         bool          `json:"allow"`
		Reasons       []string      `json:"reasons"`
		Text          category.Text `json:"text,omitzero"`
		RegCode       string        `json:"regCode,omitempty"`
		InspectionDue string        `json:"inspectionDue,omitempty"`
		ScrapBy       string        `json:"scrapBy,omitempty"`
		Operator      string        `json:"operator,omitempty"`
	}{Allow: d.Allow, Reasons: d.Reasons.AppendIDs([]string{}), RegCode: d.RegCode, Operator: in.Operator}
	if !d.Allow {
		out.Text = category.Text{ZH: d.Reasons.Text("zh"), EN: d.Reasons.Text("en")}
	}
	if d.Due != category.NoDate {
		out.InspectionDue = d.Due.String()
	}
	if d.ScrapBy != category.NoDate {
		out.ScrapBy = d.ScrapBy.String()
	}
	writeJSON(c, fasthttp.StatusOK, out)
}

// fillFacts puts the category facts fillChain read (the same the JSON
// chain carries) on a scan page, in the page's language.
func (s *Server) fillFacts(pv *pageView, v *chainView, lang string) {
	if !v.found {
		return
	}
	for _, f := range v.chain.facts {
		pv.Facts = append(pv.Facts, factView{Key: f.Key, Label: f.Label.In(lang), Value: f.Value.In(lang), Status: f.Status})
	}
}
