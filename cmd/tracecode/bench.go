package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/spf13/cobra"

	"tracecode/bench"
)

var benchFlags struct {
	scale      string
	postgres   string
	noPostgres bool
	out        string
	work       string
	world      string
	repeat     int
	only       []string
	cpuProfile string
	traceHalf  string
}

var benchCmd = &cobra.Command{
	Use:   "bench",
	Short: "Run the capacity-planning benchmark suite against the PostgreSQL baseline",
	Long: `bench runs whole scenarios — minting blocks, streaming codes in every printer
format, commissioning and packing, events, resolution with Zipf popularity and
forged codes — against tracecode and, in the same run, against the relational
design most traceability platforms use (PostgreSQL: a codes table with a B-tree
and a parent column, COPY for minting, a recursive CTE for the chain).

It writes into --out:
  results.json   every figure, in a stable documented schema (bench.Results)
  summary.md     the headline ratios and a table of every scenario
  report.html    the same with plots (throughput, latency percentiles, disk)

Scales: small finishes within a couple of minutes on a 2-core machine; medium
and large are capacity runs. The chain scenarios (commission, pack, events,
resolve in process and over HTTP) run against a world of packed items with a
billion minted codes: 10^6 items at small, 10^7 at medium, 10^8 at large, in
lots of 10^6 with their cases, pallets and events. --world DIR keeps that
world (DIR/world.json, DIR/codes.tsv, DIR/store) and reuses it on the next
run of the same scale: building 10^8 items takes a while. Each run packs and
captures a fresh lot into it. tracecode loadtest --world DIR scans the same
world's codes. docs/capacity.md explains how to turn the figures into
hardware.

Without PostgreSQL the baseline is skipped with a note (under TRACECODE_CI=1
it is required).

Examples:
  tracecode bench --scale small --out bench-out
  tracecode bench --scale medium --world /var/tmp/world-medium --out bench-medium
  tracecode bench --scale large --postgres postgres://user@db:5432/test --out capacity
  tracecode bench --scale small --world /var/tmp/world-small --only resolve/http --out bench-http
  tracecode bench compare old/results.json new/results.json`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, args []string) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		stopProfile, err := startCPUProfile(benchFlags.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
		self, err := os.Executable()
		if err != nil {
			self = "" // the half-rate client then runs in this process
		}
		res, err := bench.Run(ctx, bench.Config{
			Scale: benchFlags.scale, PostgresDSN: benchFlags.postgres, NoPostgres: benchFlags.noPostgres,
			Out: benchFlags.out, WorkDir: benchFlags.work, Progress: cmd.ErrOrStderr(), Bar: benchBar(cmd.ErrOrStderr()),
			Repeat: benchFlags.repeat, World: benchFlags.world, Only: benchFlags.only,
			Self: self, TraceHalf: benchFlags.traceHalf,
		})
		if err != nil {
			return err
		}
		fmt.Fprint(cmd.OutOrStdout(), bench.Summary(res))
		fmt.Fprintf(cmd.OutOrStdout(), "\nwrote %s, %s, %s\n", filepath.Join(benchFlags.out, "results.json"),
			filepath.Join(benchFlags.out, "summary.md"), filepath.Join(benchFlags.out, "report.html"))
		return nil
	},
}

var benchCompareCmd = &cobra.Command{
	Use:   "compare OLD.json NEW.json",
	Short: "Compare two bench runs and flag significant regressions",
	Long: `compare matches the scenarios of two results.json files and tests each
throughput change with the Mann-Whitney U test on the per-repetition samples
(alpha 0.05), as benchstat does. "~" means no significant difference. The exit
status is 1 when any scenario regressed significantly.`,
	Args: cobra.ExactArgs(2),
	RunE: func(cmd *cobra.Command, args []string) error {
		old, err := bench.ReadResults(args[0])
		if err != nil {
			return err
		}
		nw, err := bench.ReadResults(args[1])
		if err != nil {
			return err
		}
		cs := bench.Compare(old, nw)
		fmt.Fprint(cmd.OutOrStdout(), bench.FormatChanges(cs))
		for _, c := range cs {
			if c.Regression {
				return exitError{code: 1}
			}
		}
		return nil
	},
}

var benchReportOut string

var benchReportCmd = &cobra.Command{
	Use:   "report RESULTS.json",
	Short: "Write summary.md and report.html of a bench run again from its results.json",
	Args:  cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) error {
		r, err := bench.ReadResults(args[0])
		if err != nil {
			return err
		}
		r.Ratios = bench.Headlines(r)
		out := benchReportOut
		if out == "" {
			out = filepath.Dir(args[0])
		}
		if err := bench.WriteReports(r, out); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %s, %s\n", filepath.Join(out, "summary.md"), filepath.Join(out, "report.html"))
		return nil
	},
}

var planFlags struct {
	w       bench.Workload
	results string
}

var benchPlanCmd = &cobra.Command{
	Use:   "plan",
	Short: "Turn a workload and a bench run into hardware: cores, memory, disk, network",
	Long: `plan sizes a deployment for a workload from the per-unit costs of a
results.json measured on the target hardware (without --results, the
planning figures of docs/capacity.md), and prints the arithmetic so each
figure can be checked and replaced.

Example (Gansu, docs/capacity.md):
  tracecode bench plan --codes-per-year 1.2e9 --scans-per-day 2e6 --peak-factor 10 \
      --events-per-day 1.5e6 --retention-years 5 --replicas 2 --results bench-out/results.json`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, args []string) error {
		var r *bench.Results
		if planFlags.results != "" {
			var err error
			if r, err = bench.ReadResults(planFlags.results); err != nil {
				return err
			}
		}
		p, err := bench.MakePlan(planFlags.w, bench.CostsFrom(r))
		if err != nil {
			return err
		}
		fmt.Fprint(cmd.OutOrStdout(), p.Text)
		return nil
	},
}

func init() {
	pf := benchPlanCmd.Flags()
	w := &planFlags.w
	pf.Float64Var(&w.CodesPerYear, "codes-per-year", 0, "codes issued a year")
	pf.Float64Var(&w.ItemsPerYear, "items-per-year", 0, "items commissioned and packed a year (default: --codes-per-year)")
	pf.Float64Var(&w.ScansPerDay, "scans-per-day", 0, "scans of an average day")
	pf.Float64Var(&w.PeakFactor, "peak-factor", 10, "the peak second's load over the average second's")
	pf.Float64Var(&w.EventsPerDay, "events-per-day", 0, "EPCIS events captured on an average day")
	pf.Float64Var(&w.RetentionYears, "retention-years", 5, "years kept online")
	pf.IntVar(&w.Replicas, "replicas", 1, "copies of the store, the primary included")
	pf.Float64Var(&w.HTMLShare, "html-share", 0.8, "share of scans that open the scan page rather than ask for JSON")
	pf.Float64Var(&w.Utilisation, "utilisation", 0.5, "CPU share to run at at peak")
	pf.Float64Var(&w.BlockCodes, "block-codes", 1e6, "codes per minted block")
	pf.StringVar(&planFlags.results, "results", "", "results.json of `tracecode bench` on the target hardware (default: docs/capacity.md's figures)")
	benchCmd.AddCommand(benchPlanCmd)
}

func init() {
	f := benchCmd.Flags()
	f.StringVar(&benchFlags.scale, "scale", "small", "workload size: small, medium or large")
	f.StringVar(&benchFlags.postgres, "postgres", "", "PostgreSQL DSN for the baseline (default postgres://postgres@127.0.0.1:5432/test)")
	f.BoolVar(&benchFlags.noPostgres, "no-postgres", false, "skip the PostgreSQL baseline")
	f.StringVar(&benchFlags.out, "out", "bench-out", "directory for results.json, summary.md and report.html")
	f.StringVar(&benchFlags.work, "work", "", "directory for the stores the scenarios build (default: a temporary directory, removed afterwards)")
	f.StringVar(&benchFlags.world, "world", "", "keep the chain scenarios' world in this directory and reuse it on later runs of the same scale (default: built in the work directory for this run)")
	f.IntVar(&benchFlags.repeat, "repeat", 0, "repetitions of each timed scenario (default: the scale's)")
	f.StringVar(&benchFlags.cpuProfile, "cpuprofile", "", "write the whole run's CPU profile (world building included) to this file")
	_ = f.MarkHidden("cpuprofile")
	f.StringVar(&benchFlags.traceHalf, "trace-half", "", "write a runtime/trace of the half-saturation rounds against the resolver to FILE.sep and FILE.inproc")
	_ = f.MarkHidden("trace-half")
	f.StringSliceVar(&benchFlags.only, "only", nil, "run only the scenarios whose names start with one of these (comma-separated, e.g. resolve/http; the world is still built or opened)")
	benchCmd.AddCommand(benchCompareCmd)
	benchReportCmd.Flags().StringVar(&benchReportOut, "out", "", "directory to write into (default: the results.json's)")
	benchCmd.AddCommand(benchReportCmd)
	rootCmd.AddCommand(benchCmd)
}
