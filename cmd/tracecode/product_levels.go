package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/amend"
	"tracecode/engine/model"
)

var productLevelsFlags struct {
	data, gtin, inner, caseGTIN, reason string
	product                             uint32
	json                                bool
}

var productLevelsCmd = &cobra.Command{
	Use:   "levels --data DIR (--gtin GTIN | --product ID) [--inner GTIN] [--case GTIN] [--reason WHY]",
	Short: "Declare the GTINs of a product's inner pack and case (GS1: a distinct GTIN per packaging level)",
	Long: `levels declares the GTIN a product's inner pack or case carries, as the
operator (an organisation's people declare their own with PATCH
/v1/products/{product} "levelGTINs"). GS1 gives each packaging level of a
trade item a GTIN of its own: the item GTIN with another indicator digit
(1–8), or another GTIN of the same company prefix. Mints of the level
(mint --level case) then print that GTIN in every form; the product's GTIN
identifies its lowest level. A declared level GTIN never changes (codes
are printed with it); blocks minted before keep the GTIN they were printed
with. Without flags, the command prints the product's level GTINs.`,
	Example: `  tracecode product levels --data ./data --gtin 06901234000016 --case 16901234000013`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f, fl := &productLevelsFlags, cmd.Flags()
		in := amend.ProductEdit{Reason: f.reason, LevelGTINs: map[model.Level]string{}}
		if fl.Changed("inner") {
			in.LevelGTINs[model.LevelInner] = f.inner
		}
		if fl.Changed("case") {
			in.LevelGTINs[model.LevelCase] = f.caseGTIN
		}
		e, p, err := storeOpenProduct(f.data, len(in.LevelGTINs) == 0, nil, f.gtin, f.product)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		if len(in.LevelGTINs) != 0 {
			if p, _, err = e.Amendments().EditProduct(cmd.Context(), engine.CommandLineKey, p.ID, &in); err != nil {
				return err
			}
		}
		if f.json {
			return storeJSON(cmd.OutOrStdout(), storeProductOf(p))
		}
		fmt.Fprintf(cmd.OutOrStdout(), "product %d: %s %s\n", p.ID, p.Lowest(), storeGTIN(p.GTIN))
		for _, l := range p.LevelGTINs.Declared() {
			fmt.Fprintf(cmd.OutOrStdout(), "product %d: %s %s\n", p.ID, l, p.LevelGTINs.Of(l))
		}
		return nil
	},
}

// levelGTINFlags reads --level-gtin LEVEL=GTIN flags.
func levelGTINFlags(in []string) (map[model.Level]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[model.Level]string{}
	for _, s := range in {
		name, g, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("--level-gtin %q: want LEVEL=GTIN, e.g. case=16901234000013", s)
		}
		l, err := model.ParseLevel(strings.TrimSpace(name))
		if err != nil {
			return nil, fmt.Errorf("--level-gtin: %w", err)
		}
		out[l] = strings.TrimSpace(g)
	}
	return out, nil
}

func init() {
	f := productLevelsCmd.Flags()
	a := &productLevelsFlags
	storeDataFlag(productLevelsCmd, &a.data)
	f.StringVar(&a.gtin, "gtin", "", "the product's GTIN")
	f.Uint32Var(&a.product, "product", 0, "the product's id (instead of --gtin)")
	f.StringVar(&a.inner, "inner", "", "the inner pack's GTIN")
	f.StringVar(&a.caseGTIN, "case", "", "the case's GTIN")
	f.StringVar(&a.reason, "reason", "", "why (kept in the product's history)")
	f.BoolVar(&a.json, "json", false, "print the product as JSON")
	productCmd.AddCommand(productLevelsCmd)
}
