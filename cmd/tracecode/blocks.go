package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tracecode/engine"
)

var blocksCmd = &cobra.Command{
	Use:   "blocks",
	Short: "List, show, release and void minted and imported blocks",
	Long: `blocks inspects and manages blocks of codes. A block is one allocation:
counters [start, start+count) of a product, under one scheme, for one lot.`,
}

var blocksListFlags struct {
	data, gtin, lot string
	product, org    uint32
	json            bool
}

var blocksListCmd = &cobra.Command{
	Use:     "list --data DIR [--gtin GTIN | --product ID] [--lot LOT] [--org ID] [--json]",
	Short:   "List blocks",
	Example: `  tracecode blocks list --data ./data --gtin 6901234567892 --lot B2026031`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &blocksListFlags
		e, err := storeOpen(f.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		filter := engine.BlockFilter{Org: f.org}
		if f.gtin != "" || f.product != 0 {
			p, err := storeProduct(e, f.gtin, f.product)
			if err != nil {
				return err
			}
			filter.Product = p.ID
			if f.lot != "" {
				l, err := e.LotByNumber(p.ID, f.lot)
				if err != nil {
					return err
				}
				filter.Lot = l.ID
			}
		} else if f.lot != "" {
			return fmt.Errorf("--lot needs --gtin or --product")
		}
		out := cmd.OutOrStdout()
		blocks := e.Blocks(filter)
		if f.json {
			for _, b := range blocks {
				if err := storeJSON(out, storeBlockOf(e, b)); err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "BLOCK\tPRODUCT\tLOT\tLEVEL\tSCHEME\tSTATE\tSTART\tCOUNT\tRELEASED FROM\tREQUEST ID\tCREATED")
		for _, b := range blocks {
			j := storeBlockOf(e, b)
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", j.ID, j.Product, j.Lot, j.Level, j.Scheme,
				j.State, j.Start, j.Count, j.ReleasedFrom, j.RequestID, j.Created)
		}
		return tw.Flush()
	},
}

var blocksShowFlags struct {
	data string
}

var blocksShowCmd = &cobra.Command{
	Use:   "show --data DIR BLOCK",
	Short: "Show one block as JSON, with the formats it can be written in",
	Long: `show prints the block's record as JSON: product, lot, level, scheme, key
generation, state, counter range, requested count (larger than count when the
request was partially fulfilled), the offset from which codes are released,
the request id and note — and "formats", the --format values "mint" accepts
for it.`,
	Example: `  tracecode blocks show --data ./data 12`,
	Args:    cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		id, err := storeParseID("BLOCK", args[0])
		if err != nil {
			return err
		}
		e, err := storeOpen(blocksShowFlags.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		b, err := e.Block(id)
		if err != nil {
			return err
		}
		fms, err := e.Formats(id)
		if err != nil {
			return err
		}
		var names []string
		for _, f := range fms {
			names = append(names, f.String())
		}
		return storeJSON(cmd.OutOrStdout(), struct {
			storeBlockJSON
			Formats []string `json:"formats"`
		}{storeBlockOf(e, b), names})
	},
}

var blocksReleaseFlags struct {
	data, note string
	from       uint64
}

var blocksReleaseCmd = &cobra.Command{
	Use:   "release --data DIR BLOCK --from OFFSET [--note TEXT]",
	Short: "Return the unused tail of a block (codes from OFFSET on were never printed)",
	Long: `release marks the codes of BLOCK at offsets OFFSET and above as released:
returned unused by the line and never printed (OPEN-SCS "return of unused
serial numbers"). A released code looks up as "released" — a scan of one is
suspicious. Counters are never reused. Releasing can only grow the released
tail; --from 0 releases the whole block.`,
	Example: `  tracecode blocks release --data ./data 12 --from 734211 --note "line 7 stopped: ribbon out"`,
	Args:    cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		id, err := storeParseID("BLOCK", args[0])
		if err != nil {
			return err
		}
		if !cmd.Flags().Changed("from") {
			return fmt.Errorf("--from OFFSET is required (0 releases the whole block)")
		}
		e, err := storeOpen(blocksReleaseFlags.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		b, err := e.Release(id, blocksReleaseFlags.from, blocksReleaseFlags.note)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "block %d: codes %d–%d issued, %d released\n", b.ID, 0, b.ReleasedFrom(), b.Released)
		return nil
	},
}

var blocksVoidFlags struct {
	data, note string
}

var blocksVoidCmd = &cobra.Command{
	Use:   "void --data DIR BLOCK --note TEXT",
	Short: "Void a whole block (labels destroyed or lost): its codes look up as voided",
	Long: `void marks every code of BLOCK as void, for a print run that was destroyed
or lost. It is final. --note says why and is kept with the block.`,
	Example: `  tracecode blocks void --data ./data 12 --note "roll damaged, destroyed 2026-03-02"`,
	Args:    cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		id, err := storeParseID("BLOCK", args[0])
		if err != nil {
			return err
		}
		e, err := storeOpen(blocksVoidFlags.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		b, err := e.Void(id, blocksVoidFlags.note)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "block %d: %v\n", b.ID, b.State)
		return nil
	},
}

func init() {
	l := blocksListCmd.Flags()
	storeDataFlag(blocksListCmd, &blocksListFlags.data)
	l.StringVar(&blocksListFlags.gtin, "gtin", "", "only this product's blocks")
	l.Uint32Var(&blocksListFlags.product, "product", 0, "only this product's blocks (by id)")
	l.StringVar(&blocksListFlags.lot, "lot", "", "only this lot's blocks (with --gtin or --product)")
	l.Uint32Var(&blocksListFlags.org, "org", 0, "only this organisation's blocks")
	l.BoolVar(&blocksListFlags.json, "json", false, "one JSON object per line")
	storeDataFlag(blocksShowCmd, &blocksShowFlags.data)
	storeDataFlag(blocksReleaseCmd, &blocksReleaseFlags.data)
	blocksReleaseCmd.Flags().Uint64Var(&blocksReleaseFlags.from, "from", 0, "first released offset (required)")
	blocksReleaseCmd.Flags().StringVar(&blocksReleaseFlags.note, "note", "", "why the codes are returned")
	storeDataFlag(blocksVoidCmd, &blocksVoidFlags.data)
	blocksVoidCmd.Flags().StringVar(&blocksVoidFlags.note, "note", "", "why the block is voided (required)")
	_ = blocksVoidCmd.MarkFlagRequired("note")
	blocksCmd.AddCommand(blocksListCmd, blocksShowCmd, blocksReleaseCmd, blocksVoidCmd)
	rootCmd.AddCommand(blocksCmd)
}
