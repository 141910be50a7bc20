package replicate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tracecode/replicate/natstest"
)

// testCluster is a NATS cluster of three JetStream nodes on loopback
// ports, inside the test process.
type testCluster struct {
	t     testing.TB
	nodes []*server.Server
	urls  []string
}

// newTestCluster starts three JetStream nodes in the test process.
func newTestCluster(t testing.TB) *testCluster {
	t.Helper()
	c := &testCluster{t: t, nodes: natstest.Cluster(t, 3)}
	for _, s := range c.nodes {
		c.urls = append(c.urls, s.ClientURL())
	}
	return c
}

// connect opens a client that knows every node and reconnects without
// end.
func (c *testCluster) connect() (*nats.Conn, jetstream.JetStream) {
	c.t.Helper()
	nc, err := nats.Connect(strings.Join(c.urls, ","), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		c.t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		c.t.Fatal(err)
	}
	return nc, js
}

// kill stops node i at once, as a crash would.
func (c *testCluster) kill(i int) {
	c.nodes[i].Shutdown()
	c.nodes[i].WaitForShutdown()
}

// setup creates the log and the lease bucket, R3, with a short lease.
func (c *testCluster) setup(ttl time.Duration) (jetstream.JetStream, jetstream.Stream, jetstream.KeyValue) {
	c.t.Helper()
	nc, js := c.connect()
	c.t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, kv, err := Setup(ctx, js, Config{Replicas: 3, LeaseTTL: ttl})
	if err != nil {
		c.t.Fatal(err)
	}
	return js, s, kv
}
