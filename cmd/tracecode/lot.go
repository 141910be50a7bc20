package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tracecode/engine/issue"
)

var lotCmd = &cobra.Command{
	Use:   "lot",
	Short: "Manage production lots (batches)",
	Long: `lot manages the lots of a product. "mint" creates a lot on first use
(without dates) unless --no-create-lot is given; create lots here to record
production and expiry dates — the expiry date is printed as AI (17) in
element strings.`,
}

var lotAddFlags struct {
	data, gtin, lot, produced, expiry, site string
	product                                 uint32
	json                                    bool
}

var lotAddCmd = &cobra.Command{
	Use:   "add --data DIR --gtin GTIN --lot LOT [--produced DATE] [--expiry DATE] [--site SITE]",
	Short: "Create a lot",
	Long: `add creates a lot of a product. The lot number is a GS1 AI (10) value: 1 to
20 characters of GS1 CSET 82 (letters, digits and !"%&'()*+,-./:;<=>?_).
Dates are YYYY-MM-DD.`,
	Example: `  tracecode lot add --data ./data --gtin 6901234567892 --lot B2026031 \
      --produced 2026-03-01 --expiry 2028-02-29 --site 6901234000004`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &lotAddFlags
		spec := issue.LotSpec{Number: f.lot, Site: f.site}
		if spec.Produced, err = issue.ParseDate(f.produced); err != nil {
			return fmt.Errorf("--produced: %w", err)
		}
		if spec.Expiry, err = issue.ParseDate(f.expiry); err != nil {
			return fmt.Errorf("--expiry: %w", err)
		}
		e, p, err := storeOpenProduct(f.data, false, nil, f.gtin, f.product)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		spec.Product = p.ID
		l, err := e.Issuance().AddLot(cmd.Context(), spec)
		if err != nil {
			return err
		}
		if f.json {
			return storeJSON(cmd.OutOrStdout(), storeLotOf(l))
		}
		fmt.Fprintf(cmd.OutOrStdout(), "lot %d: %s of product %d\n", l.ID, l.Number, p.ID)
		return nil
	},
}

var lotListFlags struct {
	data, gtin string
	product    uint32
	json       bool
}

var lotListCmd = &cobra.Command{
	Use:     "list --data DIR [--gtin GTIN | --product ID] [--json]",
	Short:   "List lots (of one product, or all)",
	Example: `  tracecode lot list --data ./data --gtin 6901234567892`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &lotListFlags
		e, err := storeOpen(f.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		var pid uint32
		if f.gtin != "" || f.product != 0 {
			p, err := storeProduct(e, f.gtin, f.product)
			if err != nil {
				return err
			}
			pid = p.ID
		}
		out, lots := cmd.OutOrStdout(), e.Issuance().Lots(pid)
		if f.json {
			return storeJSONLines(out, lots, storeLotOf)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPRODUCT\tLOT\tPRODUCED\tEXPIRY\tSITE")
		for _, l := range lots {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", l.ID, l.Product, l.Number, issue.FormatDate(l.Produced), issue.FormatDate(l.Expiry), l.Site)
		}
		return tw.Flush()
	},
}

func init() {
	f := lotAddCmd.Flags()
	storeDataFlag(lotAddCmd, &lotAddFlags.data)
	f.StringVar(&lotAddFlags.gtin, "gtin", "", "the product's GTIN")
	f.Uint32Var(&lotAddFlags.product, "product", 0, "the product's id (instead of --gtin)")
	f.StringVar(&lotAddFlags.lot, "lot", "", "lot number, AI (10) (required)")
	f.StringVar(&lotAddFlags.produced, "produced", "", "production date YYYY-MM-DD")
	f.StringVar(&lotAddFlags.expiry, "expiry", "", "expiry date YYYY-MM-DD")
	f.StringVar(&lotAddFlags.site, "site", "", "production site (GLN or name)")
	f.BoolVar(&lotAddFlags.json, "json", false, "print the lot as JSON")
	_ = lotAddCmd.MarkFlagRequired("lot")
	g := lotListCmd.Flags()
	storeDataFlag(lotListCmd, &lotListFlags.data)
	g.StringVar(&lotListFlags.gtin, "gtin", "", "only this product's lots")
	g.Uint32Var(&lotListFlags.product, "product", 0, "only this product's lots (by id)")
	g.BoolVar(&lotListFlags.json, "json", false, "one JSON object per line")
	lotCmd.AddCommand(lotAddCmd, lotListCmd)
	rootCmd.AddCommand(lotCmd)
}
