package engine

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

var issuanceSeed = flag.Uint64("issuance.seed", 0, "replay TestIssuanceModel with this seed (0: seeds 1, 2 and 3)")

// modelBlock is what the model knows of a block.
type modelBlock struct {
	id, start, count, released uint64
	voided                     bool
	scheme                     serial.Scheme
	reqID                      string
	req                        issue.MintRequest
}

// TestIssuanceModel runs random sequences of mints (some retried, some with
// conflicting parameters), releases, voids, reopens and lookups against the
// engine and a simple model, and compares them after every step. On a
// mismatch it prints the seed; -issuance.seed replays it.
func TestIssuanceModel(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if *issuanceSeed != 0 {
		seeds = []uint64{*issuanceSeed}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) { issuanceModel(t, seed) })
	}
}

func issuanceModel(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	steps := 400
	if testing.Short() {
		steps = 100
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d: "+format, append([]any{seed}, args...)...)
	}
	e := openTest(t, "")
	p := addDrug(t, e, testGTIN, "8612345")
	ctx := context.Background()
	var blocks []*modelBlock
	byReq := map[string]*modelBlock{}
	hw := uint64(0)
	schemes := []serial.Scheme{serial.GS1, serial.SGTIN96, serial.NMPA, serial.Short}
	formatOf := map[serial.Scheme]issue.Format{serial.GS1: issue.FormatDL, serial.SGTIN96: issue.FormatEPCHex, serial.NMPA: issue.FormatNMPA, serial.Short: issue.FormatShort}

	for step := 0; step < steps; step++ {
		switch op := rng.IntN(10); {
		case op < 4: // mint, or retry an earlier request
			var req issue.MintRequest
			if len(byReq) > 0 && rng.IntN(4) == 0 {
				b := blocks[rng.IntN(len(blocks))]
				if b.reqID == "" {
					continue
				}
				req = b.req
				if rng.IntN(3) == 0 {
					req.Count++ // a conflicting retry
				}
			} else {
				req = issue.MintRequest{Product: p.ID, Count: 1 + rng.Uint64N(5000), Scheme: schemes[rng.IntN(len(schemes))],
					Lot: fmt.Sprintf("L%d", rng.IntN(3)), CreateLot: true}
				if rng.IntN(2) == 0 {
					req.RequestID = fmt.Sprintf("r%d", step)
				}
			}
			r, err := e.Issuance().Mint(ctx, req)
			prev := byReq[req.RequestID]
			switch {
			case prev != nil && req.Count != prev.req.Count:
				var ce *model.ConflictError
				if !errors.As(err, &ce) || ce.Field != "count" {
					fail("step %d: conflicting retry gave %v", step, err)
				}
			case prev != nil:
				if err != nil || !r.Replayed || r.Block.ID != prev.id {
					fail("step %d: retry gave %+v %v, want block %d", step, r, err, prev.id)
				}
			case err != nil:
				fail("step %d: mint: %v", step, err)
			default:
				if r.Block.Start != hw || r.Block.Count != req.Count {
					fail("step %d: block %+v, want start %d count %d", step, r.Block, hw, req.Count)
				}
				b := &modelBlock{id: r.Block.ID, start: hw, count: req.Count, scheme: req.Scheme, reqID: req.RequestID, req: req}
				hw += req.Count
				blocks = append(blocks, b)
				if req.RequestID != "" {
					byReq[req.RequestID] = b
				}
			}
		case op < 5 && len(blocks) > 0: // release a tail
			b := blocks[rng.IntN(len(blocks))]
			from := rng.Uint64N(b.count + 1)
			_, err := releaseBlock(e, b.id, from, "model")
			switch {
			case b.voided:
				if !errors.Is(err, model.ErrState) {
					fail("step %d: release of voided block %d: %v", step, b.id, err)
				}
			case from > b.count-b.released:
				if !errors.Is(err, model.ErrState) {
					fail("step %d: un-release of block %d: %v", step, b.id, err)
				}
			default:
				if err != nil {
					fail("step %d: release: %v", step, err)
				}
				b.released = b.count - from
			}
		case op < 6 && len(blocks) > 0 && rng.IntN(3) == 0: // void
			b := blocks[rng.IntN(len(blocks))]
			if _, err := voidBlock(e, b.id, "model"); err != nil {
				fail("step %d: void: %v", step, err)
			}
			b.voided = true
		case op < 7 && rng.IntN(10) == 0: // reopen
			e = reopen(t, e)
		default: // look up a random code of a random block, and a guess
			if len(blocks) == 0 {
				continue
			}
			b := blocks[rng.IntN(len(blocks))]
			off := rng.Uint64N(b.count)
			var c string
			if b.voided {
				// A voided block cannot be streamed: derive the code
				// through a lookup of the same counter in the model only.
				continue
			}
			if off < b.count-b.released {
				c = codes(t, e, b.id, formatOf[b.scheme], off, 1)[0]
				got, err := e.Issuance().Lookup(c)
				if err != nil || got.Block.ID != b.id || got.Counter != b.start+off || got.State != model.StateIssued {
					fail("step %d: lookup of block %d offset %d %q: %+v %v", step, b.id, off, c, got, err)
				}
			}
			guess := fmt.Sprintf("(01)%s(21)A%012d", testGTIN, rng.Uint64N(1e12))
			if _, err := e.Issuance().Lookup(guess); !errors.Is(err, model.ErrNeverIssued) {
				fail("step %d: guess %s: %v", step, guess, err)
			}
		}
		if step%50 == 49 {
			if err := e.Issuance().Check(); err != nil {
				fail("step %d: %v", step, err)
			}
		}
	}
	// The engine agrees with the model on every block.
	st, _ := e.Issuance().ProductState(p.ID)
	if st.HighWater != hw {
		fail("high-water %d, model %d", st.HighWater, hw)
	}
	for _, b := range blocks {
		got, err := e.Issuance().Block(b.id)
		want := model.BlockActive
		if b.voided {
			want = model.BlockVoided
		}
		if err != nil || got.Start != b.start || got.Count != b.count || got.Released != b.released || got.State != want {
			fail("block %d: %+v %v; model %+v", b.id, got, err, *b)
		}
	}
	t.Logf("seed %d: %d blocks, high-water %d", seed, len(blocks), hw)
}
