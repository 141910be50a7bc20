package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tracecode/engine"
	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// TestCheckpointLoop: serve's job checkpoints the grown logs at each tick
// and stops with its context. The tick channel is unbuffered: a second
// send returns only once the first tick's checkpoint is done.
func TestCheckpointLoop(t *testing.T) {
	eng, err := engine.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	food, err := model.ParseCategory("food")
	if err != nil {
		t.Fatal(err)
	}
	p, err := eng.Issuance().AddProduct(t.Context(), issue.ProductSpec{GTIN: "09520123456788", GCPLength: 7, NameZH: "婴幼儿配方奶粉", OrgName: "甲乳业",
		Category: food, Levels: model.LevelSet(0).With(model.LevelItem)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := eng.Issuance().Mint(context.Background(), issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Level: model.LevelItem, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Reports().ReportLine(t.Context(), &chain.LineReport{ReportMeta: chain.ReportMeta{Org: p.Org, Credential: "test"}, Action: chain.LineCommission,
		Items: chain.Items{Ranges: []chain.BlockRange{{Block: m.Block.ID, First: 0, Last: 9}}}}); err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	stopped := make(chan struct{})
	go func() { checkpointLoop(ctx, eng, tick, log); close(stopped) }()
	tick <- time.Now()
	tick <- time.Now() // the first tick's checkpoint is done; nothing grew since
	cancel()
	<-stopped
	rep, err := eng.Verify()
	if err != nil || !rep.OK() || rep.Checkpoints != 1 {
		t.Errorf("after two ticks: %d checkpoints (%v %v), want 1", rep.Checkpoints, err, rep.Problems)
	}
	if strings.Count(logged.String(), "checkpoints=1") != 1 || strings.Count(logged.String(), "\n") != 1 {
		t.Errorf("log: %s", logged.String())
	}
}

// TestCheckpointCLI: tracecode checkpoint publishes the grown log once.
func TestCheckpointCLI(t *testing.T) {
	d := "--data=" + t.TempDir()
	mustCLI(t, "product", "add", d, "--gtin", "09520123456788", "--gcp-length", "7", "--name", "婴幼儿配方奶粉", "--category", "food")
	mustCLI(t, "mint", d, "--gtin", "09520123456788", "--lot", "L1", "--count", "5", "--format", "serial")
	mustCLI(t, "commission", d, "1:0-4")
	if out := mustCLI(t, "checkpoint", d); out != "wrote 1 checkpoint(s)\n" {
		t.Errorf("first checkpoint: %q", out)
	}
	if out := mustCLI(t, "checkpoint", d); out != "wrote 0 checkpoint(s)\n" {
		t.Errorf("second checkpoint, nothing new: %q", out)
	}
	if out := mustCLI(t, "verify", d); !strings.Contains(out, "(1 Merkle checkpoints)") {
		t.Errorf("verify: %s", out)
	}
}
