package outbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkDeliver delivers batches of 10,000 webhook notifications,
// each signed, to a local HTTPS receiver, through the sender's rounds
// (each round's outcomes one synced batch). The figure to hold is
// notifications/min ≥ 10,000.
func BenchmarkDeliver(b *testing.B) {
	const n = 10000
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	db := openDB(b, b.TempDir())
	o, err := Open(db, Config{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := o.SetWebhook(1, srv.URL, "bench-secret-0123456789", 0); err != nil {
		b.Fatal(err)
	}
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 32
	s := o.NewSender(client, nil, nil)
	b.ReportAllocs()
	b.ResetTimer()
	var spent time.Duration
	for range b.N {
		b.StopTimer()
		batch := db.NewBatch()
		for i := range n {
			nt := Notification{Source: SourceRecall, SourceID: 1, Channel: Webhook, Org: 1, Target: srv.URL,
				Payload: fmt.Appendf(nil, `{"recall":1,"recipient":%d,"quantity":{"received":120,"held":40}}`, i)}
			if err := o.Stage(batch, &nt); err != nil {
				b.Fatal(err)
			}
		}
		if err := batch.Commit(true); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		for {
			if _, err := s.Round(context.Background()); err != nil {
				b.Fatal(err)
			}
			if c, _ := o.PendingCount(); c == 0 {
				break
			}
		}
		spent += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/spent.Minutes(), "notifications/min")
}
