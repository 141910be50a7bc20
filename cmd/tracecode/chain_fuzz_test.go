package main

import (
	"fmt"
	"testing"
)

// FuzzChainRange: the BLOCK:FIRST-LAST parser never panics, and what it
// accepts formats back to itself.
func FuzzChainRange(f *testing.F) {
	for _, s := range []string{"7:0-999999", "7:0-999,999", "12:5", "https://id.gs1.org/01/1", "urn:epc:id:sgtin:1.2.3", "1:2-", ":", "x:1-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok, err := chainRange(s)
		if !ok || err != nil {
			return
		}
		again := fmt.Sprintf("%d:%d-%d", r.Block, r.First, r.Last)
		r2, ok2, err2 := chainRange(again)
		if !ok2 || err2 != nil || r2 != r {
			t.Fatalf("%q parsed to %+v, which formats to %q and parses to %+v (%v)", s, r, again, r2, err2)
		}
	})
}
