package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"tracecode/engine/chain"
	"tracecode/engine/model"
)

// chainLineCmd builds commission, void and decommission: the line reports.
func chainLineCmd(action chain.LineAction, short, long string) *cobra.Command {
	var f chainMetaFlags
	cmd := &cobra.Command{
		Use:   action.String() + " --data DIR [--org ID] [--time T] (BLOCK:FIRST-LAST | CODE)… | -",
		Short: short,
		Long: long + `

Codes are named in the native compact form BLOCK:FIRST-LAST (block offsets,
inclusive: "7:0-999999" is the first million codes of block 7, the order the
line printed them) or as scanned codes in any format (Digital Link, element
string, EPC URN or hex, NMPA, short code); "-" reads them from standard input,
one per line. The report is applied whole, in one batch synced to disk, or not
at all: any offending code (already commissioned, voided, released, another
organisation's, never issued) is listed with what is wrong, and the exit
status is 1.`,
		Example: fmt.Sprintf("  tracecode %s --data ./data 7:0-999999\n  tracecode mint … --format dl | head -100 | tracecode %s --data ./data -", action, action),
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			m, err := f.meta()
			if err != nil {
				return err
			}
			e, items, err := f.open(args, cmd.InOrStdin())
			if err != nil {
				return err
			}
			defer storeClose(e, &err)
			if err := chainDefaultOrg(e, &m, &items); err != nil {
				return err
			}
			rec, err := e.Reports().ReportLine(cmd.Context(), &chain.LineReport{ReportMeta: m, Action: action, Items: items})
			return chainReceipt(cmd.OutOrStdout(), f.jsonOut, rec, err)
		},
	}
	f.register(cmd)
	return cmd
}

var chainPackFlags struct {
	chainMetaFlags
	parent, parentLevel, file string
}

var chainPackCmd = &cobra.Command{
	Use:   "pack --data DIR --parent CODE (BLOCK:FIRST-LAST | CHILD)… | --file FILE",
	Short: "Report packing: children into a parent (SSCC, case, bundle)",
	Long: `pack reports an aggregation: the children named go into the parent, at
--time, by --org. The parent is a code minted at a higher packaging level
(a case, a bundle, a pallet) or an SSCC, which is registered on first use
by the organisation owning its GS1 company prefix (--parent-level, default
pallet). Rules, each checked per offending code: the organisation owns parent
and children; children are commissioned and in no parent yet; the parent's
level is above each child's; nothing ends up inside itself.

With --file, each line is one pack: the parent, then its children (codes or
ranges), separated by white space; the whole file is one report.`,
	Example: `  tracecode pack --data ./data --parent '(00)395201230000000012' 8:0-49
  tracecode pack --data ./data --file packing-shift-3.txt`,
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &chainPackFlags
		m, err := f.meta()
		if err != nil {
			return err
		}
		var lvl model.Level
		if f.parentLevel != "" {
			if lvl, err = model.ParseLevel(f.parentLevel); err != nil {
				return err
			}
		}
		var packs []chain.Pack
		switch {
		case f.file != "":
			if f.parent != "" || len(args) > 0 {
				return fmt.Errorf("give --file or --parent with children, not both")
			}
			fh, err := os.Open(f.file)
			if err != nil {
				return err
			}
			defer fh.Close()
			sc := bufio.NewScanner(fh)
			sc.Buffer(make([]byte, 64<<10), 16<<20)
			for n := 1; sc.Scan(); n++ {
				fields := strings.Fields(sc.Text())
				if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
					continue
				}
				if len(fields) < 2 {
					return fmt.Errorf("%s:%d: a parent and at least one child, please", f.file, n)
				}
				kids, err := chainItems(fields[1:], nil)
				if err != nil {
					return fmt.Errorf("%s:%d: %w", f.file, n, err)
				}
				packs = append(packs, chain.Pack{Parent: chain.Ref{Code: fields[0]}, ParentLevel: lvl, Children: kids})
			}
			if err := sc.Err(); err != nil {
				return err
			}
		case f.parent == "":
			return fmt.Errorf("name the parent with --parent CODE (or give --file)")
		default:
			kids, err := chainItems(args, cmd.InOrStdin())
			if err != nil {
				return err
			}
			packs = []chain.Pack{{Parent: chain.Ref{Code: f.parent}, ParentLevel: lvl, Children: kids}}
		}
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		if len(packs) > 0 {
			if err := chainDefaultOrg(e, &m, &packs[0].Children); err != nil {
				return err
			}
		}
		rec, err := e.Reports().Pack(cmd.Context(), &chain.PackReport{ReportMeta: m, Packs: packs})
		return chainReceipt(cmd.OutOrStdout(), f.jsonOut, rec, err)
	},
}

var chainUnpackFlags struct {
	chainMetaFlags
	parent string
	all    bool
}

var chainUnpackCmd = &cobra.Command{
	Use:   "unpack --data DIR --parent CODE (--all | (BLOCK:FIRST-LAST | CHILD)…)",
	Short: "Report unpacking: children out of a parent, keeping the history",
	Long: `unpack takes children out of a parent (--all: every present child). The
history is kept: each child's past parents with since/until, and each
parent's past contents, with who reported it and when. Each listed child
must be in that parent now.`,
	Example: `  tracecode unpack --data ./data --parent '(00)395201230000000012' --all`,
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &chainUnpackFlags
		m, err := f.meta()
		if err != nil {
			return err
		}
		if f.parent == "" {
			return fmt.Errorf("name the parent with --parent CODE")
		}
		if f.all == (len(args) > 0) {
			return fmt.Errorf("give --all or the children, one of the two")
		}
		e, kids, err := f.open(args, cmd.InOrStdin())
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		probe := chain.Items{Codes: []string{f.parent}}
		if !f.all {
			probe = kids
		}
		if err := chainDefaultOrg(e, &m, &probe); err != nil {
			return err
		}
		rec, err := e.Reports().Unpack(cmd.Context(), &chain.UnpackReport{ReportMeta: m, Unpacks: []chain.Unpack{{Parent: chain.Ref{Code: f.parent}, Children: kids, All: f.all}}})
		return chainReceipt(cmd.OutOrStdout(), f.jsonOut, rec, err)
	},
}

func init() {
	rootCmd.AddCommand(
		chainLineCmd(chain.LineCommission, "Report codes printed and verified on the line (commissioned)",
			`commission reports codes printed and verified: they enter the supply chain
and may be packed, shipped and resolved as genuine items.`),
		chainLineCmd(chain.LineVoid, "Report codes rejected on the line (voided); final",
			`void reports codes the line rejected before commissioning (misprint, failed
verification). A voided code never becomes valid. To take a whole block out
of use, see "tracecode blocks void"; for commissioned codes, "tracecode
decommission".`),
		chainLineCmd(chain.LineDecommission, "Report commissioned codes taken out of the supply chain",
			`decommission reports commissioned codes taken out of the supply chain
(destroyed, damaged, consumed).`),
	)
	chainPackFlags.register(chainPackCmd)
	chainPackCmd.Flags().StringVar(&chainPackFlags.parent, "parent", "", "the parent: a code of a higher packaging level or an SSCC")
	chainPackCmd.Flags().StringVar(&chainPackFlags.parentLevel, "parent-level", "", "packaging level of an SSCC registered by this report: inner, case or pallet (default pallet)")
	chainPackCmd.Flags().StringVar(&chainPackFlags.file, "file", "", "packs, one per line: PARENT CHILD…")
	rootCmd.AddCommand(chainPackCmd)
	chainUnpackFlags.register(chainUnpackCmd)
	chainUnpackCmd.Flags().StringVar(&chainUnpackFlags.parent, "parent", "", "the parent to unpack")
	chainUnpackCmd.Flags().BoolVar(&chainUnpackFlags.all, "all", false, "take out every present child")
	rootCmd.AddCommand(chainUnpackCmd)
}
