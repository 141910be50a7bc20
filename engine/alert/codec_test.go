package alert

import (
	"encoding/hex"
	"testing"
)

// The stored bytes of the alert records, as the format (docs/storage.md)
// fixes them: an encoder change must not alter them, since records
// already stored are read back with the same decoder.

// TestAlertGolden holds an alert's stored bytes, every field set.
func TestAlertGolden(t *testing.T) {
	a := Alert{ID: 7, Rule: "drug-sold-twice", Severity: Critical,
		Subject: Subject{Product: 3, Counter: 1 << 40, Lot: 4, Org: 5, Recall: 6, Code: "(01)09520123456788(21)X"},
		Region:  620102, Time: 1772330400000, Message: "m", MessageZH: "中",
		Evidence: []Evidence{{Kind: EvRecord, Seq: 10, Note: "first"}, {Kind: EvScan, Seq: 300}},
		State:    Closed, Changes: []Change{{State: Acknowledged, Time: 1, By: "k1"}, {State: Closed, Outcome: Cleared, Time: -2, By: "k2", Note: "核实"}}}
	golden(t, "alert", a.AppendBinary(nil), "010f647275672d736f6c642d74776963650303808080808020040506172830312930393532303132333435363738382832312958c6ec2580e4fdf19467016d03e4b8ad02010a05666972737402ac02000302020002026b3100030203026b3206e6a0b8e5ae9e")
}

// TestMarkGolden holds a rule's mark's stored bytes.
func TestMarkGolden(t *testing.T) {
	m := Mark{Seq: 300, Time: 1772330400000, N: 2}
	golden(t, "mark", m.AppendBinary(nil), "01ac0280e4fdf1946702")
}

// TestRecallDuePayloadGolden holds the payloads of a recall's due
// entries: a recipient's acknowledgement and the recall's finish.
func TestRecallDuePayloadGolden(t *testing.T) {
	golden(t, "ack due payload", recallDuePayload(0, 620102, 300, 0), "00c6ec25ac02")
	golden(t, "finish due payload", recallDuePayload(1, 620100, 300, 7), "01c4ec25ac0207")
}

// TestDueGolden holds a due entry's stored value: version 1, then the
// payload as is.
func TestDueGolden(t *testing.T) {
	golden(t, "due entry", dueValue(recallDuePayload(0, 620102, 300, 0)), "0100c6ec25ac02")
	golden(t, "empty due entry", dueValue(nil), "01")
}

// golden fails unless got is want (hex).
func golden(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("%s bytes changed:\n got %s\nwant %s", what, h, want)
	}
}
