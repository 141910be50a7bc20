package spotcheck

import (
	"encoding/hex"
	"reflect"
	"testing"

	"tracecode/engine/model"
)

// The golden values set every field of a plan, a draw and a result, so
// that each one shows in the stored bytes (docs/storage.md): an encoder
// change must not alter them, since stored records are read back with
// these layouts.
func goldenPlan() Plan {
	return Plan{ID: 2, Region: 620102, Name: "食品生产抽查", Items: []string{"许可证", "标签"},
		Categories: []model.Category{1, 3}, Ratios: [5]uint16{0, 100, 250, 5000, 10000}, Inspectors: 2,
		PublishDays: 20, Conflicts: []Conflict{{Inspector: "lz.wang", Subject: "91620102MA71LY016E"}},
		Created: 1772330400000, CreatedBy: "lz.chengguan"}
}

func goldenDraw() Draw {
	return Draw{ID: 9, Plan: 2, Region: 620102, Seed: "2026-03-01 双色球", SeedSource: "given",
		Outcome: Outcome{Algorithm: "tracecode-draw", Version: 1, Seed: "2026-03-01 双色球", Population: "ab12",
			Inspections: []Inspection{{N: 1, Subject: "91620102MA71LY016E", Name: "兰州乳业", Org: 3, Class: "medium",
				Inspectors: []string{"lz.wang", "lz.li"}}, {N: 2, Subject: "org:4", Name: "天水果业", Class: "high"}}},
		Population: []byte("pop\x00ulation"), Created: 1772330400000, CreatedBy: "lz.chengguan", PublishBy: 1774009200000}
}

func goldenResult() Result {
	return Result{Draw: 9, N: 1, Code: Nonconforming, Note: "标签不合格", Lots: []string{"L1", "L2"},
		Codes: []string{"https://id.gs1.org/01/09520123456788/21/ABC"}, LedgerSeq: 4242, Recorded: 1772416800000, RecordedBy: "lz.wang"}
}

const (
	goldenPlanHex = "01c6ec2512e9a39fe59381e7949fe4baa7e68abde69fa50209e8aeb8e58fafe8af8106e6" +
		"a087e7adbe02010364fa018827904e021401076c7a2e77616e671239313632303130324d" +
		"4137314c593031364580e4fdf194670c6c7a2e6368656e676775616e"
	goldenDrawHex = "0102c6ec2514323032362d30332d303120e58f8ce889b2e7908305676976656e0e747261" +
		"6365636f64652d647261770104616231320b706f7000756c6174696f6e02123931363230" +
		"3130324d4137314c59303136450ce585b0e5b79ee4b9b3e4b89a03066d656469756d0207" +
		"6c7a2e77616e67056c7a2e6c69056f72673a340ce5a4a9e6b0b4e69e9ce4b89a00046869" +
		"67680080e4fdf194670c6c7a2e6368656e676775616e80b681b3a167"
	goldenResultHex = "01060fe6a087e7adbee4b88de59088e6a0bc02024c31024c32012b68747470733a2f2f69" +
		"642e6773312e6f72672f30312f30393532303132333435363738382f32312f4142439221" +
		"80d4b0c49567076c7a2e77616e67"
)

func TestPlanGolden(t *testing.T) {
	p := goldenPlan()
	v := p.AppendBinary(nil)
	if got := hex.EncodeToString(v); got != goldenPlanHex {
		t.Fatalf("plan bytes changed:\n got %s\nwant %s", got, goldenPlanHex)
	}
	back, err := DecodePlan(p.ID, v)
	if err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("DecodePlan = %+v, %v; want %+v", back, err, p)
	}
}

func TestDrawGolden(t *testing.T) {
	d := goldenDraw()
	v := d.AppendBinary(nil)
	if got := hex.EncodeToString(v); got != goldenDrawHex {
		t.Fatalf("draw bytes changed:\n got %s\nwant %s", got, goldenDrawHex)
	}
	back, err := DecodeDraw(d.ID, v)
	if err != nil || !reflect.DeepEqual(back, d) {
		t.Fatalf("DecodeDraw = %+v, %v; want %+v", back, err, d)
	}
}

func TestResultGolden(t *testing.T) {
	r := goldenResult()
	v := r.AppendBinary(nil)
	if got := hex.EncodeToString(v); got != goldenResultHex {
		t.Fatalf("result bytes changed:\n got %s\nwant %s", got, goldenResultHex)
	}
	back, err := DecodeResult(r.Draw, r.N, v)
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Fatalf("DecodeResult = %+v, %v; want %+v", back, err, r)
	}
}
