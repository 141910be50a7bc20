package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"tracecode/engine/chain"
)

var chainCaptureFlags struct {
	data, credential, requestID string
	org                         uint32
	jsonOut                     bool
}

var chainCaptureCmd = &cobra.Command{
	Use:   "capture --data DIR --org ID FILE…",
	Short: "Apply EPCIS 2.0 JSON or EPCIS 2.0/1.x XML documents (Object, Aggregation, Transformation, Transaction, Association events)",
	Long: `capture applies EPCIS 2.0 JSON(-LD) documents, or EPCIS 2.0 or 1.0–1.2 XML
documents (a file whose first character is '<'), offline, each file as one
report: every event of the document, or none of it. Identifiers may be EPC
URNs or GS1 Digital Link URIs; each must name a code this store issued (or a
registered SSCC, or a known product or lot for quantities).

ObjectEvent ADD commissions its codes, OBSERVE records an observation
(shipping, receiving, inspecting…), DELETE decommissions (selling,
dispensing, destroying). AggregationEvent ADD packs, DELETE unpacks, OBSERVE
observes. TransformationEvent consumes its inputs and commissions its
outputs, linking input lots to output lots. TransactionEvent binds codes
(and what a parent contains) to purchase orders, invoices and other
business transactions. AssociationEvent associates sensors, loggers or
parts (asset identifiers such as GIAI are kept as given) with a parent code,
without packing them. A disposition (or persistent disposition) "recalled"
recalls what the event names; a persistent disposition unsetting "recalled"
lifts the recall.

Custody: packing, unpacking, shipping and decommissioning need the codes'
holder — their owner until a shipment to an organisation named in
destinationList is received by it. An event with an errorDeclaration
declares the earlier event with the same content (or eventID) erroneous:
both stay in the chain, flagged, and the earlier event's effects are undone.

Each event is stored as received (plus its recordTime): fields the engine
does not interpret are kept verbatim. An event already captured (same CBV
event hash) is skipped. A rejected document prints every error with its
event index and JSON path; the exit status is then 1.`,
	Example: `  tracecode capture --data ./data --org 2 shipping-2026-03-01.jsonld`,
	Args:    cobra.MinimumNArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &chainCaptureFlags
		if f.org == 0 {
			return fmt.Errorf("name the capturing organisation with --org ID")
		}
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		out := cmd.OutOrStdout()
		failed := false
		for _, name := range args {
			fh, err := os.Open(name)
			if err != nil {
				return err
			}
			// An XML document (EPCIS 2.0 or 1.x) starts with '<' after
			// white space (and a byte-order mark, dropped here), JSON with '{'.
			br := bufio.NewReader(fh)
			if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
				br.Discard(3)
			}
			capture := e.Reports().CaptureJSON
			for {
				b, perr := br.Peek(1)
				if perr != nil {
					break
				}
				if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
					br.Discard(1)
					continue
				}
				if b[0] == '<' {
					capture = e.Reports().CaptureXML
				}
				break
			}
			rec, cerr := capture(cmd.Context(), br, &chain.CaptureOptions{Org: f.org, Credential: f.credential, RequestID: f.requestID})
			fh.Close()
			if !f.jsonOut {
				fmt.Fprintf(out, "%s: ", name)
			}
			if err := chainReceipt(out, f.jsonOut, rec, cerr); err != nil {
				if _, ok := err.(exitError); !ok {
					return fmt.Errorf("%s: %w", name, err)
				}
				failed = true
			}
		}
		if failed {
			return exitError{code: 1}
		}
		return nil
	},
}

func init() {
	f := &chainCaptureFlags
	storeDataFlag(chainCaptureCmd, &f.data)
	chainCaptureCmd.Flags().Uint32Var(&f.org, "org", 0, "the capturing organisation id (required)")
	chainCaptureCmd.Flags().StringVar(&f.credential, "credential", "cli", "who within the organisation captures")
	chainCaptureCmd.Flags().StringVar(&f.requestID, "request-id", "", "idempotency key (one document per key)")
	chainCaptureCmd.Flags().BoolVar(&f.jsonOut, "json", false, "print receipts and errors as JSON lines")
	rootCmd.AddCommand(chainCaptureCmd)
}
