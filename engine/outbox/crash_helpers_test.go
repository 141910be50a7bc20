package outbox

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"

	"tracecode/engine/store"
)

func openChildDB(dir string) (*store.DB, error) {
	return store.Open(dir, &store.Options{MinFreeBytes: -1})
}

// certEnv carries the parent's httptest certificate (PEM) to the child.
const certEnv = crashChildEnv + "_CERT"

func certPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// childTLS trusts the certificate the parent passed.
func childTLS() *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(os.Getenv(certEnv)))
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}
