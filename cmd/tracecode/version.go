package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"tracecode/engine/store"
)

var versionFlags struct{ data string }

var versionCmd = &cobra.Command{
	Use:   "version [--data DIR]",
	Short: "Print the build and the store formats it reads",
	Long: `version prints the build (module version and VCS revision), the store
format versions this build reads and the Pebble format major version it
creates stores at. With --data it also opens that store read-only and prints
the versions the store is at; a store at a newer format than this build
reads is reported and not opened (see docs/storage.md, "Format versions").`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		w := cmd.OutOrStdout()
		fmt.Fprint(w, versionText())
		if versionFlags.data == "" {
			return nil
		}
		e, err := storeOpen(versionFlags.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		fmt.Fprintf(w, "store %s: format version %d, pebble format major version %d\n",
			versionFlags.data, e.Format(), e.PebbleFormat())
		if sealed, id := e.Issuance().KeysSealed(); sealed {
			fmt.Fprintf(w, "FF1 keys: sealed under KEK %s\n", id)
		} else {
			fmt.Fprintln(w, "FF1 keys: in the clear (docs/keys.md)")
		}
		return nil
	},
}

// versionText is what version and the root's --version print first: the
// build and the store formats it reads.
func versionText() string {
	return fmt.Sprintf("tracecode %s\nstore format versions read: %d to %d\npebble format major version: %d (pinned)\n",
		buildVersion(), store.FormatV1, store.SchemaVersion, uint64(store.PebbleFormat))
}

// buildVersion names the build: the module version, and the VCS revision
// (with "+dirty" for a modified work tree) when the binary was built from a
// checkout.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown build)"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev != "" {
		v += " " + rev + dirty
	}
	return v
}

func init() {
	versionCmd.Flags().StringVar(&versionFlags.data, "data", "", "also report the store in this data directory (opened read-only)")
	rootCmd.AddCommand(versionCmd)
	// tracecode --version prints what version does without --data. The
	// text holds no template actions, so it is its own template.
	rootCmd.Version = buildVersion()
	rootCmd.SetVersionTemplate(versionText())
}
