// CBV 2.0 vocabulary terms, from standards.md §5 and the term maps of the
// EPCIS 2.0 JSON-LD context (ref.gs1.org/standards/epcis/2.0.0).

package epcis

// BizStep values defined by CBV 2.0 (bare JSON form).
const (
	BizStepAccepting             BizStep = "accepting"
	BizStepArriving              BizStep = "arriving"
	BizStepAssembling            BizStep = "assembling"
	BizStepCollecting            BizStep = "collecting"
	BizStepCommissioning         BizStep = "commissioning"
	BizStepConsigning            BizStep = "consigning"
	BizStepCreatingClassInstance BizStep = "creating_class_instance"
	BizStepCycleCounting         BizStep = "cycle_counting"
	BizStepDecommissioning       BizStep = "decommissioning"
	BizStepDeparting             BizStep = "departing"
	BizStepDestroying            BizStep = "destroying"
	BizStepDisassembling         BizStep = "disassembling"
	BizStepDispensing            BizStep = "dispensing"
	BizStepEncoding              BizStep = "encoding"
	BizStepEnteringExiting       BizStep = "entering_exiting"
	BizStepHolding               BizStep = "holding"
	BizStepInspecting            BizStep = "inspecting"
	BizStepInstalling            BizStep = "installing"
	BizStepKilling               BizStep = "killing"
	BizStepLoading               BizStep = "loading"
	BizStepOther                 BizStep = "other"
	BizStepPacking               BizStep = "packing"
	BizStepPicking               BizStep = "picking"
	BizStepReceiving             BizStep = "receiving"
	BizStepRemoving              BizStep = "removing"
	BizStepRepackaging           BizStep = "repackaging"
	BizStepRepairing             BizStep = "repairing"
	BizStepReplacing             BizStep = "replacing"
	BizStepReserving             BizStep = "reserving"
	BizStepRetailSelling         BizStep = "retail_selling"
	BizStepSampling              BizStep = "sampling"
	BizStepSensorReporting       BizStep = "sensor_reporting"
	BizStepShipping              BizStep = "shipping"
	BizStepStagingOutbound       BizStep = "staging_outbound"
	BizStepStockTaking           BizStep = "stock_taking"
	BizStepStocking              BizStep = "stocking"
	BizStepStoring               BizStep = "storing"
	BizStepTransporting          BizStep = "transporting"
	BizStepUnloading             BizStep = "unloading"
	BizStepUnpacking             BizStep = "unpacking"
	BizStepVoidShipping          BizStep = "void_shipping"
)

var bizStepTerms = []string{"accepting", "arriving", "assembling", "collecting", "commissioning", "consigning", "creating_class_instance", "cycle_counting", "decommissioning", "departing", "destroying", "disassembling", "dispensing", "encoding", "entering_exiting", "holding", "inspecting", "installing", "killing", "loading", "other", "packing", "picking", "receiving", "removing", "repackaging", "repairing", "replacing", "reserving", "retail_selling", "sampling", "sensor_reporting", "shipping", "staging_outbound", "stock_taking", "stocking", "storing", "transporting", "unloading", "unpacking", "void_shipping"}

// Disposition values defined by CBV 2.0 (bare JSON form).
const (
	DispActive                Disposition = "active"
	DispAvailable             Disposition = "available"
	DispCompletenessInferred  Disposition = "completeness_inferred"
	DispCompletenessVerified  Disposition = "completeness_verified"
	DispConformant            Disposition = "conformant"
	DispContainerClosed       Disposition = "container_closed"
	DispContainerOpen         Disposition = "container_open"
	DispDamaged               Disposition = "damaged"
	DispDestroyed             Disposition = "destroyed"
	DispDispensed             Disposition = "dispensed"
	DispDisposed              Disposition = "disposed"
	DispEncoded               Disposition = "encoded"
	DispExpired               Disposition = "expired"
	DispInProgress            Disposition = "in_progress"
	DispInTransit             Disposition = "in_transit"
	DispInactive              Disposition = "inactive"
	DispMismatchClass         Disposition = "mismatch_class"
	DispMismatchInstance      Disposition = "mismatch_instance"
	DispMismatchQuantity      Disposition = "mismatch_quantity"
	DispNeedsReplacement      Disposition = "needs_replacement"
	DispNoPedigreeMatch       Disposition = "no_pedigree_match"
	DispNonConformant         Disposition = "non_conformant"
	DispNonSellableOther      Disposition = "non_sellable_other"
	DispPartiallyDispensed    Disposition = "partially_dispensed"
	DispRecalled              Disposition = "recalled"
	DispReserved              Disposition = "reserved"
	DispRetailSold            Disposition = "retail_sold"
	DispReturned              Disposition = "returned"
	DispSellableAccessible    Disposition = "sellable_accessible"
	DispSellableNotAccessible Disposition = "sellable_not_accessible"
	DispStolen                Disposition = "stolen"
	DispUnavailable           Disposition = "unavailable"
	DispUnknown               Disposition = "unknown"
)

var dispositionTerms = []string{"active", "available", "completeness_inferred", "completeness_verified", "conformant", "container_closed", "container_open", "damaged", "destroyed", "dispensed", "disposed", "encoded", "expired", "in_progress", "in_transit", "inactive", "mismatch_class", "mismatch_instance", "mismatch_quantity", "needs_replacement", "no_pedigree_match", "non_conformant", "non_sellable_other", "partially_dispensed", "recalled", "reserved", "retail_sold", "returned", "sellable_accessible", "sellable_not_accessible", "stolen", "unavailable", "unknown"}

// BizTransactionType values defined by CBV 2.0 (bare JSON form).
const (
	BTTBol       BizTransactionType = "bol"
	BTTCert      BizTransactionType = "cert"
	BTTDesadv    BizTransactionType = "desadv"
	BTTInv       BizTransactionType = "inv"
	BTTPedigree  BizTransactionType = "pedigree"
	BTTPo        BizTransactionType = "po"
	BTTPoc       BizTransactionType = "poc"
	BTTProdorder BizTransactionType = "prodorder"
	BTTRecadv    BizTransactionType = "recadv"
	BTTRma       BizTransactionType = "rma"
	BTTTestprd   BizTransactionType = "testprd"
	BTTTestres   BizTransactionType = "testres"
	BTTUpevt     BizTransactionType = "upevt"
)

var bizTransactionTypeTerms = []string{"bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma", "testprd", "testres", "upevt"}

// SourceDestType values defined by CBV 2.0 (bare JSON form).
const (
	SDTOwningParty     SourceDestType = "owning_party"
	SDTPossessingParty SourceDestType = "possessing_party"
	SDTLocation        SourceDestType = "location"
)

var sourceDestTypeTerms = []string{"owning_party", "possessing_party", "location"}

// ErrorReason values defined by CBV 2.0 (bare JSON form).
const (
	ERDidNotOccur   ErrorReason = "did_not_occur"
	ERIncorrectData ErrorReason = "incorrect_data"
)

var errorReasonTerms = []string{"did_not_occur", "incorrect_data"}
