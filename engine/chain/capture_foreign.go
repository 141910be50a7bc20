package chain

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"tracecode/engine/code"
	"tracecode/engine/code/digitallink"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
	"tracecode/engine/model"
)

// Foreign identifiers. A line's or a warehouse's events name more than the
// codes this store issued: the returnable crate (GRAI) a case travels in,
// the asset (GIAI) or service relation (GSRN) a transaction is about, the
// location (SGLN) a sensor is associated with, a document (GDTI), a
// sensor's own URN, a user vocabulary URI. Such an identifier is a foreign
// identifier of the event: it is kept in the event as captured and
// indexed (ledger.IndexForeign) so that the query interface finds the
// event by it, and it has no effect on state — no item state, no
// custody, no containment, no standing to check. Who may capture it: the
// capturing organisation; the query shows the event to whom it shows any
// event of that organisation (epcisq.Office.Visible), never to another
// organisation because it names the same asset.
//
// What is foreign: every GS1 key of a kind this store never issues (GRAI,
// GIAI, GSRN, GSRNP, GDTI, CPI, SGCN, SGLN, PGLN, ITIP …, as an EPC URI or
// a Digital Link), a URN of another namespace than urn:epc, an http(s)
// URI that is not a GS1 Digital Link at all (no GS1 primary key in its
// path), decided by kind; and a GTIN-based code or an SSCC — the kinds
// this store issues — only when no organisation here holds its GS1
// company prefix (another company's item or pallet). A code of a prefix
// held here always goes through the code path, and one that was never
// issued is refused: that is how a forged code is caught. An EPC URI or
// Digital Link that fails to parse is refused as before: it meant to be a
// GS1 key.

// foreignRef is a foreign identifier of the event being captured: its
// index key (epcis.IdentifierKey) and its role.
type foreignRef struct {
	key  string
	role ledger.Role
}

// foreignTx is the foreign identifiers of the event being captured.
type foreignTx struct {
	refs []foreignRef
	raw  map[string]bool // the event's identifiers, as captured, that are foreign
}

// foreignKey reports whether identifier raw is foreign, with its index
// key.
func foreignKey(raw string) (string, bool) {
	switch {
	case strings.HasPrefix(raw, "urn:epc:id:sgtin:"), strings.HasPrefix(raw, "urn:epc:id:sscc:"):
		return "", false
	case strings.HasPrefix(raw, "urn:epc:"):
		c, err := code.Parse(raw)
		if err != nil || !foreignKind(&c) {
			return "", false
		}
		return epcis.IdentifierKey(raw), true
	case strings.HasPrefix(raw, "urn:"):
		return raw, validURN(raw)
	case strings.HasPrefix(raw, "https://"), strings.HasPrefix(raw, "http://"):
		if _, ok := dlKeyDigits(raw); ok {
			return "", false // a GTIN or SSCC Digital Link: the code path (no second parse)
		}
		c, err := code.Parse(raw)
		if err == nil {
			if !foreignKind(&c) {
				return "", false
			}
			return epcis.IdentifierKey(raw), true
		}
		// Not a Digital Link at all: a user vocabulary URI.
		return raw, errors.Is(err, digitallink.ErrNoPrimaryKey)
	}
	return "", false
}

// foreignKeyOf is foreignKey, and also a GTIN-based code or an SSCC
// whose GS1 company prefix no organisation of this store holds: another
// company's item, case or logistic unit (a supplier's ingredient, a
// carrier's pallet). A code of a prefix an organisation here holds goes
// the code path and is refused when it was never issued.
func (rt *reportTx) foreignKeyOf(raw string) (string, bool) {
	if key, ok := foreignKey(raw); ok {
		return key, true
	}
	if !rt.otherCompany(raw, false) {
		return "", false
	}
	return epcis.IdentifierKey(raw), true
}

// otherCompany reports whether raw, a GTIN-based code or an SSCC (an
// EPC class or pattern with class), is well formed and of a GS1 company
// prefix no organisation of this store holds. The prefix is read from
// the string first (an EPC URI names it, a Digital Link has the key after
// /01/ or /00/), so that the store's own codes cost a map lookup, not a
// second parse.
func (rt *reportTx) otherCompany(raw string, class bool) bool {
	held := func(digits string) bool { return rt.c.iss.OrgOfGCP(digits, false) != 0 }
	schemes := []string{"urn:epc:id:sgtin:", "urn:epc:id:sscc:", "urn:epc:id:upui:"}
	if class {
		schemes = []string{"urn:epc:class:lgtin:", "urn:epc:idpat:sgtin:"}
	}
	for _, p := range schemes {
		if rest, ok := strings.CutPrefix(raw, p); ok {
			cp, _, _ := strings.Cut(rest, ".")
			if cp == "" || held(cp) {
				return false
			}
			if p == "urn:epc:idpat:sgtin:" {
				_, err := idpatGTIN(rest)
				return err == nil
			}
			_, err := code.Parse(raw)
			return err == nil
		}
	}
	if !strings.HasPrefix(raw, "https://") && !strings.HasPrefix(raw, "http://") {
		return false
	}
	digits, ok := dlKeyDigits(raw)
	if !ok || held(digits[1:]) {
		return false
	}
	c, err := code.Parse(raw)
	if err != nil {
		return false
	}
	if class {
		_, isGTIN := c.GTIN()
		return isGTIN && c.Serial() == ""
	}
	return !foreignKind(&c)
}

// dlKeyDigits returns the digits of a Digital Link's GTIN (after /01/,
// 14 digits) or SSCC (after /00/, 18 digits), read from the string.
func dlKeyDigits(raw string) (string, bool) {
	for _, k := range [...]struct {
		seg string
		n   int
	}{{"/01/", 14}, {"/00/", 18}} {
		i := strings.Index(raw, k.seg)
		if i < 0 || len(raw) < i+len(k.seg)+k.n {
			continue
		}
		d := raw[i+len(k.seg) : i+len(k.seg)+k.n]
		if strings.Trim(d, "0123456789") == "" {
			return d, true
		}
	}
	return "", false
}

// foreignKind reports whether a parsed code is a GS1 key of a kind this
// store never issues (neither GTIN-based nor an SSCC).
func foreignKind(c *code.Code) bool {
	if len(c.Elements) == 0 {
		return false
	}
	switch c.Elements[0].AI {
	case "01", "02", "00":
		return false
	}
	return true
}

// validURN reports whether s is urn:NID:NSS with a valid namespace
// identifier (RFC 8141: letters, digits and hyphens, 2–32 characters, no
// hyphen first or last) and a non-empty rest.
func validURN(s string) bool {
	rest := s[len("urn:"):]
	nid, nss, ok := strings.Cut(rest, ":")
	if !ok || len(nid) < 2 || len(nid) > 32 || nss == "" || nid[0] == '-' || nid[len(nid)-1] == '-' {
		return false
	}
	for i := 0; i < len(nid); i++ {
		c := nid[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// stageForeign finds the foreign identifiers of ev (at base): its EPC
// lists, and its parentID unless it is an AggregationEvent's that packs
// or unpacks (containment needs a container of this store). An identifier the index cannot hold
// is refused.
func (rt *reportTx) stageForeign(ev *epcis.Event, base where) {
	rt.fx.refs = rt.fx.refs[:0]
	clear(rt.fx.raw)
	add := func(raw string, field where, role ledger.Role) {
		key, ok := rt.foreignKeyOf(raw)
		if !ok {
			return
		}
		if rt.fx.raw == nil {
			rt.fx.raw = map[string]bool{}
		}
		rt.fx.raw[raw] = true
		if !ledger.ForeignIndexable(key) {
			rt.fail(field, raw[:min(len(raw), 40)], model.ErrInvalid, "an identifier this store does not issue is indexed up to %d bytes", ledger.MaxIndexedTerm)
			return
		}
		rt.fx.refs = append(rt.fx.refs, foreignRef{key: key, role: role})
	}
	for _, l := range [...]struct {
		ids  []epcis.Identifier
		name string
		role ledger.Role
	}{
		{ev.EPCList, ".epcList", ledger.RoleEPC},
		{ev.ChildEPCs, ".childEPCs", ledger.RoleChild},
		{ev.InputEPCList, ".inputEPCList", ledger.RoleInput},
		{ev.OutputEPCList, ".outputEPCList", ledger.RoleOutput},
	} {
		for j, id := range l.ids {
			add(id.Raw, base.sub(l.name).idx(j), l.role)
		}
	}
	if !ev.ParentID.IsZero() && (ev.Type != epcis.AggregationEvent || ev.Action == epcis.ActionObserve) {
		add(ev.ParentID.Raw, base.sub(".parentID"), ledger.RoleParent)
	}
}

// isForeign reports whether identifier raw of the event being captured is
// foreign (stageForeign).
func (rt *reportTx) isForeign(raw string) bool { return rt.fx.raw[raw] }

// eventSelForeign is eventSel of an event with foreign identifiers: those
// are left out, the others resolved as codes.
func (rt *reportTx) eventSelForeign(ids []epcis.Identifier, field where) selection {
	var s selection
	for j, id := range ids {
		if rt.fx.raw[id.Raw] {
			continue
		}
		ref, registered, ok := rt.resolveCode(field.idx(j), id.Raw, true)
		if !ok {
			continue
		}
		it := selItem{field: field.idx(j), code: id.Raw}
		if ref.isUnit() {
			s.units = append(s.units, selUnit{ref: ref, registered: registered, selItem: it})
			continue
		}
		s.runs = append(s.runs, selRun{b: ref.block, lo: ref.offset, hi: ref.offset, one: it})
	}
	rt.normalize(&s)
	return s
}

// indexForeign indexes record seq under the foreign identifiers staged
// for its event, each key and role once.
func (rt *reportTx) indexForeign(seq uint64) {
	for i, f := range rt.fx.refs {
		dup := false
		for _, g := range rt.fx.refs[:i] {
			if g == f {
				dup = true
				break
			}
		}
		if !dup {
			rt.lt.IndexForeign(f.role, f.key, seq)
		}
	}
}

// declareUnheld records an error declaration ev (content hash h) about an
// event this store does not hold (EPCIS 2.0 §7.4.1.2: an error
// declaration is an event; the standard asks the repository to keep it
// and answer it to EXISTS_errorDeclaration and EQ_errorReason, and sets no
// rule that the erroneous event be in the same repository — it may have
// been captured elsewhere, or never reached this one). The declaration is
// kept as a record with no effect on state: nothing to undo. It is
// indexed under its codes, classes and foreign identifiers as an
// observation of them is, and the capturing organisation needs the
// standing an observation of its codes needs. An event with the
// declaration's content captured later is a duplicate of it (same event
// hash): it was declared not to have happened as recorded, and is not
// applied. The error is for I/O failures only.
func (rt *reportTx) declareUnheld(ev *epcis.Event, h [32]byte, base where) (bool, error) {
	org := rt.meta.Org
	tz := rt.eventTZ(ev, base)
	if ev.ErrorDeclaration.DeclarationTime.UnixMilli() > rt.now+MaxFutureSkew.Milliseconds() {
		rt.fail(base.sub(".errorDeclaration.declarationTime"), ev.ErrorDeclaration.DeclarationTime.Format(time.RFC3339), ErrFuture,
			"is more than %v after the engine's clock", MaxFutureSkew)
	}
	rt.stageForeign(ev, base)
	st := rt.eventStanding(ev)
	var targets []ledger.Target
	var idx []indexed
	if !ev.ParentID.IsZero() && !rt.isForeign(ev.ParentID.Raw) {
		if parent, ok := rt.resolveRef(&Ref{Code: ev.ParentID.Raw}, base.sub(".parentID"), true); ok {
			ps := parent.asSelection()
			if err := rt.requireStanding(&ps, org, "the parent", st); err != nil {
				return false, err
			}
			targets = append(targets, parent.target(ledger.RoleParent))
			idx = append(idx, indexed{ps, ledger.RoleParent})
		}
	}
	for _, l := range [...]struct {
		ids  []epcis.Identifier
		name string
		role ledger.Role
	}{
		{ev.EPCList, ".epcList", ledger.RoleEPC},
		{ev.ChildEPCs, ".childEPCs", ledger.RoleChild},
		{ev.InputEPCList, ".inputEPCList", ledger.RoleInput},
		{ev.OutputEPCList, ".outputEPCList", ledger.RoleOutput},
	} {
		s := rt.eventSelForeign(l.ids, base.sub(l.name))
		if err := rt.requireStanding(&s, org, "the code", st); err != nil {
			return false, err
		}
		targets = s.targets(targets, l.role)
		idx = append(idx, indexed{s, l.role})
	}
	for _, l := range [...]struct {
		q    []epcis.QuantityElement
		name string
		role ledger.Role
	}{
		{ev.QuantityList, ".quantityList", ledger.RoleClass},
		{ev.ChildQuantityList, ".childQuantityList", ledger.RoleClass},
		{ev.InputQuantityList, ".inputQuantityList", ledger.RoleInput},
		{ev.OutputQuantityList, ".outputQuantityList", ledger.RoleOutput},
	} {
		cs := rt.resolveClasses(l.q, base.sub(l.name))
		if err := rt.requireClassStanding(cs, org, st, false); err != nil {
			return false, err
		}
		for j := range cs {
			targets = append(targets, cs[j].target(l.role))
		}
	}
	if rt.failed() {
		return false, nil
	}
	seq := rt.lt.NextSeq()
	if !rt.recordDeclaration(ev, base, tz, h, targets, seq) {
		return false, nil
	}
	for k := range idx {
		if err := rt.indexSel(&idx[k].s, seq, idx[k].role, false); err != nil {
			return false, err
		}
	}
	for _, t := range targets {
		if t.Kind == ledger.TargetLot || t.Kind == ledger.TargetProduct {
			c := classRef{product: t.Product, lot: t.Lot}
			rt.classIndex(&c, seq, t.Role)
		}
	}
	rt.indexForeign(seq)
	rt.codes += uint64(len(ev.EPCList) + len(ev.ChildEPCs) + len(ev.InputEPCList) + len(ev.OutputEPCList))
	return false, nil
}

// vocabularyElements counts the master-data vocabulary elements a
// document carries (an EPCISMasterDataDocument's vocabularyList, or one in
// the header's epcisMasterData); ok reports whether it carries a
// vocabulary list at all. Capture does not apply master data (locations
// and parties are registered through the master-data API): the count is
// what the receipt says it ignored.
func vocabularyElements(h *epcis.Header) (n int, ok bool) {
	type list []struct {
		Elements []json.RawMessage `json:"vocabularyElementList"`
	}
	count := func(raw json.RawMessage) {
		var l list
		if json.Unmarshal(raw, &l) != nil {
			return
		}
		ok = true
		for _, v := range l {
			n += len(v.Elements)
		}
	}
	for _, x := range h.BodyExtensions {
		if x.Key == "vocabularyList" {
			count(x.Value)
		}
	}
	for _, x := range h.Extensions {
		if x.Key != "epcisHeader" {
			continue
		}
		var hd struct {
			MD *struct {
				List json.RawMessage `json:"vocabularyList"`
			} `json:"epcisMasterData"`
		}
		if json.Unmarshal(x.Value, &hd) == nil && hd.MD != nil && hd.MD.List != nil {
			count(hd.MD.List)
		}
	}
	return n, ok
}
