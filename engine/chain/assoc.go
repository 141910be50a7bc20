package chain

import (
	"strings"

	"tracecode/engine/agg"
	"tracecode/engine/epcis"
	"tracecode/engine/model"
)

// assetID reports whether an identifier names an asset, device or
// location of its own scheme (GIAI, GRAI, GSRN, GDTI, CPI, GID, SGLN,
// PGLN… as an EPC URI or a Digital Link with their AI): the children of
// an AssociationEvent (a sensor, an RFID logger, a valve) are often such
// identifiers, which this engine does not issue. They are kept in the
// event as given and in the association index, not resolved. GTIN-based
// codes and SSCCs are never assets: they must be codes of this engine.
func assetID(raw string) bool {
	if rest, ok := strings.CutPrefix(raw, "urn:epc:id:"); ok {
		scheme, _, _ := strings.Cut(rest, ":")
		return scheme != "sgtin" && scheme != "sscc"
	}
	if strings.HasPrefix(raw, "urn:") {
		return true // another URN namespace: a device serial, a sensor id
	}
	for _, ai := range []string{"/8004/", "/8003/", "/8018/", "/8017/", "/253/", "/8010/", "/414/", "/417/", "/8006/", "/8013/"} {
		if strings.Contains(raw, ai) {
			return true
		}
	}
	return false
}

// associate validates an AssociationEvent and stages its effect: ADD
// associates each child with the parent (an error for a child already
// associated), DELETE ends the associations named (each must exist; all
// of the parent's when childEPCs is empty), OBSERVE stores nothing. The
// parent and children that are codes of this engine are returned to be
// indexed (the event then shows on their timelines and is inherited by
// what the parent contains); asset identifiers are kept as given. No
// containment is implied: nothing is packed, nothing moves with the
// parent. The error is for I/O failures only.
func (rt *reportTx) associate(ev *epcis.Event, base where, evTime int64, seq uint64) (ps, kids selection, err error) {
	pf := base.sub(".parentID")
	parentAsset := assetID(ev.ParentID.Raw) || rt.isForeign(ev.ParentID.Raw)
	var parent parentRef
	parentOK := false
	if !parentAsset {
		parent, parentOK = rt.resolveRef(&Ref{Code: ev.ParentID.Raw}, pf, true)
		if parentOK {
			ps = parent.asSelection()
		}
	}
	// Children: codes of this engine are resolved, assets kept as given.
	var assets []string
	var assetAt []where
	var codes []string
	var codeAt []int
	for j, id := range ev.ChildEPCs {
		if assetID(id.Raw) || rt.isForeign(id.Raw) {
			if len(id.Raw) > agg.MaxAssocChild {
				rt.fail(base.sub(".childEPCs").idx(j), id.Raw[:40]+"…", model.ErrInvalid, "longer than %d characters", agg.MaxAssocChild)
				continue
			}
			assets = append(assets, id.Raw)
			assetAt = append(assetAt, base.sub(".childEPCs").idx(j))
			continue
		}
		codes = append(codes, id.Raw)
		codeAt = append(codeAt, j)
	}
	for k, c := range codes {
		var one selection
		rt.selectCodes(&one, []string{c}, base.sub(".childEPCs").idx(codeAt[k]), true)
		kids.runs = append(kids.runs, one.runs...)
		kids.units = append(kids.units, one.units...)
	}
	rt.normalize(&kids)
	if parentAsset && kids.empty() && len(ev.ChildQuantityList) == 0 {
		if rt.isForeign(ev.ParentID.Raw) { // recorded and indexed, no state (capture_foreign.go)
			return ps, kids, nil
		}
		rt.fail(pf, ev.ParentID.Raw, model.ErrInvalid, "the association names no code this engine issued (parent and children are all asset identifiers)")
		return ps, kids, nil
	}
	if ev.Action != epcis.ActionDelete {
		rt.requireLive(&ps)
		rt.requireLive(&kids)
	}
	if rt.failed() || !parentOK || ev.Action == epcis.ActionObserve {
		return ps, kids, nil
	}
	// The association index holds each child by its identifier: an asset
	// as given, a code of this engine in its canonical form.
	type child struct {
		id    string
		field where
		code  string
	}
	var children []child
	for i, a := range assets {
		children = append(children, child{a, assetAt[i], a})
	}
	for i := range kids.runs {
		r := &kids.runs[i]
		for off := r.lo; off <= r.hi; off++ {
			f, c := r.describe(off)
			children = append(children, child{rt.c.describeNode(agg.Node{Product: r.b.Product, Counter: r.b.Start + off}), f, c})
		}
	}
	for _, u := range kids.units {
		children = append(children, child{rt.c.describeNode(u.ref.node), u.field, u.code})
	}
	switch ev.Action {
	case epcis.ActionAdd:
		for _, c := range children {
			ok, err := rt.ag.Associated(parent.node, c.id)
			if err != nil {
				return ps, kids, err
			}
			if ok {
				rt.fail(c.field, c.code, ErrHasParent, "already associated with %s", parent.desc())
				continue
			}
			rt.ag.Associate(&agg.Association{Parent: parent.node, Child: c.id, Since: evTime, Seq: seq})
		}
	case epcis.ActionDelete:
		if len(ev.ChildEPCs) == 0 {
			var all []string
			if err := rt.ag.Associations(parent.node, func(a *agg.Association) bool { all = append(all, a.Child); return true }); err != nil {
				return ps, kids, err
			}
			if len(all) == 0 {
				rt.fail(pf, parent.desc(), ErrNotChild, "nothing is associated with it")
			}
			for _, a := range all {
				rt.ag.Dissociate(parent.node, a)
			}
			return ps, kids, nil
		}
		for _, c := range children {
			ok, err := rt.ag.Associated(parent.node, c.id)
			if err != nil {
				return ps, kids, err
			}
			if !ok {
				rt.fail(c.field, c.code, ErrNotChild, "is not associated with %s", parent.desc())
				continue
			}
			rt.ag.Dissociate(parent.node, c.id)
		}
	}
	return ps, kids, nil
}
