package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"tracecode/engine"
)

var exportFlags struct {
	data, from, to, format, out string
	org                         uint32
}

var exportCmd = &cobra.Command{
	Use:   "export",
	Short: "Bulk exports of an organisation's records: EPCIS documents, the FSMA 204 spreadsheet",
}

var exportEPCISCmd = &cobra.Command{
	Use:   "epcis --data DIR --org ID --from TIME --to TIME [--format json|xml] --out FILE",
	Short: "The EPCIS events an organisation sees over a time range, as one EPCIS 2.0 document",
	Long: `export epcis writes the EPCIS events organisation --org sees — those its API
keys would get from GET /v1/epcis/events: the events it recorded, the
shipments to and from it, the events about its products — whose event time
is in [--from, --to), in event-time order, as one EPCIS 2.0 document:
JSON-LD (--format json, the default) or XML (--format xml). The document is
written event by event (a first pass gathers the namespace prefixes), so an
export of millions of events holds one in memory. --out - writes to
standard output; a file is written beside its name and renamed when
complete. Times are RFC 3339 with a zone offset.`,
	Example: `  tracecode export epcis --data ./data --org 1 --from 2026-01-01T00:00:00+08:00 --to 2026-04-01T00:00:00+08:00 --out q1.jsonld
  tracecode export epcis --data ./data --org 1 --from 2026-03-01T00:00:00Z --to 2026-03-02T00:00:00Z --format xml --out - | xmllint --noout -`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) error {
		f := &exportFlags
		if f.format != "json" && f.format != "xml" {
			return fmt.Errorf("--format: %q is not json or xml", f.format)
		}
		return runExport(cmd, func(e *engine.Engine, w io.Writer, from, to time.Time) (int, error) {
			return e.Exports().EPCIS(w, f.org, from, to, f.format == "xml")
		}, "event(s)")
	},
}

var exportFSMACmd = &cobra.Command{
	Use:   "fsma --data DIR --org ID --from TIME --to TIME --out FILE",
	Short: "The FDA FSMA 204 electronic sortable spreadsheet of an organisation's critical tracking events (CSV)",
	Long: `export fsma writes organisation --org's FSMA 204 sortable spreadsheet: one CSV row
per traceability lot of each critical tracking event (shipping, receiving,
transformation, initial packing) among the events it sees whose event time
is in [--from, --to). The columns and where each comes from are in
docs/epcis.md, "FSMA 204 export"; GET /v1/orgs/{org}/fsma204 serves the
same file.`,
	Example: `  tracecode export fsma --data ./data --org 1 --from 2026-03-01T00:00:00+08:00 --to 2026-03-02T00:00:00+08:00 --out fsma.csv`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) error {
		f := &exportFlags
		return runExport(cmd, func(e *engine.Engine, w io.Writer, from, to time.Time) (int, error) {
			return e.Exports().FSMA(w, f.org, from, to)
		}, "row(s)")
	},
}

// runExport opens the store read-only and writes one export to --out.
func runExport(cmd *cobra.Command, write func(*engine.Engine, io.Writer, time.Time, time.Time) (int, error), unit string) (err error) {
	f := &exportFlags
	from, err := time.Parse(time.RFC3339Nano, f.from)
	if err != nil {
		return fmt.Errorf("--from: %q is not an RFC 3339 time with a zone", f.from)
	}
	to, err := time.Parse(time.RFC3339Nano, f.to)
	if err != nil {
		return fmt.Errorf("--to: %q is not an RFC 3339 time with a zone", f.to)
	}
	if !from.Before(to) {
		return fmt.Errorf("--from must be before --to")
	}
	if f.org == 0 {
		return fmt.Errorf("--org is required")
	}
	if f.out == "" {
		return fmt.Errorf("--out is required (- for standard output)")
	}
	e, err := storeOpen(f.data, true, nil)
	if err != nil {
		return err
	}
	defer storeClose(e, &err)
	if f.out == "-" {
		w := bufio.NewWriter(cmd.OutOrStdout())
		if _, err := write(e, w, from, to); err != nil {
			return err
		}
		return w.Flush()
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.out), "."+filepath.Base(f.out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := write(e, tmp, from, to)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.out); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%d %s written to %s\n", n, unit, f.out)
	return nil
}

func init() {
	f := &exportFlags
	for _, c := range []*cobra.Command{exportEPCISCmd, exportFSMACmd} {
		storeDataFlag(c, &f.data)
		fl := c.Flags()
		fl.Uint32Var(&f.org, "org", 0, "the organisation whose view is exported (its id)")
		fl.StringVar(&f.from, "from", "", "start of the event-time range, inclusive (RFC 3339)")
		fl.StringVar(&f.to, "to", "", "end of the event-time range, exclusive (RFC 3339)")
		fl.StringVar(&f.out, "out", "", "the file to write (- for standard output)")
		exportCmd.AddCommand(c)
	}
	exportEPCISCmd.Flags().StringVar(&f.format, "format", "json", "json (JSON-LD) or xml")
	rootCmd.AddCommand(exportCmd)
}
