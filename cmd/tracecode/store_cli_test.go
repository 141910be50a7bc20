package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The store commands are tested end to end: each invocation re-executes
// this test binary as a fresh process running the command (cobra keeps
// flag values between Execute calls in one process).

const storeCLIEnv = "TRACECODE_STORE_CLI_ARGS"

// TestStoreCLIChild runs one command line; it does nothing in a normal run.
func TestStoreCLIChild(t *testing.T) {
	raw := os.Getenv(storeCLIEnv)
	if raw == "" {
		t.Skip("runs only as a child of the store CLI tests")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		panic(err)
	}
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	var ee exitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &ee):
		os.Exit(ee.code)
	default:
		fmt.Fprintln(os.Stderr, "tracecode:", err)
		os.Exit(2)
	}
}

func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreCLIChild$")
	cmd.Env = append(os.Environ(), storeCLIEnv+"="+string(raw))
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		code = xe.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("tracecode %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func TestStoreCLI(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	out := mustCLI(t, "product", "add", d, "--gtin", "6901234567892", "--name", "阿莫西林胶囊", "--category", "drug",
		"--drug-id", "8612345", "--levels", "item,case", "--json")
	var p struct {
		ID   uint32 `json:"id"`
		Org  uint32 `json:"org"`
		GTIN string `json:"gtin"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.ID != 1 || p.Org != 1 || p.GTIN != "06901234567892" {
		t.Fatalf("product add: %q %v", out, err)
	}
	if out := mustCLI(t, "org", "list", d); !strings.Contains(out, "6901234") {
		t.Fatalf("org list: %q", out)
	}
	mustCLI(t, "lot", "add", d, "--gtin", "6901234567892", "--lot", "B1", "--expiry", "2028-02-29")
	if out := mustCLI(t, "lot", "list", d, "--json"); !strings.Contains(out, `"expiry":"2028-02-29"`) {
		t.Fatalf("lot list: %q", out)
	}

	// Mint, then look every code up through stdin.
	dl := mustCLI(t, "mint", d, "--gtin", "6901234567892", "--lot", "B1", "--count", "20", "--format", "dl", "--request-id", "r1", "--no-create-lot")
	lines := strings.Split(strings.TrimSpace(dl), "\n")
	if len(lines) != 20 {
		t.Fatalf("mint wrote %d lines", len(lines))
	}
	out, _, code := runCLI(t, dl, "lookup", d)
	if code != 0 || strings.Count(out, `"ok":true`) != 20 || !strings.Contains(out, `"offset":19`) {
		t.Fatalf("lookup: exit %d %q", code, out)
	}
	// Resume: the same request id with --offset writes the tail of the same block.
	tail := mustCLI(t, "mint", d, "--gtin", "6901234567892", "--lot", "B1", "--count", "20", "--format", "dl", "--request-id", "r1", "--offset", "15")
	if strings.TrimSpace(tail) != strings.Join(lines[15:], "\n") {
		t.Fatalf("resume wrote %q", tail)
	}
	// Conflict names the field; an unknown lot with --no-create-lot fails.
	if _, errOut, code := runCLI(t, "", "mint", d, "--gtin", "6901234567892", "--lot", "B1", "--count", "21", "--format", "dl", "--request-id", "r1"); code == 0 || !strings.Contains(errOut, "count 20") {
		t.Fatalf("conflict: %d %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, "", "mint", d, "--gtin", "6901234567892", "--lot", "B2", "--count", "1", "--format", "dl", "--no-create-lot"); code == 0 || !strings.Contains(errOut, "unknown lot") {
		t.Fatalf("unknown lot: %d %q", code, errOut)
	}
	// Lookup failures: exit 1, a reason, the expected check digit.
	out, _, code = runCLI(t, "", "lookup", d, "(01)06901234567893(21)X", "(01)06901234567892(21)AAAAAAAAAAAAA")
	if code != 1 || !strings.Contains(out, `"reason":"bad-code","expected_check_digit":"2"`) || !strings.Contains(out, `"reason":"never-issued"`) {
		t.Fatalf("lookup failures: %d %q", code, out)
	}
	// Blocks: list, show, release, void.
	if out := mustCLI(t, "blocks", "list", d, "--gtin", "6901234567892", "--lot", "B1"); !strings.Contains(out, "r1") {
		t.Fatalf("blocks list: %q", out)
	}
	if out := mustCLI(t, "blocks", "show", d, "1"); !strings.Contains(out, `"formats":["serial","dl","element","gs","epc-urn","csv"]`) {
		t.Fatalf("blocks show: %q", out)
	}
	mustCLI(t, "blocks", "release", d, "1", "--from", "10", "--note", "ribbon out")
	out, _, _ = runCLI(t, "", "lookup", d, lines[12])
	if !strings.Contains(out, `"state":"released"`) {
		t.Fatalf("released code: %q", out)
	}
	mustCLI(t, "blocks", "void", d, "1", "--note", "roll destroyed")
	out, _, _ = runCLI(t, "", "lookup", d, lines[0])
	if !strings.Contains(out, `"reason":"voided"`) {
		t.Fatalf("voided code: %q", out)
	}
	// Compressed output to a file, other schemes.
	mustCLI(t, "mint", d, "--gtin", "6901234567892", "--lot", "B1", "--count", "1000", "--scheme", "nmpa", "--format", "nmpa",
		"--out", data+"/n.txt.gz", "-q")
	if fi, err := os.Stat(data + "/n.txt.gz"); err != nil || fi.Size() == 0 || fi.Size() > 21000/2 {
		t.Fatalf("gzip output: %v %v", fi, err)
	}
	if out := mustCLI(t, "mint", d, "--gtin", "6901234567892", "--count", "2", "--scheme", "sgtin96", "--format", "epc-hex", "-q"); len(strings.Fields(out)) != 2 {
		t.Fatalf("epc-hex: %q", out)
	}
	if _, errOut, code := runCLI(t, "", "mint", d, "--gtin", "6901234567892", "--count", "2", "--format", "nmpa"); code == 0 || !strings.Contains(errOut, "no nmpa form") {
		t.Fatalf("nmpa form of a gs1 block: %d %q", code, errOut)
	}
	// Import foreign serials from stdin; they resolve.
	out, errOut, code := runCLI(t, "EXT-1\nEXT-2\n\nEXT-3\n", "blocks", "import", d, "--gtin", "6901234567892", "--lot", "B1", "--file", "-", "--request-id", "imp")
	if code != 0 || !strings.Contains(out, "3 serials") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	if out := mustCLI(t, "lookup", d, "(01)06901234567892(10)B1(21)EXT-2"); !strings.Contains(out, `"scheme":"imported"`) || !strings.Contains(out, `"offset":1`) {
		t.Fatalf("imported lookup: %q", out)
	}
}

// TestVersionCLI: version names the store formats the build reads and,
// with --data, the versions the store is at.
func TestVersionCLI(t *testing.T) {
	out := mustCLI(t, "version")
	if !strings.Contains(out, "store format versions read: 1 to ") || !strings.Contains(out, "pebble format major version: 24 (pinned)") {
		t.Fatalf("version: %q", out)
	}
	data := t.TempDir()
	mustCLI(t, "product", "add", "--data="+data, "--gtin", "6901234567892", "--name", "奶粉", "--category", "food")
	if out := mustCLI(t, "version", "--data="+data); !strings.Contains(out, "format version 1, pebble format major version 24") || !strings.Contains(out, "FF1 keys: in the clear") {
		t.Fatalf("version --data: %q", out)
	}
}

// TestOrgGrantPrefixCLI: "product add --org" with a prefix not granted to
// the organisation fails naming it; "org grant-prefix" grants it.
func TestOrgGrantPrefixCLI(t *testing.T) {
	d := "--data=" + t.TempDir()
	mustCLI(t, "org", "add", d, "--name", "示范食品", "--region", "330106")
	add := []string{"product", "add", d, "--org", "1", "--gtin", "6923450000014", "--name", "新品", "--category", "food"}
	if _, errOut, code := runCLI(t, "", add...); code == 0 || !strings.Contains(errOut, "6923450") {
		t.Fatalf("product add under an ungranted prefix: exit %d %q", code, errOut)
	}
	if out := mustCLI(t, "org", "grant-prefix", d, "--org", "1", "--gcp", "6923450"); !strings.Contains(out, "6923450") {
		t.Fatalf("grant-prefix: %q", out)
	}
	mustCLI(t, append(add, "--json")...)
}
