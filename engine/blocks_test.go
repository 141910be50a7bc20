package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

func TestReleaseAndVoid(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "")
	r := mint(t, e, issue.MintRequest{Product: p.ID, Lot: "L1", CreateLot: true, Count: 100, RequestID: "x"})
	id := r.Block.ID
	dl := codes(t, e, id, issue.FormatDL, 0, 100)

	b, err := releaseBlock(e, id, 60, "line stopped after 60")
	if err != nil || b.ReleasedFrom() != 60 || b.Released != 40 || b.Note != "line stopped after 60" {
		t.Fatalf("Release: %+v %v", b, err)
	}
	if got, err := e.Issuance().Lookup(dl[59]); err != nil || got.State != model.StateIssued {
		t.Fatalf("code 59 after release: %+v %v", got, err)
	}
	got, err := e.Issuance().Lookup(dl[60])
	if !errors.Is(err, model.ErrReleased) || got.State != model.StateReleased || got.Offset != 60 || got.Block.ID != id {
		t.Fatalf("code 60 after release: %+v %v", got, err)
	}
	// Released codes are not streamed.
	if _, err := e.Issuance().WriteCodes(context.Background(), &strings.Builder{}, id, issue.StreamOptions{Format: issue.FormatDL, Offset: 50, Limit: 20}); !errors.Is(err, model.ErrState) {
		t.Fatalf("streaming into the released tail: %v", err)
	}
	if n := len(codes(t, e, id, issue.FormatDL, 50, 10)); n != 10 {
		t.Fatal(n)
	}
	// Monotone: same offset is a no-op, a higher one is refused, lower extends.
	if _, err := releaseBlock(e, id, 60, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := releaseBlock(e, id, 70, ""); !errors.Is(err, model.ErrState) {
		t.Fatalf("un-release: %v", err)
	}
	if _, err := releaseBlock(e, id, 101, ""); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("offset beyond block: %v", err)
	}
	if b, err := releaseBlock(e, id, 50, ""); err != nil || b.ReleasedFrom() != 50 || b.Note != "line stopped after 60" {
		t.Fatalf("release more: %+v %v", b, err)
	}
	// Counters are never reused: the next block starts after the whole block.
	r2 := mint(t, e, issue.MintRequest{Product: p.ID, Count: 1})
	if r2.Block.Start != 100 {
		t.Fatalf("next block starts at %d", r2.Block.Start)
	}
	// Void is final and overrides release.
	if b, err := voidBlock(e, id, "labels destroyed"); err != nil || b.State != model.BlockVoided {
		t.Fatalf("void: %+v %v", b, err)
	}
	if _, err := e.Issuance().Lookup(dl[0]); !errors.Is(err, model.ErrVoided) {
		t.Fatalf("voided code: %v", err)
	}
	if _, err := releaseBlock(e, id, 0, ""); !errors.Is(err, model.ErrState) {
		t.Fatalf("release after void: %v", err)
	}
	if _, err := e.Issuance().WriteCodes(context.Background(), &strings.Builder{}, id, issue.StreamOptions{Format: issue.FormatDL}); !errors.Is(err, model.ErrState) {
		t.Fatalf("stream a voided block: %v", err)
	}
	if _, err := releaseBlock(e, 999, 0, ""); !errors.Is(err, model.ErrUnknownBlock) {
		t.Fatal(err)
	}
	// The state survives a reopen.
	e = reopen(t, e)
	if _, err := e.Issuance().Lookup(dl[0]); !errors.Is(err, model.ErrVoided) {
		t.Fatalf("voided code after reopen: %v", err)
	}
	if bl := e.Issuance().Blocks(issue.BlockFilter{Product: p.ID}); len(bl) != 2 || bl[0].State != model.BlockVoided {
		t.Fatalf("blocks: %+v", bl)
	}
}

// releaseBlock releases block id's tail from offset from as its owner,
// and returns the block as it is then.
func releaseBlock(e *Engine, id, from uint64, note string) (model.Block, error) {
	b, err := e.Issuance().Block(id)
	if err != nil {
		return b, err
	}
	if _, err := e.Reports().ReleaseRest(context.Background(), &chain.ReleaseReport{ReportMeta: chain.ReportMeta{Org: b.Org}, Block: id, From: from, Note: note}); err != nil {
		return b, err
	}
	return e.Issuance().Block(id)
}

// voidBlock voids block id as its owner, and returns the block as it is
// then.
func voidBlock(e *Engine, id uint64, note string) (model.Block, error) {
	b, err := e.Issuance().Block(id)
	if err != nil {
		return b, err
	}
	if _, err := e.Reports().VoidBlock(context.Background(), &chain.VoidReport{ReportMeta: chain.ReportMeta{Org: b.Org}, Block: id, Note: note}); err != nil {
		return b, err
	}
	return e.Issuance().Block(id)
}

func TestImport(t *testing.T) {
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "")
	own := mint(t, e, issue.MintRequest{Product: p.ID, Count: 10})
	ctx := context.Background()
	var serials []string
	for i := 0; i < 5000; i++ {
		serials = append(serials, fmt.Sprintf("EXT/%06d", (i*7919)%5000)) // unsorted, with '/' to escape
	}
	r, err := e.Issuance().Import(ctx, issue.ImportRequest{Product: p.ID, Lot: "IMP1", CreateLot: true, Serials: serials, RequestID: "imp-1", Note: "from ERP"})
	if err != nil {
		t.Fatal(err)
	}
	b := r.Block
	if b.Scheme != serial.Imported || b.State != model.BlockActive || b.Count != 5000 || b.Start != 10 {
		t.Fatalf("imported block %+v", b)
	}
	check := func(e *Engine) {
		t.Helper()
		// Counters follow the sorted order of the serials.
		got, err := e.Issuance().Lookup("(01)" + testGTIN + "(10)IMP1(21)EXT/000123")
		if err != nil || got.Block.ID != b.ID || got.Offset != 123 || got.Scheme != serial.Imported {
			t.Fatalf("imported serial: %+v %v", got, err)
		}
		// The DL form escapes '/' and resolves too.
		dl := codes(t, e, b.ID, issue.FormatDL, 4000, 3)
		if !strings.Contains(dl[0], "/21/EXT%2F004000") {
			t.Fatalf("dl %q", dl[0])
		}
		for i, c := range dl {
			if got, err := e.Issuance().Lookup(c); err != nil || got.Offset != 4000+uint64(i) {
				t.Fatalf("%s: %+v %v", c, got, err)
			}
		}
		if _, err := e.Issuance().Lookup("(01)" + testGTIN + "(21)EXT/999999"); !errors.Is(err, model.ErrNotImported) {
			t.Fatalf("never-imported serial: %v", err)
		}
		// Own codes still resolve, and a guessed own-shaped serial says why.
		if got, err := e.Issuance().Lookup(codes(t, e, own.Block.ID, issue.FormatDL, 3, 1)[0]); err != nil || got.Block.ID != own.Block.ID {
			t.Fatal(got, err)
		}
	}
	check(e)

	// The filter rejects most absent serials without a read: count hits.
	hits := 0
	f := e.iss.ImportedFilter(p.ID, 0)
	for i := 0; i < 100000; i++ {
		if f.TestString(fmt.Sprintf("NOPE%d", i)) {
			hits++
		}
	}
	if hits > 400 { // expected 0.1% = 100
		t.Fatalf("bloom false positives %d / 100000", hits)
	}

	// Replay, conflict, duplicates.
	before := dump(t, e)
	again, err := e.Issuance().Import(ctx, issue.ImportRequest{Product: p.ID, Lot: "IMP1", Serials: serials, RequestID: "imp-1"})
	if err != nil || !again.Replayed || again.Block.ID != b.ID {
		t.Fatalf("replay: %+v %v", again, err)
	}
	if _, err := e.Issuance().Import(ctx, issue.ImportRequest{Product: p.ID, Serials: []string{"X", "X"}}); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("duplicate in request: %v", err)
	}
	if _, err := e.Issuance().Import(ctx, issue.ImportRequest{Product: p.ID, Serials: []string{"NEW1", "EXT/000007"}}); !errors.Is(err, model.ErrExists) || !strings.Contains(err.Error(), "EXT/000007") {
		t.Fatalf("already imported: %v", err)
	}
	ownSerial := codes(t, e, own.Block.ID, issue.FormatSerial, 0, 1)[0]
	if _, err := e.Issuance().Import(ctx, issue.ImportRequest{Product: p.ID, Serials: []string{ownSerial}}); !errors.Is(err, model.ErrExists) {
		t.Fatalf("own serial imported: %v", err)
	}
	if _, err := e.Issuance().Import(ctx, issue.ImportRequest{Product: p.ID, Serials: []string{"bad serial"}}); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("bad serial: %v", err)
	}
	// Refused imports write nothing except the counters of a block that
	// never became active — and they refused before allocating.
	if dump(t, e) != before {
		t.Fatal("a refused import wrote to the store")
	}
	e = reopen(t, e)
	check(e)
}
