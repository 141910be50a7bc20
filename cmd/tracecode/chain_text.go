package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"tracecode/engine"
	"tracecode/engine/issue"
	"tracecode/engine/resolve"
)

// writeChainText writes c for people (tracecode resolve): a status banner, the product,
// producer, lot, packaging hierarchy, history, timeline, source lots and
// handlers.
func writeChainText(w io.Writer, e *engine.Engine, c *resolve.Chain) error {
	var b strings.Builder
	mark := "✔"
	switch {
	case c.Status == resolve.StatusNeverIssued:
		mark = "✘"
	case c.Status == resolve.StatusRecalled || c.Status == resolve.StatusContainsRecalled || c.Status == resolve.StatusVoided || c.Status == resolve.StatusReleased || c.Status == resolve.StatusExpired:
		mark = "⚠"
	}
	fmt.Fprintf(&b, "%s %s", mark, strings.ToUpper(c.Status.String()))
	switch {
	case c.Status == resolve.StatusNeverIssued:
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
			extra = append(extra, "region "+regionText(o.Region))
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
			s += " · produced " + issue.FormatDate(l.Produced)
		}
		if l.Expiry != 0 {
			s += " · expires " + issue.FormatDate(l.Expiry)
		}
		if l.Site != "" {
			s += " · " + l.Site
		}
		row("Lot", "%s", s)
	}
	if c.Holder.Org != 0 {
		s := orgName(e, c.Holder.Org)
		if c.Holder.Seq == 0 {
			s += " (the owner)"
		} else {
			s += " since " + timeText(c.Holder.Since, 0)
		}
		if c.Holder.Pending != 0 {
			s += ", shipped to " + orgName(e, c.Holder.Pending) + ", not received yet"
		}
		row("Held by", "%s", s)
	}
	if c.Level != 0 {
		h := c.Level.String()
		for _, p := range c.Parents {
			h += fmt.Sprintf(" → %s %s (since %s)", p.Level, describeNode(e, p.Parent), timeText(p.Since, 0))
		}
		row("Packaging", "%s", h)
	}
	for i, p := range c.Past {
		k := ""
		if i == 0 {
			k = "Was in"
		}
		row(k, "%s from %s until %s", describeNode(e, p.Parent), timeText(p.Since, 0), timeText(p.Until, 0))
	}
	for i, a := range c.Associations {
		k := ""
		if i == 0 {
			k = "Associated"
		}
		row(k, "%s since %s (record %d; not a containment)", a.Child, timeText(a.Since, 0), a.Seq)
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
				via += " " + describeNode(e, en.Node)
			}
			where := ev.BizLocation
			if where == "" {
				where = ev.ReadPoint
			}
			line := fmt.Sprintf("  %s  %-16s %-12s by %s", timeText(ev.EventTime, ev.TZOffset), what, ev.Disposition, orgName(e, ev.Org))
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
			case ev.Flags&engine.FlagErrorDeclared != 0:
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
		if l, err := e.Issuance().Lot(u.Lot); err == nil {
			if p, err := e.Issuance().Product(l.Product); err == nil {
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
		s := orgName(e, h.Org)
		if h.Location != "" {
			s += " at " + h.Location
		}
		if h.PartyOrg != 0 {
			s += " → " + orgName(e, h.PartyOrg)
		} else if h.Party != "" {
			s += " → " + h.Party
		}
		row(k, "%s (%s, %s)", s, h.BizStep, timeText(h.Time, 0))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// orgName names organisation id for people: "name (id)".
func orgName(e *engine.Engine, id uint32) string {
	if o, err := e.Issuance().Org(id); err == nil {
		return fmt.Sprintf("%s (%d)", o.Name, id)
	}
	return fmt.Sprintf("organisation %d", id)
}

// describeNode names a node for people: its printed code, or "SSCC …".
func describeNode(e *engine.Engine, n engine.Node) string { return string(e.AppendNodeCode(nil, n)) }

// timeText formats unix milliseconds as RFC 3339 with milliseconds, at
// offset tz minutes (UTC when 0), as the ledger recorded the event.
func timeText(ms int64, tz int16) string {
	t := time.UnixMilli(ms).UTC()
	if tz != 0 {
		t = t.In(time.FixedZone("", int(tz)*60))
	}
	return t.Format("2006-01-02T15:04:05.000Z07:00")
}
