package store

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -rewrite.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -rewrite to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output (run go test -rewrite and review the diff):\n%s", path, got)
	}
}

// annotate renders a key as "pp | rest" hex with a printable tail.
func annotate(k []byte) string {
	s := hex.EncodeToString(k[:1]) + " | " + hex.EncodeToString(k[1:])
	return s
}

func TestKeysGolden(t *testing.T) {
	gtin, _ := gs1.ParseGTIN("09520123456788")
	cases := []struct {
		name string
		key  []byte
	}{
		{"meta(schema)", MetaKey(MetaSchema)},
		{"meta(nextBlock)", MetaKey(MetaNextBlock)},
		{"meta(shortHW)", MetaKey(MetaShortHW)},
		{"meta(kek)", MetaKey(MetaKEK)},
		{"shortKey(gen=0)", ShortKeyKey(0)},
		{"org(1)", AppendOrgKey(nil, 1)},
		{"org(0x01020304)", AppendOrgKey(nil, 0x01020304)},
		{"orgByGCP(9520123)", OrgByGCPKey("9520123")},
		{"orgByUSCC(91350100M000100Y43)", OrgByUSCCKey("91350100M000100Y43")},
		{"product(7)", AppendProductKey(nil, 7)},
		{"productByGTIN(09520123456788)", ProductByGTINKey(gtin)},
		{"productByCode(org=1, RICE-5KG)", ProductByCodeKey(1, "RICE-5KG")},
		{"productByDrugID(8612345)", ProductByDrugIDKey("8612345")},
		{"productState(7)", ProductStateKey(7)},
		{"productKey(7, gen=1)", ProductKeyKey(7, 1)},
		{"lot(300)", AppendLotKey(nil, 300)},
		{"lotByNumber(7, ABC123)", LotByNumberKey(7, "ABC123")},
		{"block(1)", AppendBlockKey(nil, 1)},
		{"block(2^40)", AppendBlockKey(nil, 1<<40)},
		{"blockByCounter(7, start=100000000)", BlockByCounterKey(7, 100_000_000)},
		{"blockByShort(start=42)", BlockByShortKey(42)},
		{"idem(org=1, line-7/000123)", IdemKey(1, "line-7/000123")},
		{"imported(block=9, X9Y8)", AppendImportedKey(nil, 9, []byte("X9Y8"))},
		{"importBloom(block=9, chunk=2)", ImportBloomKey(9, 2)},
		{"itemState(block=9, chunk=2)", AppendItemStateKey(nil, 9, 2)},
		{"unit(sscc=3)", AppendUnitKey(nil, 3)},
		{"recallLot(300)", AppendRecallMarkKey(nil, true, 300)},
		{"recallProduct(7)", AppendRecallMarkKey(nil, false, 7)},
		{"event(seq=5)", AppendEventKey(nil, 5)},
		{"orgLog(org=1, orgSeq=5)", AppendOrgLogKey(nil, 1, 5)},
		{"checkpoint(org=1, size=1024)", AppendCheckpointKey(nil, 1, 1024)},
		{"eventByHash(0xAB…)", AppendEventByHashKey(nil, &[32]byte{0xAB, 31: 0xCD})},
		{"eventPayload(seq=5)", AppendEventPayloadKey(nil, 5)},
		{"reportID(org=1, r-1)", AppendReportIDKey(nil, 1, "r-1")},
		{"erroneous(seq=5)", AppendErroneousKey(nil, 5)},
		{"eventID(e-1)", AppendEventIDKey(nil, "e-1")},
		{"evNode(7, 100, seq=5)", AppendSeq(AppendEvNodeKey(nil, 7, 100), 5)},
		{"evRun(7, first=65536, seq=5)", AppendSeq(AppendEvRunKey(nil, 7, 65536), 5)},
		{"evLot(300, seq=5)", AppendSeq(AppendEvLotKey(nil, 300), 5)},
		{"evProduct(7, seq=5)", AppendSeq(AppendEvProductKey(nil, 7), 5)},
		{"lotReach(300, seq=5)", AppendSeq(AppendLotReachKey(nil, 300), 5)},
		{"evParent(7, 100, seq=5)", AppendSeq(AppendEvParentKey(nil, 7, 100), 5)},
		{"custody(7, 100)", AppendCustodyKey(nil, 7, 100)},
		{"association(7, 100, urn:x)", AppendAssociationKey(nil, 7, 100, "urn:x")},
		{"childParent(7, first=100)", AppendChildParentKey(nil, 7, 100)},
		{"parentChildren(7, 100, block=9)", AppendParentChildrenKey(nil, 7, 100, 9)},
		{"parentUnits(7, 100, sscc=3)", AppendParentUnitsKey(nil, 7, 100, 3)},
		{"childHistory(7, 100, seq=5)", AppendChildHistoryKey(nil, 7, 100, 5)},
		{"parentHistory(7, 100, seq=5)", AppendParentHistoryKey(nil, 7, 100, 5)},
		{"evTime(t=1000, seq=5)", AppendSeq(AppendEvTimeKey(nil, 1000), 5)},
		{"evStep(bizStep, shipping, seq=5)", AppendSeq(AppendEvStepKey(nil, 1, "shipping"), 5)},
		{"evPlace(readPoint, sgln, seq=5)", AppendSeq(AppendEvPlaceKey(nil, 1, "sgln"), 5)},
		{"captureJob(4)", CaptureJobKey(4)},
		{"namedQuery(org:1, q)", NamedQueryKey("org:1", "q")},
		{"subscription(4)", SubscriptionKey(4)},
		{"creditRecord(4)", CreditRecordKey(4)},
		{"creditSigner", CreditSignerKey()},
		{"complaint(T1)", ComplaintKey("T1")},
		{"complaintPhoto(0x22…)", ComplaintPhotoKey(&[32]byte{0x22})},
		{"recallObject(4)", RecallObjectKey(4)},
		{"recallRecipient(4, org=1)", RecallRecipientKey(4, 1)},
		{"hold(300)", HoldKey(300)},
		{"alert(4)", AlertKey(4)},
		{"alertMark(r, s)", AlertMarkKey("r", []byte("s"))},
		{"alertDue(due=1000, r, s)", AlertDueKey(1000, "r", []byte("s"))},
		{"outbox(4)", OutboxKey(4)},
		{"outboxPending(4)", OutboxPendingKey(4)},
		{"outboxBySource(1, 4, 6)", OutboxBySourceKey(1, 4, 6)},
		{"endpoint(1)", EndpointKey(1)},
		{"scanStats(7, 100)", AppendScanStatsKey(nil, 7, 100)},
		{"scanRaw(ms=1000, seq=2)", AppendScanRawKey(nil, 1000, 2)},
		{"apiKey(4)", APIKeyKey(4)},
		{"account(4)", AccountKey(4)},
		{"accountByLogin(ops)", AccountByLoginKey("ops")},
		{"session(0x11…)", SessionKey(&[32]byte{0x11})},
		{"audit(4)", AuditKey(4)},
		{"statCount(620100, 20261207)", AppendStatCountKey(nil, 620100, 20261207)},
		{"statActive(1, month, 20261201)", AppendStatActiveKey(nil, 1, 1, 20261201)},
	}
	var b strings.Builder
	b.WriteString("# Key layouts: prefix | big-endian fields (hex). Regenerate: go test ./engine/store -run Golden -rewrite\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "%-38s %s\n", c.name, annotate(c.key))
	}
	golden(t, "keys.txt", b.String())
}

// sampleValues is one value of every record type, reused by the golden,
// round-trip and fuzz tests.
func sampleValues() []struct {
	name string
	enc  []byte
} {
	gtin, _ := gs1.ParseGTIN("09520123456788")
	org := model.Org{ID: 1, Name: "福州示范药业有限公司", NameEN: "Fuzhou Demo Pharma", USCC: "91350100M000100Y43",
		Region: 350100, GCPs: []string{"9520123"}, Created: 1_700_000_000_000}
	prod := model.Product{ID: 7, Org: 1, GTIN: gtin, DrugID: "8612345", GCPLength: 7, Category: model.CatDrug,
		Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase), DefaultScheme: serial.GS1,
		NameZH: "阿莫西林胶囊", NameEN: "Amoxicillin capsules",
		Links: []model.Link{{Type: "gs1:pip", URL: "https://example.cn/p/7"}}, Created: 1_700_000_000_001, Revision: 3}
	levels := prod
	levels.Links = nil
	levels.LevelGTINs[model.LevelInner], _ = gs1.ParseGTIN("29520123456782")
	levels.LevelGTINs[model.LevelCase], _ = gs1.ParseGTIN("19520123456785")
	st := model.ProductState{HighWater: 100_000_000}
	st.Issued[serial.GS1] = 100_000_000
	lot := model.Lot{ID: 300, Product: 7, Number: "ABC123", Produced: 20250102, Expiry: 20270101, Site: "6901234000004", Created: 1_700_000_000_002, Revision: 2}
	key := Key{Created: 1_700_000_000_003, Bytes: bytes.Repeat([]byte{0xA5}, 32)}
	sealed := Key{Created: 1_700_000_000_003, Wrap: WrapAESGCM, Bytes: bytes.Repeat([]byte{0x5A}, WrappedKeyOverhead+32)}
	blk := model.Block{ID: 1, Org: 1, Product: 7, Lot: 300, Level: model.LevelItem, Scheme: serial.GS1, State: model.BlockActive,
		Start: 0, Count: 100_000_000, Requested: 100_000_000, RequestID: "line-7/000123", Created: 1_700_000_000_004}
	short := model.Block{ID: 2, Org: 1, Product: 7, Lot: 300, Level: model.LevelCase, Scheme: serial.Short, State: model.BlockActive,
		Flags: model.BlockFlagAllowPartial, Start: 100_000_000, Count: 5000, Requested: 6000, Released: 1000,
		ShortStart: 42, Note: "line stopped", Created: 1_700_000_000_005, Updated: 1_700_000_000_006}
	sscc := model.Block{ID: 3, Org: 1, Product: 7, Level: model.LevelPallet, Scheme: serial.SSCC, State: model.BlockActive,
		Start: 100_005_000, Count: 20, Requested: 20, ShortStart: 1000, Created: 1_700_000_000_007}
	ssccState := st
	ssccState.Issued[serial.SSCC] = 20
	return []struct {
		name string
		enc  []byte
	}{
		{"org", AppendOrg(nil, &org)},
		{"product", AppendProduct(nil, &prod)},
		{"product(level GTINs, version 3)", AppendProduct(nil, &levels)},
		{"productState", AppendProductState(nil, &st)},
		{"productState(sscc issued)", AppendProductState(nil, &ssccState)},
		{"lot", AppendLot(nil, &lot)},
		{"key", key.AppendBinary(nil)},
		{"key(sealed)", sealed.AppendBinary(nil)},
		{"block", AppendBlock(nil, &blk)},
		{"block(short, partial, released)", AppendBlock(nil, &short)},
		{"block(sscc)", AppendBlock(nil, &sscc)},
		{"uint(12345)", Uint(12345).AppendBinary(nil)},
		{"bloomChunk", AppendBloomChunk(nil, []byte{1, 2, 3})},
	}
}

func TestValuesGolden(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Value encodings: version byte first. Regenerate: go test ./engine/store -run Golden -rewrite\n")
	for _, v := range sampleValues() {
		fmt.Fprintf(&b, "%s (%d bytes)\n  %s\n", v.name, len(v.enc), hex.EncodeToString(v.enc))
	}
	golden(t, "values.txt", b.String())
}
