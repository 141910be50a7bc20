package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// configTree is a small command tree shaped like tracecode's: a root with
// persistent --config and --kek-file, and "serve" and "keys new-kek"
// below it.
func configTree() (root, serve, newKEK *cobra.Command, v *struct {
	kek, data, addr, out string
	rate                 float64
	burst                int
	demo                 bool
	timeout              time.Duration
	origins              []string
}) {
	v = &struct {
		kek, data, addr, out string
		rate                 float64
		burst                int
		demo                 bool
		timeout              time.Duration
		origins              []string
	}{}
	noop := func(*cobra.Command, []string) error { return nil }
	root = &cobra.Command{Use: "tracecode"}
	root.PersistentFlags().StringVar(&v.kek, "kek-file", "", "")
	serve = &cobra.Command{Use: "serve", RunE: noop}
	f := serve.Flags()
	f.StringVar(&v.data, "data", "./data", "")
	f.StringVar(&v.addr, "addr", "127.0.0.1:8080", "")
	f.Float64Var(&v.rate, "rate-limit", 50, "")
	f.IntVar(&v.burst, "rate-burst", 100, "")
	f.BoolVar(&v.demo, "demo", false, "")
	f.DurationVar(&v.timeout, "read-timeout", 5*time.Second, "")
	f.StringSliceVar(&v.origins, "origin", nil, "")
	keys := &cobra.Command{Use: "keys"}
	newKEK = &cobra.Command{Use: "new-kek", RunE: noop}
	newKEK.Flags().StringVar(&v.out, "out", "", "")
	keys.AddCommand(newKEK)
	root.AddCommand(serve, keys)
	return root, serve, newKEK, v
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tracecode.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// loadConfig parses args on cmd and configures it from the environment
// and the file at path, as the root's PersistentPreRunE does.
func loadConfig(t *testing.T, cmd *cobra.Command, path string, args ...string) error {
	t.Helper()
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	old := configFile
	configFile = path
	t.Cleanup(func() { configFile = old })
	return configure(cmd)
}

// TestConfigPrecedence: a flag on the command line wins over its
// TRACECODE_* variable, which wins over the config file, which wins over
// the default; a command's table wins over the top level.
func TestConfigPrecedence(t *testing.T) {
	path := writeConfig(t, `
kek-file = "/etc/tracecode/kek"
data = "/var/lib/tracecode"   # top level: every command with --data
rate-limit = 1.0

[serve]
addr = "0.0.0.0:8443"
rate-limit = 10.5
rate-burst = 7
demo = true
read-timeout = "9s"
origin = ["a.example", "b.example"]

[keys.new-kek]
out = "/etc/tracecode/kek.new"
`)
	_, serve, _, v := configTree()
	t.Setenv("TRACECODE_RATE_BURST", "70") // the environment wins over the file
	t.Setenv("TRACECODE_ADDR", "10.0.0.1:1")
	if err := loadConfig(t, serve, path, "--addr", "127.0.0.1:9999"); err != nil {
		t.Fatal(err)
	}
	if v.addr != "127.0.0.1:9999" {
		t.Errorf("addr %q: the command line must win", v.addr)
	}
	if v.burst != 70 {
		t.Errorf("rate-burst %d: the environment must win over the file", v.burst)
	}
	if v.rate != 10.5 {
		t.Errorf("rate-limit %v: [serve] must win over the top level", v.rate)
	}
	if v.data != "/var/lib/tracecode" || v.kek != "/etc/tracecode/kek" {
		t.Errorf("top-level keys: data %q kek-file %q", v.data, v.kek)
	}
	if !v.demo || v.timeout != 9*time.Second {
		t.Errorf("demo %v read-timeout %v", v.demo, v.timeout)
	}
	if strings.Join(v.origins, ",") != "a.example,b.example" {
		t.Errorf("origin %q", v.origins)
	}
	if v.out != "" {
		t.Errorf("[keys.new-kek] reached serve: out %q", v.out)
	}

	_, _, newKEK, v2 := configTree()
	if err := loadConfig(t, newKEK, path); err != nil {
		t.Fatal(err)
	}
	if v2.out != "/etc/tracecode/kek.new" || v2.kek != "/etc/tracecode/kek" {
		t.Errorf("keys new-kek: out %q kek-file %q", v2.out, v2.kek)
	}

	_, serve3, _, v3 := configTree()
	if err := loadConfig(t, serve3, ""); err != nil {
		t.Fatal(err)
	}
	if v3.rate != 50 || v3.data != "./data" {
		t.Errorf("without a file the defaults stay: rate %v data %q", v3.rate, v3.data)
	}
}

// TestConfigErrors: a mistake in the file is named, and nothing is
// silently ignored.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"syntax", "addr = \n", "line 1"},
		{"unknown top-level key", "adress = \"x\"\n", `"adress": no command has a flag --adress`},
		{"unknown command table", "[serv]\naddr = \"x\"\n", "table [serv]: no command"},
		{"flag of another command", "[keys.new-kek]\naddr = \"x\"\n", `[keys.new-kek] "addr"`},
		{"bad value", "[serve]\nrate-limit = \"fast\"\n", `[serve] "rate-limit"`},
		{"bad duration", "[serve]\nread-timeout = 5\n", `[serve] "read-timeout"`},
		{"inline table", "[serve]\naddr = { host = \"x\" }\n", "table [serve.addr]: no command"},
		{"nested array", "[serve]\norigin = [[\"a\"]]\n", "array element"},
		{"config in the file", "config = \"other.toml\"\n", "not settable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, serve, _, _ := configTree()
			err := loadConfig(t, serve, writeConfig(t, tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	_, serve, _, _ := configTree()
	if err := loadConfig(t, serve, filepath.Join(t.TempDir(), "missing.toml")); err == nil {
		t.Error("a missing config file was accepted")
	}
}

// TestConfigThroughRoot runs the real tracecode root: --config reaches a
// subcommand through the root's PersistentPreRunE.
func TestConfigThroughRoot(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, "[version]\ndata = \""+filepath.Join(dir, "no-store")+"\"\n")
	rootCmd.SetArgs([]string{"version", "--config", path})
	var out strings.Builder
	rootCmd.SetOut(&out)
	t.Cleanup(func() {
		rootCmd.SetArgs(nil)
		rootCmd.SetOut(nil)
		versionFlags.data = ""
		configFile = ""
		versionCmd.Flags().Lookup("data").Changed = false
	})
	err := rootCmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "no store in") {
		t.Fatalf("version with [version] data from the config file: %v (output %q)", err, out.String())
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("data = \"/var/lib/tracecode\"\n[serve]\naddr = \":8443\"\nrate-limit = 10.5\norigin = [\"a\", \"b\"]\n"))
	f.Add([]byte("[keys.new-kek]\nout = \"x\"\n"))
	f.Add([]byte("a = { b = 1 }\n"))
	root, _, _, _ := configTree()
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseConfig(b)
		if err != nil {
			return
		}
		_ = c.check(root)
	})
}

// TestDeployConfigExample: the example configuration shipped in deploy/
// names only flags the binary has, with values they accept.
func TestDeployConfigExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "tracecode.toml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.check(rootCmd); err != nil {
		t.Fatal(err)
	}
	fs := serveCmd.Flags()
	for _, path := range []string{"", "serve"} {
		for k, v := range c.sections[path] {
			f := fs.Lookup(k)
			if f == nil {
				continue
			}
			// The real command's flag is set, then put back as it was.
			old, changed := f.Value.String(), f.Changed
			if err := setFlag(fs, k, v); err != nil {
				t.Errorf("%s: %v", keyName(path, k), err)
			}
			_ = f.Value.Set(old)
			f.Changed = changed
		}
	}
}
