package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tracecode/engine/chain"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

var blocksCmd = &cobra.Command{
	Use:   "blocks",
	Short: "List, show, release, void and import blocks of codes",
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
		filter := issue.BlockFilter{Org: f.org}
		if f.gtin != "" || f.product != 0 {
			p, err := storeProduct(e, f.gtin, f.product)
			if err != nil {
				return err
			}
			filter.Product = p.ID
			if f.lot != "" {
				l, err := e.Issuance().LotByNumber(p.ID, f.lot)
				if err != nil {
					return err
				}
				filter.Lot = l.ID
			}
		} else if f.lot != "" {
			return fmt.Errorf("--lot needs --gtin or --product")
		}
		out := cmd.OutOrStdout()
		blocks := e.Issuance().Blocks(filter)
		if f.json {
			return storeJSONLines(out, blocks, func(b model.Block) storeBlockJSON { return storeBlockOf(e, b) })
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
		b, err := e.Issuance().Block(id)
		if err != nil {
			return err
		}
		fms, err := e.Issuance().Formats(id)
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
		b, err := e.Issuance().Block(id)
		if err != nil {
			return err
		}
		_, err = e.Reports().ReleaseRest(cmd.Context(), &chain.ReleaseReport{ReportMeta: chain.ReportMeta{Org: b.Org, Credential: "cli"},
			Block: id, From: blocksReleaseFlags.from, Note: blocksReleaseFlags.note})
		if err != nil {
			return chainReceipt(cmd.OutOrStdout(), false, nil, err)
		}
		if b, err = e.Issuance().Block(id); err != nil {
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
or lost before printing. It is final. --note says why and is kept with the
block. A block holding a printed (commissioned) code is refused, naming the
codes (decommission those instead); the void is recorded in the ledger in
the block owner's name.`,
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
		b, err := e.Issuance().Block(id)
		if err != nil {
			return err
		}
		_, err = e.Reports().VoidBlock(cmd.Context(), &chain.VoidReport{ReportMeta: chain.ReportMeta{Org: b.Org, Credential: "cli"},
			Block: id, Note: blocksVoidFlags.note})
		if err != nil {
			return chainReceipt(cmd.OutOrStdout(), false, nil, err)
		}
		if b, err = e.Issuance().Block(id); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "block %d: %v\n", b.ID, b.State)
		return nil
	},
}

var blocksImportFlags struct {
	data, gtin, lot, file, requestID, note, level string
	product                                       uint32
	noCreateLot                                   bool
}

var blocksImportCmd = &cobra.Command{
	Use:   "import --data DIR --gtin GTIN [--lot LOT] --file FILE [--request-id ID]",
	Short: "Import serials minted by another system as a block",
	Long: `import brings serials issued elsewhere (AI 21 values: 1 to 20 characters of
GS1 CSET 82, one per line in FILE, or standard input with --file -) under the
store's management as one block of the product. They are written with
Pebble's SSTable ingestion, and a bloom filter over them is kept in memory so
that scans of never-issued foreign serials are rejected without a disk read.
Serials already issued for the product (own or imported) are refused. The
block gets product counters like a minted block (in the serials' sorted
order), so lines report on imported codes the same way.`,
	Example: `  tracecode blocks import --data ./data --gtin 6901234567892 --lot B7 --file erp-serials.txt --request-id erp-2026-03-01`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &blocksImportFlags
		var in io.Reader = cmd.InOrStdin()
		if f.file != "-" {
			fh, err := os.Open(f.file)
			if err != nil {
				return err
			}
			defer fh.Close()
			in = fh
		}
		var serials []string
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			s := strings.TrimRight(sc.Text(), "\r")
			if s == "" {
				continue
			}
			serials = append(serials, s)
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", f.file, err)
		}
		req := issue.ImportRequest{Lot: f.lot, CreateLot: !f.noCreateLot, Serials: serials, RequestID: f.requestID, Note: f.note}
		if f.level != "" {
			if req.Level, err = model.ParseLevel(f.level); err != nil {
				return fmt.Errorf("--level: %w", err)
			}
		}
		e, p, err := storeOpenProduct(f.data, false, nil, f.gtin, f.product)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		req.Product = p.ID
		r, err := e.Issuance().Import(cmd.Context(), req)
		if err != nil {
			return err
		}
		verb := "imported"
		if r.Replayed {
			verb = "request id already imported"
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s block %d: %d serials of product %d, counters %d–%d\n",
			verb, r.Block.ID, r.Block.Count, p.ID, r.Block.Start, r.Block.End()-1)
		return nil
	},
}

func init() {
	im := blocksImportCmd.Flags()
	storeDataFlag(blocksImportCmd, &blocksImportFlags.data)
	im.StringVar(&blocksImportFlags.gtin, "gtin", "", "the product's GTIN")
	im.Uint32Var(&blocksImportFlags.product, "product", 0, "the product's id (instead of --gtin)")
	im.StringVar(&blocksImportFlags.lot, "lot", "", "lot number of the imported codes")
	im.BoolVar(&blocksImportFlags.noCreateLot, "no-create-lot", false, "fail if the lot does not exist")
	im.StringVar(&blocksImportFlags.level, "level", "", "packaging level (default item)")
	im.StringVar(&blocksImportFlags.file, "file", "", "file of serials, one per line; - for standard input (required)")
	im.StringVar(&blocksImportFlags.requestID, "request-id", "", "client request id: a retry imports nothing")
	im.StringVar(&blocksImportFlags.note, "note", "", "provenance, e.g. the other system's name")
	_ = blocksImportCmd.MarkFlagRequired("file")

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
	blocksCmd.AddCommand(blocksListCmd, blocksShowCmd, blocksReleaseCmd, blocksVoidCmd, blocksImportCmd)
	rootCmd.AddCommand(blocksCmd)
}
