package bench

import (
	"fmt"
	"sort"
	"strings"
)

// Summary renders a run as Markdown: machine, headline ratios, then every
// scenario in a table.
func Summary(r *Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# tracecode bench — scale %s\n\n", r.Scale)
	fmt.Fprintf(&b, "Run %s, %.0f s. Machine: %d CPUs (%s), %.1f GiB RAM, %s %s/%s; peak RSS %.0f MiB.\n\n",
		r.StartedAt.Format("2006-01-02 15:04 MST"), r.Seconds, r.Machine.CPUs, orDash(r.Machine.CPUModel),
		float64(r.Machine.MemTotalBytes)/(1<<30), r.Machine.GoVersion, r.Machine.OS, r.Machine.Arch,
		float64(r.Machine.PeakRSSBytes)/(1<<20))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "> %s\n\n", n)
	}
	if len(r.Ratios) > 0 {
		b.WriteString("## Headlines: like against like, same run, same machine\n\n")
		b.WriteString("| figure | unit | tracecode | compared with | its figure | ratio | better | note |\n|---|---|---:|---|---:|---:|---|---|\n")
		for _, q := range r.Ratios {
			base, ratio := "–", "–"
			if q.Baseline > 0 {
				base, ratio = num(q.Baseline), "**"+ratioText(q)+"**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", q.Name, q.Unit, num(q.Tracecode), orDash(q.BaselineName), base, ratio, q.Better, q.Note)
		}
		b.WriteString("\nA ratio is tracecode's figure over the other's; for latency and disk lower is better, so a ratio below 1 is a win there.\n\n")
	}
	b.WriteString("## Scenarios\n\n")
	b.WriteString("| scenario | system | unit | ops/s | p50 µs | p99 µs | p99.9 µs | CPU s | allocs/op | disk B/unit | params |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, s := range r.Scenarios {
		p50, p99, p999 := "–", "–", "–"
		if s.Latency != nil {
			p50, p99, p999 = num(s.Latency.P50), num(s.Latency.P99), num(s.Latency.P999)
		}
		disk := "–"
		if s.DiskBytes > 0 {
			disk = num(s.DiskBytesPerUnit)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %.2f | %.1f | %s | %s |\n",
			s.Name, s.System, s.Unit, num(s.OpsPerSec), p50, p99, p999, s.CPUSeconds, s.AllocsPerOp, disk, params(s.Params))
	}
	extra := false
	for _, s := range r.Scenarios {
		if len(s.Extra) > 0 {
			if !extra {
				b.WriteString("\n## Engine metrics\n\n")
				extra = true
			}
			keys := make([]string, 0, len(s.Extra))
			for k := range s.Extra {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(&b, "- %s (%s):", s.Name, s.System)
			for _, k := range keys {
				fmt.Fprintf(&b, " %s=%s", k, num(s.Extra[k]))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func ratioText(q Ratio) string {
	if q.Ratio >= 1 {
		if q.Ratio >= 1000 {
			return num(q.Ratio) + "×"
		}
		return fmt.Sprintf("%.1f×", q.Ratio)
	}
	if 1/q.Ratio >= 1000 {
		return "1/" + num(1/q.Ratio)
	}
	return fmt.Sprintf("1/%.1f", 1/q.Ratio)
}

func params(p map[string]string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, " ")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// num formats a figure with three significant digits and an SI suffix.
func num(v float64) string {
	switch a := abs(v); {
	case a >= 1e9:
		return fmt.Sprintf("%.3gG", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.3gk", v/1e3)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
