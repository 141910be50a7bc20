package cn

import "testing"

// TestZeroAllocs holds the parse/validate and AppendText paths to zero
// allocations (when they succeed; errors allocate).
func TestZeroAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	var sink bool
	for name, f := range map[string]func(){
		"ParseDrugCode": func() { c, _ := ParseDrugCode("81234560000000000012\r\n"); sink = c.IsZero() },
		"ParseVetCode":  func() { c, _ := ParseVetCode("202301150001212345678901"); sink = c.IsZero() },
		"ParseUSCC":     func() { c, _ := ParseUSCC("91350100m000100Y43"); sink = c.IsZero() },
		"ParseRegion":   func() { r, _ := ParseRegion("330106"); sink = r.IsZero() },
		"NewRegion":     func() { r, _ := NewRegion(330106); sink = r.IsZero() },
		"Contains":      func() { sink = Region{330000}.Contains(Region{330106}) },
		"Name":          func() { _, sink = Region{330106}.Name(Chinese) },
		"AppendText": func() {
			buf = DrugCode{}.AppendText(buf[:0])
			buf = VetCode{}.AppendText(buf)
			buf = USCC{}.AppendText(buf)
			buf = Region{330106}.AppendText(buf)
		},
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
	_ = sink
}

func BenchmarkParseDrugCode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(20)
	for b.Loop() {
		if _, err := ParseDrugCode("81234560000000000012"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseVetCode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(24)
	for b.Loop() {
		if _, err := ParseVetCode("202301150001212345678901"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUSCC(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(18)
	for b.Loop() {
		if _, err := ParseUSCC("91350100M000100Y43"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRegion(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(6)
	for b.Loop() {
		if _, err := ParseRegion("330106"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRegionContains(b *testing.B) {
	b.ReportAllocs()
	zj, xh := Region{330000}, Region{330106}
	n := 0
	for b.Loop() {
		if zj.Contains(xh) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("Contains false")
	}
}

func BenchmarkDrugCodeAppendText(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(20)
	c, _ := NewDrugCode("8123456", 12)
	buf := make([]byte, 0, 32)
	for b.Loop() {
		buf = c.AppendText(buf[:0])
	}
}
