package engine

import (
	"tracecode/engine/apikey"
	"tracecode/engine/scanlog"
	"tracecode/engine/scanreview"
)

// NewScanLog starts a scan log over the engine's store (see scanlog.Open).
// o may be nil for defaults. Close the scan log before the engine.
func (e *Engine) NewScanLog(o *scanlog.Options) *scanlog.Log {
	return scanlog.OpenCounted(e.db, o, e.Statistics().CountScans)
}

// APIKeys returns the API-key store over the engine's store.
func (e *Engine) APIKeys() *apikey.Keys { return apikey.New(e.db) }

// ReviewSuspicious records a regulator's verdict on the suspicious flag of
// the item code names (scanreview.Review): VerdictConfirmed keeps it
// flagged, VerdictCleared clears it; only a regulator of the producer's
// region may, with a reason.
func (e *Engine) ReviewSuspicious(l *scanlog.Log, key apikey.Key, code string, v scanlog.Verdict, reason string) (scanlog.Ref, scanlog.Stats, error) {
	return scanreview.Review(l, e, key, code, v, reason, e.nowMillis())
}
