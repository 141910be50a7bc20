package engine

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/itemstate"
	"tracecode/engine/jsonstr"
	"tracecode/engine/ledger"
)

// AppendChainJSON appends c as one JSON object (the server's application/
// json answer and `tracecode resolve --json`). It allocates nothing beyond
// growing dst, except for the organisation and parent names it looks up.
func (e *Engine) AppendChainJSON(dst []byte, c *Chain) []byte {
	dst = append(dst, `{"code":`...)
	dst = appendJSONString(dst, c.Input)
	dst = append(dst, `,"status":`...)
	dst = appendJSONString(dst, c.Status.String())
	dst = append(dst, `,"genuine":`...)
	dst = strconv.AppendBool(dst, c.Status.Genuine())
	if c.Reason != "" {
		dst = append(dst, `,"reason":`...)
		dst = appendJSONString(dst, c.Reason)
	}
	if c.RecallSeq != 0 {
		dst = append(dst, `,"recallRecord":`...)
		dst = strconv.AppendUint(dst, c.RecallSeq, 10)
	}
	dst = append(dst, `,"identity":{`...)
	first := true
	for _, f := range [...]struct {
		k string
		v []byte
	}{{"digitalLink", c.DigitalLink}, {"elementString", c.ElementString}, {"epcURN", c.EPCURN},
		{"serial", c.Serial}, {"nmpa", c.NMPA}, {"shortURL", c.Short}} {
		if f.v == nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(append(appendJSONString(dst, f.k), ':'), string(f.v))
	}
	dst = append(dst, '}')
	if p := c.Product; p != nil {
		dst = append(dst, `,"product":{"id":`...)
		dst = strconv.AppendUint(dst, uint64(p.ID), 10)
		if !p.GTIN.IsZero() {
			dst = append(dst, `,"gtin":`...)
			dst = appendJSONString(dst, p.GTIN.String())
		}
		if p.DrugID != "" {
			dst = append(dst, `,"drugID":`...)
			dst = appendJSONString(dst, p.DrugID)
		}
		dst = append(dst, `,"nameZH":`...)
		dst = appendJSONString(dst, p.NameZH)
		if p.NameEN != "" {
			dst = append(dst, `,"nameEN":`...)
			dst = appendJSONString(dst, p.NameEN)
		}
		dst = append(dst, `,"category":`...)
		dst = appendJSONString(dst, p.Category.String())
		dst = append(dst, '}')
	}
	if o := c.Org; o != nil {
		dst = append(dst, `,"producer":`...)
		dst = appendOrgJSON(dst, o)
	}
	if l := c.Lot; l != nil {
		dst = append(dst, `,"lot":{"id":`...)
		dst = strconv.AppendUint(dst, uint64(l.ID), 10)
		dst = append(dst, `,"number":`...)
		dst = appendJSONString(dst, l.Number)
		if l.Produced != 0 {
			dst = append(dst, `,"produced":`...)
			dst = appendJSONString(dst, FormatDate(l.Produced))
		}
		if l.Expiry != 0 {
			dst = append(dst, `,"expiry":`...)
			dst = appendJSONString(dst, FormatDate(l.Expiry))
		}
		if l.Site != "" {
			dst = append(dst, `,"site":`...)
			dst = appendJSONString(dst, l.Site)
		}
		dst = append(dst, '}')
	}
	if b := c.Block; b != nil {
		dst = append(dst, `,"block":{"id":`...)
		dst = strconv.AppendUint(dst, b.ID, 10)
		dst = append(dst, `,"offset":`...)
		dst = strconv.AppendUint(dst, c.Offset, 10)
		dst = append(dst, `,"scheme":`...)
		dst = appendJSONString(dst, b.Scheme.String())
		dst = append(dst, '}')
	}
	if c.Level != 0 {
		dst = append(dst, `,"level":`...)
		dst = appendJSONString(dst, c.Level.String())
	}
	if c.Holder.Org != 0 {
		dst = append(dst, `,"holder":{"org":`...)
		dst = strconv.AppendUint(dst, uint64(c.Holder.Org), 10)
		dst = append(dst, `,"name":`...)
		dst = appendJSONString(dst, e.orgName(c.Holder.Org))
		if c.Holder.Seq != 0 {
			dst = append(dst, `,"since":`...)
			dst = appendTimeJSON(dst, c.Holder.Since, 0)
			dst = append(dst, `,"record":`...)
			dst = strconv.AppendUint(dst, c.Holder.Seq, 10)
		}
		if c.Holder.Pending != 0 {
			dst = append(dst, `,"shippedTo":`...)
			dst = strconv.AppendUint(dst, uint64(c.Holder.Pending), 10)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"state":[`...)
	n := 0
	for k := itemstate.Kind(0); k < itemstate.NumKinds; k++ {
		if c.State.Has(k) {
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = appendJSONString(dst, k.String())
		}
	}
	dst = append(dst, `],"parents":[`...)
	for i, p := range c.Parents {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"code":`...)
		dst = e.appendNodeJSON(dst, p.Parent)
		dst = append(dst, `,"level":`...)
		dst = appendJSONString(dst, p.Level.String())
		dst = append(dst, `,"since":`...)
		dst = appendTimeJSON(dst, p.Since, 0)
		dst = append(dst, `,"record":`...)
		dst = strconv.AppendUint(dst, p.Seq, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"past":[`...)
	for i, p := range c.Past {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"code":`...)
		dst = e.appendNodeJSON(dst, p.Parent)
		dst = append(dst, `,"since":`...)
		dst = appendTimeJSON(dst, p.Since, 0)
		dst = append(dst, `,"until":`...)
		dst = appendTimeJSON(dst, p.Until, 0)
		dst = append(dst, `,"packRecord":`...)
		dst = strconv.AppendUint(dst, p.PackSeq, 10)
		dst = append(dst, `,"unpackRecord":`...)
		dst = strconv.AppendUint(dst, p.UnpackSeq, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"associations":[`...)
	for i, a := range c.Associations {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"child":`...)
		dst = appendJSONString(dst, a.Child)
		dst = append(dst, `,"since":`...)
		dst = appendTimeJSON(dst, a.Since, 0)
		dst = append(dst, `,"record":`...)
		dst = strconv.AppendUint(dst, a.Seq, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"children":[`...)
	for i, g := range c.Children {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"product":`...)
		dst = strconv.AppendUint(dst, uint64(g.Product), 10)
		dst = append(dst, `,"block":`...)
		dst = strconv.AppendUint(dst, g.Block, 10)
		dst = append(dst, `,"count":`...)
		dst = strconv.AppendUint(dst, g.Count, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if c.Inside > 0 {
		dst = append(dst, `,"inside":`...)
		dst = strconv.AppendUint(dst, c.Inside, 10)
		dst = append(dst, `,"recalledInside":`...)
		dst = strconv.AppendUint(dst, c.RecalledInside, 10)
	}
	dst = append(dst, `,"timeline":[`...)
	for i := range c.Timeline {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = e.appendEntryJSON(dst, &c.Timeline[i])
	}
	dst = append(dst, `],"upstream":[`...)
	for i, u := range c.Upstream {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"lot":`...)
		dst = strconv.AppendUint(dst, uint64(u.Lot), 10)
		if l, err := e.Lot(u.Lot); err == nil {
			dst = append(dst, `,"number":`...)
			dst = appendJSONString(dst, l.Number)
			dst = append(dst, `,"product":`...)
			dst = strconv.AppendUint(dst, uint64(l.Product), 10)
		}
		dst = append(dst, `,"depth":`...)
		dst = strconv.AppendUint(dst, uint64(u.Depth), 10)
		dst = append(dst, `,"record":`...)
		dst = strconv.AppendUint(dst, u.Seq, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"handlers":[`...)
	for i, h := range c.Handlers {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"org":`...)
		dst = strconv.AppendUint(dst, uint64(h.Org), 10)
		if h.Location != "" {
			dst = append(dst, `,"location":`...)
			dst = appendJSONString(dst, h.Location)
		}
		if h.Party != "" {
			dst = append(dst, `,"party":`...)
			dst = appendJSONString(dst, h.Party)
		}
		if h.PartyOrg != 0 {
			dst = append(dst, `,"partyOrg":`...)
			dst = strconv.AppendUint(dst, uint64(h.PartyOrg), 10)
		}
		dst = append(dst, `,"time":`...)
		dst = appendTimeJSON(dst, h.Time, 0)
		dst = append(dst, `,"bizStep":`...)
		dst = appendJSONString(dst, h.BizStep)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

func appendOrgJSON(dst []byte, o *Org) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendUint(dst, uint64(o.ID), 10)
	dst = append(dst, `,"name":`...)
	dst = appendJSONString(dst, o.Name)
	if o.NameEN != "" {
		dst = append(dst, `,"nameEN":`...)
		dst = appendJSONString(dst, o.NameEN)
	}
	if o.USCC != "" {
		dst = append(dst, `,"uscc":`...)
		dst = appendJSONString(dst, o.USCC)
	}
	if o.Region != 0 {
		dst = append(dst, `,"region":`...)
		dst = strconv.AppendUint(dst, uint64(o.Region), 10)
	}
	return append(dst, '}')
}

func (e *Engine) appendNodeJSON(dst []byte, n agg.Node) []byte {
	dst = append(dst, '"')
	dst = e.appendNode(dst, n)
	return append(dst, '"')
}

func (e *Engine) appendEntryJSON(dst []byte, en *Entry) []byte {
	ev := en.Event
	dst = append(dst, `{"record":`...)
	dst = strconv.AppendUint(dst, ev.Seq, 10)
	dst = append(dst, `,"time":`...)
	dst = appendTimeJSON(dst, ev.EventTime, ev.TZOffset)
	dst = append(dst, `,"recorded":`...)
	dst = appendTimeJSON(dst, ev.RecordTime, 0)
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, ev.Kind.String())
	dst = append(dst, `,"type":`...)
	dst = appendJSONString(dst, string(ev.EventType))
	for _, f := range [...]struct{ k, v string }{{"action", string(ev.Action)}, {"bizStep", string(ev.BizStep)}, {"disposition", string(ev.Disposition)},
		{"readPoint", ev.ReadPoint}, {"bizLocation", ev.BizLocation}, {"credential", ev.Credential}, {"eventID", ev.EventID}} {
		if f.v != "" {
			dst = append(appendJSONString(append(dst, ','), f.k), ':')
			dst = appendJSONString(dst, f.v)
		}
	}
	dst = append(dst, `,"via":`...)
	dst = appendJSONString(dst, en.Via.String())
	if !en.Node.IsZero() {
		dst = append(dst, `,"on":`...)
		dst = e.appendNodeJSON(dst, en.Node)
		dst = append(dst, `,"depth":`...)
		dst = strconv.AppendUint(dst, uint64(en.Depth), 10)
	}
	dst = append(dst, `,"org":`...)
	e.mu.RLock()
	o := e.st.orgs[ev.Org]
	e.mu.RUnlock()
	if o != nil {
		dst = appendOrgJSON(dst, o)
	} else {
		dst = append(dst, "null"...)
	}
	for _, l := range [...]struct {
		k string
		v []ledger.Pair
	}{{"bizTransactions", ev.BizTx}, {"sources", ev.Sources}, {"destinations", ev.Dests}} {
		if len(l.v) == 0 {
			continue
		}
		dst = append(appendJSONString(append(dst, ','), l.k), `:[`...)
		for i, p := range l.v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"type":`...)
			dst = appendJSONString(dst, p.Type)
			dst = append(dst, `,"id":`...)
			dst = appendJSONString(dst, p.ID)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if len(ev.SetDisp) > 0 {
		dst = append(dst, `,"persistentDisposition":[`...)
		for i, d := range ev.SetDisp {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, d)
		}
		dst = append(dst, ']')
	}
	if ev.Flags&ledger.FlagErrorDeclared != 0 {
		dst = append(dst, `,"errorDeclared":true`...)
	}
	if en.ErroneousBy != 0 {
		dst = append(dst, `,"erroneous":true,"declaredErroneousBy":`...)
		dst = strconv.AppendUint(dst, en.ErroneousBy, 10)
	}
	return append(dst, '}')
}

// appendTimeJSON appends unix ms as a quoted RFC 3339 time at offset tz
// (minutes).
func appendTimeJSON(dst []byte, ms int64, tz int16) []byte {
	dst = append(dst, '"')
	dst = appendTime(dst, ms, tz)
	return append(dst, '"')
}

// zones caches fixed zones by offset, so formatting allocates nothing.
var zones = func() (z [29 * 4]*time.Location) {
	for i := range z {
		off := (i - 14*4) * 15
		z[i] = time.FixedZone("", off*60)
	}
	return z
}()

func appendTime(dst []byte, ms int64, tz int16) []byte {
	t := time.UnixMilli(ms).UTC()
	if tz != 0 {
		if tz%15 == 0 && tz >= -14*60 && tz <= 14*60 {
			t = t.In(zones[int(tz)/15+14*4])
		} else {
			t = t.In(time.FixedZone("", int(tz)*60))
		}
	}
	return t.AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
}

// appendJSONString appends s as an escaped JSON string (see jsonstr.Append).
func appendJSONString(dst []byte, s string) []byte { return jsonstr.Append(dst, s) }

// WriteChainText writes c for people: a status banner, the product,
// producer, lot, packaging hierarchy, history, timeline, source lots and
// handlers.
func (e *Engine) WriteChainText(w io.Writer, c *Chain) error {
	var b strings.Builder
	mark := "✔"
	switch {
	case c.Status == StatusNeverIssued:
		mark = "✘"
	case c.Status == StatusRecalled || c.Status == StatusContainsRecalled || c.Status == StatusVoided || c.Status == StatusReleased || c.Status == StatusExpired:
		mark = "⚠"
	}
	fmt.Fprintf(&b, "%s %s", mark, strings.ToUpper(c.Status.String()))
	switch {
	case c.Status == StatusNeverIssued:
		b.WriteString(" — this code was never issued: the item may not be genuine")
	case c.Status.Genuine():
		b.WriteString(" — genuine")
	}
	if c.Reason != "" {
		fmt.Fprintf(&b, " (%s)", c.Reason)
	}
	b.WriteString("\n")
	row := func(k, format string, args ...any) { fmt.Fprintf(&b, "%-12s %s\n", k, fmt.Sprintf(format, args...)) }
	if c.DigitalLink != nil {
		row("Code", "%s", c.DigitalLink)
	}
	var forms []string
	for _, f := range [][]byte{c.ElementString, c.EPCURN, c.NMPA, c.Short} {
		if f != nil {
			forms = append(forms, string(f))
		}
	}
	if len(forms) > 0 {
		row("", "%s", strings.Join(forms, " · "))
	}
	if p := c.Product; p != nil {
		name := p.NameZH
		if p.NameEN != "" {
			name += " / " + p.NameEN
		}
		id := fmt.Sprintf("product %d", p.ID)
		if !p.GTIN.IsZero() {
			id = "GTIN " + p.GTIN.String()
		}
		row("Product", "%s (%s, %s)", name, id, p.Category)
	}
	if o := c.Org; o != nil {
		extra := []string{}
		if o.USCC != "" {
			extra = append(extra, "USCC "+o.USCC)
		}
		if o.Region != 0 {
			extra = append(extra, fmt.Sprintf("region %06d", o.Region))
		}
		s := o.Name
		if len(extra) > 0 {
			s += " (" + strings.Join(extra, ", ") + ")"
		}
		row("Producer", "%s", s)
	}
	if l := c.Lot; l != nil {
		s := l.Number
		if l.Produced != 0 {
			s += " · produced " + FormatDate(l.Produced)
		}
		if l.Expiry != 0 {
			s += " · expires " + FormatDate(l.Expiry)
		}
		if l.Site != "" {
			s += " · " + l.Site
		}
		row("Lot", "%s", s)
	}
	if c.Holder.Org != 0 {
		s := e.orgName(c.Holder.Org)
		if c.Holder.Seq == 0 {
			s += " (the owner)"
		} else {
			s += " since " + string(appendTime(nil, c.Holder.Since, 0))
		}
		if c.Holder.Pending != 0 {
			s += ", shipped to " + e.orgName(c.Holder.Pending) + ", not received yet"
		}
		row("Held by", "%s", s)
	}
	if c.Level != 0 {
		h := c.Level.String()
		for _, p := range c.Parents {
			h += fmt.Sprintf(" → %s %s (since %s)", p.Level, e.describeNode(p.Parent), string(appendTime(nil, p.Since, 0)))
		}
		row("Packaging", "%s", h)
	}
	for i, p := range c.Past {
		k := ""
		if i == 0 {
			k = "Was in"
		}
		row(k, "%s from %s until %s", e.describeNode(p.Parent), appendTime(nil, p.Since, 0), appendTime(nil, p.Until, 0))
	}
	for i, a := range c.Associations {
		k := ""
		if i == 0 {
			k = "Associated"
		}
		row(k, "%s since %s (record %d; not a containment)", a.Child, appendTime(nil, a.Since, 0), a.Seq)
	}
	for i, g := range c.Children {
		k := ""
		if i == 0 {
			k = "Contains"
		}
		what := "SSCC units"
		if g.Block != 0 {
			what = fmt.Sprintf("codes of block %d (product %d)", g.Block, g.Product)
		}
		row(k, "%d %s", g.Count, what)
	}
	if c.Inside > 0 {
		row("Inside", "%d codes at every depth, %d of them recalled", c.Inside, c.RecalledInside)
	}
	if len(c.Timeline) > 0 {
		b.WriteString("Timeline\n")
		for i := range c.Timeline {
			en := &c.Timeline[i]
			ev := en.Event
			what := string(ev.BizStep)
			if what == "" {
				what = string(ev.EventType) + " " + string(ev.Action)
			}
			via := en.Via.String()
			if !en.Node.IsZero() {
				via += " " + e.describeNode(en.Node)
			}
			where := ev.BizLocation
			if where == "" {
				where = ev.ReadPoint
			}
			line := fmt.Sprintf("  %s  %-16s %-12s by %s", appendTime(nil, ev.EventTime, ev.TZOffset), what, ev.Disposition, e.orgName(ev.Org))
			if where != "" {
				line += " at " + where
			}
			for _, d := range ev.Dests {
				line += " → " + d.ID
			}
			for _, t := range ev.BizTx {
				line += " [" + t.Type + " " + t.ID + "]"
			}
			switch {
			case en.ErroneousBy != 0:
				line += fmt.Sprintf(" ✘ DECLARED ERRONEOUS (record %d)", en.ErroneousBy)
			case ev.Flags&ledger.FlagErrorDeclared != 0:
				line += " ✘ ERROR DECLARATION"
			}
			fmt.Fprintf(&b, "%s  (%s; record %d)\n", line, via, ev.Seq)
		}
	}
	for i, u := range c.Upstream {
		k := ""
		if i == 0 {
			k = "Source lots"
		}
		s := fmt.Sprintf("lot %d", u.Lot)
		if l, err := e.Lot(u.Lot); err == nil {
			if p, err := e.Product(l.Product); err == nil {
				s = fmt.Sprintf("%s lot %s", p.NameZH, l.Number)
			}
		}
		row(k, "%s (depth %d, record %d)", s, u.Depth, u.Seq)
	}
	for i, h := range c.Handlers {
		k := ""
		if i == 0 {
			k = "Handled by"
		}
		s := e.orgName(h.Org)
		if h.Location != "" {
			s += " at " + h.Location
		}
		if h.PartyOrg != 0 {
			s += " → " + e.orgName(h.PartyOrg)
		} else if h.Party != "" {
			s += " → " + h.Party
		}
		row(k, "%s (%s, %s)", s, h.BizStep, appendTime(nil, h.Time, 0))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
