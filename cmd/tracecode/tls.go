package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
)

// certReloader holds the serving certificate and swaps it when the files
// are read again (serve does on SIGHUP). A handshake takes whichever
// certificate is current then; connections already established keep the
// session they negotiated, so a reload drops nothing.
type certReloader struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
}

// newCertReloader reads the certificate chain and key once; it fails if
// they do not load or do not match.
func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// reload reads the files again. On failure the current certificate stays
// in force and the error says which file is wrong.
func (r *certReloader) reload() error {
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("--tls-cert %s / --tls-key %s: %w", r.certFile, r.keyFile, err)
	}
	if c.Leaf == nil && len(c.Certificate) > 0 {
		if c.Leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
			return fmt.Errorf("--tls-cert %s: %w", r.certFile, err)
		}
	}
	r.cur.Store(&c)
	return nil
}

// leaf is the certificate in force.
func (r *certReloader) leaf() *x509.Certificate { return r.cur.Load().Leaf }

// getCertificate is tls.Config.GetCertificate.
func (r *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c := r.cur.Load()
	if c == nil {
		return nil, errors.New("no certificate loaded")
	}
	return c, nil
}

// tlsListener wraps ln in TLS 1.2 or later with the reloader's
// certificate. It offers HTTP/1.1 only in ALPN: fasthttp does not speak
// HTTP/2 (docs/operations.md says what to put in front for it).
func tlsListener(ln net.Listener, r *certReloader) net.Listener {
	return tls.NewListener(ln, &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: r.getCertificate,
		NextProtos:     []string{"http/1.1"},
	})
}
