// Package natstest starts NATS JetStream clusters inside a test process,
// so that replication tests need nothing outside it.
package natstest

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

// attempts bounds how often Cluster starts over on fresh ports.
const attempts = 5

// Cluster starts n JetStream nodes (named n1, n2, …) clustered on loopback
// ports, waits until they elected a JetStream meta leader, and shuts them
// down when the test ends. It returns the nodes; URLs gives their client
// URLs.
//
// Route ports must be known before the nodes start (each node names the
// others), so they are picked free and then bound by the servers; a
// parallel test may take one in between. A node whose listener could not
// be bound never becomes ready: Cluster then stops every node and starts
// over on other ports.
func Cluster(t testing.TB, n int) []*server.Server {
	t.Helper()
	var last error
	for range attempts {
		nodes, err := start(t, n)
		if err == nil {
			return nodes
		}
		last = err
	}
	t.Fatalf("natstest: a %d-node cluster did not start in %d attempts: %v", n, attempts, last)
	return nil
}

// URLs returns the nodes' client URLs, comma-joined (the form nats.Connect
// and tracecode's --replicate flag take).
func URLs(nodes []*server.Server) string {
	list := make([]string, 0, len(nodes))
	for _, s := range nodes {
		list = append(list, s.ClientURL())
	}
	return strings.Join(list, ",")
}

// start makes one attempt; on error it has shut its nodes down.
func start(t testing.TB, n int) ([]*server.Server, error) {
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	var nodes []*server.Server
	stop := func() {
		for _, s := range nodes {
			s.Shutdown()
			s.WaitForShutdown()
		}
	}
	for i := range n {
		var routes []*url.URL
		for j := range n {
			if j != i {
				routes = append(routes, &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", ports[j])})
			}
		}
		s, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       -1,
			JetStream:  true,
			StoreDir:   t.TempDir(),
			Cluster:    server.ClusterOpts{Name: "tracecode-test", Host: "127.0.0.1", Port: ports[i]},
			Routes:     routes,
			NoLog:      true,
			NoSigs:     true,
		})
		if err != nil {
			stop()
			return nil, err
		}
		s.Start()
		nodes = append(nodes, s)
	}
	for i, s := range nodes {
		// A node that could not bind its ports reports so at once; a
		// slow one (the race detector, a loaded machine) gets a minute.
		if !s.ReadyForConnections(time.Minute) {
			stop()
			return nil, fmt.Errorf("node %s did not start (route port %d taken?)", s.Name(), ports[i])
		}
	}
	if err := waitMetaLeader(URLs(nodes)); err != nil {
		stop()
		return nil, err
	}
	t.Cleanup(stop)
	return nodes, nil
}

// freePorts returns n loopback ports nothing listened on a moment ago.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		// Closed only after all are picked, so the n differ.
		defer l.Close()
	}
	return ports, nil
}

// waitMetaLeader waits until JetStream answers an account request, which
// it does once the nodes elected a meta leader.
func waitMetaLeader(urls string) error {
	nc, err := nats.Connect(urls, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := js.AccountInfo(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("JetStream cluster not ready: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
