package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/replicate"
	"tracecode/server"
)

// The replication figures of docs/performance.md ("Replication") that
// need a served replica. Run them on a quiet machine:
//
//	go test -run '^$' -bench ReplicaScans -benchtime 20000x -count 3 ./cmd/tracecode/
//	go test -run '^$' -bench Failover -benchtime 3x -count 3 ./cmd/tracecode/   # 3 takeovers a run

// BenchmarkReplicaScans resolves codes over HTTP (JSON, keep-alive, 8
// clients per core) on the writer alone and on one replica of it, in the
// same run: the writer counts scans in its scan log, the replica in its
// forwarder (a read of the stored count, then the pending delta) and
// sends them to the writer.
func BenchmarkReplicaScans(b *testing.B) {
	urls, _ := startNATSCluster(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	root := b.TempDir()
	cfg := replicate.Config{Replicas: 3, LeaseTTL: 10 * time.Second}
	w, err := startWriterRetry(ctx, urls, "writer", "", cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = w.close(false) })
	wln, wbase := listen(b)
	eo := &engine.Options{DLBase: wbase}
	eo.Store.Replicator = w.replicator()
	weng, err := engine.Open(filepath.Join(root, "writer"), eo)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = weng.Close() })
	prod, err := weng.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: "09520123456788", GCPLength: 7, NameZH: "奶粉", Category: model.CatFood})
	if err != nil {
		b.Fatal(err)
	}
	res, err := weng.Issuance().Mint(ctx, issue.MintRequest{Product: prod.ID, Count: 4096})
	if err != nil {
		b.Fatal(err)
	}
	var codes bytes.Buffer
	if _, err := weng.Issuance().WriteCodes(ctx, &codes, res.Block.ID, issue.StreamOptions{Format: issue.FormatDL}); err != nil {
		b.Fatal(err)
	}
	var paths []string
	for _, c := range strings.Fields(codes.String()) {
		paths = append(paths, strings.TrimPrefix(c, wbase))
	}
	wsrv, err := server.New(weng, server.Config{Addr: wln.Addr().String(), PublicBase: wbase, RateLimit: -1, Logger: log, CacheEntries: -1})
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = wsrv.Serve(wln) }()
	b.Cleanup(func() { _ = wsrv.Shutdown(context.Background()) })
	b.Cleanup(startMergeScans(w.nc, cfg, wsrv, weng, log))

	rln, rbase := listen(b)
	r, err := openReplica(ctx, urls, filepath.Join(root, "replica"), &engine.Options{DLBase: rbase}, 50*time.Millisecond, log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.close(); _ = r.eng.Close() })
	rc, err := r.config(time.Minute, nil, "bench-replica")
	if err != nil {
		b.Fatal(err)
	}
	rsrv, err := server.New(r.eng, server.Config{Addr: rln.Addr().String(), PublicBase: rbase, RateLimit: -1, Logger: log, CacheEntries: -1, Replica: rc})
	if err != nil {
		b.Fatal(err)
	}
	r.serving(rsrv)
	go func() { _ = rsrv.Serve(rln) }()
	b.Cleanup(func() { _ = rsrv.Shutdown(context.Background()) })

	for _, n := range []struct{ name, base string }{{"writer", wbase}, {"replica", rbase}} {
		b.Run("node="+n.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			// The replica knows the block once it applied the mint.
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
				if code, _ := getStatus(b, client, n.base+paths[0]); code == 200 {
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("%s does not resolve %s", n.name, paths[0])
				}
			}
			var i atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(8)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("GET", n.base+paths[int(i.Add(1))%len(paths)], nil)
					req.Header.Set("Accept", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("%s: %d", n.name, resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "scans/s")
		})
	}
}

// BenchmarkFailover measures automatic takeovers: each iteration a
// replica watching the lease (--takeover) follows the writer, the writer
// stops renewing its lease without handing it over (a crash, for the
// lease), and the time runs until the replica serves as the writer: the
// lease's remaining TTL, the takeover (lease, fence marker, the log's
// tail, opening the store as the writer). The new writer is the next
// iteration's writer.
func BenchmarkFailover(b *testing.B) {
	for _, ttl := range []time.Duration{2 * time.Second, 10 * time.Second} {
		b.Run(fmt.Sprintf("ttl=%v", ttl), func(b *testing.B) {
			urls, _ := startNATSCluster(b)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			ctx := context.Background()
			root := b.TempDir()
			cfg := replicate.Config{Replicas: 3, LeaseTTL: ttl}
			w, err := startWriterRetry(ctx, urls, "w0", "", cfg, log)
			if err != nil {
				b.Fatal(err)
			}
			eo := &engine.Options{}
			eo.Store.Replicator = w.replicator()
			eng, err := engine.Open(filepath.Join(root, "w0"), eo)
			if err != nil {
				b.Fatal(err)
			}
			prod, err := eng.Issuance().AddProduct(ctx, issue.ProductSpec{GTIN: "09520123456788", GCPLength: 7, NameZH: "奶粉", Category: model.CatFood})
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = eng.Close(); _ = w.close(true) }()
			var total time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				dir := filepath.Join(root, fmt.Sprintf("r%d", i+1))
				r, err := openReplica(ctx, urls, dir, &engine.Options{}, 50*time.Millisecond, log)
				if err != nil {
					b.Fatal(err)
				}
				promote := r.enableTakeover(urls, fmt.Sprintf("r%d", i+1), "", cfg)
				if _, err := eng.Issuance().Mint(ctx, issue.MintRequest{Product: prod.ID, Count: 1000}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				if err := eng.Close(); err != nil {
					b.Fatal(err)
				}
				if err := w.close(false); err != nil {
					b.Fatal(err)
				}
				nw := <-promote
				neng, err := becomeWriter(ctx, r, nw, dir, &engine.Options{}, log)
				if err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
				eng, w = neng, nw
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/failover")
		})
	}
}
