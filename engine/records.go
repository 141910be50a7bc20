package engine

// The ledger's and the aggregation index's types as they appear in the
// engine's answers (Chain, Entry, ReportMeta), so callers need not import
// those packages.

import (
	"tracecode/engine/agg"
	"tracecode/engine/ledger"
)

// Record and index types, shared with packages agg and ledger (see there
// for their fields and encodings).
type (
	Node        = agg.Node
	Association = agg.Association
	Summary     = ledger.Summary
	Pair        = ledger.Pair
	RecordKind  = ledger.Kind
)

// What produced a ledger record (Summary.Kind).
const (
	KindEPCIS        = ledger.KindEPCIS
	KindCommission   = ledger.KindCommission
	KindVoid         = ledger.KindVoid
	KindDecommission = ledger.KindDecommission
	KindPack         = ledger.KindPack
	KindUnpack       = ledger.KindUnpack
	KindRecall       = ledger.KindRecall
	KindRelease      = ledger.KindRelease
	KindRecallLift   = ledger.KindRecallLift
)

// FlagErrorDeclared is set in Summary.Flags of an EPCIS error declaration.
const FlagErrorDeclared = ledger.FlagErrorDeclared
