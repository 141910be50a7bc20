package store

// KeySpace is one record family: every key under one prefix of the
// registry. Packages outside store scan, bound and recognise a family's
// keys through its KeySpace and build them through the family's
// constructors (keys*.go); they never name the prefix byte.
type KeySpace struct{ p byte }

// Bounds returns [lo, hi): every key of the family, for an iterator or a
// Scan.
func (s KeySpace) Bounds() (lo, hi []byte) { return []byte{s.p}, []byte{s.p + 1} }

// Prefix returns the family's one-byte key prefix, for ScanPrefix.
func (s KeySpace) Prefix() []byte { return []byte{s.p} }

// Has reports whether k is a key of the family.
func (s KeySpace) Has(k []byte) bool { return len(k) > 0 && k[0] == s.p }

// Name returns the family's registry name (docs/storage.md).
func (s KeySpace) Name() string {
	if i, ok := LookupPrefix(s.p); ok {
		return i.Name
	}
	return "unregistered"
}

// KeySpaceOf returns the family of key k (false: an empty key or an
// unregistered prefix).
func KeySpaceOf(k []byte) (KeySpace, bool) {
	if len(k) == 0 {
		return KeySpace{}, false
	}
	if _, ok := LookupPrefix(k[0]); !ok {
		return KeySpace{}, false
	}
	return KeySpace{k[0]}, true
}

// Span returns [lo, hi) from the first key of family a to the last of
// family b (a ≤ b in key order): one iterator over neighbouring families.
func Span(a, b KeySpace) (lo, hi []byte) { return []byte{a.p}, []byte{b.p + 1} }

// Every record family of the registry (TestKeySpaces holds the list
// complete).
var (
	MetaKeys           = KeySpace{PrefixMeta}
	ShortKeyKeys       = KeySpace{PrefixShortKey}
	OrgKeys            = KeySpace{PrefixOrg}
	OrgByGCPKeys       = KeySpace{PrefixOrgByGCP}
	OrgByUSCCKeys      = KeySpace{PrefixOrgByUSCC}
	ProductKeys        = KeySpace{PrefixProduct}
	ProductByGTINKeys  = KeySpace{PrefixProductByGTIN}
	ProductByCodeKeys  = KeySpace{PrefixProductByCode}
	ProductByDrugKeys  = KeySpace{PrefixProductByDrugID}
	ProductStateKeys   = KeySpace{PrefixProductState}
	ProductKeyKeys     = KeySpace{PrefixProductKey}
	LotKeys            = KeySpace{PrefixLot}
	LotByNumberKeys    = KeySpace{PrefixLotByNumber}
	BlockKeys          = KeySpace{PrefixBlock}
	BlockByCounterKeys = KeySpace{PrefixBlockByCounter}
	BlockByShortKeys   = KeySpace{PrefixBlockByShort}
	IdemKeys           = KeySpace{PrefixIdem}
	ImportedKeys       = KeySpace{PrefixImported}
	ImportBloomKeys    = KeySpace{PrefixImportBloom}

	ItemStateKeys      = KeySpace{PrefixItemState}
	UnitKeys           = KeySpace{PrefixUnit}
	RecallLotKeys      = KeySpace{PrefixRecallLot}
	RecallProductKeys  = KeySpace{PrefixRecallProduct}
	EventKeys          = KeySpace{PrefixEvent}
	OrgLogKeys         = KeySpace{PrefixOrgLog}
	CheckpointKeys     = KeySpace{PrefixCheckpoint}
	EventByHashKeys    = KeySpace{PrefixEventByHash}
	EventPayloadKeys   = KeySpace{PrefixEventPayload}
	ReportIDKeys       = KeySpace{PrefixReportID}
	ErroneousKeys      = KeySpace{PrefixErroneous}
	EventIDKeys        = KeySpace{PrefixEventID}
	EvNodeKeys         = KeySpace{PrefixEvNode}
	EvRunKeys          = KeySpace{PrefixEvRun}
	EvLotKeys          = KeySpace{PrefixEvLot}
	EvProductKeys      = KeySpace{PrefixEvProduct}
	LotReachKeys       = KeySpace{PrefixLotReach}
	EvParentKeys       = KeySpace{PrefixEvParent}
	CustodyKeys        = KeySpace{PrefixCustody}
	AssociationKeys    = KeySpace{PrefixAssociation}
	ChildParentKeys    = KeySpace{PrefixChildParent}
	ParentChildrenKeys = KeySpace{PrefixParentChildren}
	ParentUnitsKeys    = KeySpace{PrefixParentUnits}
	ChildHistoryKeys   = KeySpace{PrefixChildHistory}
	ParentHistoryKeys  = KeySpace{PrefixParentHistory}
	SectorOrgKeys      = KeySpace{PrefixSectorOrg}
	SectorProductKeys  = KeySpace{PrefixSectorProduct}
	SectorItemKeys     = KeySpace{PrefixSectorItem}
	SectorEventKeys    = KeySpace{PrefixSectorEvent}
	EvTimeKeys         = KeySpace{PrefixEvTime}
	EvStepKeys         = KeySpace{PrefixEvStep}
	EvPlaceKeys        = KeySpace{PrefixEvPlace}
	CaptureJobKeys     = KeySpace{PrefixCaptureJob}
	NamedQueryKeys     = KeySpace{PrefixNamedQuery}
	SubscriptionKeys   = KeySpace{PrefixSubscription}

	RecallObjectKeys    = KeySpace{PrefixRecallObject}
	RecallRecipientKeys = KeySpace{PrefixRecallRecipient}
	HoldKeys            = KeySpace{PrefixHold}
	AlertKeys           = KeySpace{PrefixAlert}
	AlertMarkKeys       = KeySpace{PrefixAlertMark}
	AlertDueKeys        = KeySpace{PrefixAlertDue}
	OutboxKeys          = KeySpace{PrefixOutbox}
	OutboxPendingKeys   = KeySpace{PrefixOutboxPending}
	OutboxBySourceKeys  = KeySpace{PrefixOutboxBySource}
	EndpointKeys        = KeySpace{PrefixEndpoint}
	SpotPlanKeys        = KeySpace{PrefixSpotPlan}
	SpotDrawKeys        = KeySpace{PrefixSpotDraw}
	SpotResultKeys      = KeySpace{PrefixSpotResult}
	CreditRecordKeys    = KeySpace{PrefixCreditRecord}
	CreditSignerKeys    = KeySpace{PrefixCreditSigner}
	ComplaintKeys       = KeySpace{PrefixComplaint}
	ComplaintPhotoKeys  = KeySpace{PrefixComplaintPhoto}

	ScanStatsKeys      = KeySpace{PrefixScanStats}
	ScanRawKeys        = KeySpace{PrefixScanRaw}
	APIKeyKeys         = KeySpace{PrefixAPIKey}
	AccountKeys        = KeySpace{PrefixAccount}
	AccountByLoginKeys = KeySpace{PrefixAccountByLogin}
	SessionKeys        = KeySpace{PrefixSession}
	AuditKeys          = KeySpace{PrefixAudit}
	StatCountKeys      = KeySpace{PrefixStatCount}
	StatActiveKeys     = KeySpace{PrefixStatActive}
)
