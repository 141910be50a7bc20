package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tracecode/engine"
	engineconfig "tracecode/engine/config"
	"tracecode/engine/resolve"
	"tracecode/engine/verify"
	"tracecode/server"
)

var chainResolveFlags struct {
	data, publicBase string
	jsonOut          bool
}

var chainResolveCmd = &cobra.Command{
	Use:   "resolve --data DIR CODE… [--json]",
	Short: "Print the full chain of scanned codes: status, product, producer, lot, packaging, timeline",
	Long: `resolve prints everything known about each CODE (any scanned format,
SSCCs included): a status banner (active, in transit, sold, recalled,
expired, destroyed, voided, released, issued but not printed, never issued),
the code in every canonical form, the product, the producer, the lot, the
packaging hierarchy now (item → case → pallet) and before, the contents of a
container, the timeline of events — its own, those of the parents it was in
at the time, of its lot and product — the source lots it was made from and
who handled it downstream.

--json prints one JSON object per code: exactly the resolver's public answer
(PublicChain) to GET /resolve?code=CODE, with its digital links on
--public-base, without the scan counts (resolve records no scan). The exit
status is 1 if any code was never issued.`,
	Example: `  tracecode resolve --data ./data 'https://id.gs1.org/01/06901234567892/21/A0K3Q9ZC2M1XH'
  tracecode resolve --data ./data --json '(00)395201230000000012'`,
	Args: cobra.MinimumNArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &chainResolveFlags
		var o *engine.Options
		if f.jsonOut { // the resolver's engine prints codes on its public base
			base := strings.TrimRight(f.publicBase, "/")
			o = &engine.Options{DLBase: base, ShortBase: base}
		}
		e, err := storeOpen(f.data, true, o)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		out := bufio.NewWriter(cmd.OutOrStdout())
		defer out.Flush()
		var c resolve.Chain
		var buf []byte
		forged := false
		for i, in := range args {
			if f.jsonOut {
				var ch *resolve.Chain
				if buf, ch, err = server.AppendPublicChain(buf[:0], e, f.publicBase, in); err != nil {
					return fmt.Errorf("%s: %w", in, err)
				}
				forged = forged || ch.Status == resolve.StatusNeverIssued
				if _, err := out.Write(buf); err != nil {
					return err
				}
				continue
			}
			if err := e.ResolveInto(&c, in); err != nil {
				return fmt.Errorf("%s: %w", in, err)
			}
			forged = forged || c.Status == resolve.StatusNeverIssued
			if i > 0 {
				fmt.Fprintln(out)
			}
			if err := writeChainText(out, e, &c); err != nil {
				return err
			}
		}
		if err := out.Flush(); err != nil {
			return err
		}
		if forged {
			return exitError{code: 1}
		}
		return nil
	},
}

var chainVerifyFlags struct {
	data    string
	jsonOut bool
}

var chainVerifyCmd = &cobra.Command{
	Use:   "verify --data DIR [--json]",
	Short: "Check the whole store: hash chains, Merkle checkpoints, indexes, item state",
	Long: `verify checks the whole store and says what is wrong where: issuance (blocks,
indexes); every organisation's hash chain, every record's hash and content
(captured EPCIS events are re-parsed and their CBV event hash recomputed),
every Merkle checkpoint; the parent→children and child→parent indexes
against each other; item state against blocks and aggregation; and every
record derived from the ledger (item state, recall marks, custody,
aggregation, indexes, released tails), by applying the ledger again to a
scratch copy in a temporary directory and comparing key by key. A data file
whose checksums do not match (a flipped byte on disk) is reported as damage
naming the file. The exit status is 1 when anything is wrong.`,
	Example: `  tracecode verify --data ./data`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &chainVerifyFlags
		out := cmd.OutOrStdout()
		e, err := storeOpen(f.data, true, nil)
		if msg, ok := verify.DamagedFile(err); ok {
			// The store cannot even be opened: the damage is the report.
			if f.jsonOut {
				err = storeJSON(out, struct {
					OK       bool     `json:"ok"`
					Problems []string `json:"problems"`
				}{false, []string{msg}})
			} else {
				_, err = fmt.Fprintf(out, "1 problem(s):\n  %s\n", msg)
			}
			if err != nil {
				return err
			}
			return exitError{code: 1}
		}
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		rep, err := e.Verify()
		if err != nil {
			return err
		}
		if f.jsonOut {
			err = storeJSON(out, struct {
				OK          bool     `json:"ok"`
				Problems    []string `json:"problems"`
				Dropped     int      `json:"dropped,omitempty"`
				Records     uint64   `json:"records"`
				Orgs        int      `json:"organisations"`
				Checkpoints int      `json:"checkpoints"`
				IndexKeys   uint64   `json:"index_keys"`
				Chunks      int      `json:"item_state_chunks"`
				Runs        int      `json:"child_parent_runs"`
				Packed      uint64   `json:"packed_codes"`
				Replayed    uint64   `json:"replayed_records"`
				Derived     uint64   `json:"derived_records"`
			}{rep.OK(), append([]string{}, rep.Problems...), rep.Dropped, rep.Records, rep.Orgs, rep.Checkpoints,
				rep.IndexKeys, rep.Chunks, rep.Runs, rep.Packed, rep.Replayed, rep.Derived})
		} else {
			fmt.Fprintf(out, "checked %d records in %d organisation logs (%d Merkle checkpoints), %d index entries, %d item-state chunks, %d child→parent runs holding %d packed codes\n",
				rep.Records, rep.Orgs, rep.Checkpoints, rep.IndexKeys, rep.Chunks, rep.Runs, rep.Packed)
			fmt.Fprintf(out, "applied %d records again and compared %d derived records with what they imply\n", rep.Replayed, rep.Derived)
			if rep.OK() {
				fmt.Fprintln(out, "OK: no problem found")
			} else {
				fmt.Fprintf(out, "%d problem(s):\n", len(rep.Problems)+rep.Dropped)
				for _, p := range rep.Problems {
					fmt.Fprintf(out, "  %s\n", p)
				}
			}
		}
		if err != nil {
			return err
		}
		if !rep.OK() {
			return exitError{code: 1}
		}
		return nil
	},
}

func init() {
	storeDataFlag(chainResolveCmd, &chainResolveFlags.data)
	chainResolveCmd.Flags().BoolVar(&chainResolveFlags.jsonOut, "json", false, "print one JSON object per code: the resolver's public answer")
	chainResolveCmd.Flags().StringVar(&chainResolveFlags.publicBase, "public-base", engineconfig.DefaultDLBase,
		"scheme://host the resolver is reached at (serve --public-base): the base of the digital links in --json")
	rootCmd.AddCommand(chainResolveCmd)
	storeDataFlag(chainVerifyCmd, &chainVerifyFlags.data)
	chainVerifyCmd.Flags().BoolVar(&chainVerifyFlags.jsonOut, "json", false, "print JSON")
	rootCmd.AddCommand(chainVerifyCmd)
}
