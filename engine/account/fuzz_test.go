package account

import (
	"testing"

	"tracecode/engine/model"
)

// FuzzDecodeAccount: any bytes decode to an account or an error, never a
// panic; what decodes re-encodes to bytes that decode to the same account
// and encode to themselves (input with an overlong varint decodes but is
// not canonical).
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
		enc := a.AppendBinary(nil)
		again, err := DecodeAccount(1, enc)
		if err != nil || again != a || string(again.AppendBinary(nil)) != string(enc) {
			t.Fatalf("%x decoded to %+v, re-encoded %x, decoded again %+v (%v)", b, a, enc, again, err)
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
		enc := e.AppendBinary(nil)
		again, err := DecodeAuditEntry(1, enc)
		if err != nil || again != e || string(again.AppendBinary(nil)) != string(enc) {
			t.Fatalf("%x decoded to %+v, re-encoded %x, decoded again %+v (%v)", b, e, enc, again, err)
		}
	})
}
