package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// decodeAny decodes a value by sample name and re-encodes it.
func decodeAny(name string, b []byte) (reenc []byte, err error) {
	switch name {
	case "org":
		v, err := DecodeOrg(1, b)
		return AppendOrg(nil, &v), err
	case "product", "product(level GTINs, version 3)":
		v, err := DecodeProduct(7, b)
		return AppendProduct(nil, &v), err
	case "productState", "productState(sscc issued)":
		v, err := DecodeProductState(b)
		return AppendProductState(nil, &v), err
	case "lot":
		v, err := DecodeLot(300, b)
		return AppendLot(nil, &v), err
	case "key", "key(sealed)":
		v, err := DecodeKey(b)
		return v.AppendBinary(nil), err
	case "block", "block(short, partial, released)", "block(sscc)":
		v, err := DecodeBlock(1, b)
		return AppendBlock(nil, &v), err
	case "uint(12345)":
		v, err := DecodeUint("uint", b)
		return v.AppendBinary(nil), err
	case "bloomChunk":
		v, err := DecodeBloomChunk(b)
		return AppendBloomChunk(nil, v), err
	}
	panic("unknown sample " + name)
}

// TestProductStateBeforeSSCC decodes a product state written before the
// sscc scheme (7 scheme counts): it reads with the sscc count 0. A build
// before the sscc scheme reads the new 8-count record only while the sscc
// count is 0.
func TestProductStateBeforeSSCC(t *testing.T) {
	s, err := DecodeProductState(mustHex(t, "0180c2d72f0780c2d72f000000000000"))
	if err != nil || s.HighWater != 100_000_000 || s.Issued[serial.GS1] != 100_000_000 || s.Issued[serial.SSCC] != 0 {
		t.Errorf("DecodeProductState(7 counts) = %+v, %v", s, err)
	}
}

// TestValueVersion1 decodes product and lot records written before they
// carried a revision (version 1, from the golden file of that layout):
// they read as revision 0 and keep every other field.
func TestValueVersion1(t *testing.T) {
	p, err := DecodeProduct(7, mustHex(t, "0182a0abfef962010e303935323031323334353637383800073836313233343507030a0112e998bfe88eabe8a5bfe69e97e883b6e59b8a14416d6f786963696c6c696e2063617073756c657301076773313a7069701668747470733a2f2f6578616d706c652e636e2f702f37"))
	if err != nil || p.Revision != 0 || p.NameEN != "Amoxicillin capsules" || len(p.Links) != 1 || p.Created != 1_700_000_000_001 {
		t.Errorf("DecodeProduct(version 1) = %+v, %v; want revision 0 and the fields", p, err)
	}
	l, err := DecodeLot(300, mustHex(t, "0184a0abfef9620706414243313233f6fbd3099598d5090d36393031323334303030303034"))
	if err != nil || l.Revision != 0 || l.Site != "6901234000004" || l.Expiry != 20270101 {
		t.Errorf("DecodeLot(version 1) = %+v, %v; want revision 0 and the fields", l, err)
	}
	// A version 2 record decodes its revision.
	p.Revision = 9
	if got, err := DecodeProduct(7, AppendProduct(nil, &p)); err != nil || got.Revision != 9 {
		t.Errorf("DecodeProduct(version 2) revision = %d, %v; want 9", got.Revision, err)
	}
	l.Revision = 4
	if got, err := DecodeLot(300, AppendLot(nil, &l)); err != nil || got.Revision != 4 {
		t.Errorf("DecodeLot(version 2) revision = %d, %v; want 4", got.Revision, err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValueRoundTrip(t *testing.T) {
	for _, s := range sampleValues() {
		got, err := decodeAny(s.name, s.enc)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !bytes.Equal(got, s.enc) {
			t.Errorf("%s: re-encoding differs:\n got %x\nwant %x", s.name, got, s.enc)
		}
	}
	// Decoded structs equal the originals, not just their bytes.
	p := model.Product{ID: 7, Org: 1, NameZH: "x", Levels: model.LevelSet(0).With(model.LevelItem).With(model.LevelCase)}
	p.GTIN[0], p.LevelGTINs[model.LevelCase][0] = '0', '1'
	copy(p.GTIN[1:], "9520123456788")
	copy(p.LevelGTINs[model.LevelCase][1:], "9520123456785")
	gotP, err := DecodeProduct(7, AppendProduct(nil, &p))
	if err != nil || !reflect.DeepEqual(gotP, p) {
		t.Fatalf("DecodeProduct = %+v, %v; want %+v", gotP, err, p)
	}
	b := model.Block{ID: 5, Product: 2, Scheme: 1, State: model.BlockActive, Start: 10, Count: 3, Requested: 4, Released: 1, RequestID: "r"}
	got, err := DecodeBlock(5, AppendBlock(nil, &b))
	if err != nil || !reflect.DeepEqual(got, b) {
		t.Fatalf("DecodeBlock = %+v, %v; want %+v", got, err, b)
	}
}

func TestValueVersionByte(t *testing.T) {
	// The current version of each record kind (1 unless listed).
	current := map[string]byte{"product": 2, "product(level GTINs, version 3)": productVersion, "lot": lotVersion}
	for _, s := range sampleValues() {
		want := max(current[s.name], 1)
		if s.enc[0] != want {
			t.Errorf("%s: version byte %d, want %d", s.name, s.enc[0], want)
		}
		if s.name == "product" {
			continue // its version 3 is the level GTINs sample, checked as that
		}
		for _, ver := range []byte{0, want + 1, 255} {
			bad := append([]byte{ver}, s.enc[1:]...)
			if _, err := decodeAny(s.name, bad); !errors.Is(err, ErrVersion) {
				t.Errorf("%s with version %d: err = %v, want ErrVersion", s.name, ver, err)
			}
		}
		if _, err := decodeAny(s.name, nil); err == nil {
			t.Errorf("%s: empty value decoded", s.name)
		}
	}
}

func TestValueTruncatedAndTrailing(t *testing.T) {
	for _, s := range sampleValues() {
		if s.name == "bloomChunk" {
			continue // a chunk is raw bytes: any length is valid
		}
		for n := 1; n < len(s.enc); n++ {
			if _, err := decodeAny(s.name, s.enc[:n]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s truncated to %d bytes: err = %v, want ErrCorrupt", s.name, n, err)
			}
		}
		if _, err := decodeAny(s.name, append(append([]byte(nil), s.enc...), 0)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s with a trailing byte: err = %v, want ErrCorrupt", s.name, err)
		}
	}
}

func TestBlockInvariants(t *testing.T) {
	for _, b := range []model.Block{
		{Count: 0, Scheme: 1},
		{Count: 2, Released: 3, Scheme: 1},
		{Start: 1<<64 - 1, Count: 2, Scheme: 1},
	} {
		b.Requested = b.Count
		if _, err := DecodeBlock(1, AppendBlock(nil, &b)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("block %+v decoded: %v", b, err)
		}
	}
}

func TestKeyDecoders(t *testing.T) {
	if id, err := DecodeBlockKey(AppendBlockKey(nil, 77)); err != nil || id != 77 {
		t.Fatal(id, err)
	}
	if p, s, err := DecodeBlockByCounterKey(BlockByCounterKey(3, 99)); err != nil || p != 3 || s != 99 {
		t.Fatal(p, s, err)
	}
	if o, r, err := DecodeIdemKey(IdemKey(4, "x/1")); err != nil || o != 4 || string(r) != "x/1" {
		t.Fatal(o, r, err)
	}
	if b, s, err := DecodeImportedKey(AppendImportedKey(nil, 5, []byte("SER"))); err != nil || b != 5 || string(s) != "SER" {
		t.Fatal(b, s, err)
	}
	if id, err := decodeU32Key(prefixLot, AppendLotKey(nil, 9)); err != nil || id != 9 {
		t.Fatal(id, err)
	}
	var ke *KeyError
	if _, err := DecodeBlockKey(AppendOrgKey(nil, 1)); !errors.As(err, &ke) || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("org key decoded as block key: %v", err)
	}
	if _, err := decodeU32Key(prefixLot, AppendProductKey(nil, 1)); err == nil {
		t.Fatal("product key decoded as lot key")
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct{ in, want []byte }{
		{[]byte{0x40}, []byte{0x41}},
		{[]byte{0x40, 0xff}, []byte{0x41}},
		{[]byte{0xff, 0xff}, nil},
		{[]byte{0x41, 0, 0, 0, 7}, []byte{0x41, 0, 0, 0, 8}},
	} {
		if got := PrefixEnd(c.in); !bytes.Equal(got, c.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", c.in, got, c.want)
		}
	}
}

// FuzzDecodeValues feeds arbitrary bytes to every value decoder: none may
// panic, and whatever decodes must re-encode to the same bytes (so a
// decoded record can be rewritten without change).
func FuzzDecodeValues(f *testing.F) {
	for i, s := range sampleValues() {
		f.Add(uint8(i), s.enc)
	}
	names := []string{}
	for _, s := range sampleValues() {
		names = append(names, s.name)
	}
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		name := names[int(which)%len(names)]
		re, err := decodeAny(name, b)
		if err != nil {
			return
		}
		if name == "key" || name == "product" || name == "productState" {
			// Canonical forms only: a non-minimal varint or a zero
			// count written differently still decodes; compare by
			// decoding the re-encoding once more.
			re2, err := decodeAny(name, re)
			if err != nil || !bytes.Equal(re, re2) {
				t.Fatalf("%s: re-encoding not stable: %x → %x (%v)", name, re, re2, err)
			}
			return
		}
		if !bytes.Equal(re, b) {
			re2, err := decodeAny(name, re)
			if err != nil || !bytes.Equal(re, re2) {
				t.Fatalf("%s: %x re-encodes to unstable %x (%v)", name, b, re, err)
			}
		}
	})
}

// FuzzDecodeKeys checks the key decoders never panic and round-trip.
func FuzzDecodeKeys(f *testing.F) {
	f.Add(AppendBlockKey(nil, 1))
	f.Add(BlockByCounterKey(1, 2))
	f.Add(IdemKey(1, "r"))
	f.Add(AppendImportedKey(nil, 1, []byte("S")))
	f.Add(ImportBloomKey(1, 0))
	f.Add(ProductKeyKey(1, 0))
	f.Add(AppendSeq(AppendEvRunKey(nil, 7, 1<<16), 5))
	f.Add(AppendParentHistoryKey(nil, 7, 100, 5))
	f.Add(AlertDueKey(1000, "r", []byte("s")))
	f.Add(OutboxBySourceKey(1, 4, 6))
	f.Fuzz(func(t *testing.T, k []byte) {
		same := func(what string, re []byte) {
			if !bytes.Equal(re, k) {
				t.Fatalf("%s key %x re-encodes to %x", what, k, re)
			}
		}
		if b, c, err := DecodeItemStateKey(k); err == nil {
			same("item state", AppendItemStateKey(nil, b, c))
		}
		if s, err := DecodeUnitKey(k); err == nil {
			same("unit", AppendUnitKey(nil, s))
		}
		if lot, id, err := DecodeRecallMarkKey(k); err == nil {
			same("recall mark", AppendRecallMarkKey(nil, lot, id))
		}
		if o, n, err := DecodeOrgLogKey(k); err == nil {
			same("log", AppendOrgLogKey(nil, o, n))
		}
		if o, n, err := DecodeCheckpointKey(k); err == nil {
			same("checkpoint", AppendCheckpointKey(nil, o, n))
		}
		if h, err := DecodeEventByHashKey(k); err == nil {
			same("content hash", AppendEventByHashKey(nil, (*[32]byte)(h)))
		}
		if o, id, err := DecodeReportIDKey(k); err == nil {
			same("request id", AppendReportIDKey(nil, o, string(id)))
		}
		if id, err := DecodeEventIDKey(k); err == nil {
			same("eventID", AppendEventIDKey(nil, string(id)))
		}
		if p, c, s, err := DecodeEvNodeKey(k); err == nil {
			same("event index", AppendSeq(AppendEvNodeKey(nil, p, c), s))
		}
		if p, c, s, err := DecodeEvParentKey(k); err == nil {
			same("packing index", AppendSeq(AppendEvParentKey(nil, p, c), s))
		}
		if p, f, s, err := DecodeEvRunKey(k); err == nil {
			same("run index", AppendSeq(AppendEvRunKey(nil, p, f), s))
		}
		if p, c, err := DecodeCustodyKey(k); err == nil {
			same("custody", AppendCustodyKey(nil, p, c))
		}
		if p, c, ch, err := DecodeAssociationKey(k); err == nil {
			same("association", AppendAssociationKey(nil, p, c, string(ch)))
		}
		if p, f, err := DecodeChildParentKey(k); err == nil {
			same("child→parent", AppendChildParentKey(nil, p, f))
		}
		if p, c, b, err := DecodeParentChildrenKey(k); err == nil {
			same("parent→children", AppendParentChildrenKey(nil, p, c, b))
		}
		if p, c, s, err := DecodeParentUnitsKey(k); err == nil {
			same("unit child", AppendParentUnitsKey(nil, p, c, s))
		}
		if p, f, s, err := DecodeChildHistoryKey(k); err == nil {
			same("child history", AppendChildHistoryKey(nil, p, f, s))
		}
		if p, c, s, err := DecodeParentHistoryKey(k); err == nil {
			same("parent history", AppendParentHistoryKey(nil, p, c, s))
		}
		if id, o, err := DecodeRecallRecipientKey(k); err == nil {
			same("recall recipient", RecallRecipientKey(id, o))
		}
		if lot, err := DecodeHoldKey(k); err == nil {
			same("hold", HoldKey(lot))
		}
		if due, r, s, err := DecodeAlertDueKey(k); err == nil && due >= 0 {
			same("alert due", AlertDueKey(due, string(r), s))
		}
		if kind, src, id, err := DecodeOutboxBySourceKey(k); err == nil && id != 0 {
			same("notification source", OutboxBySourceKey(kind, src, id))
		}
		if p, c, err := DecodeScanStatsKey(k); err == nil {
			same("scan stats", AppendScanStatsKey(nil, p, c))
		}
		if ms, s, err := DecodeScanRawKey(k); err == nil {
			same("scan segment", AppendScanRawKey(nil, ms, s))
		}
		if r, d, err := DecodeStatCountKey(k); err == nil {
			same("stat count", AppendStatCountKey(nil, r, d))
		}
		for _, dec := range []func([]byte) (uint64, error){DecodeSeqKey, DecodeRecallObjectKey, DecodeAlertKey, DecodeOutboxKey, DecodeOutboxPendingKey, DecodeAPIKeyKey, DecodeAuditKey, DecodeIndexSeq} {
			_, _ = dec(k)
		}
		if id, err := DecodeBlockKey(k); err == nil && !bytes.Equal(AppendBlockKey(nil, id), k) {
			t.Fatal("block key")
		}
		if p, s, err := DecodeBlockByCounterKey(k); err == nil && !bytes.Equal(BlockByCounterKey(p, s), k) {
			t.Fatal("block index key")
		}
		if o, r, err := DecodeIdemKey(k); err == nil && !bytes.Equal(IdemKey(o, string(r)), k) {
			t.Fatal("idem key")
		}
		if b, s, err := DecodeImportedKey(k); err == nil && !bytes.Equal(AppendImportedKey(nil, b, s), k) {
			t.Fatal("imported key")
		}
		if b, c, err := DecodeImportBloomKey(k); err == nil && !bytes.Equal(ImportBloomKey(b, c), k) {
			t.Fatal("bloom key")
		}
		if p, g, err := DecodeProductKeyKey(k); err == nil && !bytes.Equal(ProductKeyKey(p, g), k) {
			t.Fatal("product key key")
		}
		if s, err := DecodeBlockByShortKey(k); err == nil && !bytes.Equal(BlockByShortKey(s), k) {
			t.Fatal("short key")
		}
	})
}
