package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"tracecode/engine/apikey"
	"tracecode/engine/drugexport"
)

var exportDrugFlags struct {
	data, from, to, out string
	org                 uint32
}

var exportDrugCmd = &cobra.Command{
	Use:   "drug-trace --data DIR --org ID --from DATE --to DATE [--out FILE]",
	Short: "An organisation's drug movements as the national drug trace platform's in/out bills (XML)",
	Long: `drug-trace writes organisation ID's drug movements whose event time lies in
the period as the in/out bills of the national drug trace collaboration
platform (药品追溯协同服务平台): one bill per record the organisation
recorded that names drug codes — printing 101 生产入库, receipt 102 采购入库
(a return 103), shipment 201 销售出库 (a return 202), destruction 205,
retail sale or dispensing 321 — with its codes, sender and receiver, the
document numbers and the drug list, each field named as the upload
interface's parameter (alibaba.alihealth.drug.kyt.uploadinoutbill, our
reading: docs/categories.md marks the unconfirmed fields). It is the file
GET /v1/orgs/{org}/exports/drug-trace answers.

--from and --to are dates YYYY-MM-DD in China Standard Time (--to
included) or RFC 3339 times (--to excluded), at most 366 days apart.
Without --out the file goes to standard output.`,
	Example: `  tracecode export drug-trace --data ./data --org 2 --from 2026-11-01 --to 2026-11-30 --out drug-trace-2026-11.xml`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &exportDrugFlags
		if f.org == 0 {
			return fmt.Errorf("name the organisation with --org ID")
		}
		from, err := drugexport.ParseBound("--from", f.from, false)
		if err != nil {
			return err
		}
		to, err := drugexport.ParseBound("--to", f.to, true)
		if err != nil {
			return err
		}
		e, err := storeOpen(f.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		// The command reads the store directly: it acts as the operator.
		doc, err := e.DrugTraceExport(apikey.Key{Scopes: apikey.ScopeAdmin}, f.org, from, to)
		if err != nil {
			return err
		}
		b, err := doc.AppendXML(nil)
		if err != nil {
			return err
		}
		if f.out == "" {
			_, err = cmd.OutOrStdout().Write(b)
			return err
		}
		if err := os.WriteFile(f.out, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "%d bill(s) written to %s\n", len(doc.Bills), f.out)
		return nil
	},
}

func init() {
	f := &exportDrugFlags
	storeDataFlag(exportDrugCmd, &f.data)
	fl := exportDrugCmd.Flags()
	fl.Uint32Var(&f.org, "org", 0, "the organisation whose movements are exported (required)")
	fl.StringVar(&f.from, "from", "", "start of the period: YYYY-MM-DD (China Standard Time) or RFC 3339 (required)")
	fl.StringVar(&f.to, "to", "", "end of the period: YYYY-MM-DD (included) or RFC 3339 (excluded) (required)")
	fl.StringVar(&f.out, "out", "", "the file to write (default: standard output)")
	exportCmd.AddCommand(exportDrugCmd)
}
