package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Every flag of every command can be set three ways besides its default;
// the first that sets it wins:
//
//  1. the command line (--rate-limit 100);
//  2. its environment variable: TRACECODE_ and the flag's name in upper
//     case with '-' as '_' (TRACECODE_RATE_LIMIT=100);
//  3. the TOML file named by --config (or $TRACECODE_CONFIG): a top-level
//     key sets that flag on every command that has it (data, kek-file); a
//     table named after a command sets its flags only ([serve] addr, and
//     [keys.new-kek] for a subcommand). Keys are the flags' names.
//
// docs/operations.md documents the file with an example.

// configFile is the --config flag: a TOML file of flag values.
var configFile string

func init() {
	rootCmd.PersistentFlags().StringVar(&configFile, "config", "",
		"TOML file of flag values: top-level keys for every command, [serve] etc. for one (default $TRACECODE_CONFIG; flags and TRACECODE_* variables win over it)")
	rootCmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		return configure(cmd)
	}
}

// configure sets the flags of cmd that the command line left unset, first
// from the environment, then from the config file.
func configure(cmd *cobra.Command) error {
	fs := cmd.Flags()
	if err := applyEnv(fs); err != nil {
		return err
	}
	path := configFile
	if path == "" {
		path = os.Getenv("TRACECODE_CONFIG")
	}
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	cf, err := parseConfig(b)
	if err != nil {
		return fmt.Errorf("--config %s: %w", path, err)
	}
	if err := cf.check(cmd.Root()); err != nil {
		return fmt.Errorf("--config %s: %w", path, err)
	}
	return cf.apply(cmd)
}

// applyEnv sets every flag not given on the command line from its
// TRACECODE_* environment variable.
func applyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil || f.Name == "help" {
			return
		}
		name := envName(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, serr)
			}
		}
	})
	return err
}

// envName is the environment variable of the flag called name.
func envName(name string) string {
	return "TRACECODE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// config is a parsed config file: flag values by command path ("" for the
// top level, "serve", "keys new-kek").
type config struct {
	sections map[string]map[string]any
}

// parseConfig reads a config file. Tables nest by command; a value is a
// string, a number, a boolean or an array of those.
func parseConfig(b []byte) (*config, error) {
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("line %d, column %d: %s", row, col, de.Error())
		}
		return nil, err
	}
	c := &config{sections: map[string]map[string]any{}}
	if err := c.add("", raw); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *config) add(path string, m map[string]any) error {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			p := k
			if path != "" {
				p = path + " " + k
			}
			if err := c.add(p, sub); err != nil {
				return err
			}
			continue
		}
		if err := checkValue(v); err != nil {
			return fmt.Errorf("%s: %w", keyName(path, k), err)
		}
		if c.sections[path] == nil {
			c.sections[path] = map[string]any{}
		}
		c.sections[path][k] = v
	}
	return nil
}

// checkValue accepts the scalar kinds a flag can take, and arrays of them.
func checkValue(v any) error {
	switch v := v.(type) {
	case string, int64, float64, bool:
		return nil
	case []any:
		for _, e := range v {
			switch e.(type) {
			case string, int64, float64, bool:
			default:
				return fmt.Errorf("array element %v (%T): want a string, number or boolean", e, e)
			}
		}
		return nil
	}
	return fmt.Errorf("value of type %T: want a string, number, boolean or array of them", v)
}

// keyName names a key for an error: "[serve] addr" or "data".
func keyName(path, k string) string {
	if path == "" {
		return strconv.Quote(k)
	}
	return "[" + strings.ReplaceAll(path, " ", ".") + "] " + strconv.Quote(k)
}

// check refuses a table that names no command and a key that names no
// flag: a typo must not be silently ignored.
func (c *config) check(root *cobra.Command) error {
	cmds := map[string]*cobra.Command{}
	anyFlag := map[string]bool{}
	var walk func(*cobra.Command, string)
	walk = func(cmd *cobra.Command, path string) {
		cmds[path] = cmd
		collect := func(f *pflag.Flag) { anyFlag[f.Name] = true }
		cmd.Flags().VisitAll(collect)
		cmd.PersistentFlags().VisitAll(collect)
		for _, sub := range cmd.Commands() {
			p := sub.Name()
			if path != "" {
				p = path + " " + p
			}
			walk(sub, p)
		}
	}
	walk(root, "")
	for _, path := range sortedKeys(c.sections) {
		for _, k := range sortedKeys(c.sections[path]) {
			if k == "config" || k == "help" {
				return fmt.Errorf("%s: not settable from the config file", keyName(path, k))
			}
			if path == "" {
				if !anyFlag[k] {
					return fmt.Errorf("%s: no command has a flag --%s", keyName(path, k), k)
				}
				continue
			}
			cmd, ok := cmds[path]
			if !ok {
				return fmt.Errorf("table [%s]: no command %q", strings.ReplaceAll(path, " ", "."), "tracecode "+path)
			}
			if lookupFlag(cmd, k) == nil {
				return fmt.Errorf("%s: %q has no flag --%s", keyName(path, k), "tracecode "+path, k)
			}
		}
	}
	return nil
}

// lookupFlag finds a flag of cmd, its own or inherited.
func lookupFlag(cmd *cobra.Command, name string) *pflag.Flag {
	if f := cmd.Flags().Lookup(name); f != nil {
		return f
	}
	if f := cmd.PersistentFlags().Lookup(name); f != nil {
		return f
	}
	return cmd.InheritedFlags().Lookup(name)
}

// apply sets the flags of cmd still unset: the command's own table first,
// then its parents' tables, then the top level.
func (c *config) apply(cmd *cobra.Command) error {
	fs := cmd.Flags()
	var paths []string
	for p := cmd; p != nil && p.HasParent(); p = p.Parent() {
		paths = append(paths, commandPath(p))
	}
	paths = append(paths, "")
	for _, path := range paths {
		sec := c.sections[path]
		for _, k := range sortedKeys(sec) {
			f := fs.Lookup(k)
			if f == nil || f.Changed {
				continue
			}
			if err := setFlag(fs, k, sec[k]); err != nil {
				return fmt.Errorf("%s: %w", keyName(path, k), err)
			}
		}
	}
	return nil
}

// commandPath is cmd's path below the root, words separated by spaces.
func commandPath(cmd *cobra.Command) string {
	var parts []string
	for p := cmd; p != nil && p.HasParent(); p = p.Parent() {
		parts = append([]string{p.Name()}, parts...)
	}
	return strings.Join(parts, " ")
}

// setFlag sets one flag from a file value; an array sets it once per
// element (a slice flag then holds them all).
func setFlag(fs *pflag.FlagSet, name string, v any) error {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if err := fs.Set(name, scalarText(e)); err != nil {
				return err
			}
		}
		return nil
	}
	return fs.Set(name, scalarText(v))
}

func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
