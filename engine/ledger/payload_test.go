package ledger

import (
	"bytes"
	"testing"
)

func samplePayload() Payload {
	return Payload{Targets: []Target{
		{Role: RoleEPC, Kind: TargetRun, Product: 1, First: 1000, Last: 1009},
		{Role: RoleClass, Kind: TargetLot, Lot: 4, Product: 1, Quantity: 12.5, HasQuantity: true, UOM: "KGM"},
		{Role: RoleClass, Kind: TargetProduct, Product: 2},
	}, Body: bytes.Repeat([]byte(`{"type":"ObjectEvent"}`), 40)}
}

// The body-only decode returns the same body as the full decode and
// rejects every value the full decode rejects; the full decode's body
// does not alias the value.
func TestDecodePayloadBody(t *testing.T) {
	p := samplePayload()
	v := p.AppendValue(nil)
	full, err := DecodePayload(v)
	if err != nil {
		t.Fatal(err)
	}
	body, err := DecodePayloadBody(v)
	if err != nil || !bytes.Equal(body, p.Body) || !bytes.Equal(full.Body, p.Body) {
		t.Fatalf("body: %v %q", err, body)
	}
	clear(v)
	if !bytes.Equal(full.Body, p.Body) {
		t.Error("DecodePayload's body aliases the value")
	}
	v = p.AppendValue(nil)
	for i := range len(v) {
		for _, cut := range [][]byte{v[:i], append(append([]byte{}, v[:i]...), 0xff)} {
			_, errFull := DecodePayload(cut)
			_, errBody := DecodePayloadBody(cut)
			if (errFull == nil) != (errBody == nil) {
				t.Errorf("value %x: full decode %v, body decode %v", cut, errFull, errBody)
			}
		}
	}
}

// BenchmarkDecodePayload measures the payload read of a query answer: the
// full decode (targets and a copied body) against the body alone.
func BenchmarkDecodePayload(b *testing.B) {
	p := samplePayload()
	v := p.AppendValue(nil)
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodePayload(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("body", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodePayloadBody(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("body-copy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			body, err := DecodePayloadBody(v)
			if err != nil {
				b.Fatal(err)
			}
			_ = append([]byte{}, body...)
		}
	})
}
