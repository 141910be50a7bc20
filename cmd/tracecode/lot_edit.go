package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/amend"
	"tracecode/engine/issue"
)

var lotEditFlags struct {
	data, gtin, lot, produced, expiry, unit, origin, site, reason string
	product                                                       uint32
	quantity                                                      uint64
	json                                                          bool
}

var lotEditCmd = &cobra.Command{
	Use:   "edit --data DIR --gtin GTIN --lot LOT [--produced DATE] [--expiry DATE] [--quantity N] [--unit U] [--origin O] [--site S] [--reason WHY]",
	Short: "Change a lot's dates, quantity, origin or site (the operator's act, kept in the lot's history)",
	Long: `edit changes what may change of a lot after its creation, as the operator
(an organisation's people change their own lots in the console or with
PATCH /v1/lots/{lot}). Only the flags given change; "" clears a date. A
change of the production or expiry date needs --reason; a lot under a
recall in force or on hold keeps its dates. Every change is appended to the
lot's history (GET /v1/lots/{lot}/changes) with "cli" as who.`,
	Example: `  tracecode lot edit --data ./data --gtin 6901234567892 --lot B2026031 \
      --expiry 2028-08-31 --reason "稳定性试验延长保质期"`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f, fl := &lotEditFlags, cmd.Flags()
		in := amend.LotEdit{Reason: f.reason}
		for _, d := range []struct {
			name string
			v    string
			out  **uint32
		}{{"produced", f.produced, &in.Produced}, {"expiry", f.expiry, &in.Expiry}} {
			if fl.Changed(d.name) {
				v, err := issue.ParseDate(d.v)
				if err != nil {
					return fmt.Errorf("--%s: %w", d.name, err)
				}
				*d.out = &v
			}
		}
		if fl.Changed("quantity") {
			in.Quantity = &f.quantity
		}
		for _, s := range []struct {
			name string
			v    *string
			out  **string
		}{{"unit", &f.unit, &in.Unit}, {"origin", &f.origin, &in.Origin}, {"site", &f.site, &in.Site}} {
			if fl.Changed(s.name) {
				*s.out = s.v
			}
		}
		e, p, err := storeOpenProduct(f.data, false, nil, f.gtin, f.product)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		l, err := e.Issuance().LotByNumber(p.ID, f.lot)
		if err != nil {
			return err
		}
		l, d, err := e.Amendments().EditLot(cmd.Context(), engine.CommandLineKey, l.ID, &in)
		if err != nil {
			return err
		}
		if f.json {
			return storeJSON(cmd.OutOrStdout(), storeLotOf(l))
		}
		var extra []string
		if d.Quantity != 0 {
			extra = append(extra, fmt.Sprintf("quantity %d %s", d.Quantity, d.Unit))
		}
		if d.Origin != "" {
			extra = append(extra, "origin "+d.Origin)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "lot %d: %s of product %d, produced %s, expiry %s %s\n", l.ID, l.Number, p.ID,
			issue.FormatDate(l.Produced), issue.FormatDate(l.Expiry), strings.Join(extra, ", "))
		return nil
	},
}

func init() {
	f := lotEditCmd.Flags()
	storeDataFlag(lotEditCmd, &lotEditFlags.data)
	f.StringVar(&lotEditFlags.gtin, "gtin", "", "the product's GTIN")
	f.Uint32Var(&lotEditFlags.product, "product", 0, "the product's id (instead of --gtin)")
	f.StringVar(&lotEditFlags.lot, "lot", "", "lot number (required)")
	f.StringVar(&lotEditFlags.produced, "produced", "", "new production date YYYY-MM-DD")
	f.StringVar(&lotEditFlags.expiry, "expiry", "", "new expiry date YYYY-MM-DD")
	f.Uint64Var(&lotEditFlags.quantity, "quantity", 0, "the lot's quantity (0: not given)")
	f.StringVar(&lotEditFlags.unit, "unit", "", "the unit of the quantity (箱, kg …)")
	f.StringVar(&lotEditFlags.origin, "origin", "", "the lot's origin (产地)")
	f.StringVar(&lotEditFlags.site, "site", "", "production site (GLN or name)")
	f.StringVar(&lotEditFlags.reason, "reason", "", "why (required when a date changes)")
	f.BoolVar(&lotEditFlags.json, "json", false, "print the lot as JSON")
	_ = lotEditCmd.MarkFlagRequired("lot")
	lotCmd.AddCommand(lotEditCmd)
}
