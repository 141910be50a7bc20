package engine

// The engine's facade over engine/notice: the notice office (recalls,
// holds, alerts, the clone-scan queue, contacts and webhooks) with the
// subscriptions and capture jobs that share its lifetime, and the
// engine as the office asks it (noticeParts).

import (
	"context"
	"sync"
	"time"

	"tracecode/engine/agg"
	"tracecode/engine/alert"
	"tracecode/engine/chain"
	"tracecode/engine/complaint"
	"tracecode/engine/epcissub"
	"tracecode/engine/issue"
	"tracecode/engine/notice"
	"tracecode/engine/outbox"
	"tracecode/engine/recall"
)

// Notices is the engine's notice office (recalls, holds, alerts, their
// notifications; see notice.Office) with the EPCIS subscriptions and
// capture jobs. One exists per engine (OpenNotices); its report hooks
// evaluate the rules as reports and events are applied.
type Notices struct {
	*notice.Office
	e    *Engine
	subs *epcissub.Manager
	jobs *epcissub.Jobs
	// hooks are the recall book, alert rules and outbox as the report
	// chain takes them.
	hooks chain.Notices
	// cfg is the configuration they were opened with (a replica opens
	// them again with it as the writer's batches change them).
	cfg notice.Config
}

var noticeMu sync.Mutex // serialises OpenNotices

// OpenNotices opens the engine's recalls, alerts and outbox with cfg;
// a second call returns the first's.
func (e *Engine) OpenNotices(cfg notice.Config) (*Notices, error) {
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
func (e *Engine) newNotices(cfg notice.Config) (*Notices, error) {
	links := recall.Links{Key: e.iss.StoreSecret("tracecode/recall/ack-link/v1\x00"), Base: e.opts.ShortBase}
	o, err := notice.Open(e.db, noticeParts{e, e.iss}, cfg, e.opts.Location, links,
		append([]alert.Rule{complaint.OverdueRule{}}, e.Sectors().AlertRules()...)...)
	if err != nil {
		return nil, err
	}
	n := &Notices{Office: o, e: e, cfg: cfg, hooks: chain.Notices{Recalls: o.Recalls, Alerts: o.Alerts, Outbox: o.Outbox}}
	n.subs, n.jobs = n.openSubscriptions(), n.openCaptureJobs()
	return n, nil
}

// Notices returns the engine's notices, or nil before OpenNotices.
func (e *Engine) Notices() *Notices { return e.notices.Load() }

// Run delivers notifications and fires due dates until ctx ends
// (notice.Office.Run), with the subscriptions and capture jobs. serve
// runs it.
func (n *Notices) Run(ctx context.Context, js outbox.Publisher) error {
	return n.Office.Run(ctx, js, func(ctx context.Context) error { return n.subs.Run(ctx, time.Second) },
		func(ctx context.Context) error { return n.jobs.Run(ctx, nil) })
}

// noticeParts is the engine as the notice office asks it (notice.Engine).
type noticeParts struct {
	*Engine
	*issue.Book
}

func (p noticeParts) AppendNode(dst []byte, n agg.Node) []byte { return p.AppendNodeCode(dst, n) }

func (p noticeParts) RecallMoves(lot uint32, only map[uint32][]uint64) ([]recall.Move, error) {
	c, err := p.tr()
	if err != nil {
		return nil, err
	}
	return c.RecallMoves(lot, only)
}

// RecallClosed adds the recall-history entry of a closed recall to the
// credit book.
func (p noticeParts) RecallClosed(r *recall.Recall) {
	if o, err := p.Credit(); err == nil {
		o.RecallClosed(r)
	}
}

// AlertConfirmed adds the credit entry of an alert a regulator confirmed.
func (p noticeParts) AlertConfirmed(a *alert.Alert) {
	if o, err := p.Credit(); err == nil {
		o.AlertConfirmed(a)
	}
}

func (p noticeParts) Recall(ctx context.Context, r *chain.RecallRequest) (*chain.RecallResult, error) {
	return p.Reports().Recall(ctx, r)
}
