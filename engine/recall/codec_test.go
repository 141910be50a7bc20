package recall

import (
	"encoding/hex"
	"testing"
)

// The stored bytes of the recall records, as the format (docs/storage.md)
// fixes them: an encoder change must not alter them, since records
// already stored are read back with the same decoder.

// TestRecallGolden holds a recall object's stored bytes, every field set.
func TestRecallGolden(t *testing.T) {
	r := Recall{ID: 4, Level: LevelII, Sector: SectorDrug, State: Closing, Producer: 1, ProducerRegion: 620100, Ordered: true,
		OrderedBy: "key:00000000000000a1", OrderRegion: 620000, Scope: Scope{Lots: []uint32{3, 400}, Products: []uint32{9}, Codes: []string{"c1", "码"},
			CodeLots: []uint32{5}, Window: &Window{Product: 9, From: 20260101, To: 20260131}}, ReasonZH: "原因", ReasonEN: "why",
		ActionZH: "停售", ActionEN: "stop", Created: 1772330400000, AckBy: 1772416800000, StartBy: 1772503200000, FinishBy: 1773108000000,
		LedgerSeq: 77, Closed: 1773200000000, CloseAsk: -5, CloseNote: "done", Progress: []Progress{{6, "half"}, {1772330400001, "全部"}}}
	golden(t, "recall", r.AppendBinary(nil), "0102020201c4ec2501146b65793a30303030303030303030303030306131e0eb250203900301090202633103e7a0810105010985cad409a3cad40906e58e9fe59ba00377687906e5819ce594ae0473746f7080e4fdf1946780d4b0c4956780c4e396966780d4c7d79a674d8090a6af9b6704646f6e6509020c0468616c6682e4fdf1946706e585a8e983a8")
	r.Scope.Window, r.Ordered, r.Progress = nil, false, nil
	golden(t, "recall without window", r.AppendBinary(nil), "0102020201c4ec2500146b65793a30303030303030303030303030306131e0eb250203900301090202633103e7a08101050006e58e9fe59ba00377687906e5819ce594ae0473746f7080e4fdf1946780d4b0c4956780c4e396966780d4c7d79a674d8090a6af9b6704646f6e650900")
}

// TestRecipientGolden holds a recall recipient's stored bytes.
func TestRecipientGolden(t *testing.T) {
	p := Recipient{Recall: 4, Org: 7, Name: "药房", Region: 620102, AtStart: Figures{Received: 10, Cases: 1, Held: 4, Sold: 6, Shipped: 300},
		AckBy: 1772416800000, Acked: -1, AckedBy: "key:0000000000000007", AckNote: "ok"}
	golden(t, "recipient", p.AppendBinary(nil), "01c6ec2506e88dafe688bf0a010406ac0280d4b0c4956701146b65793a30303030303030303030303030303037026f6b")
}

// TestHoldGolden holds a lot hold's stored bytes.
func TestHoldGolden(t *testing.T) {
	h := Hold{Lot: 3, Since: 1772330400000, By: "key:00000000000000a1", Reason: "抽检不合格", Producer: 2, Region: 620100}
	golden(t, "hold", h.AppendBinary(nil), "0180e4fdf19467146b65793a303030303030303030303030303061310fe68abde6a380e4b88de59088e6a0bc02c4ec25")
}

// golden fails unless got is want (hex).
func golden(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("%s bytes changed:\n got %s\nwant %s", what, h, want)
	}
}
