package replicate

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// testCluster is a NATS cluster of three JetStream nodes on loopback
// ports, inside the test process.
type testCluster struct {
	t     testing.TB
	nodes []*server.Server
	urls  []string
}

// freePort returns a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newTestCluster(t testing.TB) *testCluster {
	t.Helper()
	const n = 3
	ports := make([]int, n)
	for i := range ports {
		ports[i] = freePort(t)
	}
	c := &testCluster{t: t}
	for i := 0; i < n; i++ {
		var routes []*url.URL
		for j := 0; j < n; j++ {
			if j != i {
				routes = append(routes, &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", ports[j])})
			}
		}
		o := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       -1,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			Cluster:    server.ClusterOpts{Name: "tracecode-test", Host: "127.0.0.1", Port: ports[i]},
			Routes:     routes,
			NoLog:      true,
			NoSigs:     true,
		}
		s, err := server.NewServer(o)
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		c.nodes = append(c.nodes, s)
		t.Cleanup(s.Shutdown)
	}
	for _, s := range c.nodes {
		if !s.ReadyForConnections(2 * time.Minute) {
			t.Fatalf("NATS node %s did not start", s.Name())
		}
		c.urls = append(c.urls, s.ClientURL())
	}
	// JetStream is usable once the nodes elected a meta leader.
	nc, js := c.connect()
	defer nc.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := js.AccountInfo(ctx)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("JetStream cluster not ready: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
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
