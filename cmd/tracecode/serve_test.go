package main

import (
	"testing"

	"github.com/spf13/pflag"
)

func TestServeFlagsFromEnvironment(t *testing.T) {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "")
	rate := fs.Float64("rate-limit", 50, "")
	demo := fs.Bool("demo", false, "")
	if err := fs.Parse([]string{"--addr", "127.0.0.1:9999"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TRACECODE_ADDR", "0.0.0.0:1") // the command line wins
	t.Setenv("TRACECODE_RATE_LIMIT", "7.5")
	t.Setenv("TRACECODE_DEMO", "true")
	if err := applyEnv(fs); err != nil {
		t.Fatal(err)
	}
	if *addr != "127.0.0.1:9999" || *rate != 7.5 || !*demo {
		t.Errorf("addr %q rate %v demo %v", *addr, *rate, *demo)
	}
	t.Setenv("TRACECODE_RATE_LIMIT", "fast")
	fs2 := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs2.Float64("rate-limit", 50, "")
	if err := applyEnv(fs2); err == nil {
		t.Error("a bad TRACECODE_RATE_LIMIT was accepted")
	}
}
