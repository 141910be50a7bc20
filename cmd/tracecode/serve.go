package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/apikey"
	engineconfig "tracecode/engine/config"
	"tracecode/engine/demo"
	"tracecode/engine/label"
	"tracecode/engine/notice"
	"tracecode/engine/opendata"
	"tracecode/engine/scanlog"
	"tracecode/replicate"
	"tracecode/server"
)

var serveFlags struct {
	data            string
	addr            string
	publicBase      string
	demo            bool
	cacheSize       int64
	readTimeout     time.Duration
	writeTimeout    time.Duration
	streamTimeout   time.Duration
	idleTimeout     time.Duration
	shutdownTimeout time.Duration
	requestTimeout  time.Duration
	maxBody         int
	maxCapture      int
	maxLargeBodies  int
	rateLimit       float64
	rateBurst       int
	writeRateLimit  float64
	writeRateBurst  int
	orgWriteRate    float64
	orgWriteBurst   int
	trustForwarded  bool
	scanFlush       time.Duration
	suspiciousScore int
	regionHeader    string
	suspiciousRegs  int
	noRawScans      bool
	cacheEntries    int
	cacheGlobal     bool
	openLicence     string
	openLicenceURL  string
	openMinEnt      int
	openDominance   int
	resolveCache    int
	logFormat       string
	logLevel        string
	accessLog       bool
	checkpointEvery time.Duration
	tlsCert         string
	tlsKey          string
	backupDir       string
	natsURL         string
	labelTemplates  string
	labelFont       string
}

var serveCmd = &cobra.Command{
	Use:   "serve",
	Short: "Serve the public resolver, the /v1 API and the operations endpoints",
	Long: `serve opens the store in --data and serves, on --addr:

  the public resolver   /01/{gtin}[/22/…][/10/{lot}]/21/{serial}, /00/{sscc},
                        /c/{short}, /resolve?code=…: an HTML scan page for
                        browsers (zh/en), JSON with the full chain, RFC 9264
                        linksets, ?linkType= redirects (GS1 resolver rules),
                        /.well-known/gs1resolver
  the API               /v1/… with "Authorization: Bearer KEY" (docs/api.md,
                        docs/openapi.yaml)
  operations            /healthz, /readyz, /metrics (Prometheus)

Every flag can also be set by an environment variable: TRACECODE_ and the
flag's name in upper case with '-' as '_' (--rate-limit → TRACECODE_RATE_LIMIT),
or in the [serve] table of the --config file (rate-limit = 100). A flag
given on the command line wins, then the environment, then the file.

With --demo an empty data directory is seeded with the demo data set and
the server prints scan URLs and API keys ("demo API key: …") to try. On a
store without any API key (and without --demo) an operator key is created
and printed once.

Every --checkpoint-every (a day by default) each organisation's log that
grew gets a Merkle checkpoint, as tracecode checkpoint writes.

With --tls-cert and --tls-key it serves HTTPS (TLS 1.2 or later, HTTP/1.1:
fasthttp has no HTTP/2; docs/operations.md). SIGHUP reads the certificate
and key again: new connections get the new certificate, open connections
are not dropped; if the files do not load, the old certificate stays.

With --backup-dir, SIGUSR1 writes an online backup of the store there
(tracecode-YYYYMMDDTHHMMSSZ.tar.zst, as tracecode backup writes; one at a
time) while serving goes on.

SIGINT or SIGTERM shuts down gracefully: in-flight requests finish, the scan
log is flushed with fsync, the store is closed.`,
	Args: cobra.NoArgs,
	RunE: runServe,
}

func init() {
	f := serveCmd.Flags()
	f.StringVar(&serveFlags.data, "data", "./data", "data directory (created if missing)")
	f.StringVar(&serveFlags.addr, "addr", server.DefaultAddr, "listen address host:port")
	f.StringVar(&serveFlags.publicBase, "public-base", "", "scheme://host[:port] consumers reach the resolver at; printed codes use it (default http://ADDR)")
	f.BoolVar(&serveFlags.demo, "demo", false, "seed the demo data set into an empty data directory and print URLs and keys")
	f.Int64Var(&serveFlags.cacheSize, "cache-size", 0, "Pebble block cache in bytes (default 256 MiB)")
	f.DurationVar(&serveFlags.readTimeout, "read-timeout", server.DefaultReadTimeout, "time to read one request")
	f.DurationVar(&serveFlags.writeTimeout, "write-timeout", server.DefaultWriteTimeout, "time to write one response")
	f.DurationVar(&serveFlags.streamTimeout, "stream-timeout", server.DefaultStreamTimeout, "time to write one code stream")
	f.DurationVar(&serveFlags.idleTimeout, "idle-timeout", server.DefaultIdleTimeout, "keep-alive idle time")
	f.DurationVar(&serveFlags.shutdownTimeout, "shutdown-timeout", server.DefaultShutdownTimeout, "graceful shutdown deadline")
	f.DurationVar(&serveFlags.requestTimeout, "request-timeout", server.DefaultRequestTimeout, "time a /v1 write may wait for the engine before it is abandoned (503)")
	f.IntVar(&serveFlags.maxBody, "max-body", server.DefaultMaxBodyBytes, "largest /v1 request body in bytes")
	f.IntVar(&serveFlags.maxCapture, "max-capture", server.DefaultMaxCaptureBytes, "largest EPCIS document posted to /v1/events in bytes")
	f.IntVar(&serveFlags.maxLargeBodies, "max-large-bodies", server.DefaultMaxLargeBodies, "request bodies over --max-body (captures) received at once; more answer 503")
	f.Float64Var(&serveFlags.rateLimit, "rate-limit", server.DefaultRateLimit, "public requests per second per client address (negative: no limit; loopback is never limited)")
	f.IntVar(&serveFlags.rateBurst, "rate-burst", server.DefaultRateBurst, "public requests a client may make at once")
	f.Float64Var(&serveFlags.writeRateLimit, "write-rate-limit", server.DefaultWriteRateLimit, "/v1 writes per second per API key (negative: no limit)")
	f.IntVar(&serveFlags.writeRateBurst, "write-rate-burst", server.DefaultWriteRateBurst, "/v1 writes an API key may make at once")
	f.Float64Var(&serveFlags.orgWriteRate, "org-write-rate-limit", server.DefaultOrgWriteRateLimit, "/v1 writes per second of all of an organisation's keys together (negative: no limit)")
	f.IntVar(&serveFlags.orgWriteBurst, "org-write-rate-burst", server.DefaultOrgWriteRateBurst, "/v1 writes an organisation's keys may make at once together")
	f.BoolVar(&serveFlags.trustForwarded, "trust-forwarded", false, "take the client address from X-Forwarded-For (behind a reverse proxy)")
	f.DurationVar(&serveFlags.scanFlush, "scan-flush", scanlog.DefaultFlushInterval, "how often the scan log is written")
	f.IntVar(&serveFlags.suspiciousScore, "suspicious-score", scanlog.DefaultSuspiciousScore, "clone evidence that flags an item: distinct clients scanning it, a phone 2, an app 1, a crawler 0, at most 2 per address")
	f.IntVar(&serveFlags.suspiciousRegs, "suspicious-regions", scanlog.DefaultSuspiciousRegions, "distinct prefectures trusted scans of one item may come from before it is flagged")
	f.StringVar(&serveFlags.regionHeader, "region-header", "", "request header a trusted edge sets to the client's GB/T 2260 region (e.g. X-Client-Region); empty: scan regions are not recorded")
	f.BoolVar(&serveFlags.noRawScans, "no-raw-scans", false, "keep only per-item scan counts, not every scan")
	f.StringVar(&serveFlags.openLicence, "open-data-licence", server.DefaultOpenDataLicence, "SPDX identifier of the open data's licence (/open/)")
	f.StringVar(&serveFlags.openLicenceURL, "open-data-licence-url", "", "URL of the open data licence's text (default: CC BY 4.0's, for the default licence)")
	f.IntVar(&serveFlags.openMinEnt, "open-data-min-enterprises", opendata.DefaultMinEnterprises, "open data statistics: suppress a cell with fewer contributing enterprises")
	f.IntVar(&serveFlags.openDominance, "open-data-dominance", opendata.DefaultDominancePercent, "open data statistics: suppress a cell one enterprise contributes more than this percentage of")
	f.IntVar(&serveFlags.cacheEntries, "cache-entries", server.DefaultCacheEntries, "public JSON answers kept in the response cache (negative: none)")
	f.BoolVar(&serveFlags.cacheGlobal, "cache-global", false, "every write drops every cached answer, not only those of the products it changed (for comparison)")
	f.IntVar(&serveFlags.resolveCache, "resolve-cache", engineconfig.DefaultResolveCache, "entries in each of the resolver's caches of event summaries, containers and parent windows (about 300 bytes each at most; see docs/capacity.md)")
	f.StringVar(&serveFlags.logFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&serveFlags.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.BoolVar(&serveFlags.accessLog, "access-log", false, "log every /v1 request")
	f.StringVar(&serveFlags.labelTemplates, "label-templates", "", "directory of label templates for /v1/blocks/{id}/labels (NAME.json, GTIN/NAME.json; default: the built-ins)")
	f.StringVar(&serveFlags.labelFont, "label-font", "", "TrueType font for the Chinese text of PDF and PNG labels (default: the system's fonts-droid-fallback)")
	f.DurationVar(&serveFlags.checkpointEvery, "checkpoint-every", 24*time.Hour, "how often every organisation's grown log gets a Merkle checkpoint (tracecode checkpoint); 0: only every 1,024 records")
	f.StringVar(&serveFlags.tlsCert, "tls-cert", "", "PEM certificate chain: serve HTTPS (with --tls-key); SIGHUP reads both files again")
	f.StringVar(&serveFlags.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	f.StringVar(&serveFlags.natsURL, "nats", "", "NATS server whose JetStream gets recall and alert notifications (tracecode.recall.<region>.<org>, tracecode.alert.<region>; e.g. nats://127.0.0.1:4222); empty: webhooks only, JetStream notifications wait in the outbox")
	f.StringVar(&serveFlags.backupDir, "backup-dir", "", "directory SIGUSR1 writes an online backup to (tracecode-TIME.tar.zst; tracecode restore reads it); empty: SIGUSR1 is ignored")
	rootCmd.AddCommand(serveCmd)
}

func newLogger(format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, o)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func runServe(cmd *cobra.Command, _ []string) error {
	sf := &serveFlags
	log, err := newLogger(sf.logFormat, sf.logLevel)
	if err != nil {
		return err
	}
	slog.SetDefault(log)
	if (sf.tlsCert == "") != (sf.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both or neither")
	}
	var certs *certReloader
	if sf.tlsCert != "" {
		if certs, err = newCertReloader(sf.tlsCert, sf.tlsKey); err != nil {
			return err
		}
	}
	publicBase := sf.publicBase
	if publicBase == "" {
		publicBase = "http://" + sf.addr
		if certs != nil {
			publicBase = "https://" + sf.addr
		}
	}
	// Printed codes point at this resolver.
	eo := &engine.Options{DLBase: strings.TrimRight(publicBase, "/"), ShortBase: strings.TrimRight(publicBase, "/")}
	eo.Store.CacheSize = sf.cacheSize
	eo.ResolveCache = sf.resolveCache
	if eo.KEK, err = loadKEK(sf.data); err != nil {
		return err
	}
	labels, err := label.LoadLibrary(sf.labelTemplates)
	if err != nil {
		return err
	}
	var labelFont *label.Font
	if sf.labelFont != "" {
		if labelFont, err = label.LoadFont(sf.labelFont); err != nil {
			return err
		}
	}
	var lw *logWriter
	replica := replicaFlags.of != ""
	if replica && (replFlags.urls != "" || sf.demo) {
		return errors.New("--replica-of serves a replica: it goes without --replicate (the writer's) and --demo (seeded through the writer)")
	}
	if replicaFlags.takeover && !replica {
		return errors.New("--takeover goes with --replica-of: a replica takes the writer's lease by itself once it lapses")
	}
	ctx := cmd.Context()
	cfg := replicate.Config{Replicas: replFlags.replicas, LeaseTTL: replFlags.leaseTTL}
	if replFlags.urls != "" {
		if lw, err = startWriter(ctx, replFlags.urls, replFlags.node, publicBase, cfg, replFlags.leaseWait, log); err != nil {
			return err
		}
		eo.Store.Replicator = lw.replicator()
	}
	start := time.Now()
	n := &servedNode{lw: lw, publicBase: publicBase, certs: certs, labels: labels, labelFont: labelFont, log: log}
	if replica {
		if n.rep, err = openReplica(ctx, replicaFlags.of, sf.data, eo, replicaFlags.refresh, log); err != nil {
			return err
		}
		n.eng = n.rep.eng
		if replicaFlags.takeover {
			n.promote = n.rep.enableTakeover(replicaFlags.of, replFlags.node, publicBase, cfg)
		}
	} else if n.eng, err = engine.Open(sf.data, eo); err != nil {
		if lw != nil {
			_ = lw.close(false)
		}
		return err
	}
	if lw != nil {
		if err := lw.check(n.eng); err != nil {
			n.close(false)
			return err
		}
	}
	if sealed, id := n.eng.Issuance().KeysSealed(); sealed {
		log.Info("FF1 keys sealed", "kek", id)
	} else {
		log.Warn("the FF1 keys are stored in the clear: a copy of the data directory can enumerate every serial; give a KEK (--kek-file or TRACECODE_KEK; docs/keys.md)", "data", sf.data)
	}
	log.Info("store open", "data", sf.data, "ms", time.Since(start).Milliseconds(), "orgs", len(n.eng.Issuance().Orgs()))
	for {
		promoted, handOver, err := n.serve(cmd)
		if promoted != nil && err != nil {
			_ = promoted.close(true)
			promoted = nil
		}
		if promoted == nil {
			// A drained shutdown hands the lease over.
			n.close(handOver)
			return err
		}
		// This replica took the lease: it serves as the writer from now on.
		eng, err := becomeWriter(ctx, n.rep, promoted, sf.data, eo, log)
		if err != nil {
			return err
		}
		n.eng, n.lw, n.rep, n.promote = eng, promoted, nil, nil
	}
}

// servedNode is what serve serves: the engine, and its hold on the
// replicated log as its writer or as a replica (both nil: a store of its
// own).
type servedNode struct {
	eng *engine.Engine
	lw  *logWriter
	rep *replicaNode
	// promote, on a replica with --takeover, receives the writer's hold
	// on the log once the replica took the lease.
	promote <-chan *logWriter

	publicBase string
	certs      *certReloader
	labels     *label.Library
	labelFont  *label.Font
	log        *slog.Logger
}

// close stops following (a replica), closes the engine, then the log as
// its writer (its last commits are published first; handOver releases
// the lease).
func (n *servedNode) close(handOver bool) {
	if n.rep != nil {
		n.rep.close()
	}
	if err := n.eng.Close(); err != nil {
		n.log.Error("closing the store", "err", err)
	}
	if n.lw != nil {
		if err := n.lw.close(handOver); err != nil {
			n.log.Error("closing the replicated log", "err", err)
		}
	}
}

// serve serves n's engine until SIGINT or SIGTERM (handOver: a drained
// shutdown), a failure, or — on a replica with --takeover — until the
// replica took the writer's lease (promoted: the server is shut down; the
// caller turns the replica into the writer and serves again).
func (n *servedNode) serve(cmd *cobra.Command) (promoted *logWriter, handOver bool, err error) {
	sf := &serveFlags
	eng, lw, rep, log, publicBase, certs := n.eng, n.lw, n.rep, n.log, n.publicBase, n.certs
	labels, labelFont := n.labels, n.labelFont
	replica := rep != nil
	if _, err := eng.OpenNotices(notice.Config{}); err != nil {
		return nil, false, err
	}
	scanOpts := scanlog.Options{FlushInterval: sf.scanFlush, SuspiciousScore: sf.suspiciousScore,
		SuspiciousRegions: sf.suspiciousRegs, NoRaw: sf.noRawScans}
	repCfg, err := replicaConfig(rep, &scanOpts)
	if err != nil {
		return nil, false, err
	}
	srv, err := server.New(eng, server.Config{
		Addr: sf.addr, PublicBase: publicBase,
		ReadTimeout: sf.readTimeout, WriteTimeout: sf.writeTimeout, StreamTimeout: sf.streamTimeout,
		IdleTimeout: sf.idleTimeout, ShutdownTimeout: sf.shutdownTimeout, RequestTimeout: sf.requestTimeout,
		MaxBodyBytes: sf.maxBody, MaxCaptureBytes: sf.maxCapture, MaxLargeBodies: sf.maxLargeBodies,
		RateLimit: sf.rateLimit, RateBurst: sf.rateBurst, TrustForwarded: sf.trustForwarded,
		RegionHeader:   sf.regionHeader,
		WriteRateLimit: sf.writeRateLimit, WriteRateBurst: sf.writeRateBurst,
		OrgWriteRateLimit: sf.orgWriteRate, OrgWriteRateBurst: sf.orgWriteBurst,
		Scans:        scanOpts,
		CacheEntries: sf.cacheEntries,
		CacheGlobal:  sf.cacheGlobal,
		OpenData: server.OpenDataConfig{Licence: sf.openLicence, LicenceURL: openLicenceURL(sf.openLicence, sf.openLicenceURL),
			Suppression: opendata.Config{MinEnterprises: sf.openMinEnt, DominancePercent: sf.openDominance}},
		Logger: log, AccessLog: sf.accessLog,
		Labels: labels, LabelFont: labelFont,
		Replica: repCfg,
	})
	if err != nil {
		return nil, false, err
	}
	stopMerge := func() {}
	if lw != nil {
		// The replicas' scan counts go into this server's scan log; the
		// merge stops before the server closes the log.
		stopMerge = startMergeScans(lw.nc, replicate.Config{Replicas: replFlags.replicas, LeaseTTL: replFlags.leaseTTL}, srv, eng, log)
		defer stopMerge()
	}
	if rep != nil {
		rep.serving(srv)
	} else if sf.demo {
		if err := serveDemo(cmd.Context(), eng, srv, sf.data, publicBase, log); err != nil {
			_ = srv.Shutdown(context.Background())
			return nil, false, err
		}
	} else if err := bootstrapKey(srv, log); err != nil {
		_ = srv.Shutdown(context.Background())
		return nil, false, err
	}

	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		_ = srv.Shutdown(context.Background())
		return nil, false, fmt.Errorf("listen on %s: %w", sf.addr, err)
	}
	if certs != nil {
		ln = tlsListener(ln, certs)
		log.Info("TLS on", "cert", sf.tlsCert, "subject", certs.leaf().Subject.String(), "not_after", certs.leaf().NotAfter)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	hups := make(chan os.Signal, 1)
	signal.Notify(hups, syscall.SIGHUP)
	defer signal.Stop(hups)
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	defer signal.Stop(usr1)
	var backups backupRunner
	// A backup in progress ends before the engine closes (the caller's).
	defer backups.wait()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	jobs, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	if sf.checkpointEvery > 0 && !replica {
		t := time.NewTicker(sf.checkpointEvery)
		go func() {
			defer close(jobsDone)
			defer t.Stop()
			checkpointLoop(jobs, eng, t.C, log)
		}()
	} else {
		close(jobsDone)
	}
	snapsDone := make(chan struct{})
	if lw != nil && replFlags.snapshotEvery > 0 {
		go func() {
			defer close(snapsDone)
			js, err := jetstream.New(lw.nc)
			if err != nil {
				log.Error("snapshots: JetStream", "err", err)
				return
			}
			t := time.NewTicker(replFlags.snapshotEvery)
			defer t.Stop()
			snapshotLoop(jobs, js, replicate.Config{Replicas: replFlags.replicas, LeaseTTL: replFlags.leaseTTL}, eng, t.C, replFlags.snapshotKeep, log)
		}()
	} else {
		close(snapsDone)
	}
	waitNotices := func() {}
	if !replica {
		// A replica delivers nothing: the writer's outbox does.
		waitNotices = startNotices(jobs, eng, sf.natsURL, log)
	}
	// The jobs end before the engine closes (the caller's).
	defer func() {
		stopJobs()
		<-jobsDone
		<-snapsDone
		waitNotices()
	}()
	for running := true; running; {
		select {
		case err := <-done:
			stopMerge()
			_ = srv.Shutdown(context.Background())
			return nil, false, err
		case <-hups:
			reloadCerts(certs, log)
		case <-usr1:
			backups.start(eng, sf.backupDir, log)
		case sig := <-sigs:
			log.Info("signal received; shutting down", "signal", sig.String())
			running, handOver = false, true
		case promoted = <-n.promote:
			log.Info("this replica took the writer's lease: its server stops, to serve again as the writer")
			running = false
		}
	}
	signal.Stop(sigs)
	stopMerge()
	if err := srv.Shutdown(context.Background()); err != nil {
		return promoted, handOver, err
	}
	if err := <-done; err != nil {
		return promoted, handOver, err
	}
	if promoted == nil {
		log.Info("stopped")
	}
	return promoted, handOver, nil
}

// reloadCerts reads the TLS certificate again on SIGHUP; a failure keeps
// the one in force. Without TLS, SIGHUP is logged and ignored.
func reloadCerts(certs *certReloader, log *slog.Logger) {
	if certs == nil {
		log.Info("SIGHUP: no TLS certificate to reload")
		return
	}
	if err := certs.reload(); err != nil {
		log.Error("SIGHUP: certificate not reloaded; the old one stays in force", "err", err)
		return
	}
	log.Info("SIGHUP: certificate reloaded", "subject", certs.leaf().Subject.String(), "not_after", certs.leaf().NotAfter)
}

// backupRunner runs the backups SIGUSR1 asks for, one at a time.
type backupRunner struct {
	wg   sync.WaitGroup
	busy atomic.Bool
}

// start begins a backup of eng into dir unless one is running or dir is
// empty.
func (b *backupRunner) start(eng *engine.Engine, dir string, log *slog.Logger) {
	if dir == "" {
		log.Warn("SIGUSR1: no --backup-dir; no backup written")
		return
	}
	if !b.busy.CompareAndSwap(false, true) {
		log.Warn("SIGUSR1: a backup is already being written; this one is skipped")
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer b.busy.Store(false)
		start := time.Now()
		out := filepath.Join(dir, "tracecode-"+start.UTC().Format("20060102T150405Z")+".tar.zst")
		log.Info("SIGUSR1: backup started", "file", out)
		m, err := writeBackup(eng, out)
		if err != nil {
			log.Error("backup failed", "file", out, "err", err)
			return
		}
		log.Info("backup written", "file", out, "files", len(m.Files), "ledger_seq", m.LedgerSeq, "ms", time.Since(start).Milliseconds())
	}()
}

func (b *backupRunner) wait() { b.wg.Wait() }

// serveDemo seeds an empty store (or reloads what an earlier seed saved)
// and prints the demo's keys and URLs.
func serveDemo(ctx context.Context, eng *engine.Engine, srv *server.Server, dir, base string, log *slog.Logger) error {
	if ctx == nil {
		ctx = context.Background()
	}
	info, ok, err := demo.Load(dir)
	if err != nil {
		return err
	}
	if !ok {
		if !demo.Empty(eng) {
			return errors.New("--demo: the data directory holds a store that was not seeded by the demo; use an empty --data")
		}
		start := time.Now()
		if info, err = demo.Seed(ctx, eng, srv.Keys(), dir, srv.Config().PublicBase); err != nil {
			return err
		}
		log.Info("demo data set seeded", "ms", time.Since(start).Milliseconds(), "blocks", len(info.Blocks))
	} else {
		log.Info("demo data set already seeded", "file", demo.FileName)
	}
	w := os.Stderr
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "tracecode demo — open these on a phone-sized browser, or curl -H 'Accept: application/json':")
	for _, u := range info.URLs {
		fmt.Fprintf(w, "  %-48s %s\n", u.What, u.URL)
	}
	fmt.Fprintln(w, "")
	for _, l := range info.Log {
		fmt.Fprintf(w, "seed: %s\n", l)
	}
	if len(info.Keys) > 0 {
		fmt.Fprintf(w, "demo API key: %s\n", info.Keys[0].Token)
		fmt.Fprintf(w, "  (%s)\n", info.Keys[0].Name)
		for _, k := range info.Keys[1:] {
			fmt.Fprintf(w, "other key, %s: %s\n", k.Name, k.Token)
		}
		fmt.Fprintf(w, "try: curl -H 'Authorization: Bearer %s' %s/v1/blocks\n\n", info.Keys[0].Token, srv.Config().PublicBase)
	}
	accounts, err := demo.SeedAccounts(eng, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "console: %s/console/ — demo accounts (login / password):\n", srv.Config().PublicBase)
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-16s %-18s %-17s %s\n", a.Login, a.Password, a.Role, a.Scope)
	}
	fmt.Fprintln(w, "")
	return nil
}

// bootstrapKey creates and prints an operator key on a store that has no
// API key at all, so that a fresh deployment can be administered.
func bootstrapKey(srv *server.Server, log *slog.Logger) error {
	any, err := srv.Keys().Any()
	if err != nil || any {
		return err
	}
	tok, _, err := srv.Keys().Create(apikey.Options{Scopes: apikey.ScopeAdmin, Name: "bootstrap operator key"})
	if err != nil {
		return err
	}
	log.Warn("no API key existed: created an operator key; it is shown only now", "key", tok)
	return nil
}

// openLicenceURL is --open-data-licence-url, or CC BY 4.0's text for the
// default licence.
func openLicenceURL(licence, url string) string {
	if url == "" && licence == server.DefaultOpenDataLicence {
		return server.DefaultOpenDataLicenceURL
	}
	return url
}
