package bench

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Workload is a deployment's expected load, the input of `tracecode bench
// plan`.
type Workload struct {
	CodesPerYear float64 // codes issued a year (minted and printed)
	// ItemsPerYear are items commissioned and packed a year; 0 means
	// CodesPerYear (every issued code is packed).
	ItemsPerYear   float64
	ScansPerDay    float64 // consumer and inspector scans, average day
	PeakFactor     float64 // peak second over the average second; 0 means 10
	EventsPerDay   float64 // EPCIS events captured, average day
	RetentionYears float64 // years kept online; 0 means 5
	Replicas       int     // copies of the store (1 = no replica); 0 means 1
	// HTMLShare is the share of scans asking for the scan page rather
	// than JSON; negative means the default 0.8 (phones opening a URL).
	HTMLShare float64
	// Utilisation is the CPU share to plan for at peak; 0 means 0.5.
	Utilisation float64
	// BlockCodes is the size of a minted block; 0 means 10^6.
	BlockCodes float64
}

func (w *Workload) defaults() error {
	if w.ItemsPerYear == 0 {
		w.ItemsPerYear = w.CodesPerYear
	}
	if w.PeakFactor == 0 {
		w.PeakFactor = 10
	}
	if w.RetentionYears == 0 {
		w.RetentionYears = 5
	}
	if w.Replicas == 0 {
		w.Replicas = 1
	}
	if w.HTMLShare < 0 {
		w.HTMLShare = 0.8
	}
	if w.Utilisation == 0 {
		w.Utilisation = 0.5
	}
	if w.BlockCodes == 0 {
		w.BlockCodes = 1e6
	}
	for _, c := range []struct {
		name string
		v    float64
		ok   bool
	}{
		{"--codes-per-year", w.CodesPerYear, w.CodesPerYear >= 0},
		{"--items-per-year", w.ItemsPerYear, w.ItemsPerYear >= 0},
		{"--scans-per-day", w.ScansPerDay, w.ScansPerDay >= 0},
		{"--peak-factor", w.PeakFactor, w.PeakFactor >= 1},
		{"--events-per-day", w.EventsPerDay, w.EventsPerDay >= 0},
		{"--retention-years", w.RetentionYears, w.RetentionYears > 0},
		{"--replicas", float64(w.Replicas), w.Replicas >= 1},
		{"--html-share", w.HTMLShare, w.HTMLShare <= 1},
		{"--utilisation", w.Utilisation, w.Utilisation > 0 && w.Utilisation <= 1},
		{"--block-codes", w.BlockCodes, w.BlockCodes >= 1},
	} {
		if !c.ok || math.IsNaN(c.v) || math.IsInf(c.v, 0) {
			return fmt.Errorf("bench plan: %s %v is out of range", c.name, c.v)
		}
	}
	if w.CodesPerYear == 0 && w.ScansPerDay == 0 && w.EventsPerDay == 0 {
		return errors.New("bench plan: give a workload (--codes-per-year, --scans-per-day, --events-per-day)")
	}
	return nil
}

// Costs are the per-unit costs a plan uses, each with where it came from.
type Costs struct {
	ScanJSON, ScanHTML     Cost // CPU seconds per scan
	PackItem, Event        Cost // CPU seconds per item packed, per event captured
	StreamCode             Cost // CPU seconds per code streamed to a printer
	DiskItem, DiskEvent    Cost // bytes per packed item, per event
	DiskBlock              Cost // bytes per minted block
	DiskScan               Cost // bytes per scan in the scan log
	JSONBytes, HTMLBytes   Cost // response bytes
	CacheItem, CacheEvents Cost // block-cache bytes per hot item, per hot event
}

// Cost is one per-unit figure and its source.
type Cost struct {
	V      float64
	Source string
}

// defaultCosts are docs/capacity.md's planning figures, used when a
// results.json lacks a scenario.
func defaultCosts() Costs {
	const doc = "docs/capacity.md default"
	return Costs{
		ScanJSON: Cost{20e-6, doc}, ScanHTML: Cost{60e-6, doc},
		PackItem: Cost{1.6e-6, doc}, Event: Cost{150e-6, doc}, StreamCode: Cost{270e-9, doc},
		DiskItem: Cost{5.9, doc}, DiskEvent: Cost{79, doc}, DiskBlock: Cost{55, doc},
		DiskScan:  Cost{7.4, "ScanLogDisk benchmark: 4.6 B raw + 2.8 B counts per scan (docs/capacity.md)"},
		JSONBytes: Cost{1500, doc}, HTMLBytes: Cost{9000, "scan page with its inline QR image and CSS, measured on the demo"},
		CacheItem: Cost{6, "disk per packed item (the chain's records are the cached blocks)"}, CacheEvents: Cost{79, "disk per event"},
	}
}

// CostsFrom takes the per-unit costs from a run where it has them.
func CostsFrom(r *Results) Costs {
	c := defaultCosts()
	if r == nil {
		return c
	}
	from := func(name string) string {
		return fmt.Sprintf("results.json %s (%d CPUs, %s)", name, r.Machine.CPUs, orDash(r.Machine.CPUModel))
	}
	cpu := func(dst *Cost, name string) {
		if s, ok := r.Find(name, "tracecode"); ok && s.Ops > 0 && s.CPUSeconds > 0 {
			*dst = Cost{s.CPUSeconds / float64(s.Ops), from(name) + ", CPU s ÷ ops"}
		}
	}
	disk := func(dst *Cost, name string) {
		if s, ok := r.Find(name, "tracecode"); ok && s.DiskBytes > 0 {
			*dst = Cost{s.DiskBytesPerUnit, from(name)}
		}
	}
	cpu(&c.PackItem, "pack")
	cpu(&c.Event, "events")
	cpu(&c.StreamCode, "stream/dl+zstd")
	disk(&c.DiskItem, "pack")
	disk(&c.DiskEvent, "events")
	if s, ok := r.Find("resolve/http", "tracecode"); ok && s.Ops > 0 && s.CPUSeconds > 0 {
		per := s.CPUSeconds / float64(s.Ops)
		c.ScanJSON = Cost{per, from("resolve/http") + ", CPU s ÷ requests, client included (an over-estimate)"}
		// The page costs what the JSON answer does plus its rendering;
		// keep the documented ratio of the two.
		c.ScanHTML = Cost{per * 3, "3 × the JSON scan (docs/capacity.md's ratio of page to JSON)"}
		if b, err := strconv.ParseFloat(s.Params["body_bytes"], 64); err == nil && b > 0 {
			c.JSONBytes = Cost{b, from("resolve/http") + " body_bytes"}
		}
	}
	if s, ok := r.Find("mint", "tracecode"); ok && s.DiskBytes > 0 {
		if n, err := strconv.ParseFloat(s.Params["requests"], 64); err == nil && n > 0 {
			c.DiskBlock = Cost{float64(s.DiskBytes) / n, from("mint") + ", disk ÷ blocks (store overhead included)"}
		}
	}
	c.CacheItem, c.CacheEvents = Cost{c.DiskItem.V, "disk per packed item"}, Cost{c.DiskEvent.V, "disk per event"}
	return c
}

// Plan is the hardware a workload needs.
type Plan struct {
	Cores          int
	CacheBytes     float64 // Pebble block cache
	RAMBytes       float64 // a machine's memory
	DiskBytes      float64 // per replica, whole retention, with headroom
	GrowthPerYear  float64 // bytes a year, per replica
	PeakNetBitsSec float64 // public answers at peak, plus replication
	Text           string  // the arithmetic, for a person
}

const secondsPerYear = 365 * 86400

// MakePlan sizes one machine (and its replicas) for w with costs c.
func MakePlan(w Workload, c Costs) (*Plan, error) {
	if err := w.defaults(); err != nil {
		return nil, err
	}
	var b strings.Builder
	p := &Plan{}
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	line("Workload")
	line("  codes issued a year          %s (blocks of %s: %s blocks)", sci(w.CodesPerYear), sci(w.BlockCodes), sci(math.Ceil(w.CodesPerYear/w.BlockCodes)))
	line("  items packed a year          %s", sci(w.ItemsPerYear))
	line("  scans a day                  %s, peak factor %.3g, %.0f %% scan pages (HTML)", sci(w.ScansPerDay), w.PeakFactor, 100*w.HTMLShare)
	line("  events a day                 %s", sci(w.EventsPerDay))
	line("  retention                    %.3g years, %d replica(s), CPU planned at %.0f %% at peak", w.RetentionYears, w.Replicas, 100*w.Utilisation)
	line("")
	line("Per-unit costs")
	for _, x := range []struct {
		name string
		c    Cost
		unit string
	}{
		{"JSON scan", c.ScanJSON, "CPU"}, {"scan page", c.ScanHTML, "CPU"}, {"packed item", c.PackItem, "CPU"},
		{"captured event", c.Event, "CPU"}, {"code streamed (DL+zstd)", c.StreamCode, "CPU"},
		{"packed item", c.DiskItem, "disk"}, {"event", c.DiskEvent, "disk"}, {"minted block", c.DiskBlock, "disk"}, {"scan", c.DiskScan, "disk"},
		{"JSON answer", c.JSONBytes, "net"}, {"scan page", c.HTMLBytes, "net"},
	} {
		v := fmt.Sprintf("%s B", sci(x.c.V))
		if x.unit == "CPU" {
			v = dur(x.c.V)
		}
		line("  %-5s %-24s %-12s %s", x.unit, x.name, v, x.c.Source)
	}
	line("")

	// CPU at peak.
	peakScans := w.ScansPerDay / 86400 * w.PeakFactor
	scanCost := w.HTMLShare*c.ScanHTML.V + (1-w.HTMLShare)*c.ScanJSON.V
	peakItems := w.ItemsPerYear / secondsPerYear * w.PeakFactor
	peakEvents := w.EventsPerDay / 86400 * w.PeakFactor
	peakCodes := w.CodesPerYear / secondsPerYear * w.PeakFactor
	coresScans := peakScans * scanCost / w.Utilisation
	coresReports := (peakItems*c.PackItem.V + peakEvents*c.Event.V + peakCodes*c.StreamCode.V) / w.Utilisation
	cores := coresScans + coresReports + 1
	p.Cores = int(math.Ceil(cores))
	if p.Cores%2 == 1 && p.Cores > 1 {
		p.Cores++
	}
	line("Cores")
	line("  peak scans    = %s/day ÷ 86,400 × %.3g = %s/s", sci(w.ScansPerDay), w.PeakFactor, sci(peakScans))
	line("  per scan      = %.2f × %s + %.2f × %s = %s", w.HTMLShare, dur(c.ScanHTML.V), 1-w.HTMLShare, dur(c.ScanJSON.V), dur(scanCost))
	line("  scans         = %s/s × %s ÷ %.2f = %.2f cores", sci(peakScans), dur(scanCost), w.Utilisation, coresScans)
	line("  reports       = (%s items/s × %s + %s events/s × %s + %s codes/s × %s) ÷ %.2f = %.2f cores",
		sci(peakItems), dur(c.PackItem.V), sci(peakEvents), dur(c.Event.V), sci(peakCodes), dur(c.StreamCode.V), w.Utilisation, coresReports)
	line("  total         = %.2f + %.2f + 1 (OS, compactions, scan log) = %.2f → %d cores", coresScans, coresReports, cores, p.Cores)
	line("")

	// Disk.
	blocks := math.Ceil(w.CodesPerYear / w.BlockCodes)
	scansYear := w.ScansPerDay * 365
	eventsYear := w.EventsPerDay * 365
	dItems, dEvents, dBlocks, dScans := w.ItemsPerYear*c.DiskItem.V, eventsYear*c.DiskEvent.V, blocks*c.DiskBlock.V, scansYear*c.DiskScan.V
	p.GrowthPerYear = dItems + dEvents + dBlocks + dScans
	p.DiskBytes = p.GrowthPerYear * w.RetentionYears * 2
	line("Disk (per replica)")
	line("  items         = %s × %s B = %s", sci(w.ItemsPerYear), sci(c.DiskItem.V), bytesText(dItems))
	line("  events        = %s × 365 × %s B = %s", sci(w.EventsPerDay), sci(c.DiskEvent.V), bytesText(dEvents))
	line("  blocks        = %s × %s B = %s", sci(blocks), sci(c.DiskBlock.V), bytesText(dBlocks))
	line("  scan log      = %s × 365 × %s B = %s", sci(w.ScansPerDay), sci(c.DiskScan.V), bytesText(dScans))
	line("  growth        = %s a year", bytesText(p.GrowthPerYear))
	line("  disk          = %s × %.3g years × 2 (space amplification, headroom) = %s", bytesText(p.GrowthPerYear), w.RetentionYears, bytesText(p.DiskBytes))
	if w.Replicas > 1 {
		line("  all replicas  = %d × %s = %s", w.Replicas, bytesText(p.DiskBytes), bytesText(p.DiskBytes*float64(w.Replicas)))
	}
	line("")

	// Memory: the block cache holds the chains consumers scan in a
	// season (a quarter of a year): at most the items scanned then, each
	// with its records and its share of the events.
	seasonItems := math.Min(0.25*w.ItemsPerYear, 0.25*scansYear)
	perItem := c.CacheItem.V
	if w.ItemsPerYear > 0 {
		perItem += eventsYear / w.ItemsPerYear * c.CacheEvents.V
	}
	hot := seasonItems * perItem
	p.CacheBytes = math.Max(hot, 1<<30)
	p.RAMBytes = 1.5*p.CacheBytes + 2*(1<<30)
	ramGiB := math.Pow(2, math.Ceil(math.Log2(p.RAMBytes/(1<<30))))
	line("Memory")
	line("  hot items     = min(¼ × %s items, ¼ × %s scans) = %s (a season's scanned items, at most)", sci(w.ItemsPerYear), sci(scansYear), sci(seasonItems))
	line("  per hot item  = %s B + %s events/item × %s B = %s B", sci(c.CacheItem.V), sci(safeDiv(eventsYear, w.ItemsPerYear)), sci(c.CacheEvents.V), sci(perItem))
	line("  block cache   = max(%s × %s B, 1 GiB) = %s  (tracecode serve --cache-size %.0f)", sci(seasonItems), sci(perItem), bytesText(p.CacheBytes), math.Ceil(p.CacheBytes))
	line("  RAM           = 1.5 × block cache (OS page cache) + 2 GiB Go heap = %s → a %.0f GiB machine", bytesText(p.RAMBytes), ramGiB)
	line("")

	// Network.
	perScan := w.HTMLShare*c.HTMLBytes.V + (1-w.HTMLShare)*c.JSONBytes.V + 300 // request and headers
	answers := peakScans * perScan * 8
	repl := 0.0
	if w.Replicas > 1 {
		repl = (peakItems*c.DiskItem.V + peakEvents*c.DiskEvent.V + peakScans*c.DiskScan.V) * 8 * float64(w.Replicas-1)
	}
	p.PeakNetBitsSec = answers + repl
	line("Network at peak")
	line("  answers       = %s scans/s × (%.2f × %s B + %.2f × %s B + 300 B request) × 8 = %s",
		sci(peakScans), w.HTMLShare, sci(c.HTMLBytes.V), 1-w.HTMLShare, sci(c.JSONBytes.V), bitsText(answers))
	if w.Replicas > 1 {
		line("  replication   = writes %s × %d replica(s) = %s", bitsText(repl/float64(w.Replicas-1)), w.Replicas-1, bitsText(repl))
	}
	line("  total         = %s", bitsText(p.PeakNetBitsSec))
	line("")
	line("Plan: %d cores, %.0f GiB RAM (block cache %s), %s of disk per replica growing %s a year, %s at peak.",
		p.Cores, ramGiB, bytesText(p.CacheBytes), bytesText(p.DiskBytes), bytesText(p.GrowthPerYear), bitsText(p.PeakNetBitsSec))
	p.Text = b.String()
	return p, nil
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// sci formats a count with three significant digits and an SI suffix.
func sci(v float64) string { return num(v) }

func dur(sec float64) string {
	switch {
	case sec >= 1e-3:
		return fmt.Sprintf("%.3g ms", sec*1e3)
	case sec >= 1e-6:
		return fmt.Sprintf("%.3g µs", sec*1e6)
	default:
		return fmt.Sprintf("%.3g ns", sec*1e9)
	}
}

func bytesText(v float64) string {
	switch {
	case v >= 1e12:
		return fmt.Sprintf("%.3g TB", v/1e12)
	case v >= 1e9:
		return fmt.Sprintf("%.3g GB", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.3g MB", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3g kB", v/1e3)
	}
	return fmt.Sprintf("%.0f B", v)
}

func bitsText(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.3g Gbit/s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.3g Mbit/s", v/1e6)
	}
	return fmt.Sprintf("%.3g kbit/s", v/1e3)
}
