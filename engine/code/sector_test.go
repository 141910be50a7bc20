package code

import (
	"errors"
	"testing"

	"tracecode/engine/code/cn"
)

// TestParseSectorReadings checks which sector formats each shape is read
// as, and that a reading's fields or error come from the format's parser.
func TestParseSectorReadings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []SectorFormat
		ok   []bool
	}{
		{"31106201022019110001", []SectorFormat{SectorElevatorReg}, []bool{true}},
		{"01106201022019110001", []SectorFormat{SectorElevatorReg}, []bool{false}},
		{"3110108902020A0001", []SectorFormat{SectorElevatorDevice}, []bool{true}},
		{"1 62 001 000123", []SectorFormat{SectorCylinder}, []bool{true}},
		{"162001000123", []SectorFormat{SectorCylinder}, []bool{true}},
		{"10801231001123456789012345678901", []SectorFormat{SectorPesticide}, []bool{true}},
		{"https://x.cn/t/10801231001123456789012345678901", []SectorFormat{SectorPesticide}, []bool{true}},
		{"PD20080123", []SectorFormat{SectorPesticideReg}, []bool{true}},
		{"162050200000001", []SectorFormat{SectorEarTag}, []bool{true}},
		{"SC10562010200012", []SectorFormat{SectorSCLicence}, []bool{true}},
		{"陇薯7号\n甘肃种业\nA1\nhttps://x.cn/s", []SectorFormat{SectorSeedQR}, []bool{true}},
		{"（甘）PF〔2021〕000123", []SectorFormat{SectorFireworks}, []bool{true}},
		{"国药准字H20003263", []SectorFormat{SectorDrugApproval}, []bool{true}},
		{"(01)09520123456788(21)12345", nil, nil},
		{"81234560000000000012", []SectorFormat{SectorElevatorReg}, []bool{false}},
	} {
		got := ParseSector(tc.in)
		if len(got) != len(tc.want) {
			t.Errorf("%q: %d readings %v, want %v", tc.in, len(got), got, tc.want)
			continue
		}
		for i, s := range got {
			if s.Format != tc.want[i] || (s.Err == nil) != tc.ok[i] {
				t.Errorf("%q: reading %d is %v err %v, want %v ok %v", tc.in, i, s.Format, s.Err, tc.want[i], tc.ok[i])
			}
			if s.Err == nil && (s.Canonical == "" || len(s.Fields) == 0) {
				t.Errorf("%q as %v: no canonical text or fields", tc.in, s.Format)
			}
			if s.Err != nil && !errors.Is(s.Err, cn.ErrRange) && !errors.Is(s.Err, cn.ErrRegion) && !errors.Is(s.Err, cn.ErrDate) &&
				!errors.Is(s.Err, cn.ErrSyntax) && !errors.Is(s.Err, cn.ErrLength) {
				t.Errorf("%q as %v: error %v wraps no cn sentinel", tc.in, s.Format, s.Err)
			}
		}
	}
}

func TestParseSectorAsRescue(t *testing.T) {
	if r := ParseSectorAs("620011", SectorElevatorRescue); r.Err != nil || r.Canonical != "620011" {
		t.Fatalf("rescue id: %+v", r)
	}
	if len(ParseSector("620011")) != 0 {
		t.Fatal("a six-digit string was read as a sector code without being asked")
	}
	for f := SectorFormat(1); f < numSectorFormats; f++ {
		g, err := ParseSectorFormat(f.String())
		if err != nil || g != f {
			t.Errorf("%v: name does not round-trip: %v %v", f, g, err)
		}
	}
	if _, err := ParseSectorFormat("nope"); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown name: %v", err)
	}
}

func FuzzParseSector(f *testing.F) {
	for _, s := range []string{"31106201022019110001", "1 62 001 000123", "（甘）PF〔2021〕000123", "国药准字H20003263", "SC1", "a\nb\nc\nd", "https://x/10801231001123456789012345678901"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range ParseSector(s) {
			if r.Err != nil {
				continue
			}
			again := ParseSectorAs(r.Canonical, r.Format)
			if again.Err != nil || again.Canonical != r.Canonical {
				t.Fatalf("%q as %v: canonical %q reparses to %q %v", s, r.Format, r.Canonical, again.Canonical, again.Err)
			}
		}
	})
}
