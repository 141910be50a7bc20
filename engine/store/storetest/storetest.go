// Package storetest holds helpers for tests that compare stores.
package storetest

import (
	"bytes"
	"testing"

	"tracecode/engine/store"
)

// Contents lists every key and value of the store in dir, in key order,
// opening it read-only: two stores hold the same data when their
// Contents are equal.
func Contents(t testing.TB, dir string) [][2][]byte {
	t.Helper()
	db, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var kvs [][2][]byte
	if err := db.Scan(nil, nil, func(k, v []byte) error {
		kvs = append(kvs, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return kvs
}
