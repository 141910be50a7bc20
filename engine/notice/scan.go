package notice

import (
	"context"
	"sync"
	"sync/atomic"

	"tracecode/engine/agg"
	"tracecode/engine/alert"
)

// scanQueue carries suspicious scans from the resolver to the clone-scan
// rule without making a scan wait for a disk write: SuspiciousScan is a
// map lookup and a non-blocking channel send.
type scanQueue struct {
	c       chan alert.Fact
	dropped atomic.Uint64
	// recent holds when each code last went to the rule (unix ms), so a
	// cloned label scanned a thousand times is queued once per window.
	recent sync.Map // agg.Node → int64
}

func newScanQueue() *scanQueue { return &scanQueue{c: make(chan alert.Fact, 1024)} }

// SuspiciousScan hands a scan the scan log judged suspicious to the
// clone-scan rule (run by Run). It never blocks: when the queue is full
// the scan is dropped and counted (ScanAlertsDropped); the next
// suspicious scan of the code queues it again.
func (o *Office) SuspiciousScan(product uint32, counter uint64, region uint32, at int64) {
	node := agg.Node{Product: product, Counter: counter}
	window := o.Alerts.Config().CloneMarkWindow.Milliseconds()
	if last, ok := o.scans.recent.Load(node); ok && at-last.(int64) < window {
		return
	}
	f := alert.Fact{Kind: alert.FactScan, Time: at, Region: region, Suspicious: true,
		Why:   "scanned by too many distinct clients or in too many places (scan log)",
		Items: []alert.Item{{Product: product, Counter: counter, Count: 1}}}
	select {
	case o.scans.c <- f:
		o.scans.recent.Store(node, at)
	default:
		o.scans.dropped.Add(1)
	}
}

// ScanAlertsDropped returns how many suspicious scans a full queue
// dropped.
func (o *Office) ScanAlertsDropped() uint64 { return o.scans.dropped.Load() }

// runScans applies queued suspicious scans until ctx ends.
func (o *Office) runScans(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case f := <-o.scans.c:
			if err := o.applyScan(&f); err != nil {
				return err
			}
		}
	}
}

// applyScan completes a scan fact with what the engine knows of the code
// and commits what the rule raises.
func (o *Office) applyScan(f *alert.Fact) error {
	e := o.eng
	it := &f.Items[0]
	if b := e.BlockAt(it.Product, it.Counter); b != nil {
		it.Lot, it.Owner = b.Lot, b.Org
		it.OwnerRegion = e.OrgRegion(b.Org)
	}
	it.Code = string(e.AppendNode(nil, agg.Node{Product: it.Product, Counter: it.Counter}))
	b := o.db.NewBatch()
	defer b.Close()
	ev := o.Alerts.Begin(b, o.nowMillis())
	if err := ev.Apply(f); err != nil {
		return err
	}
	if len(ev.Raised()) == 0 {
		return nil
	}
	if err := b.Commit(true); err != nil {
		return err
	}
	ev.Committed()
	o.Outbox.Kick()
	return nil
}

// QueuedScans returns how many suspicious scans wait for the clone-scan
// rule.
func (o *Office) QueuedScans() int { return len(o.scans.c) }

// ApplyQueuedScans applies the suspicious scans queued now, as Run does
// while it runs (for tools and tests that do not run it).
func (o *Office) ApplyQueuedScans() error {
	for {
		select {
		case f := <-o.scans.c:
			if err := o.applyScan(&f); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}
