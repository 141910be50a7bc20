package engine

import (
	"fmt"
)

// ReviewSuspicious records a regulator's verdict on the suspicious flag of
// the item code names (any format Resolve takes): VerdictConfirmed keeps
// it flagged, VerdictCleared clears it and drops the evidence so far. Only
// a regulator key whose region covers the producer's registered region may
// review (ErrWrongOrg otherwise); reason is required. The decision is
// durable when ReviewSuspicious returns.
func (e *Engine) ReviewSuspicious(l *ScanLog, key APIKey, code string, v ScanVerdict, reason string) (ScanRef, ScanStats, error) {
	if v != VerdictConfirmed && v != VerdictCleared {
		return ScanRef{}, ScanStats{}, fieldErr("verdict", fmt.Sprint(uint8(v)), "must be confirmed or cleared")
	}
	if err := checkText("reason", reason, 200, true); err != nil {
		return ScanRef{}, ScanStats{}, err
	}
	if !key.Scopes.Has(ScopeRegulator) || key.Region == 0 {
		return ScanRef{}, ScanStats{}, fmt.Errorf("%w: only a regulator's key may confirm or clear a suspicious flag", ErrWrongOrg)
	}
	c, err := e.Resolve(code)
	if err != nil {
		return ScanRef{}, ScanStats{}, err
	}
	if c.Status == StatusNeverIssued || c.Org == nil {
		return ScanRef{}, ScanStats{}, fieldErr("code", code, "names no issued item")
	}
	if !RegionCovers(key.Region, c.Org.Region) {
		return ScanRef{}, ScanStats{}, fmt.Errorf("%w: the item's producer is registered in region %06d, outside this regulator's region %06d",
			ErrWrongOrg, c.Org.Region, key.Region)
	}
	ref := ScanRef{Product: c.Node.Product, Counter: c.Node.Counter}
	st, err := l.Review(ref, ScanReview{Verdict: v, Time: e.nowMillis(), Key: key.ID, Reason: reason})
	return ref, st, err
}
