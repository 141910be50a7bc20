package account

import (
	"encoding/hex"
	"fmt"
	"testing"
)

// TestValuesGoldenHex pins the stored bytes of an account, an audit entry
// and a session: an encoder change that moves one byte makes existing
// records unreadable.
func TestValuesGoldenHex(t *testing.T) {
	a := Account{ID: 4, Login: "lz.chengguan", Name: "城关区市场监管局", Role: RoleRegulator, Org: 0, Region: 620102,
		Categories: 5, Created: 1_700_000_000_000, Disabled: 0, Failures: 2, LockedUntil: 1_700_000_900_000, TOTP: "JBSWY3DPEHPK3PXP",
		pw: passwordHash{time: 3, memory: 64 << 10, threads: 2, salt: [16]byte{1, 15: 2}, hash: [32]byte{3, 31: 4}}}
	e := AuditEntry{Seq: 9, Time: 1_700_000_000_500, Actor: Actor{Account: 4, Key: 0x0102030405060708, Org: 3, Region: 620100, Client: "192.0.2.1"},
		Subject: Subject{Org: 5, Region: 620102}, Action: ActionLogin, Outcome: 1, Target: "lz.chengguan", Detail: "登录"}
	s := Session{Account: 4, Created: 1_700_000_000_000, Expires: 1_700_043_200_000, csrf: [32]byte{0xaa, 31: 0xbb}}
	for _, c := range []struct {
		name string
		enc  []byte
		want string
		back func(b []byte) (any, error)
		orig any
	}{
		{"account", a.AppendBinary(nil), "0180a0abfef962000200c6ec250502c08e99fff9620380800402010000000000000000000000000000020300000000000000000000000000000000000000000000000000000000000004104a425357593344504548504b335058500c6c7a2e6368656e676775616e18e59f8ee585b3e58cbae5b882e59cbae79b91e7aea1e5b180", func(b []byte) (any, error) { return DecodeAccount(4, b) }, a},
		{"audit entry", e.AppendBinary(nil), "01e8a7abfef96204010203040506070803c4ec2505c6ec250101093139322e302e322e310c6c7a2e6368656e676775616e06e799bbe5bd95", func(b []byte) (any, error) { return DecodeAuditEntry(9, b) }, e},
		{"session", s.appendBinary(nil), "010480a0abfef96280d8c4a7fa62aa000000000000000000000000000000000000000000000000000000000000bb", func(b []byte) (any, error) { return decodeSession(b) }, s},
	} {
		if got := hex.EncodeToString(c.enc); got != c.want {
			t.Errorf("%s encodes to\n%s, want\n%s", c.name, got, c.want)
		}
		b, _ := hex.DecodeString(c.want)
		if got, err := c.back(b); err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", c.orig) {
			t.Errorf("%s decodes to %+v, %v", c.name, got, err)
		}
	}
}
