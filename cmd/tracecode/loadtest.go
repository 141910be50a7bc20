package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"tracecode/loadtest"
	"tracecode/loadtest/report"
	"tracecode/loadtest/testserver"
)

// loadtestFlags holds the loadtest command's flags.
var loadtestFlags struct {
	target, codes, key, blocks, out, forms, accepts string
	world, hotLot                                   string
	hotShare                                        float64
	engine, mintGTIN, mintLot                       string
	mintRate, reportRate                            float64
	mintCount, reportCount, writeConns              int
	cpuProfile                                      string
	rate, rampTo, stepRate, maxRate                 float64
	duration, stepDuration, warmup                  time.Duration
	sloP99, timeout, drain, late, maxDuration, spin time.Duration
	conns, perBlock, procs, loops                   int
	forged, theta, maxErrors                        float64
	scrambled, shortCodes, allowRemote, quiet       bool
	seed                                            uint64
	maxRequests                                     int64
}

var loadtestCmd = &cobra.Command{
	Use:   "loadtest --target URL --rate N --duration D [--codes FILE | --key KEY --blocks IDS] --out DIR",
	Short: "Drive a resolver with open-loop scan traffic and report latency free of coordinated omission",
	Long: `loadtest offers consumer scans to a running resolver at a fixed arrival rate and
measures what users would see.

OPEN VERSUS CLOSED MODEL
  A closed-loop tool (ab, wrk, hey) keeps N requests in flight and sends the
  next only when an answer comes back. When the server stalls, it stops
  sending: the users who would have scanned during the stall are never
  timed, so the worst latencies vanish ("coordinated omission") and capacity
  looks higher than it is.
  loadtest is open-loop, like wrk2: every request has an intended send time
  fixed in advance by the schedule, and its latency is counted from that
  time. If the server stalls for 200 ms, every request meant to be sent in
  those 200 ms is late by the remainder of the stall, and the report shows it.

SCHEDULES
  constant   --rate N --duration D                 N requests/s for D
  ramp       --rate A --ramp-to B --duration D     linearly from A to B req/s
  steps      --rate A --step-rate S --max-rate B --step-duration D
             A, A+S, A+2S, … up to B, each for D
  capacity   steps plus --slo-p99 1ms: stop at the first step whose p99 (or
             error rate, --max-errors) fails, and report the last passing step
  --warmup D runs first at the first rate and is left out of the figures.

TRAFFIC
  Codes come from a file (--codes: one scanned string per line — Digital Link
  URIs, short-code URLs or raw codes for /resolve), from the server's API
  (--key KEY --blocks ID,ID|all), or from a bench world (--world DIR, built by
  tracecode bench --world DIR; serve its store with tracecode serve --data
  DIR/store): a sample of its packed items, uniform over the world, lot by
  lot. Popularity mixes over such a world:
    uniform       --zipf-theta 0
    Zipf          the default (scrambled, θ=0.99)
    one hot lot   --hot-share 0.5 [--hot-lot NAME]: half the Digital Link and
                  /resolve scans go to one lot (default its first), uniformly
                  within it; the rest follow the popularity above. Popularity follows YCSB's scrambled Zipf
  (θ=0.99); --forged sends a share of mutated, never-issued codes (a 404 for
  those is a correct answer, counted apart from errors); --forms and --accept
  mix URL forms and JSON/HTML answers.

READING THE RESULT
  offered/s vs achieved/s   achieved below offered: a backlog built up.
  p50 … max                 from the intended send time; "(N slower)" says how
                            many requests a percentile rests on.
  service time              from the actual send — what wrk would report; a big
                            gap to the latency means queueing or stalls.
  errors                    by class: connect, timeout, closed, http_4xx,
                            http_5xx, body (wrong type/body), forged_accepted,
                            unsent (still queued when the run ended).
  generator                 its CPU and how late it sent. If it says GENERATOR
                            SATURATED, the figures measure this tool, not the
                            server: give it more cores or lower the rate.
  DIR/results.json holds every figure (schema in docs/loadtest.md) and
  DIR/report.html the plots: latency over time, the percentile spectrum, and
  for step runs p99 against offered rate.

Only loopback targets are allowed unless --allow-remote is given.`,
	Example: `  tracecode loadtest --target http://127.0.0.1:8080 --key KEY --blocks all \
      --rate 5000 --duration 30s --forms dl=1 --accept json=1 --out lt-out
  tracecode loadtest --target http://127.0.0.1:8080 --world /var/tmp/world-medium \
      --rate 5000 --duration 30s --forms dl=1 --hot-share 0.5 --out lt-hot
  tracecode loadtest --target http://127.0.0.1:8080 --codes codes.txt \
      --rate 5000 --step-rate 5000 --max-rate 60000 --step-duration 10s --slo-p99 1ms`,
	Args: cobra.NoArgs,
	RunE: runLoadtest,
}

var loadtestServerFlags struct {
	addr, key, writeCodes string
	codes, blocks, body   int
	delay                 time.Duration
	constant              bool
}

var loadtestServerCmd = &cobra.Command{
	Use:   "testserver",
	Short: "Serve a stand-in resolver on loopback for calibrating the load generator",
	Long: `testserver runs a small fasthttp server that answers the resolver's routes
(/01/…/21/…, /c/{short}, /resolve?code=) for a deterministic set of codes, the
API routes loadtest fetches codes from (GET /v1/blocks, GET
/v1/blocks/{id}/codes?format=dl|short) and /readyz. It is not the tracecode
server: answers are canned. With --constant every resolver route answers the
same 200 JSON body without a look-up — the constant-body baseline used to
compare loadtest with wrk (docs/loadtest.md).

It prints "demo API key: KEY" and runs until interrupted.`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) error {
		f := loadtestServerFlags
		host, _, err := net.SplitHostPort(f.addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("testserver: --addr %q: give a loopback address such as 127.0.0.1:8099", f.addr)
		}
		s, err := testserver.Start(f.addr, testserver.Config{Codes: f.codes, Blocks: f.blocks, APIKey: f.key,
			BodySize: f.body, Delay: f.delay, Constant: f.constant})
		if err != nil {
			return err
		}
		defer s.Close()
		out := cmd.OutOrStdout()
		if f.writeCodes != "" {
			codes := append(s.DLURIs(), s.ShortURLs()...)
			if err := os.WriteFile(f.writeCodes, []byte(strings.Join(codes, "\n")+"\n"), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(out, "codes written to %s\n", f.writeCodes)
		}
		fmt.Fprintf(out, "testserver: listening on %s (%d codes in %d blocks, constant=%v)\n", s.URL(), f.codes, f.blocks, f.constant)
		fmt.Fprintf(out, "demo API key: %s\n", s.APIKey())
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		<-ctx.Done()
		return nil
	},
}

func init() {
	f := loadtestCmd.Flags()
	lf := &loadtestFlags
	f.StringVar(&lf.target, "target", "", "server base URL, e.g. http://127.0.0.1:8080 (required); several separated by commas (a writer and its replicas): scan connections go to them round-robin, writes and --key code fetches to the first")
	f.Float64Var(&lf.rate, "rate", 1000, "arrival rate in requests/s (the first step's rate for step runs)")
	f.DurationVar(&lf.duration, "duration", 30*time.Second, "length of a constant or ramp run")
	f.Float64Var(&lf.rampTo, "ramp-to", 0, "ramp linearly from --rate to this rate over --duration")
	f.Float64Var(&lf.stepRate, "step-rate", 0, "step runs: add this many requests/s per step")
	f.Float64Var(&lf.maxRate, "max-rate", 0, "step runs: the last step's rate")
	f.DurationVar(&lf.stepDuration, "step-duration", 10*time.Second, "step runs: length of each step")
	f.DurationVar(&lf.warmup, "warmup", 2*time.Second, "warm-up at the first rate, left out of the figures (0 for none)")
	f.DurationVar(&lf.sloP99, "slo-p99", 0, "p99 objective, e.g. 1ms: stop stepping at the first step that fails it")
	f.Float64Var(&lf.maxErrors, "max-errors", 0.001, "largest error share a passing step may have")
	f.IntVar(&lf.conns, "conns", 64, "keep-alive connections")
	f.StringVar(&lf.engine, "engine", "", `how to send: "epoll" (event loops; the default on Linux for http) or "goroutines" (one per connection)`)
	f.DurationVar(&lf.spin, "spin", 0, "epoll engine: poll this long before sleeping while answers are awaited (CPU for wake-up latency), e.g. 50us")
	f.IntVar(&lf.loops, "loops", 0, "epoll engine: event loops (each on one core); 0 = half of --procs/GOMAXPROCS, at least 1")
	f.DurationVar(&lf.timeout, "timeout", 2*time.Second, "per-request timeout, from the send")
	f.DurationVar(&lf.drain, "drain", 0, "after the schedule ends, how long queued requests may still be sent (default --timeout)")
	f.DurationVar(&lf.late, "late-threshold", time.Millisecond, "a send later than this after a connection was free counts as late")
	f.StringVar(&lf.codes, "codes", "", "file of codes, one scanned string per line")
	f.StringVar(&lf.world, "world", "", "scan a bench world's codes (tracecode bench --world DIR): its sample of packed items, lot by lot")
	f.Float64Var(&lf.hotShare, "hot-share", 0, "with --world: share of Digital Link and /resolve scans sent to one lot (one hot lot), in [0,1)")
	f.StringVar(&lf.hotLot, "hot-lot", "", "with --hot-share: the hot lot's name (default: the world's first lot)")
	f.StringVar(&lf.key, "key", os.Getenv("TRACECODE_API_KEY"), "API key to fetch codes with (env TRACECODE_API_KEY)")
	f.StringVar(&lf.blocks, "blocks", "all", "with --key: comma-separated block IDs, or all")
	f.IntVar(&lf.perBlock, "codes-per-block", 100_000, "with --key: codes to fetch per block")
	f.BoolVar(&lf.shortCodes, "short-codes", true, "with --key: also fetch short codes (format=short)")
	f.StringVar(&lf.forms, "forms", "dl=0.7,short=0.2,resolve=0.1", "URL form weights: dl, short, resolve")
	f.StringVar(&lf.accepts, "accept", "json=0.8,html=0.2", "Accept header weights: json, html")
	f.Float64Var(&lf.forged, "forged", 0.05, "share of forged (never-issued) codes")
	f.Float64Var(&lf.theta, "zipf-theta", loadtest.ScrambledTheta, "Zipf exponent of code popularity in [0,1); 0 is uniform")
	f.BoolVar(&lf.scrambled, "zipf-scrambled", true, "spread popular codes over the key space (YCSB ScrambledZipfian; needs θ=0.99)")
	f.Uint64Var(&lf.seed, "seed", 1, "traffic seed: the same seed sends the same requests in the same order")
	f.Float64Var(&lf.mintRate, "mint-rate", 0, "write traffic: POST /v1/blocks per second alongside the scans (needs --key with the mint scope)")
	f.IntVar(&lf.mintCount, "mint-count", 1000, "write traffic: codes per minted block")
	f.StringVar(&lf.mintGTIN, "mint-gtin", "", "write traffic: GTIN to mint for (default: that of the key's first block)")
	f.StringVar(&lf.mintLot, "mint-lot", "", "write traffic: lot to mint into, created on first use (default LT<run id>)")
	f.Float64Var(&lf.reportRate, "report-rate", 0, "write traffic: line reports (commission) per second (needs --key with the report scope)")
	f.IntVar(&lf.reportCount, "report-count", 100, "write traffic: codes each report commissions (from blocks minted before the run)")
	f.IntVar(&lf.writeConns, "write-conns", 4, "write traffic: connections, apart from the scans'")
	f.StringVar(&lf.out, "out", "loadtest-out", "directory for results.json and report.html")
	f.BoolVar(&lf.allowRemote, "allow-remote", false, "allow a target that is not a loopback address")
	f.Int64Var(&lf.maxRequests, "max-requests", 100_000_000, "refuse schedules sending more requests")
	f.DurationVar(&lf.maxDuration, "max-duration", time.Hour, "refuse schedules lasting longer")
	f.BoolVar(&lf.quiet, "quiet", false, "no progress line")
	f.IntVar(&lf.procs, "procs", 0, "CPU cores (GOMAXPROCS) the generator may use; 0 = all. On a machine shared with the server, give each its own")
	f.StringVar(&lf.cpuProfile, "cpuprofile", "", "write the generator's CPU profile to this file")
	_ = f.MarkHidden("cpuprofile")

	sf := loadtestServerCmd.Flags()
	sl := &loadtestServerFlags
	sf.StringVar(&sl.addr, "addr", "127.0.0.1:8099", "loopback address to listen on")
	sf.IntVar(&sl.codes, "codes", 100_000, "number of valid codes")
	sf.IntVar(&sl.blocks, "blocks", 1, "number of blocks the API lists")
	sf.StringVar(&sl.key, "key", "test-key", "API key the /v1 routes accept")
	sf.IntVar(&sl.body, "body-size", 0, "pad 200 answers to this many bytes")
	sf.DurationVar(&sl.delay, "delay", 0, "latency added to every resolver answer")
	sf.BoolVar(&sl.constant, "constant", false, "answer every resolver route with one constant 200 body")
	sf.StringVar(&sl.writeCodes, "write-codes", "", "write the codes (Digital Link and short URLs) to this file")

	loadtestCmd.AddCommand(loadtestServerCmd)
	rootCmd.AddCommand(loadtestCmd)
}

// loadtestPhases builds the schedule from the flags.
func loadtestPhases() ([]loadtest.Phase, error) {
	f := loadtestFlags
	var ph []loadtest.Phase
	switch {
	case f.stepRate > 0:
		if f.maxRate < f.rate {
			return nil, fmt.Errorf("loadtest: --step-rate needs --max-rate ≥ --rate (%g)", f.rate)
		}
		const maxSteps = 200
		for r := f.rate; r <= f.maxRate*(1+1e-9); r += f.stepRate {
			ph = append(ph, loadtest.Phase{Rate: r, Duration: f.stepDuration})
			if len(ph) > maxSteps {
				return nil, fmt.Errorf("loadtest: more than %d steps: raise --step-rate", maxSteps)
			}
		}
	case f.rampTo > 0:
		ph = append(ph, loadtest.Phase{Rate: f.rate, EndRate: f.rampTo, Duration: f.duration})
	default:
		ph = append(ph, loadtest.Phase{Rate: f.rate, Duration: f.duration})
	}
	if f.warmup > 0 {
		ph = append([]loadtest.Phase{{Rate: f.rate, Duration: f.warmup, Warmup: true}}, ph...)
	}
	return ph, nil
}

// loadtestTraffic loads the codes and builds the traffic mix.
func loadtestTraffic(ctx context.Context, errOut *os.File) (*loadtest.Traffic, string, error) {
	f := loadtestFlags
	var c loadtest.Corpus
	var source string
	var hot loadtest.Hot
	if f.hotShare != 0 && f.world == "" {
		return nil, "", fmt.Errorf("loadtest: --hot-share needs --world (the lots come from the world)")
	}
	switch {
	case f.world != "":
		if f.codes != "" {
			return nil, "", fmt.Errorf("loadtest: give --world or --codes, not both")
		}
		w, err := loadtest.LoadWorld(&c, f.world)
		if err != nil {
			return nil, "", err
		}
		source = fmt.Sprintf("world:%s (%d codes sampled from %d packed items in %d lots, %d minted)", f.world, w.Codes, w.Items, len(w.Lots), w.Minted)
		if f.hotShare > 0 {
			l, ok := w.Lot(f.hotLot)
			if !ok {
				return nil, "", fmt.Errorf("loadtest: --hot-lot %q: the world has no such lot", f.hotLot)
			}
			hot = loadtest.Hot{Share: f.hotShare, First: l.First, Count: l.Count}
			source += fmt.Sprintf("; %.0f %% of scans on lot %s (%d codes)", f.hotShare*100, l.Name, l.Count)
		}
	case f.codes != "": // --key, if given, is for the write traffic
		n, err := loadtest.LoadCodesFile(&c, f.codes)
		if err != nil {
			return nil, "", err
		}
		source = fmt.Sprintf("file:%s (%d lines)", f.codes, n)
	case f.key != "":
		var blocks []string
		for _, b := range strings.Split(f.blocks, ",") {
			if b = strings.TrimSpace(b); b != "" {
				blocks = append(blocks, b)
			}
		}
		st, err := loadtest.FetchCodes(ctx, &c, loadtest.FetchOptions{Target: strings.TrimSpace(strings.Split(f.target, ",")[0]), Key: f.key, Blocks: blocks,
			PerBlock: f.perBlock, Short: f.shortCodes})
		if err != nil {
			return nil, "", err
		}
		for _, w := range st.Warnings {
			fmt.Fprintln(errOut, "loadtest: warning:", w)
		}
		source = fmt.Sprintf("api:blocks %s (%d dl, %d short, %d raw)", strings.Join(st.Blocks, ","), st.DL, st.Short, st.Raw)
	default:
		return nil, "", fmt.Errorf("loadtest: no codes: give --codes FILE, --world DIR or --key KEY (see --help)")
	}
	if c.Skipped() > 0 {
		fmt.Fprintf(errOut, "loadtest: warning: %d lines were not codes and were skipped\n", c.Skipped())
	}
	m := loadtest.Mix{Forged: f.forged, Theta: f.theta, Scrambled: f.scrambled, Seed: f.seed, Hot: hot}
	w, err := loadtest.ParseWeights(f.forms, loadtest.FormNames)
	if err != nil {
		return nil, "", fmt.Errorf("loadtest: --forms: %w", err)
	}
	copy(m.Forms[:], w)
	w, err = loadtest.ParseWeights(f.accepts, loadtest.AcceptNames)
	if err != nil {
		return nil, "", fmt.Errorf("loadtest: --accept: %w", err)
	}
	copy(m.Accepts[:], w)
	if m.Scrambled && m.Theta != loadtest.ScrambledTheta {
		m.Scrambled = false // an explicit other θ means the plain Zipfian
	}
	tr, err := loadtest.NewTraffic(&c, m)
	return tr, source, err
}

func runLoadtest(cmd *cobra.Command, _ []string) error {
	f := loadtestFlags
	if f.target == "" {
		return fmt.Errorf("loadtest: --target is required (the server's base URL, e.g. http://127.0.0.1:8080)")
	}
	phases, err := loadtestPhases()
	if err != nil {
		return err
	}
	if f.procs < 0 {
		return fmt.Errorf("loadtest: --procs %d: want ≥ 0 (0 = all cores)", f.procs)
	}
	if f.procs > 0 {
		runtime.GOMAXPROCS(f.procs)
	}
	engine := loadtest.Engine(f.engine)
	if engine != loadtest.EngineAuto && engine != loadtest.EngineLoop && engine != loadtest.EngineGoroutines {
		return fmt.Errorf("loadtest: --engine %q: want %q or %q", f.engine, loadtest.EngineLoop, loadtest.EngineGoroutines)
	}
	if f.loops < 0 || f.loops > 0 && engine == loadtest.EngineGoroutines {
		return fmt.Errorf("loadtest: --loops %d: want ≥ 0, and only with the epoll engine", f.loops)
	}
	if f.spin < 0 || f.spin > time.Second || f.spin > 0 && engine == loadtest.EngineGoroutines {
		return fmt.Errorf("loadtest: --spin %v: want 0..1s, and only with the epoll engine", f.spin)
	}
	var writes *loadtest.Writes
	if f.mintRate != 0 || f.reportRate != 0 {
		switch {
		case f.key == "":
			return fmt.Errorf("loadtest: --mint-rate/--report-rate need --key (a key with the mint and report scopes)")
		case f.mintRate < 0 || f.mintRate > 10_000:
			return fmt.Errorf("loadtest: --mint-rate %g: want 0..10000 requests/s", f.mintRate)
		case f.reportRate < 0 || f.reportRate > 10_000:
			return fmt.Errorf("loadtest: --report-rate %g: want 0..10000 requests/s", f.reportRate)
		case f.mintCount < 1 || f.mintCount > 10_000_000:
			return fmt.Errorf("loadtest: --mint-count %d: want 1..10000000 codes", f.mintCount)
		case f.reportCount < 1 || f.reportCount > 1_000_000:
			return fmt.Errorf("loadtest: --report-count %d: want 1..1000000 codes", f.reportCount)
		case f.writeConns < 1 || f.writeConns > 256:
			return fmt.Errorf("loadtest: --write-conns %d: want 1..256", f.writeConns)
		}
		writes = &loadtest.Writes{Key: f.key, MintRate: f.mintRate, MintCount: f.mintCount, ReportRate: f.reportRate,
			ReportCount: f.reportCount, GTIN: f.mintGTIN, Lot: f.mintLot, Conns: f.writeConns}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tr, source, err := loadtestTraffic(ctx, os.Stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("loadtest: --out: %w", err)
	}
	cfg := loadtest.Config{Writes: writes,
		Target: f.target, AllowRemote: f.allowRemote, Phases: phases, SLOP99: f.sloP99, MaxErrorRate: f.maxErrors,
		Conns: f.conns, Engine: engine, Loops: f.loops, Spin: f.spin, Timeout: f.timeout, Drain: f.drain, LateThreshold: f.late,
		MaxRequests: f.maxRequests, MaxDuration: f.maxDuration, Traffic: tr, TrafficSource: source,
	}
	if !f.quiet {
		cfg.Progress = os.Stderr
	}
	stopProfile, err := startCPUProfile(f.cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	res, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if err := res.WriteSummary(out); err != nil {
		return err
	}
	jp, err := res.WriteFile(f.out)
	if err != nil {
		return err
	}
	hp, err := report.WriteFile(f.out, res)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nwrote %s and %s\n", jp, hp)
	if res.Interrupted {
		return exitError{code: 130}
	}
	return nil
}
