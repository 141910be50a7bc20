package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"tracecode/engine/code/gs1"
)

// codesCmd groups the offline code-format tools.
var codesCmd = &cobra.Command{
	Use:   "codes",
	Short: "Parse, check and convert trace codes offline",
	Long: `codes works on code strings alone, without a data directory: it detects
the format of anything a scanner or RFID reader returns, validates it (check
digits, AI rules, structure) and prints the canonical forms it converts to.`,
}

var checkDigitCmd = &cobra.Command{
	Use:   "check-digit DIGITS",
	Short: "Print the GS1 mod-10 check digit of a key body",
	Long: `check-digit prints the GS1 mod-10 check digit for DIGITS, the body of a
GTIN-8/12/13/14, GLN, SSCC or GSRN without its check digit, and the full key.

Example:
  tracecode codes check-digit 952012345678      # prints 8 and 9520123456788`,
	Args: cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) error {
		body := args[0]
		cd, err := gs1.CheckDigit(body)
		if err != nil {
			return err
		}
		if body == "" {
			return fmt.Errorf("check-digit: DIGITS is empty: give the key without its check digit")
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%c\t%s%c\n", cd, body, cd)
		return nil
	},
}

func init() {
	codesCmd.AddCommand(checkDigitCmd)
	rootCmd.AddCommand(codesCmd)
}
