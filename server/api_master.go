package server

import (
	"fmt"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"tracecode/engine/config"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// msTime formats unix milliseconds as an RFC 3339 instant, with China
// Standard Time's offset ("" for 0).
func msTime(ms int64) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).In(config.DefaultLocation).Format(time.RFC3339)
}

// ---- organisations ----

type orgJSON struct {
	ID         uint32   `json:"id"`
	Name       string   `json:"name"`
	NameEN     string   `json:"nameEN,omitempty"`
	USCC       string   `json:"uscc,omitempty"`
	Region     string   `json:"region,omitempty"`
	RegionName string   `json:"regionName,omitempty"`
	GCPs       []string `json:"gcps,omitempty"`
	Created    string   `json:"created"`
}

func orgOut(o model.Org) orgJSON {
	out := orgJSON{ID: o.ID, Name: o.Name, NameEN: o.NameEN, USCC: o.USCC, GCPs: o.GCPs, Created: msTime(o.Created)}
	if o.Region != 0 {
		out.Region = strconv.FormatUint(uint64(o.Region), 10)
		out.RegionName = regionName(o.Region, "zh")
	}
	return out
}

func (s *Server) apiListOrgs(c *call) {
	out := []orgJSON{}
	for _, o := range s.eng.Issuance().Orgs() {
		if s.canSeeOrg(c.key, o.ID) {
			out = append(out, orgOut(o))
		}
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"orgs": out})
}

func (s *Server) apiGetOrg(c *call) {
	id, ok := pathID(c, 0, "organisation")
	if !ok {
		return
	}
	o, err := s.eng.Issuance().Org(uint32(id))
	if err != nil || id > 1<<32-1 || !s.canSeeOrg(c.key, o.ID) {
		notVisible(c, "organisation", id)
		return
	}
	writeJSON(c, fasthttp.StatusOK, orgOut(o))
}

func (s *Server) apiCreateOrg(c *call) {
	if c.key.Org != 0 {
		problem(c.ctx, fasthttp.StatusForbidden, "scope", "only the operator's key (admin, no organisation) may create organisations")
		return
	}
	var in struct {
		Name   string   `json:"name"`
		NameEN string   `json:"nameEN"`
		USCC   string   `json:"uscc"`
		Region string   `json:"region"`
		GCPs   []string `json:"gcps"`
	}
	if !readJSON(c, &in) {
		return
	}
	o, err := s.eng.Issuance().AddOrg(c.wctx, issue.OrgSpec{Name: in.Name, NameEN: in.NameEN, USCC: in.USCC, Region: in.Region, GCPs: in.GCPs})
	if err != nil {
		engineError(c, err)
		return
	}
	c.ctx.Response.Header.Set("Location", fmt.Sprintf("/v1/orgs/%d", o.ID))
	writeJSON(c, fasthttp.StatusCreated, orgOut(o))
}

// apiGrantPrefix serves POST /v1/orgs/{org}/prefixes: the operator grants
// a GS1 company prefix ({"gcp": "6901234"}) to an organisation, which may
// then create products with GTINs under it.
func (s *Server) apiGrantPrefix(c *call) {
	if c.key.Org != 0 {
		problem(c.ctx, fasthttp.StatusForbidden, "scope", "only the operator's key (admin, no organisation) grants GS1 company prefixes")
		return
	}
	id, ok := pathID(c, 0, "organisation")
	if !ok {
		return
	}
	var in struct {
		GCP string `json:"gcp"`
	}
	if !readJSON(c, &in) {
		return
	}
	if id > 1<<32-1 {
		notVisible(c, "organisation", id)
		return
	}
	o, err := s.eng.Issuance().GrantGCP(c.wctx, uint32(id), in.GCP)
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, orgOut(o))
}

// ---- products ----

type linkJSON struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type productJSON struct {
	ID        uint32   `json:"id"`
	Org       uint32   `json:"org"`
	GTIN      string   `json:"gtin,omitempty"`
	GCPLength int      `json:"gcpLength,omitempty"`
	OwnCode   string   `json:"ownCode,omitempty"`
	DrugID    string   `json:"drugId,omitempty"`
	NameZH    string   `json:"nameZH"`
	NameEN    string   `json:"nameEN,omitempty"`
	Category  string   `json:"category"`
	Levels    []string `json:"levels"`
	// LevelGTINs are the GTINs of the product's inner pack and case, by
	// level name.
	LevelGTINs    map[string]string `json:"levelGTINs,omitempty"`
	DefaultScheme string            `json:"defaultScheme"`
	Links         []linkJSON        `json:"links,omitempty"`
	Created       string            `json:"created"`
}

// levelGTINsIn reads a levelGTINs object (level name → GTIN); it answers
// 400 and returns false on an unknown level.
func levelGTINsIn(c *call, in map[string]string) (map[model.Level]string, bool) {
	if in == nil {
		return nil, true
	}
	out := make(map[model.Level]string, len(in))
	for name, g := range in {
		l, err := model.ParseLevel(name)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "levelGTINs: "+err.Error())
			return nil, false
		}
		out[l] = g
	}
	return out, true
}

func productOut(p model.Product) productJSON {
	out := productJSON{ID: p.ID, Org: p.Org, GCPLength: int(p.GCPLength), OwnCode: p.OwnCode, DrugID: p.DrugID,
		NameZH: p.NameZH, NameEN: p.NameEN, Category: p.Category.String(), DefaultScheme: p.DefaultScheme.String(),
		Created: msTime(p.Created)}
	if !p.GTIN.IsZero() {
		out.GTIN = p.GTIN.String()
	}
	for _, l := range p.Levels.Levels() {
		out.Levels = append(out.Levels, l.String())
	}
	for _, l := range p.LevelGTINs.Declared() {
		if out.LevelGTINs == nil {
			out.LevelGTINs = map[string]string{}
		}
		out.LevelGTINs[l.String()] = p.LevelGTINs.Of(l).String()
	}
	for _, l := range p.Links {
		out.Links = append(out.Links, linkJSON{l.Type, l.URL})
	}
	return out
}

func (s *Server) apiListProducts(c *call) {
	org, ok := queryUint(c, "org")
	if !ok {
		return
	}
	out := []productJSON{}
	for _, o := range s.eng.Issuance().Orgs() {
		if (org != 0 && uint64(o.ID) != org) || !s.canSeeOrg(c.key, o.ID) {
			continue
		}
		for _, p := range s.eng.Issuance().Products(o.ID) {
			out = append(out, productOut(p))
		}
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"products": out})
}

func (s *Server) apiGetProduct(c *call) {
	id, ok := pathID(c, 0, "product")
	if !ok {
		return
	}
	p, err := s.eng.Issuance().Product(uint32(id))
	if err != nil || id > 1<<32-1 || !s.canSeeOrg(c.key, p.Org) {
		notVisible(c, "product", id)
		return
	}
	writeJSON(c, fasthttp.StatusOK, s.productDetails(p))
}

func (s *Server) apiCreateProduct(c *call) {
	var in struct {
		Org           uint32            `json:"org"`
		GTIN          string            `json:"gtin"`
		GCPLength     int               `json:"gcpLength"`
		OwnCode       string            `json:"ownCode"`
		DrugID        string            `json:"drugId"`
		NameZH        string            `json:"nameZH"`
		NameEN        string            `json:"nameEN"`
		Category      string            `json:"category"`
		Levels        []string          `json:"levels"`
		LevelGTINs    map[string]string `json:"levelGTINs"`
		DefaultScheme string            `json:"defaultScheme"`
		Links         []linkJSON        `json:"links"`
	}
	if !readJSON(c, &in) {
		return
	}
	org := in.Org
	if c.key.Org != 0 {
		if org != 0 && org != c.key.Org {
			problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", fmt.Sprintf("this key acts for organisation %d, not %d", c.key.Org, org))
			return
		}
		org = c.key.Org
	} else if org == 0 {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "the operator's key must name the product's org")
		return
	}
	spec := issue.ProductSpec{Org: org, GTIN: in.GTIN, GCPLength: in.GCPLength, OwnCode: in.OwnCode, DrugID: in.DrugID,
		NameZH: in.NameZH, NameEN: in.NameEN}
	var err error
	if spec.Category, err = model.ParseCategory(in.Category); err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "category: "+err.Error())
		return
	}
	for _, l := range in.Levels {
		lv, err := model.ParseLevel(l)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "levels: "+err.Error())
			return
		}
		spec.Levels = spec.Levels.With(lv)
	}
	if in.DefaultScheme != "" {
		if spec.DefaultScheme, err = serial.ParseScheme(in.DefaultScheme); err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "defaultScheme: "+err.Error())
			return
		}
	}
	for _, l := range in.Links {
		spec.Links = append(spec.Links, model.Link{Type: l.Type, URL: l.URL})
	}
	var ok bool
	if spec.LevelGTINs, ok = levelGTINsIn(c, in.LevelGTINs); !ok {
		return
	}
	p, err := s.eng.Issuance().AddProduct(c.wctx, spec)
	if err != nil {
		engineError(c, err)
		return
	}
	c.ctx.Response.Header.Set("Location", fmt.Sprintf("/v1/products/%d", p.ID))
	writeJSON(c, fasthttp.StatusCreated, productOut(p))
}

// ---- lots ----

type lotJSON struct {
	ID       uint32 `json:"id"`
	Product  uint32 `json:"product"`
	Number   string `json:"number"`
	Produced string `json:"produced,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
	Site     string `json:"site,omitempty"`
	Created  string `json:"created"`
}

func lotOut(l model.Lot) lotJSON {
	return lotJSON{ID: l.ID, Product: l.Product, Number: l.Number, Produced: issue.FormatDate(l.Produced),
		Expiry: issue.FormatDate(l.Expiry), Site: l.Site, Created: msTime(l.Created)}
}

// visibleProduct returns path parameter i's product if the key may see it.
func (s *Server) visibleProduct(c *call, i int) (model.Product, bool) {
	id, ok := pathID(c, i, "product")
	if !ok {
		return model.Product{}, false
	}
	p, err := s.eng.Issuance().Product(uint32(id))
	if err != nil || id > 1<<32-1 || !s.canSeeOrg(c.key, p.Org) {
		notVisible(c, "product", id)
		return model.Product{}, false
	}
	return p, true
}

func (s *Server) apiListLots(c *call) {
	p, ok := s.visibleProduct(c, 0)
	if !ok {
		return
	}
	out := []lotJSON{}
	for _, l := range s.eng.Issuance().Lots(p.ID) {
		out = append(out, lotOut(l))
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{"lots": out})
}

func (s *Server) apiCreateLot(c *call) {
	p, ok := s.visibleProduct(c, 0)
	if !ok {
		return
	}
	if !ownsOrg(c.key, p.Org) {
		problem(c.ctx, fasthttp.StatusForbidden, "wrong-org", fmt.Sprintf("product %d belongs to another organisation", p.ID))
		return
	}
	var in struct {
		Number   string `json:"number"`
		Produced string `json:"produced"`
		Expiry   string `json:"expiry"`
		Site     string `json:"site"`
	}
	if !readJSON(c, &in) {
		return
	}
	spec := issue.LotSpec{Product: p.ID, Number: in.Number, Site: in.Site}
	var err error
	if spec.Produced, err = issue.ParseDate(in.Produced); err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "produced: "+err.Error())
		return
	}
	if spec.Expiry, err = issue.ParseDate(in.Expiry); err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "expiry: "+err.Error())
		return
	}
	l, err := s.eng.Issuance().AddLot(c.wctx, spec)
	if err != nil {
		engineError(c, err)
		return
	}
	c.ctx.Response.Header.Set("Location", fmt.Sprintf("/v1/lots/%d", l.ID))
	writeJSON(c, fasthttp.StatusCreated, lotOut(l))
}

func (s *Server) apiGetLot(c *call) {
	l, ok := s.visibleLot(c)
	if !ok {
		return
	}
	writeJSON(c, fasthttp.StatusOK, s.lotDetails(l))
}

// visibleLot returns the lot the path's first parameter names, if the
// call's key may see its product's organisation; otherwise it has answered
// (400 for a malformed id, 404 for a lot that does not exist or is not
// visible, alike) and ok is false.
func (s *Server) visibleLot(c *call) (l model.Lot, ok bool) {
	id, ok := pathID(c, 0, "lot")
	if !ok {
		return l, false
	}
	l, err := s.eng.Issuance().Lot(uint32(id))
	if err != nil || id > 1<<32-1 {
		notVisible(c, "lot", id)
		return l, false
	}
	p, err := s.eng.Issuance().Product(l.Product)
	if err != nil || !s.canSeeOrg(c.key, p.Org) {
		notVisible(c, "lot", id)
		return l, false
	}
	return l, true
}
