// Package notice is the engine's notice office: the recall as an object
// (ordered by the producer or a regulator, its recipients read from the
// forward trace), lot holds, the alerts rules raise, the clone-scan queue,
// organisations' contacts and webhooks, and the notifications of all of
// them. The rules live in engine/recall, engine/alert and engine/outbox;
// here are who may do what, and the lookups they need, asked of the
// engine through Engine.
package notice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/alert"
	"tracecode/engine/apikey"
	"tracecode/engine/chain"
	"tracecode/engine/model"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
	"tracecode/engine/resolve"
	"tracecode/engine/store"
)

// Config configures recalls, alerts and their notifications. Zero
// fields get the packages' documented defaults.
type Config struct {
	Alerts alert.Config
	Outbox outbox.Config
	// Clocks are the recall deadline tables (nil: recall.DefaultClocks).
	Clocks *recall.Clocks
	// Rules are rules added to alert.Builtin (sector rules).
	Rules []alert.Rule
}

// Engine is what the office asks of the engine: the master data, the
// resolver, the report chain's recall and forward trace, the clock, and
// the credit entries closed recalls and confirmed alerts add.
type Engine interface {
	Now() time.Time
	Org(id uint32) (model.Org, error)
	Product(id uint32) (model.Product, error)
	Lot(id uint32) (model.Lot, error)
	LotByNumber(product uint32, number string) (model.Lot, error)
	Lots(product uint32) []model.Lot
	// ProductLots returns the ids of product's lots.
	ProductLots(product uint32) []uint32
	// OrgRegion returns organisation org's region (0 if none).
	OrgRegion(org uint32) uint32
	// BlockAt returns the published block holding counter of product,
	// or nil.
	BlockAt(product uint32, counter uint64) *model.Block
	// AppendNode appends a node's printed code.
	AppendNode(dst []byte, n agg.Node) []byte
	ResolveInto(c *resolve.Chain, input string) error
	// Recall records the ledger recall of a recall order.
	Recall(ctx context.Context, r *chain.RecallRequest) (*chain.RecallResult, error)
	// RecallMoves returns what the records that reached items of lot did
	// with them (only: these counters only, see chain.Chain.RecallMoves).
	RecallMoves(lot uint32, only map[uint32][]uint64) ([]recall.Move, error)
	// RecallClosed and AlertConfirmed add the credit entries of a closed
	// recall and a confirmed alert.
	RecallClosed(r *recall.Recall)
	AlertConfirmed(a *alert.Alert)
}

// Office is the engine's recall book, alert rules and outbox, with who
// may use them. It is safe for concurrent use.
type Office struct {
	Outbox  *outbox.Outbox
	Alerts  *alert.Evaluator
	Recalls *recall.Book
	db      *store.DB
	eng     Engine
	scans   *scanQueue
}

// Open reads the recalls, alerts and outbox from db. loc is the recall
// clocks' time zone when cfg's have none, links the acknowledgement
// links' key and base, and rules are added after alert.Builtin and
// cfg.Rules.
func Open(db *store.DB, eng Engine, cfg Config, loc *time.Location, links recall.Links, rules ...alert.Rule) (*Office, error) {
	ob, err := outbox.Open(db, cfg.Outbox)
	if err != nil {
		return nil, err
	}
	if err := cfg.Alerts.Validate(); err != nil {
		return nil, err
	}
	ax, err := alert.New(db, cfg.Alerts, append(append(alert.Builtin(), cfg.Rules...), rules...)...)
	if err != nil {
		return nil, err
	}
	clocks := recall.DefaultClocks()
	if cfg.Clocks != nil {
		clocks = *cfg.Clocks
	}
	if clocks.Location == nil {
		clocks.Location = loc
	}
	bk, err := recall.Open(db, ob, ax, clocks)
	if err != nil {
		return nil, err
	}
	bk.SetLinks(links)
	o := &Office{Outbox: ob, Alerts: ax, Recalls: bk, db: db, eng: eng, scans: newScanQueue()}
	ax.OnRaise = o.stageAlert
	return o, nil
}

func (o *Office) nowMillis() int64 { return o.eng.Now().UnixMilli() }

// keyBy is how a key signs what it does in the books.
func keyBy(k apikey.Key) string { return "key:" + fmt.Sprintf("%016x", k.ID) }

// Run delivers notifications and fires due dates until ctx ends: the
// outbox sender (webhooks, and JetStream through js if not nil), the
// alert scheduler (timers on due dates), the clone-scan rule's queue and
// the runners in more (the engine's subscriptions and capture jobs).
func (o *Office) Run(ctx context.Context, js outbox.Publisher, more ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sch := o.Alerts.NewScheduler(o.eng.Now, func(b *store.Batch, ev *alert.Eval) error {
		err := b.Commit(true)
		if err == nil {
			o.Outbox.Kick()
		}
		return err
	})
	runners := append([]func(context.Context) error{
		func(ctx context.Context) error { return o.Outbox.NewSender(nil, js, o.eng.Now).Run(ctx) },
		sch.Run,
		o.runScans,
	}, more...)
	errc := make(chan error, len(runners))
	for _, r := range runners {
		go func() { errc <- r(ctx) }()
	}
	errs := []error{<-errc}
	cancel()
	for range len(runners) - 1 {
		errs = append(errs, <-errc)
	}
	return errors.Join(errs...)
}

// stageAlert stages an alert's notifications in its batch: one
// JetStream message per division from the alert's up to its province,
// and the concerned organisation's webhook if it has one.
func (o *Office) stageAlert(b *store.Batch, a *alert.Alert) error {
	body, err := alertJSON(a)
	if err != nil {
		return err
	}
	for _, r := range alert.RegionPath(a.Region) {
		nt := outbox.Notification{Source: outbox.SourceAlert, SourceID: a.ID, Channel: outbox.JetStream,
			Region: r, Target: outbox.AlertSubject(r), Payload: body, Created: a.Time}
		if err := o.Outbox.Stage(b, &nt); err != nil {
			return err
		}
	}
	if a.Subject.Org == 0 {
		return nil
	}
	ep, found, err := o.Outbox.Endpoint(a.Subject.Org)
	if err != nil || !found || ep.Webhook == "" {
		return err
	}
	nt := outbox.Notification{Source: outbox.SourceAlert, SourceID: a.ID, Channel: outbox.Webhook, Org: a.Subject.Org,
		Region: a.Region, Target: ep.Webhook, Payload: body, Created: a.Time}
	return o.Outbox.Stage(b, &nt)
}

// alertJSON is the body of an alert notification.
func alertJSON(a *alert.Alert) ([]byte, error) {
	return json.Marshal(struct {
		Type string `json:"type"`
		*alert.Alert
	}{"alert", a})
}

// alertActor is who key is to the alert book.
func alertActor(k apikey.Key) alert.Actor {
	a := alert.Actor{Org: k.Org, By: keyBy(k)}
	switch {
	case k.Scopes.Has(apikey.ScopeRegulator) && k.Region != 0:
		a.Region = k.Region
	case k.Org == 0 && k.Scopes.Has(apikey.ScopeAdmin):
		a.Operator = true
	}
	return a
}

// AlertList returns the alerts key may see that match f, newest first.
func (o *Office) AlertList(k apikey.Key, f alert.Filter) ([]alert.Alert, error) {
	return o.Alerts.List(alertActor(k), f)
}

// Alert returns alert id if key may see it.
func (o *Office) Alert(k apikey.Key, id uint64) (alert.Alert, error) {
	return o.Alerts.Get(alertActor(k), id)
}

// AckAlert acknowledges alert id for key (the organisation concerned or a
// regulator who sees it).
func (o *Office) AckAlert(k apikey.Key, id uint64, note string) (alert.Alert, error) {
	return o.Alerts.Acknowledge(alertActor(k), id, note, o.nowMillis())
}

// CloseAlert closes alert id (a regulator who sees it, or the operator).
func (o *Office) CloseAlert(k apikey.Key, id uint64, out alert.Outcome, note string) (alert.Alert, error) {
	a, err := o.Alerts.Close(alertActor(k), id, out, note, o.nowMillis())
	if err == nil {
		o.eng.AlertConfirmed(&a)
	}
	return a, err
}

// AlertNotifications returns the notifications alert id caused.
func (o *Office) AlertNotifications(k apikey.Key, id uint64) ([]outbox.Notification, error) {
	if _, err := o.Alert(k, id); err != nil {
		return nil, err
	}
	return o.Outbox.BySource(outbox.SourceAlert, id)
}

// MayManageOrg reports whether key may change organisation org's
// contact and webhook: its own admin key, or the operator.
func MayManageOrg(k apikey.Key, org uint32) bool {
	return k.Scopes.Has(apikey.ScopeAdmin) && (k.Org == org || k.Org == 0)
}

// SetWebhook sets organisation org's webhook (url "" removes it).
func (o *Office) SetWebhook(k apikey.Key, org uint32, url, secret string) (outbox.Endpoint, error) {
	if !MayManageOrg(k, org) {
		return outbox.Endpoint{}, fmt.Errorf("%w: only organisation %d's admin key or the operator sets its webhook", model.ErrWrongOrg, org)
	}
	if _, err := o.eng.Org(org); err != nil {
		return outbox.Endpoint{}, err
	}
	return o.Outbox.SetWebhook(org, url, secret, o.nowMillis())
}

// SetContact sets organisation org's contact.
func (o *Office) SetContact(k apikey.Key, org uint32, c outbox.Endpoint) (outbox.Endpoint, error) {
	if !MayManageOrg(k, org) {
		return outbox.Endpoint{}, fmt.Errorf("%w: only organisation %d's admin key or the operator sets its contact", model.ErrWrongOrg, org)
	}
	if _, err := o.eng.Org(org); err != nil {
		return outbox.Endpoint{}, err
	}
	return o.Outbox.SetContact(org, c, o.nowMillis())
}

// Endpoint returns organisation org's contact and webhook (its secret
// never leaves the engine) for key: the organisation itself, a regulator
// or the operator.
func (o *Office) Endpoint(k apikey.Key, org uint32) (outbox.Endpoint, error) {
	if k.Org != org && k.Org != 0 && !k.Scopes.Has(apikey.ScopeRegulator) {
		return outbox.Endpoint{}, fmt.Errorf("%w: organisation %d's contact", model.ErrWrongOrg, org)
	}
	e, _, err := o.Outbox.Endpoint(org)
	e.Secret = ""
	return e, err
}
