package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"

	"tracecode/engine"
	"tracecode/engine/outbox"
)

// startNotices runs the engine's outbox sender and alert scheduler until
// ctx ends; with natsURL it publishes on JetStream there (reconnecting as
// the server comes and goes). The returned function waits for them.
func startNotices(ctx context.Context, eng *engine.Engine, natsURL string, log *slog.Logger) func() {
	n := eng.Notices()
	done := make(chan struct{})
	go func() {
		defer close(done)
		var js outbox.Publisher
		if natsURL != "" {
			nc, err := nats.Connect(natsURL, nats.Name("tracecode"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true))
			if err != nil {
				log.Error("NATS: notifications on JetStream wait in the outbox", "url", natsURL, "err", err)
			} else {
				defer nc.Close()
				for js == nil && ctx.Err() == nil {
					sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					js, err = outbox.NewJetStream(sctx, nc)
					cancel()
					if err != nil {
						log.Warn("JetStream not ready; retrying in 10 s", "url", natsURL, "err", err)
						select {
						case <-ctx.Done():
						case <-time.After(10 * time.Second):
						}
					}
				}
				if js != nil {
					log.Info("publishing notifications on JetStream", "url", natsURL, "stream", outbox.StreamName)
				}
			}
		}
		if err := n.Run(ctx, js); err != nil {
			log.Error("notifications stopped", "err", err)
		}
	}()
	return func() { <-done }
}
