package chain

import (
	"bytes"
	"runtime"
	"slices"
	"sync"

	"tracecode/engine/category"
	"tracecode/engine/epcis"
	"tracecode/engine/ledger"
)

// What a capture computes for each event before it walks the document in
// order: the private fields hashed, the CBV event hash and the one-event
// document the ledger stores. None of it depends on another event or on
// the store, so it runs on every core (BenchmarkCapture500's profile,
// 2026-12-07: hashing and marshalling were a third of a capture's CPU, the
// duplicate check's point reads another third). The duplicate check then
// looks every hash of the document up through one iterator in hash
// order, instead of one Get per event.

// preparedEvent is an event's precomputed part.
type preparedEvent struct {
	h       [32]byte
	body    []byte
	bodyErr error
	// dup: known says whether the event's hash was looked up already
	// (known) and found in the store (dup). An event whose hash another
	// event of the same document shares, or a document with an error
	// declaration, is looked up on the batch when it is reached.
	known, dup bool
}

// minPrepPerWorker is the fewest events worth a goroutine of their own.
const minPrepPerWorker = 32

// prepareEvents hashes and renders every event of evs whose type the
// engine applies, with record time now, then looks up which are already
// in the ledger. The error is for I/O failures only.
func (rt *reportTx) prepareEvents(evs []epcis.Event) ([]preparedEvent, error) {
	pre := make([]preparedEvent, len(evs))
	work := func(lo, hi int) {
		var hs epcis.Hasher
		var body bytes.Buffer
		for i := lo; i < hi; i++ {
			ev := &evs[i]
			if !appliedType(ev.Type) {
				continue
			}
			// Private category fields are hashed before anything reads
			// the event: the ledger's copy and its content hash never
			// hold them in the clear.
			category.HashPrivateEPCIS(ev)
			p := &pre[i]
			p.h = hs.Sum(ev, nil)
			if ev.ErrorDeclaration != nil {
				continue
			}
			body.Reset()
			if p.bodyErr = writeEventDocument(&body, ev, rt.now); p.bodyErr == nil {
				p.body = slices.Clone(body.Bytes())
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(evs)/minPrepPerWorker)
	if workers <= 1 {
		work(0, len(evs))
	} else {
		var wg sync.WaitGroup
		per := (len(evs) + workers - 1) / workers
		for lo := 0; lo < len(evs); lo += per {
			wg.Go(func() { work(lo, min(lo+per, len(evs))) })
		}
		wg.Wait()
	}
	return pre, rt.lookupHashes(evs, pre)
}

// appliedType reports whether captureEvent applies events of type t.
func appliedType(t epcis.EventType) bool {
	switch t {
	case epcis.ObjectEvent, epcis.AggregationEvent, epcis.TransformationEvent, epcis.TransactionEvent, epcis.AssociationEvent:
		return true
	}
	return false
}

// lookupHashes marks which events' hashes the store holds: those the
// ledger's hash filter does not rule out, in hash order through one
// iterator. Events sharing a hash, and every event of a
// document with an error declaration (which may undo what another event
// of it staged), are left to a lookup on the batch when reached.
func (rt *reportTx) lookupHashes(evs []epcis.Event, pre []preparedEvent) error {
	order := make([]int, 0, len(evs))
	for i := range evs {
		if evs[i].ErrorDeclaration != nil {
			return nil
		}
		if appliedType(evs[i].Type) {
			order = append(order, i)
		}
	}
	if len(order) == 0 {
		return nil
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(pre[a].h[:], pre[b].h[:]) })
	// The ledger's filter of record hashes answers most: a hash it has
	// certainly not seen is not looked up.
	hs := make([][32]byte, len(order))
	for k, i := range order {
		hs[k] = pre[i].h
	}
	isNew := make([]bool, len(order))
	rt.c.led.HashesNew(hs, isNew)
	found, err := ledger.HashesKnown(rt.b, func(yield func([32]byte) bool) {
		for k := range hs {
			if !isNew[k] && !yield(hs[k]) {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	f := 0
	for k, i := range order {
		dup := false
		if !isNew[k] {
			dup = found[f]
			f++
		}
		if k > 0 && hs[k-1] == hs[k] || k+1 < len(hs) && hs[k+1] == hs[k] {
			continue // repeated within the document: the batch decides
		}
		pre[i].known, pre[i].dup = true, dup
	}
	return nil
}
