package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/chain"
)

var chainRecallFlags struct {
	chainMetaFlags
	lots, products []string
	reason         string
}

var chainRecallCmd = &cobra.Command{
	Use:   "recall --data DIR (--lot GTIN:LOT | --product GTIN | CODE | BLOCK:FIRST-LAST)… --reason TEXT",
	Short: "Recall lots, products or codes, and print who must be notified",
	Long: `recall marks lots, whole products or individual codes as recalled: every
code of a recalled lot or product, every recalled code and everything packed
inside it then resolves as recalled. Only the owner recalls its products.

It prints the notification list: the forward trace of each recalled lot (and
of the lots of recalled codes) — every organisation that recorded events on
its items, every party they were shipped to, every location they reached,
including through lots made from it.`,
	Example: `  tracecode recall --data ./data --lot 06901234567892:B2026031 --reason "melamine above limit"`,
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &chainRecallFlags
		m, err := f.meta()
		if err != nil {
			return err
		}
		e, items, err := f.open(args, cmd.InOrStdin())
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		req := &chain.RecallRequest{ReportMeta: m, Items: items, Reason: f.reason}
		if req.Lots, req.Products, err = chainTargets(e, &req.ReportMeta, &req.Items, f.lots, f.products); err != nil {
			return err
		}
		res, rerr := e.Reports().Recall(cmd.Context(), req)
		out := cmd.OutOrStdout()
		if rerr != nil {
			return chainReceipt(out, f.jsonOut, nil, rerr)
		}
		if f.jsonOut {
			return storeJSON(out, chainRecallJSON(e, res))
		}
		if err := chainReceipt(out, false, &res.Receipt, nil); err != nil {
			return err
		}
		for _, tr := range res.Notify {
			if err := chainWriteTrace(out, e, tr); err != nil {
				return err
			}
		}
		return nil
	},
}

var chainTraceFlags struct {
	data, gtin, lot string
	product         uint32
	jsonOut         bool
}

var chainTraceCmd = &cobra.Command{
	Use:   "trace --data DIR --gtin GTIN --lot LOT [--json]",
	Short: "Forward trace of a lot: every organisation, party and location its items reached",
	Long: `trace follows a lot forward: every organisation that recorded events on its
items (directly, or on a case or pallet holding them at the time), every
party they were shipped to and every location they reached, and the lots
made from it through transformations — the notification list of a recall.`,
	Example: `  tracecode trace --data ./data --gtin 06901234567892 --lot B2026031`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &chainTraceFlags
		e, p, err := storeOpenProduct(f.data, true, nil, f.gtin, f.product)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		if f.lot == "" {
			return fmt.Errorf("name the lot with --lot LOT")
		}
		l, err := e.Issuance().LotByNumber(p.ID, f.lot)
		if err != nil {
			return err
		}
		tr, err := e.Reports().ForwardTrace(l.ID)
		if err != nil {
			return err
		}
		if f.jsonOut {
			return storeJSON(cmd.OutOrStdout(), chainTraceJSON(e, tr))
		}
		return chainWriteTrace(cmd.OutOrStdout(), e, tr)
	},
}

type chainRecipientJSON struct {
	Kind     string   `json:"kind"`
	Org      uint32   `json:"org,omitempty"`
	OrgName  string   `json:"org_name,omitempty"`
	Region   uint32   `json:"region,omitempty"`
	ID       string   `json:"id,omitempty"`
	Lot      string   `json:"lot"`
	Received bool     `json:"received"`
	First    string   `json:"first"`
	Last     string   `json:"last"`
	Events   int      `json:"events"`
	BizSteps []string `json:"biz_steps,omitempty"`
}

type chainTraceOut struct {
	Product    storeProductJSON     `json:"product"`
	Lot        storeLotJSON         `json:"lot"`
	Downstream []storeLotJSON       `json:"downstream_lots"`
	Recipients []chainRecipientJSON `json:"recipients"`
}

func chainTraceJSON(e *engine.Engine, tr *chain.TraceResult) chainTraceOut {
	out := chainTraceOut{Product: storeProductOf(tr.Product), Lot: storeLotOf(tr.Lot), Downstream: []storeLotJSON{},
		Recipients: []chainRecipientJSON{}}
	for _, l := range tr.Downstream {
		out.Downstream = append(out.Downstream, storeLotOf(l))
	}
	for _, r := range tr.Recipients {
		out.Recipients = append(out.Recipients, chainRecipientJSON{Kind: r.Kind, Org: r.Org, OrgName: r.OrgName,
			Region: r.Region, ID: r.ID, Lot: storeLotNumber(e, r.Lot), Received: r.Received, First: storeTime(r.First),
			Last: storeTime(r.Last), Events: r.Events, BizSteps: r.BizSteps})
	}
	return out
}

func chainRecallJSON(e *engine.Engine, res *chain.RecallResult) any {
	out := struct {
		OK       bool            `json:"ok"`
		FirstSeq uint64          `json:"first_record"`
		Codes    uint64          `json:"codes"`
		Replayed bool            `json:"replayed,omitempty"`
		Notify   []chainTraceOut `json:"notify"`
	}{OK: true, FirstSeq: res.FirstSeq, Codes: res.Codes, Replayed: res.Replayed, Notify: []chainTraceOut{}}
	for _, tr := range res.Notify {
		out.Notify = append(out.Notify, chainTraceJSON(e, tr))
	}
	return out
}

func chainWriteTrace(w io.Writer, e *engine.Engine, tr *chain.TraceResult) error {
	gtin := storeGTIN(tr.Product.GTIN)
	if gtin != "" {
		gtin = " GTIN " + gtin
	}
	fmt.Fprintf(w, "Forward trace of lot %s of %s%s\n", tr.Lot.Number, tr.Product.NameZH, gtin)
	for _, l := range tr.Downstream {
		p, _ := e.Issuance().Product(l.Product)
		fmt.Fprintf(w, "  made into lot %s of %s\n", l.Number, p.NameZH)
	}
	if len(tr.Recipients) == 0 {
		fmt.Fprintln(w, "  no organisation or location has reported items of this lot")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  KIND\tWHO / WHERE\tREGION\tLOT\tRECEIVED\tFIRST\tLAST\tEVENTS\tSTEPS")
	for _, r := range tr.Recipients {
		who, region := r.ID, ""
		if r.Kind == "organisation" {
			who, region = fmt.Sprintf("%s (%d)", r.OrgName, r.Org), regionText(r.Region)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%v\t%s\t%s\t%d\t%s\n", r.Kind, who, region, storeLotNumber(e, r.Lot), r.Received,
			storeTime(r.First), storeTime(r.Last), r.Events, strings.Join(r.BizSteps, ","))
	}
	return tw.Flush()
}

func init() {
	f := &chainRecallFlags
	f.register(chainRecallCmd)
	chainRecallCmd.Flags().StringArrayVar(&f.lots, "lot", nil, "a lot to recall, GTIN:LOT (repeatable)")
	chainRecallCmd.Flags().StringArrayVar(&f.products, "product", nil, "a whole product to recall, by GTIN (repeatable)")
	chainRecallCmd.Flags().StringVar(&f.reason, "reason", "", "why, kept with the record")
	rootCmd.AddCommand(chainRecallCmd)
	t := &chainTraceFlags
	storeDataFlag(chainTraceCmd, &t.data)
	chainTraceCmd.Flags().StringVar(&t.gtin, "gtin", "", "the lot's product GTIN")
	chainTraceCmd.Flags().Uint32Var(&t.product, "product", 0, "the lot's product id (instead of --gtin)")
	chainTraceCmd.Flags().StringVar(&t.lot, "lot", "", "the lot number")
	chainTraceCmd.Flags().BoolVar(&t.jsonOut, "json", false, "print JSON")
	rootCmd.AddCommand(chainTraceCmd)
}

// chainTargets resolves the --lot GTIN:LOT and --product GTIN values of
// recall and lift-recall. When m names no organisation, the owner of the
// first lot's or product's product reports, else the owner of the first of
// items (chainDefaultOrg).
func chainTargets(e *engine.Engine, m *chain.ReportMeta, items *chain.Items, lots, products []string) ([]chain.LotRef, []uint32, error) {
	var refs []chain.LotRef
	var ids []uint32
	for _, l := range lots {
		g, lot, ok := strings.Cut(l, ":")
		if !ok {
			return nil, nil, fmt.Errorf("--lot %q: want GTIN:LOT", l)
		}
		p, err := storeProduct(e, g, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("--lot %q: %w", l, err)
		}
		refs = append(refs, chain.LotRef{Product: p.ID, Number: lot})
		if m.Org == 0 {
			m.Org = p.Org
		}
	}
	for _, g := range products {
		p, err := storeProduct(e, g, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("--product %q: %w", g, err)
		}
		ids = append(ids, p.ID)
		if m.Org == 0 {
			m.Org = p.Org
		}
	}
	return refs, ids, chainDefaultOrg(e, m, items)
}
