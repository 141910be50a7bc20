package engine

import (
	"tracecode/engine/apikey"
	"tracecode/engine/scanlog"
	"tracecode/engine/scanreview"
)

// The scan log and the API keys are parts of their own (packages scanlog
// and apikey): they need only the store. These names keep the engine's
// vocabulary for callers.
type (
	ScanLog          = scanlog.Log
	ScanLogOptions   = scanlog.Options
	Scan             = scanlog.Scan
	ScanRef          = scanlog.Ref
	ScanStats        = scanlog.Stats
	ScanReview       = scanlog.Review
	ScanVerdict      = scanlog.Verdict
	ClientClass      = scanlog.ClientClass
	APIKey           = apikey.Key
	APIKeys          = apikey.Keys
	NewAPIKeyOptions = apikey.Options
	Scope            = apikey.Scope
)

// Client classes of a scan (see scanlog.ClientClass).
const (
	ClientUnknown = scanlog.ClientUnknown
	ClientBrowser = scanlog.ClientBrowser
	ClientWeChat  = scanlog.ClientWeChat
	ClientAlipay  = scanlog.ClientAlipay
	ClientApp     = scanlog.ClientApp
	ClientScanner = scanlog.ClientScanner
	ClientBot     = scanlog.ClientBot
)

// Verdicts on a suspicious flag (see scanlog.Verdict).
const (
	VerdictNone      = scanlog.VerdictNone
	VerdictConfirmed = scanlog.VerdictConfirmed
	VerdictCleared   = scanlog.VerdictCleared
)

// The bounds of the per-item evidence (see scanlog.Stats).
const (
	MaxScanClients = scanlog.MaxClients
	MaxScanRegions = scanlog.MaxRegions
)

// API-key scopes (see apikey.Scope).
const (
	ScopeMint      = apikey.ScopeMint
	ScopeReport    = apikey.ScopeReport
	ScopeEvents    = apikey.ScopeEvents
	ScopeAdmin     = apikey.ScopeAdmin
	ScopeRegulator = apikey.ScopeRegulator
)

// API-key errors (see package apikey).
var (
	ErrAPIKeyMalformed = apikey.ErrMalformed
	ErrAPIKeyUnknown   = apikey.ErrUnknown
	ErrAPIKeyRevoked   = apikey.ErrRevoked
)

// Scan-log and API-key functions (see packages scanlog and apikey).
var (
	OpenScanLog       = scanlog.Open
	ScanClient        = scanlog.ClientOf
	DecodeScanSegment = scanlog.DecodeSegment
	NewAPIKeys        = apikey.New
	ParseScopes       = apikey.ParseScopes
	AllScopes         = apikey.AllScopes
	ParseAPIKeyID     = apikey.ParseID
	RegionCovers      = apikey.RegionCovers
)

// NewScanLog starts a scan log over the engine's store (see scanlog.Open).
// o may be nil for defaults. Close the scan log before the engine.
func (e *Engine) NewScanLog(o *ScanLogOptions) *ScanLog {
	return scanlog.OpenCounted(e.db, o, e.statsOffice().CountScans)
}

// APIKeys returns the API-key store over the engine's store.
func (e *Engine) APIKeys() *APIKeys { return apikey.New(e.db) }

// The scan log's defaults (see scanlog.Options).
const (
	DefaultScanFlushInterval = scanlog.DefaultFlushInterval
	DefaultSuspiciousScore   = scanlog.DefaultSuspiciousScore
	DefaultSuspiciousRegions = scanlog.DefaultSuspiciousRegions
)

// ReviewSuspicious records a regulator's verdict on the suspicious flag of
// the item code names (scanreview.Review): VerdictConfirmed keeps it
// flagged, VerdictCleared clears it; only a regulator of the producer's
// region may, with a reason.
func (e *Engine) ReviewSuspicious(l *ScanLog, key APIKey, code string, v ScanVerdict, reason string) (ScanRef, ScanStats, error) {
	return scanreview.Review(l, e, key, code, v, reason, e.nowMillis())
}
