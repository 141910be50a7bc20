package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/server"
)

// testCA signs leaf certificates for 127.0.0.1.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1000), Subject: pkix.Name{CommonName: "tracecode test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// writeLeaf writes a certificate with the given serial and its key as PEM
// files.
func (ca *testCA) writeLeaf(t *testing.T, certFile, keyFile string, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "tracecode test server"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// get sends GET path on an open connection and returns the status.
func get(t *testing.T, c *tls.Conn, br *bufio.Reader, path string) int {
	t.Helper()
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestServeTLSReload serves the real server over TLS, replaces the
// certificate files and reloads them as SIGHUP does: a connection opened
// before the reload keeps working on its certificate, a new one gets the
// new certificate, a broken file keeps the old one in force, and a client
// asking for HTTP/2 is given HTTP/1.1.
func TestServeTLSReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	ca := newTestCA(t)
	ca.writeLeaf(t, certFile, keyFile, 1)
	certs, err := newCertReloader(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}

	eng, err := engine.Open(filepath.Join(dir, "data"), nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(eng, server.Config{PublicBase: "https://127.0.0.1", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(tlsListener(ln, certs)) }()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
		if err := eng.Close(); err != nil {
			t.Error(err)
		}
	})

	dial := func(protos ...string) (*tls.Conn, *bufio.Reader) {
		t.Helper()
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: ca.pool, NextProtos: protos})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	serial := func(c *tls.Conn) int64 { return c.ConnectionState().PeerCertificates[0].SerialNumber.Int64() }

	old, oldR := dial()
	if got := get(t, old, oldR, "/healthz"); got != 200 {
		t.Fatalf("GET /healthz over TLS: %d", got)
	}
	if serial(old) != 1 {
		t.Fatalf("first certificate: serial %d", serial(old))
	}

	ca.writeLeaf(t, certFile, keyFile, 2)
	reloadCerts(certs, log)
	if got := get(t, old, oldR, "/healthz"); got != 200 {
		t.Errorf("the connection opened before the reload answered %d", got)
	}
	fresh, freshR := dial()
	if serial(fresh) != 2 {
		t.Errorf("after the reload a new connection got serial %d, want 2", serial(fresh))
	}
	if got := get(t, fresh, freshR, "/healthz"); got != 200 {
		t.Errorf("new connection: %d", got)
	}

	if err := os.WriteFile(certFile, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := certs.reload(); err == nil {
		t.Error("a broken certificate file reloaded without error")
	}
	reloadCerts(certs, log)
	after, afterR := dial("h2", "http/1.1")
	if serial(after) != 2 {
		t.Errorf("a failed reload replaced the certificate: serial %d", serial(after))
	}
	if p := after.ConnectionState().NegotiatedProtocol; p != "http/1.1" {
		t.Errorf("ALPN chose %q, want http/1.1 (fasthttp has no HTTP/2)", p)
	}
	if got := get(t, after, afterR, "/healthz"); got != 200 {
		t.Errorf("after a failed reload: %d", got)
	}
}

func TestCertReloaderRefusesMismatchedKey(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t)
	c1, k1 := filepath.Join(dir, "c1.pem"), filepath.Join(dir, "k1.pem")
	c2, k2 := filepath.Join(dir, "c2.pem"), filepath.Join(dir, "k2.pem")
	ca.writeLeaf(t, c1, k1, 1)
	ca.writeLeaf(t, c2, k2, 2)
	if _, err := newCertReloader(c1, k2); err == nil {
		t.Error("a certificate with another certificate's key was accepted")
	}
	if _, err := newCertReloader(filepath.Join(dir, "missing.pem"), k1); err == nil {
		t.Error("a missing certificate file was accepted")
	}
}
