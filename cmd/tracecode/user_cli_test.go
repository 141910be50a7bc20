package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestUserCLI: add reads a password from stdin or makes one and prints
// it, list shows role, scope and state, disable and reset-password change
// them, and bad input is refused naming the flag.
func TestUserCLI(t *testing.T) {
	d := "--data=" + t.TempDir()
	out, errOut, code := runCLI(t, "a long enough password\n", "user", "add", d, "--login", "lz.chengguan", "--role", "regulator",
		"--region", "620102", "--categories", "food,drug", "--password-stdin")
	if code != 0 || !strings.Contains(out, "account 1: lz.chengguan (region 620102 甘肃省 兰州市 城关区; categories food,drug)") || strings.Contains(out, "password:") {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	out = mustCLI(t, "user", "add", d, "--login", "ops", "--role", "operator")
	if !regexp.MustCompile(`(?m)^password: [A-Z2-7]{26}$`).MatchString(out) {
		t.Errorf("generated password not printed: %q", out)
	}
	for _, c := range []struct{ args, want string }{
		{"--login x1 --role regulator --region 620102", "login"},
		{"--login reg.x --role boss", "--role"},
		{"--login reg.y --role regulator --region 62010", "--region"},
		{"--login reg.z --role regulator --region 620102 --categories candy", "--categories"},
		{"--login ent.x --role enterprise-user --org 99", "no organisation 99"},
		{"--login lz.chengguan --role operator", "taken"},
	} {
		args := append([]string{"user", "add", d}, strings.Fields(c.args)...)
		if _, errOut, code := runCLI(t, "", args...); code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("user add %s: %d %q (want an error naming %s)", c.args, code, errOut, c.want)
		}
	}
	mustCLI(t, "user", "disable", d, "lz.chengguan")
	out = mustCLI(t, "user", "list", d)
	if !regexp.MustCompile(`(?m)^1 +lz\.chengguan +regulator .*disabled `).MatchString(out) || !regexp.MustCompile(`(?m)^2 +ops +operator +everything +false +active$`).MatchString(out) {
		t.Errorf("user list:\n%s", out)
	}
	out = mustCLI(t, "user", "reset-password", d, "ops", "--totp")
	if !strings.Contains(out, "password reset") || !strings.Contains(out, "TOTP URL: otpauth://totp/tracecode:ops?") {
		t.Errorf("reset-password: %q", out)
	}
	if _, errOut, code := runCLI(t, "", "user", "disable", d, "nobody"); code == 0 || !strings.Contains(errOut, "no such account") {
		t.Errorf("disable nobody: %d %q", code, errOut)
	}
}
