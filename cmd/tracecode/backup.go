package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/backup"
)

var backupFlags struct{ data, out string }

var backupCmd = &cobra.Command{
	Use:   "backup --data DIR --out FILE",
	Short: "Write an online backup of a store to one file",
	Long: `backup writes a consistent copy of the store in --data to --out: a Pebble
checkpoint (every write acknowledged before it is in it whole, none after it
in part) packed as tar and zstd, ending with a manifest of every file's size
and SHA-256 and the position of the last ledger record it holds. Writes may
go on meanwhile. The file is written beside its final name and renamed into
place when complete; an existing --out is not overwritten.

A store a running server holds cannot be opened by another process: send
that server SIGUSR1 instead (serve --backup-dir names where it writes).

tracecode restore unpacks a backup into an empty directory and verifies it.`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &backupFlags
		if f.out == "" {
			return errors.New("give the backup file with --out")
		}
		if _, err := os.Stat(f.data); err != nil {
			return fmt.Errorf("no store in %s: %w", f.data, err)
		}
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) {
				return fmt.Errorf("%w\n(is a server running on %s? send it SIGUSR1 to back up with serve --backup-dir)", err, f.data)
			}
			return err
		}
		defer storeClose(e, &err)
		start := time.Now()
		m, err := writeBackup(e, f.out)
		if err != nil {
			return err
		}
		fi, err := os.Stat(f.out)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "backup %s: %d files, %d bytes, ledger at record %d, last block %d, store format %d (%.1fs)\n",
			f.out, len(m.Files), fi.Size(), m.LedgerSeq, m.LastBlock, m.StoreFormat, time.Since(start).Seconds())
		return nil
	},
}

// writeBackup writes e's backup to out through a temporary file in the
// same directory, synced and renamed into place; out must not exist.
func writeBackup(e *engine.Engine, out string) (*backup.Manifest, error) {
	if _, err := os.Lstat(out); err == nil {
		return nil, fmt.Errorf("--out %s exists; give a new file name", out)
	}
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, ".tracecode-backup-*.partial")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing to remove
	m, err := e.Backup(tmp, dir)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), out); err != nil {
		return nil, fmt.Errorf("--out %s: %w", out, err)
	}
	if err := syncDirOf(out); err != nil {
		return nil, err
	}
	return m, nil
}

// syncDirOf makes a new directory entry for path durable.
func syncDirOf(path string) error {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

var restoreFlags struct{ in, data string }

var restoreCmd = &cobra.Command{
	Use:   "restore --in FILE --data DIR",
	Short: "Restore a backup into an empty data directory and verify it",
	Long: `restore unpacks a file tracecode backup wrote into --data, which must be
empty or not exist, checking every file's size and SHA-256 against the
backup's manifest. It then opens the store and runs the full consistency
check (tracecode verify) and checks that the ledger ends at the record and
the blocks at the block the manifest names. If anything fails, what restore wrote is removed and the
command fails. A sealed store needs its KEK (--kek-file) to be verified.`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) error {
		f := &restoreFlags
		if f.in == "" {
			return errors.New("give the backup file with --in")
		}
		in, err := os.Open(f.in)
		if err != nil {
			return err
		}
		defer in.Close()
		start := time.Now()
		m, err := restoreBackup(in, f.data)
		if err != nil {
			return fmt.Errorf("restore %s: %w", f.in, err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "restored %s into %s: %d files, ledger at record %d, last block %d, verified (%.1fs)\n",
			f.in, f.data, len(m.Files), m.LedgerSeq, m.LastBlock, time.Since(start).Seconds())
		return nil
	},
}

// restoreBackup unpacks r into dir and verifies the store; on failure the
// restored files are removed.
func restoreBackup(r io.Reader, dir string) (*backup.Manifest, error) {
	m, err := backup.Read(r, dir)
	if err != nil {
		return nil, err
	}
	if err := verifyRestored(dir, m); err != nil {
		if rerr := removeRestored(dir); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return nil, err
	}
	return m, nil
}

func verifyRestored(dir string, m *backup.Manifest) (err error) {
	e, err := storeOpen(dir, true, nil)
	if err != nil {
		return err
	}
	defer storeClose(e, &err)
	rep, err := e.Verify()
	if err != nil {
		return err
	}
	if err := rep.Err(); err != nil {
		return err
	}
	if rep.Records != m.LedgerSeq {
		return fmt.Errorf("the restored ledger holds %d records, the backup's manifest says %d", rep.Records, m.LedgerSeq)
	}
	if m.LastBlock > 0 {
		if _, err := e.Issuance().Block(m.LastBlock); err != nil {
			return fmt.Errorf("the manifest's last block %d: %w", m.LastBlock, err)
		}
	}
	if _, err := e.Issuance().Block(m.LastBlock + 1); err == nil {
		return fmt.Errorf("the restored store holds block %d, after the manifest's last block", m.LastBlock+1)
	}
	return nil
}

// removeRestored empties dir, which restore found empty or made: all it
// holds is what restore wrote (and the lock file of the store's open).
func removeRestored(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
	}
	return errors.Join(errs...)
}

func init() {
	storeDataFlag(backupCmd, &backupFlags.data)
	backupCmd.Flags().StringVar(&backupFlags.out, "out", "", "backup file to create (must not exist)")
	restoreCmd.Flags().StringVar(&restoreFlags.in, "in", "", "backup file to restore")
	restoreCmd.Flags().StringVar(&restoreFlags.data, "data", "", "data directory to restore into (must be empty or not exist)")
	_ = restoreCmd.MarkFlagRequired("data")
	rootCmd.AddCommand(backupCmd, restoreCmd)
}
