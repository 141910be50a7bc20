package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"tracecode/bench/pgbase"
	"tracecode/internal/rusage"
)

// Config is what `tracecode bench` was asked for.
type Config struct {
	// Scale picks the sizes: "small" (about two minutes here), "medium",
	// "large" (the capacity run). Default small.
	Scale string
	// PostgresDSN is the baseline's server; "" means pgbase.DefaultDSN.
	// NoPostgres skips the baseline.
	PostgresDSN string
	NoPostgres  bool
	// Out is the directory results.json, summary.md and report.html are
	// written to; it is created if missing.
	Out string
	// WorkDir holds the stores the scenarios build; "" means a temporary
	// directory removed afterwards.
	WorkDir string
	// Progress receives notes and, unless Bar is set, one summary line per
	// long step (os.Stderr from the CLI); nil means io.Discard.
	Progress io.Writer
	// Bar, when set, follows each long step (total units, its name) instead
	// of the summary line: cmd/tracecode draws a bar on a terminal.
	Bar func(total int64, what string) Progress
	// Repeat is how many times each timed scenario repeats (≥ 1); more
	// repetitions make `bench compare` more sensitive. 0 means the scale's
	// default.
	Repeat int
	// World is the directory the chain scenarios' world is kept in
	// (bench/worldfile) and reused from by later runs of the same scale;
	// "" means a world built in WorkDir for this run only.
	World string
	// Only, when not empty, runs just the scenarios whose names start with
	// one of its entries ("resolve/http" runs resolve/http and
	// resolve/http-half over the world, nothing else); the world is
	// still built or opened when a chain scenario is wanted.
	Only []string
	// Self is the tracecode binary, re-executed as `tracecode loadtest`
	// for the half-saturation client in its own process; "" (a test
	// binary) leaves only the in-process client.
	Self string
	// TraceHalf, when set, writes a runtime/trace of the first seconds of
	// each half-saturation round against the resolver to TraceHalf.sep
	// (separate client) and TraceHalf.inproc (in-process client).
	TraceHalf string
}

// Sizes are the workload sizes of a scale.
type Sizes struct {
	MintBlockCodes int64 // codes per minted block (tracecode: one record)
	MintBlocks     int   // blocks minted per repetition
	PGMintCodes    int   // rows the baseline COPYs per repetition
	StreamCodes    int64 // codes streamed per format
	// WorldItems are the world's packed items (10 per case, 50 cases per
	// pallet), in lots of LotItems; MintedCodes the world's minted codes,
	// spare blocks included (world.go).
	WorldItems  int
	LotItems    int
	MintedCodes int64
	// PackItems are the items each run commissions and packs into the
	// world (the timed commission, pack and events scenarios).
	PackItems int
	Resolves  int // resolutions per repetition
	// CaptureEvents are the EPCIS ObjectEvents the capture family
	// captures in documents of 500, then queries (tc_capture.go).
	CaptureEvents int
	ForgedShare   float64
	Repeat        int
}

// Scales are the predefined sizes. small keeps the whole run within a
// couple of minutes on a 2-core machine; large is the capacity run.
var Scales = map[string]Sizes{
	// smoke is the run `make test` does under TRACECODE_CI=1: every
	// scenario, tiny sizes, seconds.
	"smoke":  {MintBlockCodes: 1_000_000, MintBlocks: 20, PGMintCodes: 5_000, StreamCodes: 50_000, WorldItems: 5_000, LotItems: 2_500, MintedCodes: 1_000_000, PackItems: 5_000, Resolves: 2_000, CaptureEvents: 2_000, ForgedShare: 0.05, Repeat: 3},
	"small":  {MintBlockCodes: 10_000_000, MintBlocks: 200, PGMintCodes: 200_000, StreamCodes: 2_000_000, WorldItems: 1_000_000, LotItems: 1_000_000, MintedCodes: 1_000_000_000, PackItems: 1_000_000, Resolves: 20_000, CaptureEvents: 100_000, ForgedShare: 0.05, Repeat: 5},
	"medium": {MintBlockCodes: 100_000_000, MintBlocks: 1_000, PGMintCodes: 2_000_000, StreamCodes: 20_000_000, WorldItems: 10_000_000, LotItems: 1_000_000, MintedCodes: 1_000_000_000, PackItems: 2_000_000, Resolves: 200_000, CaptureEvents: 1_000_000, ForgedShare: 0.05, Repeat: 5},
	"large":  {MintBlockCodes: 100_000_000, MintBlocks: 1_000, PGMintCodes: 20_000_000, StreamCodes: 100_000_000, WorldItems: 100_000_000, LotItems: 1_000_000, MintedCodes: 1_000_000_000, PackItems: 20_000_000, Resolves: 1_000_000, CaptureEvents: 10_000_000, ForgedShare: 0.05, Repeat: 10},
}

// env is what scenarios share within one run.
type env struct {
	cfg   Config
	sizes Sizes
	res   *Results
	pg    *pgbase.DB // nil when the baseline is skipped
	work  string     // scratch directory for stores
	log   io.Writer
}

// scenarioGroup is one family of scenarios; groups run in order.
type scenarioGroup struct {
	name string
	// scenarios are the names (or name prefixes) of the scenarios the
	// group records, for Config.Only.
	scenarios []string
	run       func(ctx context.Context, e *env) error
}

// want reports whether the run records scenario name (Config.Only).
func (e *env) want(name string) bool {
	if len(e.cfg.Only) == 0 {
		return true
	}
	for _, o := range e.cfg.Only {
		if strings.HasPrefix(name, o) {
			return true
		}
	}
	return false
}

// wantGroup reports whether any scenario of g is wanted.
func (e *env) wantGroup(g scenarioGroup) bool {
	for _, n := range g.scenarios {
		if e.want(n) {
			return true
		}
		for _, o := range e.cfg.Only {
			if strings.HasPrefix(o, n) {
				return true
			}
		}
	}
	return false
}

// groups is the suite, in run order. Files in this package append to it
// from init functions, one file per family.
var groups []scenarioGroup

func register(name string, scenarios []string, run func(ctx context.Context, e *env) error) {
	groups = append(groups, scenarioGroup{name: name, scenarios: scenarios, run: run})
}

// Run runs the suite and writes results.json, summary.md and report.html
// into cfg.Out.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	if cfg.Scale == "" {
		cfg.Scale = "small"
	}
	sizes, ok := Scales[cfg.Scale]
	if !ok {
		return nil, fmt.Errorf("bench: unknown scale %q (want small, medium or large; smoke for tests)", cfg.Scale)
	}
	if cfg.Repeat > 0 {
		sizes.Repeat = cfg.Repeat
	}
	if cfg.Out == "" {
		return nil, errors.New("bench: no output directory (--out DIR)")
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	log := cfg.Progress
	if log == nil {
		log = io.Discard
	}
	work := cfg.WorkDir
	if work == "" {
		d, err := os.MkdirTemp("", "tracecode-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(d)
		work = d
	}
	res := &Results{Schema: SchemaVersion, Scale: cfg.Scale, StartedAt: time.Now().UTC(), Machine: machine()}
	e := &env{cfg: cfg, sizes: sizes, res: res, work: work, log: log}
	if !cfg.NoPostgres {
		db, err := pgbase.Open(ctx, cfg.PostgresDSN)
		if err != nil {
			if pgbase.Required() {
				return nil, fmt.Errorf("bench: TRACECODE_CI=1 requires the PostgreSQL baseline: %w", err)
			}
			note := fmt.Sprintf("PostgreSQL baseline skipped: %v", err)
			res.Notes = append(res.Notes, note)
			fmt.Fprintln(log, "note:", note)
		} else {
			defer db.Close()
			e.pg = db
		}
	} else {
		res.Notes = append(res.Notes, "PostgreSQL baseline skipped: --no-postgres")
	}
	start := time.Now()
	for _, g := range groups {
		if !e.wantGroup(g) {
			continue
		}
		fmt.Fprintf(log, "== %s\n", g.name)
		if err := g.run(ctx, e); err != nil {
			return res, fmt.Errorf("bench: %s: %w", g.name, err)
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.Machine.PeakRSSBytes = rusage.PeakRSS()
	res.Ratios = ratios(res)
	if err := writeOutputs(res, cfg.Out); err != nil {
		return res, err
	}
	return res, nil
}

func writeOutputs(res *Results, dir string) error {
	if err := res.WriteJSON(filepath.Join(dir, "results.json")); err != nil {
		return fmt.Errorf("bench: results.json: %w", err)
	}
	return WriteReports(res, dir)
}

// WriteReports writes summary.md and report.html of res into dir
// (`tracecode bench report` writes them again from a results.json, with
// the headlines computed again from its scenarios).
func WriteReports(res *Results, dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), []byte(Summary(res)), 0o644); err != nil {
		return fmt.Errorf("bench: summary.md: %w", err)
	}
	html, err := HTMLReport(res)
	if err != nil {
		return fmt.Errorf("bench: report.html: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "report.html"), html, 0o644)
}

func machine() Machine {
	m := Machine{GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				if i := strings.IndexByte(line, ':'); i >= 0 {
					m.CPUModel = strings.TrimSpace(line[i+1:])
				}
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb uint64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemTotalBytes = kb * 1024
		}
	}
	return m
}

// dirSize returns the bytes of regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
