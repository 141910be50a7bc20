// Package stats keeps counts by region, category, day and metric as data
// arrives: every write that changes what a regulator counts (a report, a
// mint, a new organisation or product, a flush of the scan log) adds a
// Delta, and Keeper.Commit folds it into the write's own batch, so a count
// is durable exactly when the write is and nothing is ever recomputed by
// scanning.
//
// A count is kept at every level of its region's path — the country
// (region 0), the province, the city, the county and, for a township code,
// the township — and under its category and category 0 (every category).
// A query for any region and category over any span of days is then one
// contiguous range scan: nothing is rolled up when read. docs/stats.md
// gives the figures.
package stats

import (
	"fmt"
	"time"
)

// Metric is what a count counts. The numeric values are persisted in keys:
// append, never renumber.
type Metric uint8

// The metrics.
const (
	// OrgsRegistered counts organisations registered (on their creation
	// day, in their registered region).
	OrgsRegistered Metric = 1
	// OrgsActive counts organisations that recorded at least one event on
	// the day (each once a day; category 0 only).
	OrgsActive Metric = 2
	// OrgsActiveMonth counts organisations that recorded at least one
	// event in the month, kept on the month's first day (category 0 only).
	OrgsActiveMonth Metric = 3
	// Products counts products registered.
	Products Metric = 4
	// CodesMinted counts codes issued to printing lines.
	CodesMinted Metric = 5
	// Commissioned counts codes reported printed and verified.
	Commissioned Metric = 6
	// Voided counts codes rejected by the line, released unused or voided
	// with their block.
	Voided Metric = 7
	// Packed counts codes packed into a parent.
	Packed Metric = 8
	// Unpacked counts codes taken out of a parent.
	Unpacked Metric = 9
	// Shipped counts codes in shipping events.
	Shipped Metric = 10
	// Received counts codes in receiving events.
	Received Metric = 11
	// Sold counts codes sold at retail.
	Sold Metric = 12
	// Dispensed counts codes dispensed (drugs).
	Dispensed Metric = 13
	// Decommissioned counts codes that left the supply chain otherwise
	// (destroyed, decommissioned).
	Decommissioned Metric = 14
	// Inspected counts codes in inspection events.
	Inspected Metric = 15
	// Scans counts public scans of the region's codes.
	Scans Metric = 16
	// Suspicious counts codes newly flagged suspicious by their scans.
	Suspicious Metric = 17
	// RecallsOpened counts recall records.
	RecallsOpened Metric = 18
	// RecallsClosed counts recall lifts.
	RecallsClosed Metric = 19
	// Alerts counts alerts raised.
	Alerts Metric = 20
	// Events counts ledger records of every kind.
	Events Metric = 21
	// EventsObject … EventsAssociation count records by EPCIS event type
	// (native reports under the type closest to them).
	EventsObject         Metric = 22
	EventsAggregation    Metric = 23
	EventsTransaction    Metric = 24
	EventsTransformation Metric = 25
	EventsAssociation    Metric = 26
	// Lag0 … Lag0+NumLagBuckets-1 are the reporting-lag histogram: records
	// whose record time minus event time falls in bucket i (LagBounds).
	Lag0 Metric = 32

	numMetrics = Lag0 + NumLagBuckets
)

// NumLagBuckets is the number of reporting-lag buckets.
const NumLagBuckets = 8

// LagBounds are the upper bounds (inclusive) of the reporting-lag buckets
// but the last, which holds everything later. A record made before its
// event time (within the allowed clock skew) counts in the first.
var LagBounds = [NumLagBuckets - 1]time.Duration{
	time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour,
}

// LagNames are the buckets' names in answers.
var LagNames = [NumLagBuckets]string{"le1m", "le10m", "le1h", "le6h", "le1d", "le3d", "le7d", "gt7d"}

var metricNames = [numMetrics]string{
	OrgsRegistered: "orgsRegistered", OrgsActive: "orgsActive", OrgsActiveMonth: "orgsActiveMonth",
	Products: "products", CodesMinted: "codesMinted", Commissioned: "commissioned", Voided: "voided",
	Packed: "packed", Unpacked: "unpacked", Shipped: "shipped", Received: "received", Sold: "sold",
	Dispensed: "dispensed", Decommissioned: "decommissioned", Inspected: "inspected", Scans: "scans",
	Suspicious: "suspicious", RecallsOpened: "recallsOpened", RecallsClosed: "recallsClosed",
	Alerts: "alerts", Events: "events", EventsObject: "eventsObject", EventsAggregation: "eventsAggregation",
	EventsTransaction: "eventsTransaction", EventsTransformation: "eventsTransformation",
	EventsAssociation: "eventsAssociation",
}

func init() {
	for i := range NumLagBuckets {
		metricNames[Lag0+Metric(i)] = "lag_" + LagNames[i]
	}
}

// Valid reports whether m is a defined metric.
func (m Metric) Valid() bool { return m < numMetrics && metricNames[m] != "" }

// String returns the metric's name in answers ("commissioned", "lag_le1h").
func (m Metric) String() string {
	if m.Valid() {
		return metricNames[m]
	}
	return fmt.Sprintf("metric(%d)", uint8(m))
}

// Metrics returns every defined metric in numeric order.
func Metrics() []Metric {
	var out []Metric
	for m := Metric(1); m < numMetrics; m++ {
		if m.Valid() {
			out = append(out, m)
		}
	}
	return out
}

// LagBucket returns the histogram metric of a record made lag after its
// event.
func LagBucket(lag time.Duration) Metric {
	for i, b := range LagBounds {
		if lag <= b {
			return Lag0 + Metric(i)
		}
	}
	return Lag0 + NumLagBuckets - 1
}

// orgMetric reports whether m counts organisations rather than things of a
// category: it is kept under category 0 only.
func orgMetric(m Metric) bool {
	return m == OrgsRegistered || m == OrgsActive || m == OrgsActiveMonth
}
