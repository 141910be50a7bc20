package bench

import (
	"fmt"
	"strings"
	"time"
)

// The capture workload both systems run: EPCIS 2.0 JSON documents of 500
// ObjectEvents (OBSERVE, one item each), business steps in turn, at eight
// sites (SGLNs of company prefix 9520123) in two counties of Lanzhou, one
// event a second from captureT0; then the two queries the standard's
// users ask most: one code's events (MATCH_anyEPC) and a county's events
// of one step in a time window (EQ_bizStep + WD_bizLocation + time).

const capturePerDoc = 500

var (
	captureT0    = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	captureSteps = [...]string{"receiving", "storing", "inspecting", "shipping"}
	// captureCounties are where the sites are: sites 0–3 in the first,
	// 4–7 in the second.
	captureCounties = [...]int{620102, 620103}
)

// captureSite returns site k's SGLN and GLN (location reference k+1).
func captureSite(k int) (sgln, gln string) {
	ref := fmt.Sprintf("%05d", k+1)
	body := "9520123" + ref
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return "urn:epc:id:sgln:9520123." + ref + ".0", body + string(rune('0'+(10-sum%10)%10))
}

// captureEvent is event i of the workload: its step, site and time.
func captureEvent(i int) (step string, site int, at time.Time) {
	return captureSteps[i%len(captureSteps)], (i / 7) % 8, captureT0.Add(time.Duration(i) * time.Second)
}

// captureDoc returns the document of events [first, first+len(codes)),
// event first+j naming codes[j].
func captureDoc(first int, codes []string) []byte {
	var b strings.Builder
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-11-01T00:00:00Z","epcisBody":{"eventList":[`)
	for j, c := range codes {
		step, site, at := captureEvent(first + j)
		sgln, _ := captureSite(site)
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"ObjectEvent","eventTime":"%s","eventTimeZoneOffset":"+08:00","epcList":[%q],"action":"OBSERVE","bizStep":%q,"disposition":"in_progress","readPoint":{"id":%q},"bizLocation":{"id":%q}}`,
			at.Format(time.RFC3339), c, step, sgln, sgln)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// captureWindow is the time window of the region query: the middle tenth
// of the events' times.
func captureWindow(n int) (from, to time.Time) {
	span := time.Duration(n) * time.Second
	return captureT0.Add(span * 45 / 100), captureT0.Add(span * 55 / 100)
}

// captureWant counts the workload's events the region query must find.
func captureWant(n int, step string, county int) int {
	from, to := captureWindow(n)
	want := 0
	for i := 0; i < n; i++ {
		s, site, at := captureEvent(i)
		if s == step && captureCounties[site/4] == county && !at.Before(from) && at.Before(to) {
			want++
		}
	}
	return want
}

// timeQueries runs query(r) for r in [0, reps), each timed into s's
// latency histogram, and adds s to the results.
func (e *env) timeQueries(s Scenario, reps int, query func(r int) error) error {
	h := newHist()
	m := startMeter()
	for r := 0; r < reps; r++ {
		t0 := time.Now()
		err := query(r)
		h.RecordValue(time.Since(t0).Nanoseconds())
		if err != nil {
			return err
		}
	}
	m.stop(&s, int64(reps))
	s.Latency = latencyOf(h)
	s.Samples = []float64{s.OpsPerSec}
	e.res.Scenarios = append(e.res.Scenarios, s)
	return nil
}

// timeCapture captures the workload's n events in documents of
// capturePerDoc: codes(first) names the items of the document starting at
// event first, capture(first, doc) captures it. Only the captures are
// timed (the documents are built between them); s gets the rate, one
// sample per document (docRates) and the meter's CPU and allocations.
func (e *env) timeCapture(s *Scenario, n int, what string, codes func(first int) ([]string, error), capture func(first int, doc []byte) error) error {
	bar := e.newBar(int64(n), what)
	m := startMeter()
	var spent time.Duration
	for first := 0; first < n; first += capturePerDoc {
		cs, err := codes(first)
		if err != nil {
			return err
		}
		doc := captureDoc(first, cs)
		t0 := time.Now()
		err = capture(first, doc)
		d := time.Since(t0)
		if err != nil {
			return fmt.Errorf("%s, events %d…: %w", what, first, err)
		}
		spent += d
		s.Samples = append(s.Samples, float64(capturePerDoc)/d.Seconds())
		bar.Add(capturePerDoc)
	}
	bar.Finish()
	m.stop(s, int64(n))
	s.Seconds = spent.Seconds()
	s.OpsPerSec = float64(n) / s.Seconds
	s.Samples = docRates(s.Samples)
	return nil
}
