package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tracecode/engine/chain"
)

// FuzzCapture captures arbitrary documents into one engine: no panic,
// every refusal a *ReportError (or a parse error) and, when the fuzzing
// ends, a store that Verify finds intact. Seeds cover the paths of custody
// (shipping to a destination, receiving), lifting a recall, transactions,
// associations with asset identifiers and error declarations.
func FuzzCapture(f *testing.F) {
	fx := newFixture(f)
	fx.commission(fx.items, 0, 99)
	fx.commission(fx.cases, 0, 9)
	t0 := testClock.Add(-10 * time.Hour)
	fx.packRange(fx.cases, 0, fx.items, 0, 9, t0)
	fx.packRange(fx.pallets, 0, fx.cases, 0, 0, t0.Add(time.Minute))
	pallet, item, loose := fx.code(fx.pallets, 0), fx.code(fx.items, 3), fx.code(fx.items, 50)
	seeds := []string{
		shipToB("2026-03-01T10:00:00+08:00", pallet),
		receive("2026-03-01T11:00:00+08:00", pallet),
		fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00Z","eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"OBSERVE",
"bizStep":"shipping","destinationList":[{"type":"location","destination":"https://id.gs1.org/414/6901234000027"}]}`, item),
		fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00Z","eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"OBSERVE",
"persistentDisposition":{"unset":["recalled"]}}`, item),
		fmt.Sprintf(`{"type":"TransactionEvent","eventTime":"2026-03-01T10:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","parentID":%q,
"bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:6901234000003:PO-1"}],"epcList":[%q]}`, pallet, loose),
		fmt.Sprintf(`{"type":"AssociationEvent","eventTime":"2026-03-01T10:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","parentID":%q,
"childEPCs":["urn:epc:id:giai:9520123.S1","https://id.gs1.org/8004/9520123V1",%q]}`, pallet, loose),
		fmt.Sprintf(`{"type":"AssociationEvent","eventTime":"2026-03-01T10:00:00Z","eventTimeZoneOffset":"+00:00","action":"DELETE","parentID":%q}`, pallet),
		fmt.Sprintf(`{"type":"ObjectEvent","eventTime":"2026-03-01T10:00:00Z","eventTimeZoneOffset":"+00:00","epcList":[%q],"action":"DELETE",
"bizStep":"destroying","errorDeclaration":{"declarationTime":"2026-03-01T11:00:00Z","reason":"incorrect_data","correctiveEventIDs":["urn:uuid:1"]}}`, loose),
	}
	for _, s := range seeds {
		f.Add(doc(s))
	}
	f.Fuzz(func(t *testing.T, d string) {
		_, err := fx.e.Reports().CaptureJSON(context.Background(), strings.NewReader(d), &chain.CaptureOptions{Org: fx.orgA, Credential: "fuzz"})
		if err != nil && !strings.Contains(err.Error(), "rejected") && !strings.Contains(err.Error(), "epcis") {
			t.Fatalf("capture: %v", err)
		}
	})
}
