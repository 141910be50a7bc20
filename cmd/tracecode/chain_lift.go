package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"tracecode/engine/chain"
)

var chainLiftFlags struct {
	chainMetaFlags
	lots, products    []string
	reason, regulator string
}

var chainLiftCmd = &cobra.Command{
	Use:   "lift-recall --data DIR (--lot GTIN:LOT | --product GTIN | CODE | BLOCK:FIRST-LAST)… --reason TEXT [--regulator NAME]",
	Short: "End recalls of lots, products or codes",
	Long: `lift-recall ends recalls: the codes of a lifted lot or product, a lifted
code and everything packed inside it now resolve again as they would
without the recall (unless another recall still reaches them). The recall
and its lift both stay in the chain. The owner lifts its own recalls; a
regulator lifting one on the owner's behalf names itself with --regulator
(the record stays in the owner's log). A reason is required.`,
	Example: `  tracecode lift-recall --data ./data --lot 06901234567892:B2026031 --reason "retest passed" --regulator "SAMR Zhejiang"`,
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &chainLiftFlags
		m, err := f.meta()
		if err != nil {
			return err
		}
		if f.reason == "" {
			return fmt.Errorf("say why the recall ends with --reason")
		}
		e, items, err := f.open(args, cmd.InOrStdin())
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		req := &chain.LiftRequest{ReportMeta: m, Items: items, Reason: f.reason, Regulator: f.regulator}
		if req.Lots, req.Products, err = chainTargets(e, &req.ReportMeta, &req.Items, f.lots, f.products); err != nil {
			return err
		}
		rec, rerr := e.Reports().LiftRecall(cmd.Context(), req)
		return chainReceipt(cmd.OutOrStdout(), f.jsonOut, rec, rerr)
	},
}

func init() {
	f := &chainLiftFlags
	f.register(chainLiftCmd)
	chainLiftCmd.Flags().StringArrayVar(&f.lots, "lot", nil, "a lot whose recall ends, GTIN:LOT (repeatable)")
	chainLiftCmd.Flags().StringArrayVar(&f.products, "product", nil, "a whole product whose recall ends, by GTIN (repeatable)")
	chainLiftCmd.Flags().StringVar(&f.reason, "reason", "", "why the recall ends (required), kept with the record")
	chainLiftCmd.Flags().StringVar(&f.regulator, "regulator", "", "the regulator lifting the recall on the owner's behalf")
	rootCmd.AddCommand(chainLiftCmd)
}
