package engine

// This file connects the engine to engine/recall, engine/alert and
// engine/outbox: the recall as an object (ordered by the producer or a
// regulator, its recipients read from the forward trace), the alerts
// rules raise, and the notifications of both. The rules live in those
// packages; here are who may do what, and the lookups they need.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"tracecode/engine/alert"
	"tracecode/engine/chain"
	"tracecode/engine/complaint"
	"tracecode/engine/epcissub"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
	"tracecode/engine/store"
)

// NoticeConfig configures recalls, alerts and their notifications. Zero
// fields get the packages' documented defaults.
type NoticeConfig struct {
	Alerts alert.Config
	Outbox outbox.Config
	// Clocks are the recall deadline tables (nil: recall.DefaultClocks).
	Clocks *recall.Clocks
	// Rules are rules added to alert.Builtin (sector rules).
	Rules []alert.Rule
}

// Notices is the engine's recall book, alert rules and outbox. One
// exists per engine (OpenNotices); its report hooks evaluate the rules as
// reports and events are applied.
type Notices struct {
	e       *Engine
	Outbox  *outbox.Outbox
	Alerts  *alert.Evaluator
	Recalls *recall.Book
	scans   *scanQueue
	subs    *epcissub.Manager
	jobs    *epcissub.Jobs
	// hooks are the three above as the report chain takes them.
	hooks chain.Notices
	// cfg is the configuration they were opened with (a replica opens
	// them again with it as the writer's batches change them).
	cfg NoticeConfig
}

var noticeMu sync.Mutex // serialises OpenNotices

// OpenNotices opens the engine's recalls, alerts and outbox with cfg;
// a second call returns the first's.
func (e *Engine) OpenNotices(cfg NoticeConfig) (*Notices, error) {
	noticeMu.Lock()
	defer noticeMu.Unlock()
	if n := e.notices.Load(); n != nil {
		return n, nil
	}
	n, err := e.newNotices(cfg)
	if err != nil {
		return nil, err
	}
	e.notices.Store(n)
	if d := e.duties.complaints.Load(); d != nil {
		d.SetAlerts(n.Alerts)
	}
	return n, nil
}

// newNotices reads the recalls, alerts and outbox from the store.
func (e *Engine) newNotices(cfg NoticeConfig) (*Notices, error) {
	ob, err := outbox.Open(e.db, cfg.Outbox)
	if err != nil {
		return nil, err
	}
	if err := cfg.Alerts.Validate(); err != nil {
		return nil, err
	}
	ax, err := alert.New(e.db, cfg.Alerts, append(append(append(alert.Builtin(), cfg.Rules...), complaint.OverdueRule{}), e.sectorAlertRules()...)...)
	if err != nil {
		return nil, err
	}
	clocks := recall.DefaultClocks()
	if cfg.Clocks != nil {
		clocks = *cfg.Clocks
	}
	if clocks.Location == nil {
		clocks.Location = e.opts.Location
	}
	bk, err := recall.Open(e.db, ob, ax, clocks)
	if err != nil {
		return nil, err
	}
	bk.SetLinks(recall.Links{Key: e.iss.StoreSecret("tracecode/recall/ack-link/v1\x00"), Base: e.opts.ShortBase})
	n := &Notices{e: e, Outbox: ob, Alerts: ax, Recalls: bk, scans: newScanQueue(),
		hooks: chain.Notices{Recalls: bk, Alerts: ax, Outbox: ob}, cfg: cfg}
	ax.OnRaise = n.stageAlert
	n.subs, n.jobs = n.openSubscriptions(), n.openCaptureJobs()
	return n, nil
}

// Notices returns the engine's notices, or nil before OpenNotices.
func (e *Engine) Notices() *Notices { return e.notices.Load() }

// Run delivers notifications and fires due dates until ctx ends: the
// outbox sender (webhooks, and JetStream through js if not nil), the
// alert scheduler (timers on due dates) and the clone-scan rule's queue.
// serve runs it.
func (n *Notices) Run(ctx context.Context, js outbox.Publisher) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sch := n.Alerts.NewScheduler(n.e.Now, func(b *store.Batch, ev *alert.Eval) error {
		err := b.Commit(true)
		if err == nil {
			n.Outbox.Kick()
		}
		return err
	})
	errc := make(chan error, 5)
	go func() { errc <- n.Outbox.NewSender(nil, js, n.e.Now).Run(ctx) }()
	go func() { errc <- n.subs.Run(ctx, time.Second) }()
	go func() { errc <- n.jobs.Run(ctx, nil) }()
	go func() { errc <- sch.Run(ctx) }()
	go func() { errc <- n.runScans(ctx) }()
	err := <-errc
	cancel()
	return errors.Join(err, <-errc, <-errc, <-errc, <-errc)
}

// stageAlert stages an alert's notifications in its batch: one
// JetStream message per division from the alert's up to its province,
// and the concerned organisation's webhook if it has one.
func (n *Notices) stageAlert(b *store.Batch, a *alert.Alert) error {
	body, err := alertJSON(a)
	if err != nil {
		return err
	}
	for _, r := range alert.RegionPath(a.Region) {
		nt := outbox.Notification{Source: outbox.SourceAlert, SourceID: a.ID, Channel: outbox.JetStream,
			Region: r, Target: outbox.AlertSubject(r), Payload: body, Created: a.Time}
		if err := n.Outbox.Stage(b, &nt); err != nil {
			return err
		}
	}
	if a.Subject.Org == 0 {
		return nil
	}
	ep, found, err := n.Outbox.Endpoint(a.Subject.Org)
	if err != nil || !found || ep.Webhook == "" {
		return err
	}
	nt := outbox.Notification{Source: outbox.SourceAlert, SourceID: a.ID, Channel: outbox.Webhook, Org: a.Subject.Org,
		Region: a.Region, Target: ep.Webhook, Payload: body, Created: a.Time}
	return n.Outbox.Stage(b, &nt)
}

// alertJSON is the body of an alert notification.
func alertJSON(a *alert.Alert) ([]byte, error) {
	return json.Marshal(struct {
		Type string `json:"type"`
		*alert.Alert
	}{"alert", a})
}

// alertActor is who key is to the alert book.
func alertActor(k APIKey) alert.Actor {
	a := alert.Actor{Org: k.Org, By: "key:" + fmt.Sprintf("%016x", k.ID)}
	switch {
	case k.Scopes.Has(ScopeRegulator) && k.Region != 0:
		a.Region = k.Region
	case k.Org == 0 && k.Scopes.Has(ScopeAdmin):
		a.Operator = true
	}
	return a
}

// AlertList returns the alerts key may see that match f, newest first.
func (n *Notices) AlertList(k APIKey, f alert.Filter) ([]alert.Alert, error) {
	return n.Alerts.List(alertActor(k), f)
}

// Alert returns alert id if key may see it.
func (n *Notices) Alert(k APIKey, id uint64) (alert.Alert, error) {
	return n.Alerts.Get(alertActor(k), id)
}

// AckAlert acknowledges alert id for key (the organisation concerned or a
// regulator who sees it).
func (n *Notices) AckAlert(k APIKey, id uint64, note string) (alert.Alert, error) {
	return n.Alerts.Acknowledge(alertActor(k), id, note, n.e.nowMillis())
}

// CloseAlert closes alert id (a regulator who sees it, or the operator).
func (n *Notices) CloseAlert(k APIKey, id uint64, o alert.Outcome, note string) (alert.Alert, error) {
	a, err := n.Alerts.Close(alertActor(k), id, o, note, n.e.nowMillis())
	if err == nil {
		n.e.creditAlertConfirmed(&a)
	}
	return a, err
}

// AlertNotifications returns the notifications alert id caused.
func (n *Notices) AlertNotifications(k APIKey, id uint64) ([]outbox.Notification, error) {
	if _, err := n.Alert(k, id); err != nil {
		return nil, err
	}
	return n.Outbox.BySource(outbox.SourceAlert, id)
}

// mayManageOrg reports whether key may change organisation org's
// contact and webhook: its own admin key, or the operator.
func mayManageOrg(k APIKey, org uint32) bool {
	return k.Scopes.Has(ScopeAdmin) && (k.Org == org || k.Org == 0)
}

// SetWebhook sets organisation org's webhook (url "" removes it).
func (n *Notices) SetWebhook(k APIKey, org uint32, url, secret string) (outbox.Endpoint, error) {
	if !mayManageOrg(k, org) {
		return outbox.Endpoint{}, fmt.Errorf("%w: only organisation %d's admin key or the operator sets its webhook", ErrWrongOrg, org)
	}
	if _, err := n.e.Org(org); err != nil {
		return outbox.Endpoint{}, err
	}
	return n.Outbox.SetWebhook(org, url, secret, n.e.nowMillis())
}

// SetContact sets organisation org's contact.
func (n *Notices) SetContact(k APIKey, org uint32, c outbox.Endpoint) (outbox.Endpoint, error) {
	if !mayManageOrg(k, org) {
		return outbox.Endpoint{}, fmt.Errorf("%w: only organisation %d's admin key or the operator sets its contact", ErrWrongOrg, org)
	}
	if _, err := n.e.Org(org); err != nil {
		return outbox.Endpoint{}, err
	}
	return n.Outbox.SetContact(org, c, n.e.nowMillis())
}

// Endpoint returns organisation org's contact and webhook (its secret
// never leaves the engine) for key: the organisation itself, a regulator
// or the operator.
func (n *Notices) Endpoint(k APIKey, org uint32) (outbox.Endpoint, error) {
	if k.Org != org && k.Org != 0 && !k.Scopes.Has(ScopeRegulator) {
		return outbox.Endpoint{}, fmt.Errorf("%w: organisation %d's contact", ErrWrongOrg, org)
	}
	e, _, err := n.Outbox.Endpoint(org)
	e.Secret = ""
	return e, err
}
