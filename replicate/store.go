package replicate

import "context"

// StoreReplicator connects a writer's store to the log: it is the
// store's Replicator (engine/store.Options.Replicator, set through
// engine.Options.Store), enqueueing every committed batch on the
// Publisher as the record of its log position; a synced commit returns
// once the batch's message is stored on a quorum. A replica applies the
// records with its store's ApplyReplicated.
type StoreReplicator struct {
	P *Publisher
}

// Committed enqueues the batch; the returned wait is its acknowledgement.
func (s StoreReplicator) Committed(seq uint64, repr []byte) func() error {
	a, err := s.P.Enqueue(Record{Seq: seq, Data: repr})
	if err != nil {
		return func() error { return err }
	}
	return func() error { return a.Wait(context.Background()) }
}
