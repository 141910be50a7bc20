package store

// Prefixes of recalls, alerts and the notification outbox, in the range
// 0xA0–0xBF of the per-item records. The packages named in the registry
// build the keys and encode the values (engine/recall, engine/alert,
// engine/outbox); the byte diagrams are in docs/storage.md and in those
// packages' doc comments.
const (
	PrefixRecallObject    byte = 0xA0 // 0xA0 | recall id u64                         → recall.Recall
	PrefixRecallRecipient byte = 0xA1 // 0xA1 | recall id u64 | org u32               → recall.Recipient
	PrefixHold            byte = 0xA2 // 0xA2 | lot u32                               → recall.Hold
	PrefixAlert           byte = 0xA8 // 0xA8 | alert id u64                          → alert.Alert
	PrefixAlertMark       byte = 0xA9 // 0xA9 | rule str | subject                    → alert mark
	PrefixAlertDue        byte = 0xAA // 0xAA | due unix ms u64 | rule str | subject   → alert due entry
	PrefixOutbox          byte = 0xB0 // 0xB0 | notification id u64                   → outbox.Notification
	PrefixOutboxPending   byte = 0xB1 // 0xB1 | notification id u64                   → version byte only
	PrefixOutboxBySource  byte = 0xB2 // 0xB2 | source kind u8 | source id u64 | id u64 → version byte only
	PrefixEndpoint        byte = 0xB8 // 0xB8 | org u32                               → outbox.Endpoint
)
