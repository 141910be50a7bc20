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
	MetaKeys           = KeySpace{prefixMeta}
	ShortKeyKeys       = KeySpace{prefixShortKey}
	OrgKeys            = KeySpace{prefixOrg}
	OrgByGCPKeys       = KeySpace{prefixOrgByGCP}
	OrgByUSCCKeys      = KeySpace{prefixOrgByUSCC}
	SiteKeys           = KeySpace{prefixSite}
	SiteByGLNKeys      = KeySpace{prefixSiteByGLN}
	ProductKeys        = KeySpace{prefixProduct}
	ProductByGTINKeys  = KeySpace{prefixProductByGTIN}
	ProductByCodeKeys  = KeySpace{prefixProductByCode}
	ProductByDrugKeys  = KeySpace{prefixProductByDrugID}
	ProductStateKeys   = KeySpace{prefixProductState}
	ProductKeyKeys     = KeySpace{prefixProductKey}
	AmendmentKeys      = KeySpace{prefixAmendment}
	DetailsKeys        = KeySpace{prefixDetails}
	LotKeys            = KeySpace{prefixLot}
	LotByNumberKeys    = KeySpace{prefixLotByNumber}
	BlockKeys          = KeySpace{prefixBlock}
	BlockByCounterKeys = KeySpace{prefixBlockByCounter}
	BlockByShortKeys   = KeySpace{prefixBlockByShort}
	IdemKeys           = KeySpace{prefixIdem}
	ImportedKeys       = KeySpace{prefixImported}
	ImportBloomKeys    = KeySpace{prefixImportBloom}

	ItemStateKeys      = KeySpace{prefixItemState}
	UnitKeys           = KeySpace{prefixUnit}
	RecallLotKeys      = KeySpace{prefixRecallLot}
	RecallProductKeys  = KeySpace{prefixRecallProduct}
	EventKeys          = KeySpace{prefixEvent}
	OrgLogKeys         = KeySpace{prefixOrgLog}
	CheckpointKeys     = KeySpace{prefixCheckpoint}
	EventByHashKeys    = KeySpace{prefixEventByHash}
	EventPayloadKeys   = KeySpace{prefixEventPayload}
	ReportIDKeys       = KeySpace{prefixReportID}
	ErroneousKeys      = KeySpace{prefixErroneous}
	EventIDKeys        = KeySpace{prefixEventID}
	EvNodeKeys         = KeySpace{prefixEvNode}
	EvRunKeys          = KeySpace{prefixEvRun}
	EvLotKeys          = KeySpace{prefixEvLot}
	EvProductKeys      = KeySpace{prefixEvProduct}
	LotReachKeys       = KeySpace{prefixLotReach}
	EvParentKeys       = KeySpace{prefixEvParent}
	CustodyKeys        = KeySpace{prefixCustody}
	AssociationKeys    = KeySpace{prefixAssociation}
	ChildParentKeys    = KeySpace{prefixChildParent}
	ParentChildrenKeys = KeySpace{prefixParentChildren}
	ParentUnitsKeys    = KeySpace{prefixParentUnits}
	ChildHistoryKeys   = KeySpace{prefixChildHistory}
	ParentHistoryKeys  = KeySpace{prefixParentHistory}
	SectorOrgKeys      = KeySpace{prefixSectorOrg}
	SectorProductKeys  = KeySpace{prefixSectorProduct}
	SectorItemKeys     = KeySpace{prefixSectorItem}
	SectorEventKeys    = KeySpace{prefixSectorEvent}
	EvTimeKeys         = KeySpace{prefixEvTime}
	EvStepKeys         = KeySpace{prefixEvStep}
	EvRegionKeys       = KeySpace{prefixEvRegion}
	EvPlaceKeys        = KeySpace{prefixEvPlace}
	EvForeignKeys      = KeySpace{prefixEvForeign}
	CaptureJobKeys     = KeySpace{prefixCaptureJob}
	NamedQueryKeys     = KeySpace{prefixNamedQuery}
	SubscriptionKeys   = KeySpace{prefixSubscription}

	RecallObjectKeys    = KeySpace{prefixRecallObject}
	RecallRecipientKeys = KeySpace{prefixRecallRecipient}
	HoldKeys            = KeySpace{prefixHold}
	AlertKeys           = KeySpace{prefixAlert}
	AlertMarkKeys       = KeySpace{prefixAlertMark}
	AlertDueKeys        = KeySpace{prefixAlertDue}
	OutboxKeys          = KeySpace{prefixOutbox}
	OutboxPendingKeys   = KeySpace{prefixOutboxPending}
	OutboxBySourceKeys  = KeySpace{prefixOutboxBySource}
	EndpointKeys        = KeySpace{prefixEndpoint}
	SpotPlanKeys        = KeySpace{prefixSpotPlan}
	SpotDrawKeys        = KeySpace{prefixSpotDraw}
	SpotResultKeys      = KeySpace{prefixSpotResult}
	CreditRecordKeys    = KeySpace{prefixCreditRecord}
	CreditSignerKeys    = KeySpace{prefixCreditSigner}
	ComplaintKeys       = KeySpace{prefixComplaint}
	ComplaintPhotoKeys  = KeySpace{prefixComplaintPhoto}

	ScanStatsKeys      = KeySpace{prefixScanStats}
	ScanRawKeys        = KeySpace{prefixScanRaw}
	ScanMergeKeys      = KeySpace{prefixScanMerge}
	APIKeyKeys         = KeySpace{prefixAPIKey}
	AccountKeys        = KeySpace{prefixAccount}
	AccountByLoginKeys = KeySpace{prefixAccountByLogin}
	SessionKeys        = KeySpace{prefixSession}
	AuditKeys          = KeySpace{prefixAudit}
	StatCountKeys      = KeySpace{prefixStatCount}
	StatActiveKeys     = KeySpace{prefixStatActive}
)
