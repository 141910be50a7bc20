package server

import (
	"github.com/valyala/fasthttp"

	"tracecode/engine/amend"
	"tracecode/engine/apikey"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// The amendments of products and lots: PATCH changes what may change
// after creation (engine/amend decides who may and keeps the trail), GET
// …/changes reads the trail.

func amendRoutes() []*route {
	return []*route{
		{method: "PATCH", pattern: "/v1/products/{product}", scopes: apikey.ScopeAdmin | apikey.ScopeMint, h: (*Server).apiEditProduct},
		{method: "GET", pattern: "/v1/products/{product}/changes", h: (*Server).apiProductChanges},
		{method: "PATCH", pattern: "/v1/lots/{lot}", scopes: apikey.ScopeAdmin | apikey.ScopeMint, h: (*Server).apiEditLot},
		{method: "GET", pattern: "/v1/lots/{lot}/changes", h: (*Server).apiLotChanges},
	}
}

// productDetailJSON is a product with its description and images.
type productDetailJSON struct {
	productJSON
	Description string   `json:"description,omitempty"`
	Images      []string `json:"images,omitempty"`
}

// lotDetailJSON is a lot with its quantity and origin.
type lotDetailJSON struct {
	lotJSON
	Quantity uint64 `json:"quantity,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Origin   string `json:"origin,omitempty"`
}

func productDetailOut(p model.Product, d amend.Details) productDetailJSON {
	return productDetailJSON{productJSON: productOut(p), Description: d.Description, Images: d.Images}
}

func lotDetailOut(l model.Lot, d amend.Details) lotDetailJSON {
	return lotDetailJSON{lotJSON: lotOut(l), Quantity: d.Quantity, Unit: d.Unit, Origin: d.Origin}
}

type amendmentJSON struct {
	Seq     uint32         `json:"seq"`
	At      string         `json:"at"`
	By      string         `json:"by"`
	Org     uint32         `json:"org,omitempty"`
	Reason  string         `json:"reason,omitempty"`
	Changes []amend.Change `json:"changes"`
}

func writeTrail(c *call, what string, id uint32, tr []amend.Entry) {
	out := make([]amendmentJSON, 0, len(tr))
	for _, a := range tr {
		out = append(out, amendmentJSON{Seq: a.Seq, At: msTime(a.At), By: a.By, Org: a.Org, Reason: a.Reason, Changes: a.Changes})
	}
	writeJSON(c, fasthttp.StatusOK, map[string]any{what: id, "changes": out})
}

// pathID32 reads path parameter i as a 32-bit record id; a larger number
// is answered as a record that is not visible.
func pathID32(c *call, i int, what string) (uint32, bool) {
	id, ok := pathID(c, i, what)
	if !ok {
		return 0, false
	}
	if id > 1<<32-1 {
		notVisible(c, what, id)
		return 0, false
	}
	return uint32(id), true
}

func (s *Server) apiEditProduct(c *call) {
	id, ok := pathID32(c, 0, "product")
	if !ok {
		return
	}
	var in struct {
		NameZH      *string           `json:"nameZH"`
		NameEN      *string           `json:"nameEN"`
		Description *string           `json:"description"`
		Links       *[]linkJSON       `json:"links"`
		Images      *[]string         `json:"images"`
		LevelGTINs  map[string]string `json:"levelGTINs"`
		Reason      string            `json:"reason"`
	}
	if !readJSON(c, &in) {
		return
	}
	ed := amend.ProductEdit{NameZH: in.NameZH, NameEN: in.NameEN, Description: in.Description, Images: in.Images, Reason: in.Reason}
	if ed.LevelGTINs, ok = levelGTINsIn(c, in.LevelGTINs); !ok {
		return
	}
	if in.Links != nil {
		ls := make([]model.Link, 0, len(*in.Links))
		for _, l := range *in.Links {
			ls = append(ls, model.Link{Type: l.Type, URL: l.URL})
		}
		ed.Links = &ls
	}
	p, d, err := s.eng.Amendments().EditProduct(c.wctx, c.key, id, &ed)
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, productDetailOut(p, d))
}

func (s *Server) apiEditLot(c *call) {
	id, ok := pathID32(c, 0, "lot")
	if !ok {
		return
	}
	var in struct {
		Produced *string `json:"produced"`
		Expiry   *string `json:"expiry"`
		Quantity *uint64 `json:"quantity"`
		Unit     *string `json:"unit"`
		Origin   *string `json:"origin"`
		Site     *string `json:"site"`
		Reason   string  `json:"reason"`
	}
	if !readJSON(c, &in) {
		return
	}
	ed := amend.LotEdit{Quantity: in.Quantity, Unit: in.Unit, Origin: in.Origin, Site: in.Site, Reason: in.Reason}
	for _, d := range []struct {
		name string
		in   *string
		out  **uint32
	}{{"produced", in.Produced, &ed.Produced}, {"expiry", in.Expiry, &ed.Expiry}} {
		if d.in == nil {
			continue
		}
		v, err := issue.ParseDate(*d.in)
		if err != nil {
			problem(c.ctx, fasthttp.StatusBadRequest, "invalid", d.name+": "+err.Error())
			return
		}
		*d.out = &v
	}
	l, det, err := s.eng.Amendments().EditLot(c.wctx, c.key, id, &ed)
	if err != nil {
		engineError(c, err)
		return
	}
	writeJSON(c, fasthttp.StatusOK, lotDetailOut(l, det))
}

func (s *Server) apiProductChanges(c *call) {
	id, ok := pathID32(c, 0, "product")
	if !ok {
		return
	}
	tr, err := s.eng.Amendments().ProductTrail(c.key, id)
	if err != nil {
		notVisible(c, "product", uint64(id))
		return
	}
	writeTrail(c, "product", id, tr)
}

func (s *Server) apiLotChanges(c *call) {
	id, ok := pathID32(c, 0, "lot")
	if !ok {
		return
	}
	tr, err := s.eng.Amendments().LotTrail(c.key, id)
	if err != nil {
		notVisible(c, "lot", uint64(id))
		return
	}
	writeTrail(c, "lot", id, tr)
}

// productDetails reads product p's details for an answer (none on error).
func (s *Server) productDetails(p model.Product) productDetailJSON {
	d, err := s.eng.Amendments().ProductDetails(p.ID)
	if err != nil {
		s.log.Error("product details", "product", p.ID, "err", err)
	}
	return productDetailOut(p, d)
}

// lotDetails reads lot l's details for an answer (none on error).
func (s *Server) lotDetails(l model.Lot) lotDetailJSON {
	d, err := s.eng.Amendments().LotDetails(l.ID)
	if err != nil {
		s.log.Error("lot details", "lot", l.ID, "err", err)
	}
	return lotDetailOut(l, d)
}
