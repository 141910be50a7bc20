// Package loadtest is tracecode's open-loop load generator for the resolver:
// it offers scans at a scheduled arrival rate, whether or not the server keeps
// up, and times every request from the moment it was meant to be sent.
//
// # Open versus closed
//
// A closed-loop tool (ab, wrk, hey) keeps N requests in flight and sends the
// next one only when an answer comes back. When the server stalls, it stops
// sending, so the requests that real users would have sent during the stall
// are never timed: the worst latencies go missing ("coordinated omission",
// Gil Tene). This package is open-loop, like wrk2: request i has an intended
// send time fixed in advance by the [Schedule], and its latency is
// done − intended. A server that stalls for 200 ms inflates the latency of
// every request meant to be sent during those 200 ms.
//
// # Shape of a run
//
//   - [Schedule]: phases of constant or linearly ramping rate; request i's
//     intended send time is [Schedule.At](i).
//   - [Corpus] and [Traffic]: the codes to scan, picked with Zipf popularity
//     ([Zipfian], [ScrambledZipfian]), a share of forged codes, and a mix of
//     URL forms and Accept headers; request i's choices depend only on the
//     seed and i, so a run's traffic is reproducible.
//   - [Run]: keep-alive connections (a fasthttp HostClient each), each
//     driven by its own goroutine. A free goroutine claims the next
//     request index, sleeps until its intended time and sends it; if every
//     connection is busy, the request waits and that wait is part of its
//     latency. Each goroutine records into its own HDR histograms, merged at
//     step boundaries and once a second for the timeline.
//   - [Results]: the stable results.json schema (see docs/loadtest.md), the
//     text summary ([Results.WriteSummary]); package report draws report.html.
//
// The generator also watches itself: its CPU use and how late it sent
// requests it was free to send on time. When either says the generator,
// not the server, was the bottleneck, the results carry a loud warning.
package loadtest
