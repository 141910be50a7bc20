package notice

import (
	"context"
	"fmt"
	"slices"

	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
	"tracecode/engine/resolve"
)

// RecallOrder creates a recall object: the ledger recall of its lots and
// products (their codes resolve as recalled), the recall with its level's
// deadlines, its recipients from the forward trace, and their
// notifications.
type RecallOrder struct {
	Level    string // I, II, III (一级, 二级, 三级)
	Lots     []chain.LotRef
	Products []uint32
	ReasonZH string
	ReasonEN string
	ActionZH string
	ActionEN string
	// Codes recalls single items by their codes (a code list): their lots
	// are traced, and each recipient's quantities count those items only.
	Codes []string
	// Window recalls every lot of a product produced in a span of days.
	Window *RecallWindow
	// RequestID makes the order idempotent for the producer's log.
	RequestID string
}

// RecallWindow is a recall's time window: every lot of Product whose
// production date is From..To (YYYY-MM-DD, inclusive).
type RecallWindow struct {
	Product  uint32
	From, To string
}

// RecallView is a recall with its recipients' live figures.
type RecallView struct {
	recall.Recall
	ProducerName string          `json:"producer_name"`
	Product      string          `json:"product"`
	LotNumbers   []string        `json:"lot_numbers"`
	Recipients   []RecipientView `json:"recipients"`
	Totals       RecallTotals    `json:"totals"`
	// Overdue: the recall is open past its finish deadline.
	Overdue bool `json:"overdue"`
}

// RecipientView is a recipient with its figures now and whether it is
// late.
type RecipientView struct {
	recall.Recipient
	Now       recall.Figures `json:"now"`
	Recovered uint64         `json:"recovered"`
	Notified  bool           `json:"notified"`
	Overdue   bool           `json:"overdue"`
}

// RecallTotals sums a recall's figures: what the producer shipped, what
// was recovered (removed, destroyed, returned) and the ratio.
type RecallTotals struct {
	Recipients   int     `json:"recipients"`
	Acknowledged int     `json:"acknowledged"`
	Notified     int     `json:"notified"`
	Overdue      int     `json:"overdue"`
	Shipped      uint64  `json:"shipped"`
	Recovered    uint64  `json:"recovered"`
	Ratio        float64 `json:"recovered_ratio"`
}

// sectorOf returns the recall sector of a product category.
func sectorOf(c model.Category) recall.Sector {
	switch c.String() {
	case "drug", "vet-drug":
		return recall.SectorDrug
	case "food", "farm":
		return recall.SectorFood
	}
	return recall.SectorOther
}

// OrderRecall creates a recall for key: the producer's own key (events
// scope) recalls its goods; a regulator whose division covers the
// producer's orders it (责令召回). Every lot and product must belong to
// one producer.
func (o *Office) OrderRecall(ctx context.Context, k apikey.Key, ord *RecallOrder) (*RecallView, error) {
	e := o.eng
	level, err := recall.ParseLevel(ord.Level)
	if err != nil {
		return nil, model.FieldErrorf("level", ord.Level, "must be I, II or III")
	}
	if len(ord.Lots) == 0 && len(ord.Products) == 0 && len(ord.Codes) == 0 && ord.Window == nil {
		return nil, model.FieldErrorf("lots", "", "name the lots, products, codes or a product's time window to recall")
	}
	var producer uint32
	var lots []uint32
	var numbers []string
	var prod model.Product
	take := func(field string, p model.Product) error {
		if producer != 0 && p.Org != producer {
			return model.FieldErrorf(field, fmt.Sprint(p.ID), "belongs to another producer than the rest of the recall")
		}
		producer, prod = p.Org, p
		return nil
	}
	for i, l := range ord.Lots {
		lot, err := e.LotByNumber(l.Product, l.Number)
		if err != nil {
			return nil, model.FieldErrorf(fmt.Sprintf("lots[%d]", i), l.Number, "no such lot of product %d", l.Product)
		}
		p, err := e.Product(lot.Product)
		if err != nil {
			return nil, err
		}
		if err := take(fmt.Sprintf("lots[%d]", i), p); err != nil {
			return nil, err
		}
		lots, numbers = append(lots, lot.ID), append(numbers, lot.Number)
	}
	for i, id := range ord.Products {
		p, err := e.Product(id)
		if err != nil {
			return nil, model.FieldErrorf(fmt.Sprintf("products[%d]", i), fmt.Sprint(id), "no such product")
		}
		if err := take(fmt.Sprintf("products[%d]", i), p); err != nil {
			return nil, err
		}
		lots = append(lots, e.ProductLots(id)...)
	}
	var window *recall.Window
	var windowRefs []chain.LotRef
	if w := ord.Window; w != nil {
		p, err := e.Product(w.Product)
		if err != nil {
			return nil, model.FieldErrorf("window.product", fmt.Sprint(w.Product), "no such product")
		}
		if err := take("window.product", p); err != nil {
			return nil, err
		}
		from, err := issue.ParseDate(w.From)
		if err != nil || from == 0 {
			return nil, model.FieldErrorf("window.from", w.From, "want a date YYYY-MM-DD")
		}
		to, err := issue.ParseDate(w.To)
		if err != nil || to == 0 || to < from {
			return nil, model.FieldErrorf("window.to", w.To, "want a date YYYY-MM-DD on or after window.from")
		}
		for _, l := range e.Lots(p.ID) {
			if l.Produced >= from && l.Produced <= to {
				lots, numbers = append(lots, l.ID), append(numbers, l.Number)
				windowRefs = append(windowRefs, chain.LotRef{Product: p.ID, Number: l.Number})
			}
		}
		if len(windowRefs) == 0 {
			return nil, model.FieldErrorf("window", w.From+".."+w.To, "no lot of product %d has a production date in it", p.ID)
		}
		window = &recall.Window{Product: p.ID, From: from, To: to}
	}
	// Single codes: each an item of a lot of the producer's; the lots are
	// traced counting those items only.
	only := map[uint32][]uint64{}
	var codeLots []uint32
	for i, raw := range ord.Codes {
		field := fmt.Sprintf("codes[%d]", i)
		var ch resolve.Chain
		if err := e.ResolveInto(&ch, raw); err != nil || ch.Org == nil || ch.Block == nil {
			return nil, model.FieldErrorf(field, raw, "is not a code this platform issued")
		}
		if ch.Block.Level != model.LevelItem || ch.Lot == nil {
			return nil, model.FieldErrorf(field, raw, "is not an item of a lot; recall a container's items by their lot or their own codes")
		}
		p, err := e.Product(ch.Node.Product)
		if err != nil {
			return nil, err
		}
		if err := take(field, p); err != nil {
			return nil, err
		}
		only[p.ID] = append(only[p.ID], ch.Node.Counter)
		if !slices.Contains(codeLots, ch.Lot.ID) {
			codeLots = append(codeLots, ch.Lot.ID)
			numbers = append(numbers, ch.Lot.Number)
		}
	}
	for p := range only {
		slices.Sort(only[p])
		only[p] = slices.Compact(only[p])
	}
	org, err := e.Org(producer)
	if err != nil {
		return nil, err
	}
	ordered := false
	switch {
	case k.Org == producer && k.Org != 0 && k.Scopes.Has(apikey.ScopeEvents):
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0 && apikey.RegionCovers(k.Region, org.Region):
		ordered = true
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		ordered = true
	default:
		return nil, fmt.Errorf("%w: only %s or a regulator of its region recalls its goods", model.ErrWrongOrg, org.Name)
	}
	q := &recall.Request{Level: level, Sector: sectorOf(prod.Category), Producer: producer, ProducerName: org.Name,
		ProducerRegion: org.Region, Ordered: ordered,
		Scope:    recall.Scope{Lots: lots, Products: ord.Products, Codes: ord.Codes, CodeLots: codeLots, Window: window},
		ReasonZH: ord.ReasonZH, ReasonEN: ord.ReasonEN, ActionZH: ord.ActionZH, ActionEN: ord.ActionEN,
		Product: prod.NameZH, Lots: numbers}
	if ordered {
		q.OrderedBy, q.OrderRegion = keyBy(k), k.Region
	}
	if err := q.Check(); err != nil {
		return nil, err
	}
	reason := ord.ReasonZH
	if reason == "" || ord.ReasonEN != "" && len(reason)+len(ord.ReasonEN) < 480 {
		reason = joinReason(ord.ReasonZH, ord.ReasonEN)
	}
	res, err := e.Recall(ctx, &chain.RecallRequest{ReportMeta: chain.ReportMeta{Org: producer, Credential: keyBy(k),
		RequestID: ord.RequestID}, Lots: append(append([]chain.LotRef(nil), ord.Lots...), windowRefs...), Products: ord.Products,
		Items: chain.Items{Codes: ord.Codes}, Reason: model.TruncateText(reason, 500)})
	if err != nil {
		return nil, err
	}
	q.LedgerSeq, q.Now = res.FirstSeq, o.nowMillis()
	var moves []recall.Move
	for _, l := range lots {
		m, err := e.RecallMoves(l, nil)
		if err != nil {
			return nil, err
		}
		moves = append(moves, m...)
	}
	for _, l := range codeLots {
		if slices.Contains(lots, l) { // the whole lot is recalled already
			continue
		}
		m, err := e.RecallMoves(l, only)
		if err != nil {
			return nil, err
		}
		moves = append(moves, m...)
	}
	r, _, err := o.Recalls.Create(q, moves, func(org uint32) recall.Party {
		g, err := e.Org(org)
		if err != nil {
			return recall.Party{}
		}
		return recall.Party{Name: g.Name, Region: g.Region}
	})
	if err != nil {
		return nil, err
	}
	return o.view(r)
}

func joinReason(zh, en string) string {
	switch {
	case zh == "":
		return en
	case en == "":
		return zh
	}
	return zh + " / " + en
}

// view returns r with its recipients' live figures.
func (o *Office) view(r *recall.Recall) (*RecallView, error) {
	e := o.eng
	v := &RecallView{Recall: *r}
	if g, err := e.Org(r.Producer); err == nil {
		v.ProducerName = g.Name
	}
	var moves []recall.Move
	for _, l := range r.Lots() {
		if lot, err := e.Lot(l); err == nil {
			v.LotNumbers = append(v.LotNumbers, lot.Number)
			if v.Product == "" {
				if p, err := e.Product(lot.Product); err == nil {
					v.Product = p.NameZH
				}
			}
		}
		m, err := e.RecallMoves(l, nil)
		if err != nil {
			return nil, err
		}
		moves = append(moves, m...)
	}
	figs := recall.Tally(moves)
	ps, err := o.Recalls.Recipients(r.ID)
	if err != nil {
		return nil, err
	}
	ns, err := o.Outbox.BySource(outbox.SourceRecall, r.ID)
	if err != nil {
		return nil, err
	}
	delivered := map[uint32]bool{}
	for _, nt := range ns {
		if nt.State == outbox.Delivered {
			delivered[nt.Org] = true
		}
	}
	now := o.nowMillis()
	for _, p := range ps {
		rv := RecipientView{Recipient: p, Notified: delivered[p.Org]}
		if f := figs[p.Org]; f != nil {
			rv.Now = *f
			rv.Recovered = f.Recovered()
		}
		rv.Overdue = p.Acked == 0 && r.State != recall.Closed && now > p.AckBy
		v.Recipients = append(v.Recipients, rv)
		t := &v.Totals
		t.Recipients++
		t.Recovered += rv.Recovered
		if p.Acked != 0 {
			t.Acknowledged++
		}
		if rv.Notified {
			t.Notified++
		}
		if rv.Overdue {
			t.Overdue++
		}
	}
	if f := figs[r.Producer]; f != nil {
		v.Totals.Shipped = f.Shipped
		v.Totals.Recovered += f.Recovered()
	}
	if v.Totals.Shipped > 0 {
		v.Totals.Ratio = float64(v.Totals.Recovered) / float64(v.Totals.Shipped)
	}
	v.Overdue = r.State != recall.Closed && r.FinishBy != 0 && now > r.FinishBy
	return v, nil
}

// recallActor is who key is to the recall book.
func recallActor(k apikey.Key) recall.Actor {
	a := recall.Actor{Org: k.Org, By: keyBy(k)}
	if k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0 {
		a.Region = k.Region
	}
	a.Operator = k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin)
	return a
}

// seesRecall reports whether key may read recall r: the operator, the
// producer, a regulator of its or a recipient's division, or a recipient.
func (o *Office) seesRecall(k apikey.Key, r *recall.Recall, ps []recall.Recipient) bool {
	x := recallActor(k)
	if x.Operator || (k.Org != 0 && k.Org == r.Producer) || (x.Region != 0 && apikey.RegionCovers(x.Region, r.ProducerRegion)) {
		return true
	}
	for _, p := range ps {
		if (k.Org != 0 && p.Org == k.Org) || (x.Region != 0 && apikey.RegionCovers(x.Region, p.Region)) {
			return true
		}
	}
	return false
}

// RecallView returns recall id as key may see it: in full for the
// producer, its regulators and the operator; a recipient sees its own
// line only.
func (o *Office) RecallView(k apikey.Key, id uint64) (*RecallView, error) {
	r, err := o.Recalls.Get(id)
	if err != nil {
		return nil, err
	}
	ps, err := o.Recalls.Recipients(id)
	if err != nil {
		return nil, err
	}
	if !o.seesRecall(k, &r, ps) {
		return nil, fmt.Errorf("%w: recall %d", recall.ErrNotFound, id)
	}
	v, err := o.view(&r)
	if err != nil {
		return nil, err
	}
	x := recallActor(k)
	if !x.Operator && k.Org != r.Producer && !(x.Region != 0 && apikey.RegionCovers(x.Region, r.ProducerRegion)) {
		v.Recipients = slices.DeleteFunc(v.Recipients, func(p RecipientView) bool {
			return p.Org != k.Org && !(x.Region != 0 && apikey.RegionCovers(x.Region, p.Region))
		})
	}
	return v, nil
}

// RecallList returns the recalls key may see (active only, or all),
// newest first, without their recipients.
func (o *Office) RecallList(k apikey.Key, activeOnly bool) ([]recall.Recall, error) {
	return o.Recalls.List(func(r *recall.Recall) bool {
		if activeOnly && r.State == recall.Closed {
			return false
		}
		ps, err := o.Recalls.Recipients(r.ID)
		return err == nil && o.seesRecall(k, r, ps)
	})
}

// PublicRecalls returns the recalls in force (active or closing), newest
// first: the public notice.
func (o *Office) PublicRecalls() ([]*RecallView, error) {
	rs, err := o.Recalls.List(func(r *recall.Recall) bool { return r.State != recall.Closed })
	if err != nil {
		return nil, err
	}
	out := make([]*RecallView, 0, len(rs))
	for i := range rs {
		out = append(out, o.publicView(rs[i]))
	}
	return out, nil
}

// publicView returns r with what the public notice names: its producer's
// name, its lots' numbers and its product's name.
func (o *Office) publicView(r recall.Recall) *RecallView {
	v := &RecallView{Recall: r}
	if g, err := o.eng.Org(v.Producer); err == nil {
		v.ProducerName = g.Name
	}
	for _, l := range v.Lots() {
		if lot, err := o.eng.Lot(l); err == nil {
			v.LotNumbers = append(v.LotNumbers, lot.Number)
			if p, err := o.eng.Product(lot.Product); err == nil && v.Product == "" {
				v.Product = p.NameZH
			}
		}
	}
	return v
}

// RecallsOfLot returns the recalls in force over lot (for its items'
// scan pages).
func (o *Office) RecallsOfLot(lot uint32) []recall.Recall {
	var out []recall.Recall
	for _, id := range o.Recalls.ForLot(lot) {
		if r, err := o.Recalls.Get(id); err == nil {
			out = append(out, r)
		}
	}
	return out
}

// AckRecall records key's organisation's acknowledgement of recall id.
func (o *Office) AckRecall(k apikey.Key, id uint64, note string) (recall.Recipient, error) {
	if k.Org == 0 {
		return recall.Recipient{}, fmt.Errorf("%w: a recall is acknowledged by a recipient organisation's key", model.ErrWrongOrg)
	}
	return o.Recalls.Ack(id, k.Org, keyBy(k), note, o.nowMillis())
}

// CloseRecall closes recall id (or asks to, for an ordered one).
func (o *Office) CloseRecall(k apikey.Key, id uint64, note string) (recall.Recall, error) {
	r, err := o.Recalls.Close(id, recallActor(k), note, o.nowMillis(), apikey.RegionCovers)
	if err == nil {
		o.eng.RecallClosed(&r)
	}
	return r, err
}

// ReportRecallProgress files the producer's progress report.
func (o *Office) ReportRecallProgress(k apikey.Key, id uint64, note string) (recall.Recall, error) {
	return o.Recalls.Report(id, recallActor(k), note, o.nowMillis())
}

// RecallNotifications returns the notifications of recall id, for the
// producer, its regulators and the operator.
func (o *Office) RecallNotifications(k apikey.Key, id uint64) ([]outbox.Notification, error) {
	r, err := o.Recalls.Get(id)
	if err != nil {
		return nil, err
	}
	x := recallActor(k)
	if !x.Operator && (k.Org == 0 || k.Org != r.Producer) && !(x.Region != 0 && apikey.RegionCovers(x.Region, r.ProducerRegion)) {
		return nil, fmt.Errorf("%w: recall %d", recall.ErrNotFound, id)
	}
	return o.Outbox.BySource(outbox.SourceRecall, id)
}
