package store

import "encoding/binary"

// Prefixes of recalls, alerts and the notification outbox, in the range
// 0xA0–0xBF of the per-item records. The packages named in the registry
// build the keys and encode the values (engine/recall, engine/alert,
// engine/outbox); the byte diagrams are in docs/storage.md and in those
// packages' doc comments.
const (
	prefixRecallObject    byte = 0xA0 // 0xA0 | recall id u64                         → recall.Recall
	prefixRecallRecipient byte = 0xA1 // 0xA1 | recall id u64 | org u32               → recall.Recipient
	prefixHold            byte = 0xA2 // 0xA2 | lot u32                               → recall.Hold
	prefixAlert           byte = 0xA8 // 0xA8 | alert id u64                          → alert.Alert
	prefixAlertMark       byte = 0xA9 // 0xA9 | rule str | subject                    → alert mark
	prefixAlertDue        byte = 0xAA // 0xAA | due unix ms u64 | rule str | subject   → alert due entry
	prefixOutbox          byte = 0xB0 // 0xB0 | notification id u64                   → outbox.Notification
	prefixOutboxPending   byte = 0xB1 // 0xB1 | notification id u64                   → version byte only
	prefixOutboxBySource  byte = 0xB2 // 0xB2 | source kind u8 | source id u64 | id u64 → version byte only
	prefixEndpoint        byte = 0xB8 // 0xB8 | org u32                               → outbox.Endpoint
)

func decodeU64Key(p byte, k []byte, want string) (uint64, error) {
	if len(k) != 9 || k[0] != p {
		return 0, &KeyError{Key: k, Want: want}
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

// RecallObjectKey returns the key of recall id.
func RecallObjectKey(id uint64) []byte { return be64([]byte{prefixRecallObject}, id) }

// DecodeRecallObjectKey decodes a RecallObject key.
func DecodeRecallObjectKey(k []byte) (uint64, error) {
	return decodeU64Key(prefixRecallObject, k, "a recall key 0xA0|id u64")
}

// RecallRecipientKey returns the key of org's place in recall id (org 0:
// the recall's first recipient key).
func RecallRecipientKey(id uint64, org uint32) []byte {
	return be32(be64([]byte{prefixRecallRecipient}, id), org)
}

// DecodeRecallRecipientKey decodes a RecallRecipient key.
func DecodeRecallRecipientKey(k []byte) (id uint64, org uint32, err error) {
	if len(k) != 13 || k[0] != prefixRecallRecipient {
		return 0, 0, &KeyError{Key: k, Want: "a recall recipient key 0xA1|id u64|org u32"}
	}
	return binary.BigEndian.Uint64(k[1:]), binary.BigEndian.Uint32(k[9:]), nil
}

// HoldKey returns the key of lot's hold.
func HoldKey(lot uint32) []byte { return be32([]byte{prefixHold}, lot) }

// DecodeHoldKey decodes a Hold key.
func DecodeHoldKey(k []byte) (lot uint32, err error) {
	if len(k) != 5 || k[0] != prefixHold {
		return 0, &KeyError{Key: k, Want: "a hold key 0xA2|lot u32"}
	}
	return binary.BigEndian.Uint32(k[1:]), nil
}

// AlertKey returns the key of alert id.
func AlertKey(id uint64) []byte { return be64([]byte{prefixAlert}, id) }

// DecodeAlertKey decodes an Alert key.
func DecodeAlertKey(k []byte) (uint64, error) {
	return decodeU64Key(prefixAlert, k, "an alert key 0xA8|id u64")
}

// appendRule appends a rule name as keys hold it: its length u8, then the
// name (at most 255 bytes).
func appendRule(dst []byte, rule string) []byte {
	return append(append(dst, byte(len(rule))), rule...)
}

// AlertMarkKey returns the key of what rule remembers of subject.
func AlertMarkKey(rule string, subject []byte) []byte {
	return append(appendRule([]byte{prefixAlertMark}, rule), subject...)
}

// AlertDueKey returns the key of rule's due entry for subject at due
// (unix ms; negative counts as 0).
func AlertDueKey(due int64, rule string, subject []byte) []byte {
	return append(appendRule(be64([]byte{prefixAlertDue}, uint64(max(due, 0))), rule), subject...)
}

// AlertDueBefore returns [lo, hi) over the due entries due before t (unix
// ms).
func AlertDueBefore(t int64) (lo, hi []byte) {
	return []byte{prefixAlertDue}, be64([]byte{prefixAlertDue}, uint64(max(t, 0)))
}

// DecodeAlertDueKey decodes an AlertDue key; rule and subject alias k.
func DecodeAlertDueKey(k []byte) (due int64, rule, subject []byte, err error) {
	if len(k) < 10 || k[0] != prefixAlertDue || len(k) < 10+int(k[9]) {
		return 0, nil, nil, &KeyError{Key: k, Want: "an alert due key 0xAA|due u64|rule str|subject"}
	}
	n := int(k[9])
	return int64(binary.BigEndian.Uint64(k[1:9])), k[10 : 10+n], k[10+n:], nil
}

// OutboxKey returns the key of notification id.
func OutboxKey(id uint64) []byte { return be64([]byte{prefixOutbox}, id) }

// DecodeOutboxKey decodes an Outbox key.
func DecodeOutboxKey(k []byte) (uint64, error) {
	return decodeU64Key(prefixOutbox, k, "a notification key 0xB0|id u64")
}

// OutboxPendingKey returns the key marking notification id pending.
func OutboxPendingKey(id uint64) []byte { return be64([]byte{prefixOutboxPending}, id) }

// DecodeOutboxPendingKey decodes an OutboxPending key.
func DecodeOutboxPendingKey(k []byte) (uint64, error) {
	return decodeU64Key(prefixOutboxPending, k, "a pending key 0xB1|id u64")
}

// OutboxBySourceKey returns the key of notification id of source (kind,
// src); id 0 gives the start of every key of the source.
func OutboxBySourceKey(kind uint8, src, id uint64) []byte {
	k := be64([]byte{prefixOutboxBySource, kind}, src)
	if id == 0 {
		return k
	}
	return be64(k, id)
}

// DecodeOutboxBySourceKey decodes a complete OutboxBySource key.
func DecodeOutboxBySourceKey(k []byte) (kind uint8, src, id uint64, err error) {
	if len(k) != 18 || k[0] != prefixOutboxBySource {
		return 0, 0, 0, &KeyError{Key: k, Want: "a notification source key 0xB2|kind u8|source u64|id u64"}
	}
	return k[1], binary.BigEndian.Uint64(k[2:]), binary.BigEndian.Uint64(k[10:]), nil
}

// EndpointKey returns the key of org's contact and webhook.
func EndpointKey(org uint32) []byte { return be32([]byte{prefixEndpoint}, org) }
