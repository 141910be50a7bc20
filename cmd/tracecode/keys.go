package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/issue"
)

// The key-encryption key (KEK) seals the FF1 keys in the data directory
// (docs/keys.md). Every command that opens a store takes it from
// --kek-file, else $TRACECODE_KEK_FILE, else $TRACECODE_KEK (the key
// itself, 64 hexadecimal digits).

var kekFile string

func init() {
	rootCmd.PersistentFlags().StringVar(&kekFile, "kek-file", "",
		"file holding the key-encryption key that seals the store's FF1 keys, outside the data directory (default $TRACECODE_KEK_FILE, else the key itself from $TRACECODE_KEK; docs/keys.md)")
	keysCmd.AddCommand(keysNewCmd, keysEncryptCmd, keysRotateCmd)
	keysNewCmd.Flags().StringVar(&keysNewFlags.out, "out", "", "file to create (mode 0600; must not exist)")
	storeDataFlag(keysNewCmd, &keysNewFlags.data)
	storeDataFlag(keysEncryptCmd, &keysEncryptFlags.data)
	storeDataFlag(keysRotateCmd, &keysRotateFlags.data)
	keysRotateCmd.Flags().StringVar(&keysRotateFlags.newFile, "new-kek-file", "", "file holding the new KEK (default: the key itself from $TRACECODE_NEW_KEK)")
	rootCmd.AddCommand(keysCmd)
}

// loadKEK returns the KEK the command was given, nil if none. A KEK file
// inside the data directory dir, or readable by others, is refused.
func loadKEK(dir string) (*issue.KEK, error) {
	path := kekFile
	if path == "" {
		path = os.Getenv("TRACECODE_KEK_FILE")
	}
	if path != "" {
		return readKEKFile(path, dir, "--kek-file")
	}
	if v, ok := os.LookupEnv("TRACECODE_KEK"); ok {
		k, err := issue.ParseKEK([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("TRACECODE_KEK: %w", err)
		}
		return &k, nil
	}
	return nil, nil
}

// readKEKFile reads the KEK in path; flag names it in errors.
func readKEKFile(path, dataDir, flag string) (*issue.KEK, error) {
	if err := kekOutside(path, dataDir, flag); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s %s: mode %04o lets others read the key; chmod 600 it", flag, path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	k, err := issue.ParseKEK(b)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return &k, nil
}

// kekOutside refuses a KEK file inside the data directory: a copy of the
// directory would carry the key with the keys it seals.
func kekOutside(path, dataDir, flag string) error {
	if dataDir == "" {
		return nil
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return filepath.Clean(p)
		}
		if r, err := filepath.EvalSymlinks(a); err == nil {
			return r
		}
		if r, err := filepath.EvalSymlinks(filepath.Dir(a)); err == nil {
			return filepath.Join(r, filepath.Base(a))
		}
		return a
	}
	k, d := abs(path), abs(dataDir)
	if rel, err := filepath.Rel(d, k); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s %s is inside the data directory %s: keep the KEK apart from the data it protects (docs/keys.md)", flag, path, dataDir)
	}
	return nil
}

// warnClearKeys tells the operator that the store's FF1 keys are not
// sealed.
func warnClearKeys(w io.Writer, e *engine.Engine, dir string) {
	if sealed, _ := e.Issuance().KeysSealed(); !sealed {
		fmt.Fprintf(w, "tracecode: WARNING: the FF1 keys in %s are stored in the clear: a copy of the directory can enumerate every serial. Give a KEK (--kek-file or TRACECODE_KEK) to seal them; see docs/keys.md\n", dir)
	}
}

// keysStoreExists refuses a data directory that holds no store: encrypt
// and rotate-kek must not create one.
func keysStoreExists(dir string) error {
	if ents, err := os.ReadDir(dir); err != nil || len(ents) == 0 {
		return fmt.Errorf("no store in %s", dir)
	}
	return nil
}

var keysCmd = &cobra.Command{
	Use:   "keys",
	Short: "Manage the key-encryption key that seals the FF1 keys",
	Long: `keys manages the key-encryption key (KEK) that seals every product's FF1
key (and the short-code key) in the data directory with AES-256-GCM, so that
a copy of the directory — a backup, a disk sent for repair — cannot produce
a single serial. The KEK lives outside the data directory: a file given with
--kek-file (or $TRACECODE_KEK_FILE), or the key itself in $TRACECODE_KEK.

A store created without a KEK keeps its keys in the clear (the demo, tests)
and every write command warns. Any read-write command given a KEK for such a
store seals its keys; from then on the store opens only with that KEK.
docs/keys.md explains how to create, back up and rotate it.`,
}

var keysNewFlags struct{ out, data string }

var keysNewCmd = &cobra.Command{
	Use:   "new-kek --out FILE",
	Short: "Create a new random KEK in a file",
	Long: `new-kek writes a new random 256-bit KEK (64 hexadecimal digits) to FILE,
created with mode 0600, and prints its id. FILE must not exist and must not be
inside the data directory (--data). Back it up apart from the data.`,
	Example: `  tracecode keys new-kek --out /etc/tracecode/kek-2026`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) error {
		f := &keysNewFlags
		if f.out == "" {
			return errors.New("--out FILE is required")
		}
		if err := kekOutside(f.out, f.data, "--out"); err != nil {
			return err
		}
		k, err := issue.NewKEK()
		if err != nil {
			return err
		}
		fh, err := os.OpenFile(f.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		_, err = fh.Write(append(k.AppendText(nil), '\n'))
		if err == nil {
			err = fh.Sync()
		}
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(f.out)
			return fmt.Errorf("--out: %w", err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "KEK %s written to %s\n", k.ID(), f.out)
		return nil
	},
}

var keysEncryptFlags struct{ data string }

var keysEncryptCmd = &cobra.Command{
	Use:   "encrypt --data DIR --kek-file FILE",
	Short: "Seal the FF1 keys of a store that keeps them in the clear",
	Long: `encrypt seals every FF1 key of the store under the KEK (--kek-file,
$TRACECODE_KEK_FILE or $TRACECODE_KEK) in one atomic write, raises the store
to format version 2 and compacts the key records. Afterwards the store opens
only with the KEK. Copies and backups made before still hold the clear keys:
treat them as secrets or destroy them.`,
	Example: `  tracecode keys encrypt --data ./data --kek-file /etc/tracecode/kek-2026`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		dir := keysEncryptFlags.data
		kek, err := loadKEK(dir)
		if err != nil {
			return err
		}
		if kek == nil {
			return errors.New("no KEK given: --kek-file FILE, $TRACECODE_KEK_FILE or $TRACECODE_KEK")
		}
		if err := keysStoreExists(dir); err != nil {
			return err
		}
		e, err := storeOpen(dir, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		if _, err := e.Issuance().SealKeys(context.Background()); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "the FF1 keys of %s are sealed under KEK %s\n", dir, kek.ID())
		return nil
	},
}

var keysRotateFlags struct{ data, newFile string }

var keysRotateCmd = &cobra.Command{
	Use:   "rotate-kek --data DIR --kek-file OLD --new-kek-file NEW",
	Short: "Re-seal every FF1 key under a new KEK",
	Long: `rotate-kek opens the store with the current KEK (--kek-file,
$TRACECODE_KEK_FILE or $TRACECODE_KEK) and re-seals every FF1 key under the
new one (--new-kek-file, or $TRACECODE_NEW_KEK) in one atomic, synced write:
a crash leaves every key under the old KEK or every key under the new, never
a mix. Afterwards the store opens only with the new KEK. Keep the old KEK as
long as backups made before the rotation are kept: they need it.`,
	Example: `  tracecode keys new-kek --out /etc/tracecode/kek-2027
  tracecode keys rotate-kek --data ./data --kek-file /etc/tracecode/kek-2026 --new-kek-file /etc/tracecode/kek-2027`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &keysRotateFlags
		var next *issue.KEK
		switch v, ok := os.LookupEnv("TRACECODE_NEW_KEK"); {
		case f.newFile != "":
			if next, err = readKEKFile(f.newFile, f.data, "--new-kek-file"); err != nil {
				return err
			}
		case ok:
			k, err := issue.ParseKEK([]byte(v))
			if err != nil {
				return fmt.Errorf("TRACECODE_NEW_KEK: %w", err)
			}
			next = &k
		default:
			return errors.New("no new KEK given: --new-kek-file FILE or $TRACECODE_NEW_KEK")
		}
		cur, err := loadKEK(f.data)
		if err != nil {
			return err
		}
		if cur == nil {
			return errors.New("no current KEK given: --kek-file FILE, $TRACECODE_KEK_FILE or $TRACECODE_KEK (a store with clear keys is sealed with keys encrypt)")
		}
		if err := keysStoreExists(f.data); err != nil {
			return err
		}
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		n, err := e.Issuance().RotateKEK(context.Background(), *next)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%d FF1 keys of %s re-sealed under KEK %s; KEK %s no longer opens it (keep it for older backups)\n",
			n, f.data, next.ID(), cur.ID())
		return nil
	},
}
