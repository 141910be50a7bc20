package issue

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"tracecode/engine/code/cn"
	cpest "tracecode/engine/code/cn/pesticide"
	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/stats"
	"tracecode/engine/store"
)

// Records returned by the query methods are copies; their slices (GCPs,
// Links) are shared and must not be modified.

// OrgSpec describes an organisation to create.
type OrgSpec struct {
	Name   string   // legal name, required, ≤ 200 characters
	NameEN string   // optional
	USCC   string   // unified social credit code (18 chars), optional, unique
	Region string   // GB/T 2260 six-digit code or 9-digit township code; default: the USCC's region
	GCPs   []string // GS1 company prefixes, 4–12 digits, unique and non-overlapping
}

// AddOrg creates an organisation. ctx is checked before the write lock is
// taken.
func (e *Book) AddOrg(ctx context.Context, spec OrgSpec) (Org, error) {
	if err := ctx.Err(); err != nil {
		return Org{}, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return Org{}, err
	}
	o, err := e.newOrg(spec)
	if err != nil {
		return Org{}, err
	}
	if err := e.commitOrg(&o, true); err != nil {
		return Org{}, err
	}
	return o, nil
}

// commitOrg writes organisation o (isNew: it has no record yet) in a batch
// of its own, commits it with fsync and publishes it to readers.
// REQUIRES e.wmu.
func (e *Book) commitOrg(o *Org, isNew bool) error {
	b := e.db.NewBatch()
	e.putOrg(b, o, isNew)
	var sd stats.Delta
	if isNew {
		e.countOrg(&sd, o)
	}
	if err := e.commitCounted(b, &sd); err != nil {
		return err
	}
	e.mu.Lock()
	e.publishOrg(o)
	e.mu.Unlock()
	return nil
}

// newOrg validates spec and returns the org it describes with the next id.
// REQUIRES e.wmu.
func (e *Book) newOrg(spec OrgSpec) (Org, error) {
	st := e.st
	if err := CheckText("name", spec.Name, 200, true); err != nil {
		return Org{}, err
	}
	if err := CheckText("english name", spec.NameEN, 200, false); err != nil {
		return Org{}, err
	}
	o := Org{ID: st.nextOrg, Name: spec.Name, NameEN: spec.NameEN, Created: e.nowMillis()}
	if spec.USCC != "" {
		u, err := cn.ParseUSCC(spec.USCC)
		if err != nil {
			return Org{}, fmt.Errorf("%w: unified social credit code: %w", ErrInvalid, err)
		}
		o.USCC = u.String()
		if id, dup := st.orgByUSCC[o.USCC]; dup {
			return Org{}, fmt.Errorf("%w: unified social credit code %s is organisation %d", ErrExists, o.USCC, id)
		}
		o.Region = u.Region().Uint32()
	}
	if spec.Region != "" {
		r, err := cn.ParseRegion(spec.Region)
		if err != nil {
			return Org{}, fmt.Errorf("%w: region: %w", ErrInvalid, err)
		}
		o.Region = r.Uint32()
	}
	for _, g := range spec.GCPs {
		if err := e.checkNewGCP(g, o.GCPs); err != nil {
			return Org{}, err
		}
		o.GCPs = append(o.GCPs, g)
	}
	return o, nil
}

// checkNewGCP checks that gcp is well formed and overlaps no registered
// prefix (GS1 never allocates a prefix of another prefix) nor one in also.
// REQUIRES e.wmu.
func (e *Book) checkNewGCP(gcp string, also []string) error {
	if err := checkDigits("GS1 company prefix", gcp, 4, 12); err != nil {
		return err
	}
	if id, owner := e.gcpOwner(gcp); owner != "" {
		return fmt.Errorf("%w: GS1 company prefix %s overlaps %s of organisation %d", ErrExists, gcp, owner, id)
	}
	for _, g := range also {
		if strings.HasPrefix(gcp, g) || strings.HasPrefix(g, gcp) {
			return fieldErr("GS1 company prefix", gcp, "overlaps %s in the same request", g)
		}
	}
	return nil
}

// gcpOwner returns the registered prefix that is a prefix of digits or has
// digits as a prefix, and its organisation ("" if none). REQUIRES e.wmu or
// e.mu.
func (e *Book) gcpOwner(digits string) (uint32, string) {
	for n := 4; n <= 12 && n <= len(digits); n++ {
		if id, ok := e.st.orgByGCP[digits[:n]]; ok {
			return id, digits[:n]
		}
	}
	for g, id := range e.st.orgByGCP {
		if strings.HasPrefix(g, digits) {
			return id, g
		}
	}
	return 0, ""
}

// putOrg adds o's records to b. REQUIRES e.wmu.
func (e *Book) putOrg(b *store.Batch, o *Org, isNew bool) {
	b.Set(store.AppendOrgKey(nil, o.ID), store.AppendOrg(nil, o))
	for _, g := range o.GCPs {
		b.Set(store.OrgByGCPKey(g), store.Uint(o.ID).AppendBinary(nil))
	}
	if o.USCC != "" {
		b.Set(store.OrgByUSCCKey(o.USCC), store.Uint(o.ID).AppendBinary(nil))
	}
	if isNew {
		b.Set(store.MetaKey(store.MetaNextOrg), store.Uint(o.ID+1).AppendBinary(nil))
	}
}

// publishOrg installs o. REQUIRES e.wmu and e.mu held for writing.
func (e *Book) publishOrg(o *Org) {
	st := e.st
	st.orgs[o.ID] = o
	for _, g := range o.GCPs {
		st.orgByGCP[g] = o.ID
	}
	if o.USCC != "" {
		st.orgByUSCC[o.USCC] = o.ID
	}
	st.nextOrg = max(st.nextOrg, o.ID+1)
	if e.opts.Published != nil {
		e.opts.Published(o, nil)
	}
}

// GrantGCP grants GS1 company prefix gcp to organisation org: the
// operator's act, once GS1 (or a verified registry import) shows the
// prefix is licensed to it. Products with GTINs under the prefix may then
// be created by the organisation. The prefix may not overlap another
// organisation's (nor one of org's); granting a prefix org already holds
// changes nothing. ctx is checked before the write lock is taken.
func (e *Book) GrantGCP(ctx context.Context, org uint32, gcp string) (Org, error) {
	if err := ctx.Err(); err != nil {
		return Org{}, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return Org{}, err
	}
	o := e.st.orgs[org]
	if o == nil {
		return Org{}, fmt.Errorf("%w %d", ErrUnknownOrg, org)
	}
	if slices.Contains(o.GCPs, gcp) {
		return *o, nil
	}
	if err := e.checkNewGCP(gcp, nil); err != nil {
		return Org{}, err
	}
	u := *o
	u.GCPs = append(slices.Clip(u.GCPs), gcp)
	if err := e.commitOrg(&u, false); err != nil {
		return Org{}, err
	}
	return u, nil
}

// Org returns organisation id.
func (e *Book) Org(id uint32) (Org, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if o := e.st.orgs[id]; o != nil {
		return *o, nil
	}
	return Org{}, fmt.Errorf("%w %d", ErrUnknownOrg, id)
}

// OrgByGCP returns the organisation owning GS1 company prefix gcp exactly.
func (e *Book) OrgByGCP(gcp string) (Org, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if id, ok := e.st.orgByGCP[gcp]; ok {
		return *e.st.orgs[id], nil
	}
	return Org{}, fmt.Errorf("%w with GS1 company prefix %s", ErrUnknownOrg, gcp)
}

// Orgs returns every organisation, by id.
func (e *Book) Orgs() []Org {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Org, 0, len(e.st.orgs))
	for _, o := range e.st.orgs {
		out = append(out, *o)
	}
	slices.SortFunc(out, func(a, b Org) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// ProductSpec describes a product to create.
type ProductSpec struct {
	// Org owns the product; a GTIN's company prefix must have been granted
	// to it (ErrPrefixNotGranted otherwise). 0 (the operator's path): the
	// organisation owning the GTIN's company prefix, created (named
	// OrgName) if no organisation owns it.
	Org uint32
	// OrgName names an organisation created from the company prefix;
	// default "GS1 company prefix NNNNNNN".
	OrgName string
	// GTIN (8, 12, 13 or 14 digits with check digit), optional.
	GTIN string
	// GCPLength is the number of digits of the GS1 company prefix inside
	// the GTIN (after the indicator digit), 6–12; required with a GTIN. EPC
	// forms and organisation matching need it.
	GCPLength int
	// OwnCode is a product code outside GS1 (CSET 82, ≤ 20), optional.
	OwnCode string
	// DrugID is the 7-digit NMPA drug identification code, optional; it
	// enables the nmpa scheme.
	DrugID string
	// NameZH is required; NameEN optional.
	NameZH, NameEN string
	// Category is required.
	Category Category
	// Levels are the packaging levels codes may be minted for; 0 = item.
	Levels LevelSet
	// LevelGTINs are the GTINs of the product's inner pack and case, when
	// they are levels above its lowest (GS1: a distinct GTIN per
	// packaging level): each under the GTIN's company prefix (the GTIN
	// with indicator digit 1–8 is), unique. Optional here; a mint of such
	// a level needs it (declared later by AmendProduct).
	LevelGTINs map[Level]string
	// DefaultScheme is used by mints that name none; 0 = gs1 with a GTIN,
	// else nmpa with a drug id, else short.
	DefaultScheme Scheme
	// Links: product information page and others.
	Links []Link
}

// AddProduct creates a product, its allocation state and its first FF1
// key (256 random bits), and, when needed, its organisation — all in one
// batch. ctx is checked before the write lock is taken.
func (e *Book) AddProduct(ctx context.Context, spec ProductSpec) (Product, error) {
	if err := ctx.Err(); err != nil {
		return Product{}, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return Product{}, err
	}
	st := e.st
	p := Product{ID: st.nextProduct, Created: e.nowMillis(), OwnCode: spec.OwnCode, DrugID: spec.DrugID,
		NameZH: spec.NameZH, NameEN: spec.NameEN, Category: spec.Category, Levels: spec.Levels,
		DefaultScheme: spec.DefaultScheme, Links: spec.Links}
	if spec.GTIN == "" && spec.OwnCode == "" && spec.DrugID == "" {
		return Product{}, fieldErr("product", "", "needs a GTIN, an own product code or a drug identification code")
	}
	var gcp string
	if spec.GTIN != "" {
		g, err := gs1.ParseGTIN(spec.GTIN)
		if err != nil {
			return Product{}, fmt.Errorf("%w: gtin: %w", ErrInvalid, err)
		}
		if id, dup := st.productByGTIN[g]; dup {
			return Product{}, fmt.Errorf("%w: GTIN %s is product %d", ErrExists, g, id)
		}
		if spec.GCPLength < 6 || spec.GCPLength > 12 {
			return Product{}, fieldErr("gcp length", fmt.Sprint(spec.GCPLength), "must be 6 to 12 (digits of the GS1 company prefix in the GTIN)")
		}
		p.GTIN, p.GCPLength = g, uint8(spec.GCPLength)
		gcp = string(g[1 : 1+spec.GCPLength])
	} else if spec.GCPLength != 0 {
		return Product{}, fieldErr("gcp length", fmt.Sprint(spec.GCPLength), "given without a GTIN")
	}
	if p.OwnCode != "" {
		if err := checkCSET82("own product code", p.OwnCode, 20); err != nil {
			return Product{}, err
		}
	}
	if p.DrugID != "" {
		if err := checkDigits("drug identification code", p.DrugID, 7, 7); err != nil {
			return Product{}, err
		}
		if id, dup := st.productByDrugID[p.DrugID]; dup {
			return Product{}, fmt.Errorf("%w: drug identification code %s is product %d", ErrExists, p.DrugID, id)
		}
	}
	if err := CheckText("name", p.NameZH, 200, true); err != nil {
		return Product{}, err
	}
	if err := CheckText("english name", p.NameEN, 200, false); err != nil {
		return Product{}, err
	}
	if !p.Category.Valid() {
		return Product{}, fieldErr("category", p.Category.String(), "is required (one of %s)", strings.Join(model.CategoryNames(), ", "))
	}
	if p.Levels == 0 {
		p.Levels = LevelSet(0).With(model.LevelItem)
	}
	if p.Levels>>5 != 0 || p.Levels&1 != 0 {
		return Product{}, fieldErr("levels", fmt.Sprint(uint8(p.Levels)), "has undefined levels")
	}
	if err := e.setLevelGTINs(&p, spec.LevelGTINs); err != nil {
		return Product{}, err
	}
	for _, l := range p.Links {
		if err := CheckText("link type", l.Type, 64, true); err != nil {
			return Product{}, err
		}
		if err := checkURL("link url", l.URL); err != nil {
			return Product{}, err
		}
	}
	if p.DefaultScheme == 0 {
		switch {
		case !p.GTIN.IsZero():
			p.DefaultScheme = serial.GS1
		case p.DrugID != "":
			p.DefaultScheme = serial.NMPA
		default:
			p.DefaultScheme = serial.Short
		}
	}
	if p.DefaultScheme == serial.SSCC {
		return Product{}, fieldErr("default scheme", "sscc", "is for logistic units only: a mint at level pallet takes it by itself")
	}
	if err := supportsScheme(&p, p.DefaultScheme); err != nil {
		return Product{}, err
	}

	// The owning organisation.
	b := e.db.NewBatch()
	defer b.Close()
	var newOrg *Org
	switch {
	case spec.Org == 0 && gcp == "":
		return Product{}, fieldErr("org", "", "is required for a product without a GTIN")
	case spec.Org == 0:
		if id, owner := e.gcpOwner(gcp); owner != "" {
			if owner != gcp {
				return Product{}, fieldErr("gcp length", fmt.Sprint(spec.GCPLength),
					"disagrees with organisation %d's company prefix %s (%d digits)", id, owner, len(owner))
			}
			p.Org = id
			break
		}
		name := spec.OrgName
		if name == "" {
			name = "GS1 company prefix " + gcp
		}
		o, err := e.newOrg(OrgSpec{Name: name, GCPs: []string{gcp}})
		if err != nil {
			return Product{}, err
		}
		newOrg, p.Org = &o, o.ID
		e.putOrg(b, newOrg, true)
	default:
		o := st.orgs[spec.Org]
		if o == nil {
			return Product{}, fmt.Errorf("%w %d", ErrUnknownOrg, spec.Org)
		}
		p.Org = o.ID
		if gcp != "" {
			id, owner := e.gcpOwner(gcp)
			switch {
			case owner == "":
				// Creating a product never claims a prefix: the operator
				// grants it (GrantGCP) once GS1 licensed it to the
				// organisation.
				return Product{}, fmt.Errorf("%w: GTIN %s has GS1 company prefix %s, which is not granted to organisation %d "+
					"(the operator grants prefixes: tracecode org grant-prefix, POST /v1/orgs/{org}/prefixes)",
					ErrPrefixNotGranted, p.GTIN, gcp, o.ID)
			case id != o.ID:
				return Product{}, fmt.Errorf("%w: GTIN %s has company prefix %s of organisation %d, not %d",
					ErrWrongOrg, p.GTIN, owner, id, o.ID)
			case owner != gcp:
				return Product{}, fieldErr("gcp length", fmt.Sprint(spec.GCPLength),
					"disagrees with organisation %d's company prefix %s (%d digits)", id, owner, len(owner))
			}
		}
	}
	// Product ids are one 32-bit space shared by every organisation: each
	// may hold only its quota of it.
	if n := uint64(st.productsByOrg[p.Org]); n >= e.opts.MaxProductsPerOrg {
		return Product{}, fmt.Errorf("%w: organisation %d has %d products, its quota of the shared product id space (Options.MaxProductsPerOrg %d)",
			ErrCap, p.Org, n, e.opts.MaxProductsPerOrg)
	}
	if st.nextProduct >= 1<<32-1 {
		return Product{}, fmt.Errorf("%w: the product id space is used up", ErrCap)
	}
	if p.OwnCode != "" {
		if id, dup := st.productByCode[ownCodeKey{p.Org, p.OwnCode}]; dup {
			return Product{}, fmt.Errorf("%w: own product code %s is product %d", ErrExists, p.OwnCode, id)
		}
	}

	var kek *KEK
	if e.sealed.Load() {
		kek = e.kek.Load()
	}
	plain := newAESKey()
	key := sealKey(kek, store.ProductKeyKey(p.ID, 0), plain, p.Created)
	b.Set(store.AppendProductKey(nil, p.ID), store.AppendProduct(nil, &p))
	b.Set(store.ProductStateKey(p.ID), store.AppendProductState(nil, &model.ProductState{}))
	b.Set(store.ProductKeyKey(p.ID, 0), key.AppendBinary(nil))
	if !p.GTIN.IsZero() {
		b.Set(store.ProductByGTINKey(p.GTIN), store.Uint(p.ID).AppendBinary(nil))
	}
	putLevelGTINIndex(b, &p, nil)
	if p.DrugID != "" {
		b.Set(store.ProductByDrugIDKey(p.DrugID), store.Uint(p.ID).AppendBinary(nil))
	}
	if p.OwnCode != "" {
		b.Set(store.ProductByCodeKey(p.Org, p.OwnCode), store.Uint(p.ID).AppendBinary(nil))
	}
	b.Set(store.MetaKey(store.MetaNextProduct), store.Uint(p.ID+1).AppendBinary(nil))
	var sd stats.Delta
	region := e.statRegion(p.Org)
	if newOrg != nil {
		e.countOrg(&sd, newOrg)
		region = newOrg.Region
	}
	e.countProduct(&sd, &p, region)
	if err := e.commitCounted(b, &sd); err != nil {
		return Product{}, err
	}
	e.mu.Lock()
	if newOrg != nil {
		e.publishOrg(newOrg)
	}
	st.addProduct(&product{rec: p, keys: []*keyGen{{key: plain}}})
	st.nextProduct = p.ID + 1
	if e.opts.Published != nil {
		e.opts.Published(nil, &p)
	}
	e.mu.Unlock()
	return p, nil
}

// supportsScheme reports whether product p can carry codes of scheme s.
func supportsScheme(p *Product, s Scheme) error {
	switch s {
	case serial.GS1, serial.Imported:
		if p.GTIN.IsZero() {
			return fmt.Errorf("%w: scheme %v needs a product with a GTIN (product %d has none)", ErrScheme, s, p.ID)
		}
	case serial.SGTIN96, serial.SSCC:
		if p.GTIN.IsZero() || p.GCPLength == 0 {
			return fmt.Errorf("%w: scheme %v needs a GTIN and its company prefix length (product %d)", ErrScheme, s, p.ID)
		}
	case serial.NMPA:
		if p.DrugID == "" {
			return fmt.Errorf("%w: scheme nmpa needs a 7-digit drug identification code (product %d has none)", ErrScheme, p.ID)
		}
	case serial.Short:
	case serial.Pesticide:
		if _, err := cpest.New(p.OwnCode, "000000000000000000000"); err != nil {
			return fmt.Errorf("%w: scheme pesticide needs the product's own code to be the pesticide trace code's 11-digit prefix "+
				"(kind, registration, production, specification): product %d: %w", ErrScheme, p.ID, err)
		}
	case serial.VetDrug:
		if len(p.OwnCode) < 5 || strings.Trim(p.OwnCode[:5], "0123456789") != "" {
			return fmt.Errorf("%w: scheme vet-drug needs the product's own code to start with the 5-digit enterprise code of the vet-drug trace code (product %d has %q)",
				ErrScheme, p.ID, p.OwnCode)
		}
	default:
		return fmt.Errorf("%w: %v", ErrScheme, s)
	}
	return nil
}

// Product returns product id.
func (e *Book) Product(id uint32) (Product, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if p := e.st.products[id]; p != nil {
		return p.rec, nil
	}
	return Product{}, fmt.Errorf("%w %d", ErrUnknownProduct, id)
}

// ProductByGTIN returns the product with GTIN g.
func (e *Book) ProductByGTIN(g gs1.GTIN) (Product, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if id, ok := e.st.productByGTIN[g]; ok {
		return e.st.products[id].rec, nil
	}
	return Product{}, fmt.Errorf("%w with GTIN %s", ErrUnknownProduct, g)
}

// ProductByDrugID returns the product with a 7-digit drug identification code.
func (e *Book) ProductByDrugID(drugID string) (Product, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if id, ok := e.st.productByDrugID[drugID]; ok {
		return e.st.products[id].rec, nil
	}
	return Product{}, fmt.Errorf("%w with drug identification code %s", ErrUnknownProduct, drugID)
}

// ProductByCode returns org's product with an own product code.
func (e *Book) ProductByCode(org uint32, code string) (Product, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if id, ok := e.st.productByCode[ownCodeKey{org, code}]; ok {
		return e.st.products[id].rec, nil
	}
	return Product{}, fmt.Errorf("%w with own code %s in organisation %d", ErrUnknownProduct, code, org)
}

// Products returns every product (of org, or all if org is 0), by id.
func (e *Book) Products(org uint32) []Product {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Product
	for _, p := range e.st.products {
		if org == 0 || p.rec.Org == org {
			out = append(out, p.rec)
		}
	}
	slices.SortFunc(out, func(a, b Product) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// ProductState returns the allocation state of product id: high-water mark
// and codes issued per scheme.
func (e *Book) ProductState(id uint32) (ProductState, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if p := e.st.products[id]; p != nil {
		return p.st, nil
	}
	return ProductState{}, fmt.Errorf("%w %d", ErrUnknownProduct, id)
}

// LotSpec describes a lot to create.
type LotSpec struct {
	Product  uint32
	Number   string // AI (10): 1–20 characters of GS1 CSET 82
	Produced uint32 // yyyymmdd, 0 = unknown (see ParseDate)
	Expiry   uint32 // yyyymmdd, 0 = none
	Site     string // production site, optional, ≤ 100 characters
}

// AddLot creates a lot of a product. ctx is checked before the write lock
// is taken.
func (e *Book) AddLot(ctx context.Context, spec LotSpec) (Lot, error) {
	if err := ctx.Err(); err != nil {
		return Lot{}, err
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if err := e.writable(); err != nil {
		return Lot{}, err
	}
	l, err := e.newLot(spec, nil)
	if err != nil {
		return Lot{}, err
	}
	b := e.db.NewBatch()
	putLots(b, &l)
	if err := e.commit(b); err != nil {
		return Lot{}, err
	}
	e.mu.Lock()
	e.publishLot(&l)
	e.mu.Unlock()
	return l, nil
}

// newLot validates spec and returns the lot with the next id (after any
// ids already taken by pending lots of the same group). REQUIRES e.wmu.
func (e *Book) newLot(spec LotSpec, pending map[lotKey]*Lot) (Lot, error) {
	st := e.st
	if st.products[spec.Product] == nil {
		return Lot{}, fmt.Errorf("%w %d", ErrUnknownProduct, spec.Product)
	}
	if err := checkCSET82("lot", spec.Number, 20); err != nil {
		return Lot{}, err
	}
	if id, dup := st.lotByNumber[lotKey{spec.Product, spec.Number}]; dup {
		return Lot{}, fmt.Errorf("%w: lot %s of product %d is lot %d", ErrExists, spec.Number, spec.Product, id)
	}
	if err := checkDate("production date", spec.Produced); err != nil {
		return Lot{}, err
	}
	if err := checkDate("expiry date", spec.Expiry); err != nil {
		return Lot{}, err
	}
	if spec.Produced != 0 && spec.Expiry != 0 && spec.Expiry < spec.Produced {
		return Lot{}, fieldErr("expiry date", FormatDate(spec.Expiry), "is before the production date %s", FormatDate(spec.Produced))
	}
	// Lot ids are one 32-bit space shared by every organisation: each may
	// hold only its quota of it.
	org := st.products[spec.Product].rec.Org
	n := uint64(st.lotsByOrg[org])
	for _, l := range pending {
		if st.products[l.Product].rec.Org == org {
			n++
		}
	}
	if n >= e.opts.MaxLotsPerOrg {
		return Lot{}, fmt.Errorf("%w: organisation %d has %d lots, its quota of the shared lot id space (Options.MaxLotsPerOrg %d)",
			ErrCap, org, n, e.opts.MaxLotsPerOrg)
	}
	if uint64(st.nextLot)+uint64(len(pending)) >= 1<<32-1 {
		return Lot{}, fmt.Errorf("%w: the lot id space is used up", ErrCap)
	}
	if err := CheckText("site", spec.Site, 100, false); err != nil {
		return Lot{}, err
	}
	return Lot{ID: st.nextLot + uint32(len(pending)), Product: spec.Product, Number: spec.Number,
		Produced: spec.Produced, Expiry: spec.Expiry, Site: spec.Site, Created: e.nowMillis()}, nil
}

// putLots adds lots' records and the next-lot counter to b.
func putLots(b *store.Batch, lots ...*Lot) {
	var next uint32
	for _, l := range lots {
		b.Set(store.AppendLotKey(nil, l.ID), store.AppendLot(nil, l))
		b.Set(store.LotByNumberKey(l.Product, l.Number), store.Uint(l.ID).AppendBinary(nil))
		next = max(next, l.ID+1)
	}
	if next != 0 {
		b.Set(store.MetaKey(store.MetaNextLot), store.Uint(next).AppendBinary(nil))
	}
}

// publishLot installs l. REQUIRES e.wmu and e.mu held for writing.
func (e *Book) publishLot(l *Lot) {
	if _, known := e.st.lots[l.ID]; !known {
		if p := e.st.products[l.Product]; p != nil {
			e.st.lotsByOrg[p.rec.Org]++
		}
	}
	e.st.lots[l.ID] = l
	e.st.lotByNumber[lotKey{l.Product, l.Number}] = l.ID
	e.st.nextLot = max(e.st.nextLot, l.ID+1)
}

// Lot returns lot id.
func (e *Book) Lot(id uint32) (Lot, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if l := e.st.lots[id]; l != nil {
		return *l, nil
	}
	return Lot{}, fmt.Errorf("%w %d", ErrUnknownLot, id)
}

// LotByNumber returns the lot of product with lot number number.
func (e *Book) LotByNumber(product uint32, number string) (Lot, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if id, ok := e.st.lotByNumber[lotKey{product, number}]; ok {
		return *e.st.lots[id], nil
	}
	return Lot{}, fmt.Errorf("%w %q of product %d", ErrUnknownLot, number, product)
}

// Lots returns the lots of product (all lots if product is 0), by id.
func (e *Book) Lots(product uint32) []Lot {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Lot
	for _, l := range e.st.lots {
		if product == 0 || l.Product == product {
			out = append(out, *l)
		}
	}
	slices.SortFunc(out, func(a, b Lot) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
