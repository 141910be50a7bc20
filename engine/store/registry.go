package store

// PrefixInfo documents one key prefix: its row in docs/storage.md's key
// tables, cell by cell (markdown, with "|" unescaped), which
// TestStorageDocMatchesRegistry holds equal to the registry (and rewrites
// from it with -rewrite).
type PrefixInfo struct {
	Prefix    byte
	Name      string // the constant's name without "prefix" (prefixName)
	Key       string // layout after the prefix byte
	Value     string // what the value holds
	WrittenBy string // the operations that write it
	Owner     string // the package that builds the key and encodes the value
}

// Prefixes is the prefix registry: every prefix the engine writes, in key
// order, in the ranges of keys.go. Adding a prefix: pick a free byte in its
// range, add the unexported constant (prefixX) beside its kind, its
// KeySpace and key constructors, the row here and an empty row with its
// byte in the right table of docs/storage.md; `go test ./engine/store -run
// StorageDoc -rewrite` fills the row from here (a test holds them equal,
// and every prefix constant registered).
var Prefixes = []PrefixInfo{
	{prefixMeta, "Meta", "`id u8`", "Uint", "first Open, every id allocation", "engine"},
	{prefixShortKey, "ShortKey", "`gen u8`", "Key", "first Open", "engine"},
	{prefixOrg, "Org", "`org u32`", "Org", "AddOrg, AddProduct", "engine"},
	{prefixOrgByGCP, "OrgByGCP", "`gcp digits`", "Uint(org)", "AddOrg, AddProduct", "engine"},
	{prefixOrgByUSCC, "OrgByUSCC", "`uscc`", "Uint(org)", "AddOrg", "engine"},
	{prefixSectorOrg, "SectorOrg", "`org u32`", "media (the gases a filling station fills)", "`PUT /v1/orgs/{org}/station`, the demo", "engine/sector"},
	{prefixSite, "Site", "`org u32 | site u32`", "kind, name, region (county or township), GLN, site code, address, disabled, created, updated; version 2: the record from which events see it, its earlier regions and GLNs with the record each ended at", "`POST /v1/orgs/{org}/sites`, `PUT /v1/orgs/{org}/sites/{site}`", "engine/site"},
	{prefixSiteByGLN, "SiteByGLN", "`gln 13 digits`", "org u32 | site u32", "adding a site with a GLN, changing its GLN", "engine/site"},
	{prefixProduct, "Product", "`product u32`", "Product", "AddProduct", "engine"},
	{prefixProductByGTIN, "ProductByGTIN", "`gtin 14 digits` (the product's, and each level GTIN's)", "Uint(product)", "AddProduct, a level GTIN's declaration", "engine"},
	{prefixProductByCode, "ProductByCode", "`org u32 | own code`", "Uint(product)", "AddProduct", "engine"},
	{prefixProductByDrugID, "ProductByDrugID", "`drug id 7 digits`", "Uint(product)", "AddProduct", "engine"},
	{prefixProductState, "ProductState", "`product u32`", "ProductState", "AddProduct, every mint", "engine"},
	{prefixProductKey, "ProductKey", "`product u32 | gen u8`", "Key", "AddProduct", "engine"},
	{prefixSectorProduct, "SectorProduct", "`product u32`", "category profile name, master data fields (name, value)", "`PUT /v1/products/{product}/profile`, the demo", "engine/sector"},
	{prefixAmendment, "Amendment", "`kind u8 | id u32 | seq u32` (kind 1: a product, 2: a lot)", "time, actor, organisation, reason, changes (field, old value, new value)", "`PATCH /v1/products/{product}`, `PATCH /v1/lots/{lot}`", "engine/amend"},
	{prefixDetails, "Details", "`kind u8 | id u32` (kind 1: a product, 2: a lot)", "a product's description and image URLs; a lot's quantity and origin", "`PATCH /v1/products/{product}`, `PATCH /v1/lots/{lot}`", "engine/amend"},
	{prefixLot, "Lot", "`lot u32`", "Lot", "AddLot, mint with lot creation", "engine"},
	{prefixLotByNumber, "LotByNumber", "`product u32 | number`", "Uint(lot)", "AddLot, mint with lot creation", "engine"},
	{prefixSectorItem, "SectorItem", "`kind u8 | product or lot u32 | counter u64` (kind 1: a code, 2: a lot)", "product, master data fields (private ones as SHA-256), registered by, time", "`PUT /v1/items`, the demo", "engine/sector"},
	{prefixBlock, "Block", "`block u64`", "Block", "Mint, Import, Release, Void", "engine"},
	{prefixBlockByCounter, "BlockByCounter", "`product u32 | start u64`", "Uint(block)", "Mint, Import", "engine"},
	{prefixBlockByShort, "BlockByShort", "`shortStart u64`", "Uint(block)", "Mint (short scheme)", "engine"},
	{prefixIdem, "Idem", "`org u32 | request id`", "Uint(block)", "Mint, Import (with a request id)", "engine"},
	{prefixImported, "Imported", "`block u64 | serial`", "Uint(offset)", "Import (SSTable ingestion)", "engine"},
	{prefixImportBloom, "ImportBloom", "`block u64 | chunk u32`", "bloom chunk", "Import", "engine"},
	{prefixItemState, "ItemState", "`block u64 | chunk u32`", "kind mask u8, then one portable roaring bitmap per kind (commissioned, voided, decommissioned, recalled, packed, events, history, container) of the chunk's 2^16 offsets", "every report", "engine/itemstate"},
	{prefixUnit, "Unit", "`sscc u64`", "org, level u8, state u8, created, seq", "first use of an SSCC", "engine/agg"},
	{prefixRecallLot, "RecallLot", "`lot u32`", "seq, time", "Recall; deleted by LiftRecall", "engine/ledger"},
	{prefixRecallProduct, "RecallProduct", "`product u32`", "seq, time", "Recall; deleted by LiftRecall", "engine/ledger"},
	{prefixEvent, "Event", "`seq u64`", "record summary: kind, org, orgSeq, record/event time, zone, type, action, bizStep, disposition, persistent disposition, readPoint, bizLocation, credential, eventID, bizTransactions, sources, destinations, content hash [32], flags", "every report", "engine/ledger"},
	{prefixOrgLog, "OrgLog", "`org u32 | orgSeq u64`", "seq, record hash [32], chain hash [32]", "every report", "engine/ledger"},
	{prefixCheckpoint, "Checkpoint", "`org u32 | size u64`", "RFC 6962 root [32], time, compact range hashes", "every 1,024 records of an organisation; `chain.Chain.Checkpoint` (serve daily, `tracecode checkpoint`)", "engine/ledger"},
	{prefixEventByHash, "EventByHash", "`content hash [32]`", "Uint(seq)", "every record (captured events are deduplicated by it)", "engine/ledger"},
	{prefixEventPayload, "EventPayload", "`seq u64`", "targets (role, run / lot / product, quantity), body (the event as received, a one-event EPCIS document)", "every report", "engine/ledger"},
	{prefixReportID, "ReportID", "`org u32 | request id`", "Uint(first seq)", "reports with a request id", "engine/ledger"},
	{prefixErroneous, "Erroneous", "`seq u64`", "Uint(the error declaration's seq)", "a captured EPCIS error declaration of record seq (the record itself is never changed)", "engine/ledger"},
	{prefixEventID, "EventID", "`eventID` (as captured, ending the key)", "Uint(seq)", "captured events with an eventID (an error declaration finds its event by hash, else by eventID)", "engine/ledger"},
	{prefixEvNode, "EvNode", "`product u32 | counter u64 | seq u64`", "role u8", "records naming one code (product 0: SSCC)", "engine/ledger"},
	{prefixEvRun, "EvRun", "`product u32 | first u64 | seq u64`", "role u8, span uvarint (runs ≥ 8 codes, split at multiples of 2^16)", "records naming runs", "engine/ledger"},
	{prefixEvLot, "EvLot", "`lot u32 | seq u64`", "role u8", "records naming a lot", "engine/ledger"},
	{prefixEvProduct, "EvProduct", "`product u32 | seq u64`", "role u8", "records naming a whole product", "engine/ledger"},
	{prefixLotReach, "LotReach", "`lot u32 | seq u64`", "role u8", "records that reached items of a lot (forward trace)", "engine/ledger"},
	{prefixEvParent, "EvParent", "`product u32 | counter u64 | seq u64`", "role u8", "packing and unpacking records, on the parent (not its contents' concern)", "engine/ledger"},
	{prefixCustody, "Custody", "`node`", "org (holder), pending org (shipped to, not received; 0 none), since, seq", "a shipment by the holder to a registered organisation, its receiving, unpacking a parent held through a record (its children get the record)", "engine/agg"},
	{prefixAssociation, "Association", "`parent node | child identifier` (the EPC URI or Digital Link as captured, ending the key)", "since, seq", "AssociationEvent ADD (DELETE removes it); no containment implied", "engine/agg"},
	{prefixChildParent, "ChildParent", "`product u32 | first u64`", "span, parent node, since, seq (one key per run of consecutive children)", "Pack, Unpack", "engine/agg"},
	{prefixParentChildren, "ParentChildren", "`parent node | child block u64`", "portable roaring bitmap of block offsets", "Pack, Unpack", "engine/agg"},
	{prefixParentUnits, "ParentUnits", "`parent node | sscc u64`", "(version byte only)", "Pack, Unpack of SSCC children", "engine/agg"},
	{prefixChildHistory, "ChildHistory", "`product u32 | first u64 | unpack seq u64`", "span, parent, since, pack seq, until (split at multiples of 256)", "Unpack", "engine/agg"},
	{prefixParentHistory, "ParentHistory", "`parent node | unpack seq u64`", "until, removed runs", "Unpack", "engine/agg"},
	{prefixSectorEvent, "SectorEvent", "`item (13 bytes) | seq u64`", "kind, event time, org, fields (private ones as SHA-256)", "a captured EPCIS event carrying a category event (`tc:kind`)", "engine/sector"},
	{prefixEvForeign, "EvForeign", "`role u8 (1 epc, 2 parent, 3 child, 4 input, 5 output) | identifier key | 0x00 | seq u64`", "(version byte only)", "captured EPCIS events naming identifiers this store does not issue (a GRAI, GIAI, SGLN, GDTI… as its GS1 element string, another URI as given)", "engine/ledger"},
	{prefixEvTime, "EvTime", "`eventTime unix ms + 2^63 u64 | seq u64`", "(version byte only)", "captured EPCIS events (the query interface's event-time index)", "engine/ledger"},
	{prefixEvStep, "EvStep", "`field u8 (1 bizStep, 2 disposition) | term | 0x00 | seq u64`", "(version byte only)", "captured EPCIS events with a bizStep or disposition", "engine/ledger"},
	{prefixEvRegion, "EvRegion", "`division u32 (the business location's own division, as captured) | bizStep term | 0x00 | eventTime unix ms + 2^63 u64 | seq u64`", "(version byte only)", "captured EPCIS events whose business location lies in a division (its site's or its company prefix's organisation's, as captured)", "engine/ledger"},
	{prefixEvPlace, "EvPlace", "`role u8 (1 readPoint, 2 bizLocation) | location id | 0x00 | seq u64`", "(version byte only)", "captured EPCIS events with a readPoint or bizLocation", "engine/ledger"},
	{prefixCaptureJob, "CaptureJob", "`job id u64`", "state, org, created, finished, events, records, per-event errors, the document (until it is captured)", "`POST /v1/epcis/capture`; the capture worker", "engine/epcissub"},
	{prefixNamedQuery, "NamedQuery", "`owner (org:N, region:N or operator) | 0x00 | name`", "created, creator, the query's parameters (name, value)…", "`POST /v1/epcis/queries`; deleted by `DELETE /v1/epcis/queries/{name}`", "engine/epcisq"},
	{prefixSubscription, "Subscription", "`subscription id u64`", "owner, creator's key (id, org, region, scopes), query name and parameters, dest, signatureToken, reportIfEmpty, stream or schedule, cursor (last record delivered), batch size, in-flight notification", "`POST /v1/epcis/queries/{name}/subscriptions`, every delivery; deleted by `DELETE …/subscriptions/{id}`", "engine/epcissub"},
	{prefixRecallObject, "RecallObject", "`recall id u64`", "level u8, initiator, scope (lots, products, codes, a product's time window), reason zh/en, deadlines, state, times", "`POST /v1/recalls`, its ack, close and lift", "engine/recall"},
	{prefixRecallRecipient, "RecallRecipient", "`recall id u64 | org u32`", "region, quantities (received, held, sold), acknowledged, recovered, returned, destroyed, overdue mark", "a recall's creation (one per organisation of its forward trace), an acknowledgement, a removing, destroying or returns-receiving event", "engine/recall"},
	{prefixHold, "Hold", "`lot u32`", "since, by, reason, the recall it belongs to", "a hold (stop-trade) of a lot; deleted when released", "engine/recall"},
	{prefixAlert, "Alert", "`alert id u64`", "rule, severity u8, subject (product, counter, lot, org), region, time, evidence, state u8, state changes with who and note", "a rule that fires; acknowledge and close", "engine/alert"},
	{prefixAlertMark, "AlertMark", "`rule str | subject`", "seq, time (what a rule remembers of a subject: the first sale of a code; under `due:`+rule its due entry, under `open:`+rule | subject | alert id u64 an alert it tracks until its cause is gone)", "the rules, as reports, events and scans are applied", "engine/alert"},
	{prefixAlertDue, "AlertDue", "`due unix ms u64 | rule str | subject`", "payload (the rule's own)", "a rule scheduling a due date; deleted when it fires or is cancelled", "engine/alert"},
	{prefixOutbox, "Outbox", "`notification id u64`", "source, channel, target, subject, payload JSON, state u8, attempts, next try, last error, delivered time", "with the recall or alert that causes it (one batch); each delivery attempt", "engine/outbox"},
	{prefixOutboxPending, "OutboxPending", "`notification id u64`", "(version byte only)", "with the notification; deleted when it is delivered or dead-lettered", "engine/outbox"},
	{prefixOutboxBySource, "OutboxBySource", "`source kind u8 | source id u64 | notification id u64`", "(version byte only)", "with the notification", "engine/outbox"},
	{prefixSpotPlan, "SpotPlan", "`plan id u32`", "region, name, check items, categories, ratio per risk class (basis points), inspectors per inspection, publication days, conflicts (inspector, USCC), created, by", "`POST /v1/spotchecks/plans`, the demo", "engine/spotcheck"},
	{prefixSpotDraw, "SpotDraw", "`draw id u64`", "plan, region, seed and its source, algorithm and version, population SHA-256, the canonical population, the inspections (subject, name, org, class, inspectors), created, by, publish-by", "`POST /v1/spotchecks/plans/{plan}/draws`, the demo", "engine/spotcheck"},
	{prefixSpotResult, "SpotResult", "`draw id u64 | inspection u32`", "result code u8, note, sampled lots and codes, the inspection record's ledger seq, recorded, by", "`POST /v1/spotchecks/draws/{draw}/inspections/{n}/result`, the demo", "engine/spotcheck"},
	{prefixEndpoint, "Endpoint", "`org u32`", "contact name, phone, e-mail, webhook URL, webhook secret", "`PUT /v1/orgs/{org}/webhook`, `PUT /v1/orgs/{org}/contact`", "engine/outbox"},
	{prefixCreditRecord, "CreditRecord", "`seq u64`", "`ver=1 | type u8 | uscc str | org uvarint | region uvarint | time varint | kind u8 | gravity u8 | doc str | summary zh str | summary en str | publish from varint | repair from varint | expiry varint | target uvarint | approved u8 | note str | by str | by region uvarint | request id str | prev [32] | public key [32] | signature [64]` — one credit entry, repair application or repair decision, hash-chained and signed (ed25519)", "`POST /v1/credit`, the repair routes, a recall's close, an alert's confirmation, the demo", "engine/credit"},
	{prefixCreditSigner, "CreditSigner", "(none)", "`ver=1 | secret [32]` — the seed every credential's ed25519 signing key is derived from", "the credit book's first write", "engine/credit"},
	{prefixComplaint, "Complaint", "`tracking str`", "`ver=1 | created varint | code str | product uvarint | lot uvarint | producer uvarint | seller uvarint | region uvarint | anonymous u8 | name str | phone str | text str | n uvarint | n × photo sha256 [32] | request id str | state u8 | due varint | n uvarint | n × (state u8 | time varint | by str | note str)`", "`POST /v1/complaints`, the scan page's report form, a regulator's accept, refuse, handle and result", "engine/complaint"},
	{prefixComplaintPhoto, "ComplaintPhoto", "`sha256 [32]`", "`ver=1 | type u8 | bytes` — a complaint photo (JPEG, PNG or WebP), stored once by content", "`POST /v1/complaints` with photos", "engine/complaint"},
	{prefixScanStats, "ScanStats", "`product u32 | counter u64` (product 0: an SSCC)", "`ver=2 | count uvarint | first varint | last varint | n u8 | n × region uvarint | m u8 | m × client u32 | verdict u8 | [review time varint | review key u64 | reason str, if verdict ≠ 0]` — public scans of one item, first and last unix ms, up to 8 distinct prefectures, up to 16 distinct clients (the suspicious-copy evidence), a regulator's review (version 1 ends after the regions)", "the scan log, every `CountInterval` (2 s) for items scanned since", "engine/scanlog"},
	{prefixScanRaw, "ScanRaw", "`unix ms of the first scan u64 | seq u32`", "a segment: `n uvarint | n × (Δms varint | product uvarint | counter uvarint | region uvarint | class u8)`", "the scan log, one key per flush (`FlushInterval`, 250 ms)", "engine/scanlog"},
	{prefixScanMerge, "ScanMerge", "(none: one key)", "Uint: the sequence of the last message of the scans stream (`TRACECODE_SCANS`, the replicas' scan counts) the stored scan counts include", "the writer's scan log, in the batch of the counts it merged", "engine/scanlog"},
	{prefixAPIKey, "APIKey", "`key id u64`", "`created varint | revoked varint | org uvarint | scopes u8 | region uvarint | sha256(secret) [32] | name str`", "`POST /v1/keys`, the demo, the bootstrap operator key", "engine/apikey"},
	{prefixAccount, "Account", "`account id u32`", "`created varint | disabled varint | role u8 | org uvarint | region uvarint | categories uvarint | failures uvarint | locked until varint | argon2id time u8 | memory KiB uvarint | threads u8 | salt [16] | hash [32] | totp secret str | login str | name str`", "`tracecode user add`, `POST /v1/users`, every login (failure count, lockout), disable, reset-password", "engine/account"},
	{prefixAccountByLogin, "AccountByLogin", "`login name`", "Uint(account id)", "`tracecode user add`, `POST /v1/users`", "engine/account"},
	{prefixSession, "Session", "`sha256(session id) [32]`", "`account uvarint | created varint | expires varint | csrf token [32]`", "a login; deleted by logout, disable, reset-password and on expiry", "engine/account"},
	{prefixAudit, "Audit", "`seq u64`", "`time varint | actor account uvarint | actor key u64 | actor org uvarint | actor region uvarint | subject org uvarint | subject region uvarint | action u8 | outcome u8 | client str | target str | detail str`", "every login (success or failure), logout and privileged action; never rewritten or deleted", "engine/account"},
	{prefixStatCount, "StatCount", "`region u32 | day u32` (region: a division at any level, 0 for counts without one, 2^31 + org for an organisation's own; day yyyymmdd)", "`ver=1 | k uvarint | k × (category u8 | n uvarint | n × (metric u8 | count uvarint))` — the non-zero counts by category and metric", "every write the statistics count (reports, mints, organisations, products, the scan log), in the write's own batch", "engine/stats"},
	{prefixStatActive, "StatActive", "`org u32 | period u8 | day u32` (period 0: the day, 1: the month, day its first)", "(version byte only)", "an organisation's first record of a day or month", "engine/stats"},
}

// LookupPrefix returns the registry entry of prefix p.
func LookupPrefix(p byte) (PrefixInfo, bool) {
	for _, i := range Prefixes {
		if i.Prefix == p {
			return i, true
		}
	}
	return PrefixInfo{}, false
}
