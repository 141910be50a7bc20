package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"tracecode/engine/scanlog"
)

var scansFlags struct {
	data, key, reason string
	confirm, clear    bool
}

var scansCmd = &cobra.Command{
	Use:   "scans",
	Short: "Clone detection: review suspicious flags",
}

var scansReviewCmd = &cobra.Command{
	Use:   "review --data DIR --key TOKEN (--confirm | --clear) --reason TEXT CODE",
	Short: "Confirm or clear an item's suspicious flag, as a regulator",
	Long: `review records a regulator's verdict on the suspicious flag of the item
CODE names (any format resolve takes). --confirm keeps it flagged whatever
its scans; --clear clears it and drops the evidence so far (new clients
scanning it may raise it again). Only a regulator key (--key, or
$TRACECODE_KEY) whose region covers the producer's region may review; the
reason is kept with the verdict. It is the same rule as POST /v1/scans/review.`,
	Example: `  tracecode scans review --data ./data --key tck_… --clear --reason "checked at the shop: one genuine tin" 'https://tc.example.cn/01/06901234000115/21/AGH8L5826AKZK'`,
	Args:    cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &scansFlags
		if f.confirm == f.clear {
			return fmt.Errorf("give exactly one of --confirm and --clear")
		}
		v := scanlog.VerdictCleared
		if f.confirm {
			v = scanlog.VerdictConfirmed
		}
		token := f.key
		if token == "" {
			token = os.Getenv("TRACECODE_KEY")
		}
		if token == "" {
			return fmt.Errorf("give the regulator's API key with --key or $TRACECODE_KEY")
		}
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		key, err := e.APIKeys().Authenticate(token)
		if err != nil {
			return err
		}
		l := e.NewScanLog(nil)
		_, st, rerr := e.ReviewSuspicious(l, key, args[0], v, f.reason)
		if cerr := l.Close(); rerr == nil {
			rerr = cerr
		}
		if rerr != nil {
			return rerr
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: %s; suspicious %v (%d scans, %d distinct clients, evidence %d)\n",
			args[0], v, st.Suspicious, st.Count, st.NClient, st.Evidence())
		return nil
	},
}

func init() {
	f := &scansFlags
	storeDataFlag(scansReviewCmd, &f.data)
	scansReviewCmd.Flags().StringVar(&f.key, "key", "", "the regulator's API key (default $TRACECODE_KEY)")
	scansReviewCmd.Flags().BoolVar(&f.confirm, "confirm", false, "confirm the flag: a copied label")
	scansReviewCmd.Flags().BoolVar(&f.clear, "clear", false, "clear the flag: the item is genuine")
	scansReviewCmd.Flags().StringVar(&f.reason, "reason", "", "why (required), kept with the verdict")
	scansCmd.AddCommand(scansReviewCmd)
	rootCmd.AddCommand(scansCmd)
}
