package server

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkResolveReporting scans 1,000 packed formula tins (JSON, the
// handler called in process) while a writer commissions codes through the
// API one line report at a time, every 2 ms: nine in ten on fresh pork
// items, one in ten on formula tins, the scanned product. Under
// invalidate=global (Config.CacheGlobal) every report drops every cached
// answer; under invalidate=scoped only the formula reports drop the tins'.
// Reports hit_ratio (cache hits per scan) and reports/s.
func BenchmarkResolveReporting(b *testing.B) {
	for _, global := range []bool{true, false} {
		name := "invalidate=scoped"
		if global {
			name = "invalidate=global"
		}
		b.Run(name, func(b *testing.B) {
			env := newTestEnv(b, func(cfg *Config) { cfg.RateLimit, cfg.CacheGlobal = -1, global })
			a := env.key("兰州陇原")
			pm := benchJSON(b, env.get(env.url("chilled pork"), "Accept", "application/json"))
			r := env.api("POST", "/v1/blocks", a, fmt.Sprintf(`{"gtin":%q,"lot":%q,"count":100000}`,
				pm["product"].(map[string]any)["gtin"], pm["lot"].(map[string]any)["number"]))
			if r.status != 201 {
				b.Fatalf("mint pork: %d %s", r.status, r.body)
			}
			pork, tins := uint64(benchJSON(b, r)["id"].(float64)), env.info.Blocks[0]
			codes := demoItemCodes(b, env, 1000)
			ctxs := make([]*fasthttp.RequestCtx, len(codes))
			for i, code := range codes {
				ctxs[i] = newCtx(code, "application/json")
			}
			h := env.srv.handle
			for _, ctx := range ctxs {
				ctx.Response.Reset()
				h(ctx)
			}
			var stop atomic.Bool
			var reports atomic.Int64
			var wg sync.WaitGroup
			wg.Go(func() {
				tick := time.NewTicker(2 * time.Millisecond)
				defer tick.Stop()
				for i := 0; !stop.Load(); i++ {
					<-tick.C
					block, off := pork, i
					if i%10 == 9 {
						block, off = tins, 10000+i/10
					}
					line := fmt.Sprintf(`{"action":"commission","items":{"ranges":[{"block":%d,"first":%d,"last":%d}]}}`, block, off, off)
					if r := env.api("POST", "/v1/reports/line", a, line); r.status != 201 {
						b.Errorf("report: %d %s", r.status, r.body)
						return
					}
					reports.Add(1)
				}
			})
			hits, misses := env.srv.cache.hits.Load(), env.srv.cache.misses.Load()
			start := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				ctx := ctxs[i%len(ctxs)]
				ctx.Response.Reset()
				h(ctx)
				if ctx.Response.StatusCode() != 200 {
					b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
			b.StopTimer()
			el := time.Since(start)
			stop.Store(true)
			wg.Wait()
			dh, dm := env.srv.cache.hits.Load()-hits, env.srv.cache.misses.Load()-misses
			b.ReportMetric(float64(dh)/float64(max(dh+dm, 1)), "hit_ratio")
			b.ReportMetric(float64(reports.Load())/el.Seconds(), "reports/s")
		})
	}
}

func benchJSON(b *testing.B, r resp) map[string]any {
	var m map[string]any
	if err := jsonUnmarshal(r.body, &m); err != nil {
		b.Fatalf("%v: %s", err, r.body)
	}
	return m
}
