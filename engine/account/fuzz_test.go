package account

import (
	"testing"

	"tracecode/engine/model"
)

// FuzzDecodeAccount: any bytes decode to an account or an error, never a
// panic; what decodes encodes back to the same bytes.
func FuzzDecodeAccount(f *testing.F) {
	pw, _ := newPasswordHash("correct horse battery", cheap)
	a := Account{ID: 1, Login: "lz.county", Name: "城关区", Role: RoleRegulator, Region: 620102,
		Categories: CategoriesOf(model.CatFood), Created: 1700000000000, pw: pw}
	f.Add(a.AppendBinary(nil))
	f.Add([]byte{1})
	f.Add([]byte{2, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeAccount(1, b)
		if err != nil {
			return
		}
		if got := a.AppendBinary(nil); string(got) != string(b) {
			t.Fatalf("re-encoded %x, read %x", got, b)
		}
	})
}

// FuzzDecodeAuditEntry: the same for audit entries.
func FuzzDecodeAuditEntry(f *testing.F) {
	e := AuditEntry{Time: 1700000000000, Actor: Actor{Account: 1, Region: 620102, Client: "192.0.2.1"},
		Subject: Subject{Org: 2, Region: 620102001}, Action: ActionLogin, Target: "lz.county", Detail: "wrong password"}
	f.Add(e.AppendBinary(nil))
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeAuditEntry(1, b)
		if err != nil {
			return
		}
		if got := e.AppendBinary(nil); string(got) != string(b) {
			t.Fatalf("re-encoded %x, read %x", got, b)
		}
	})
}
