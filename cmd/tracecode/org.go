package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tracecode/engine/code/cn"
	"tracecode/engine/issue"
)

var orgCmd = &cobra.Command{
	Use:   "org",
	Short: "Manage organisations (producers, importers, distributors)",
	Long: `org manages the organisations of the store. An organisation owns products
and the GS1 company prefixes of their GTINs. Prefixes are granted by the
operator — with "org add --gcp" or "org grant-prefix", once GS1 shows the
prefix is licensed to the organisation — never by creating a product: a
product of an organisation whose GTIN's prefix was not granted to it is
refused. "product add" without --org creates an organisation from a GTIN's
company prefix (the operator's shortcut).`,
}

var orgGrantFlags struct {
	data, gcp string
	org       uint32
	json      bool
}

var orgGrantCmd = &cobra.Command{
	Use:   "grant-prefix --data DIR --org ID --gcp PREFIX",
	Short: "Grant a GS1 company prefix to an organisation",
	Long: `grant-prefix grants a GS1 company prefix (4 to 12 digits) to an
organisation, which may then create products with GTINs under it. The
prefix may not overlap another organisation's. Granting a prefix the
organisation already holds changes nothing.`,
	Example: `  tracecode org grant-prefix --data ./data --org 3 --gcp 6923456`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &orgGrantFlags
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		o, err := e.Issuance().GrantGCP(cmd.Context(), f.org, f.gcp)
		if err != nil {
			return err
		}
		if f.json {
			return storeJSON(cmd.OutOrStdout(), storeOrgOf(o))
		}
		fmt.Fprintf(cmd.OutOrStdout(), "organisation %d: %s; GS1 company prefixes %s\n", o.ID, o.Name, strings.Join(o.GCPs, ","))
		return nil
	},
}

var orgAddFlags struct {
	data, name, nameEN, uscc, region string
	gcps                             []string
	json                             bool
}

var orgAddCmd = &cobra.Command{
	Use:   "add --data DIR --name NAME [--uscc CODE] [--region CODE] [--gcp PREFIX]…",
	Short: "Create an organisation",
	Long: `add creates an organisation and prints its id.

--uscc is the 18-character unified social credit code (统一社会信用代码,
GB 32100); its check characters are verified and its region becomes the
organisation's region unless --region (a GB/T 2260 six-digit code, or a
9-digit township code) is given.
--gcp adds a GS1 company prefix (4 to 12 digits; repeat the flag for several);
prefixes may not overlap another organisation's.`,
	Example: `  tracecode org add --data ./data --name "福州示范药业有限公司" --name-en "Fuzhou Demo Pharma" \
      --uscc 91350100M000100Y43 --gcp 6901234
  tracecode org add --data ./data --name "Farm Co-op" --region 330106`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &orgAddFlags
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		o, err := e.Issuance().AddOrg(cmd.Context(), issue.OrgSpec{Name: f.name, NameEN: f.nameEN, USCC: f.uscc, Region: f.region, GCPs: f.gcps})
		if err != nil {
			return err
		}
		if f.json {
			return storeJSON(cmd.OutOrStdout(), storeOrgOf(o))
		}
		fmt.Fprintf(cmd.OutOrStdout(), "organisation %d: %s\n", o.ID, o.Name)
		return nil
	},
}

var orgListFlags struct {
	data string
	json bool
}

var orgListCmd = &cobra.Command{
	Use:     "list --data DIR [--json]",
	Short:   "List organisations",
	Example: `  tracecode org list --data ./data`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		e, err := storeOpen(orgListFlags.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		out := cmd.OutOrStdout()
		if orgListFlags.json {
			return storeJSONLines(out, e.Issuance().Orgs(), storeOrgOf)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tUSCC\tREGION\tGS1 PREFIXES")
		for _, o := range e.Issuance().Orgs() {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", o.ID, o.Name, o.USCC, regionText(o.Region), strings.Join(o.GCPs, ","))
		}
		return tw.Flush()
	},
}

// regionText is a division code with its full name (620102 甘肃省 兰州市
// 城关区), or the bare number if it is no division.
func regionText(r uint32) string {
	if r == 0 {
		return ""
	}
	reg, err := cn.NewRegion(int(r))
	if err != nil {
		return fmt.Sprintf("%06d", r)
	}
	if name := reg.FullName(cn.Chinese); name != "" {
		return reg.String() + " " + name
	}
	return reg.String()
}

func init() {
	f := orgAddCmd.Flags()
	storeDataFlag(orgAddCmd, &orgAddFlags.data)
	f.StringVar(&orgAddFlags.name, "name", "", "legal name (required)")
	f.StringVar(&orgAddFlags.nameEN, "name-en", "", "English name")
	f.StringVar(&orgAddFlags.uscc, "uscc", "", "unified social credit code, 18 characters")
	f.StringVar(&orgAddFlags.region, "region", "", "GB/T 2260 six-digit region code or 9-digit township code (default: the USCC's)")
	f.StringArrayVar(&orgAddFlags.gcps, "gcp", nil, "GS1 company prefix owned by the organisation (repeatable)")
	f.BoolVar(&orgAddFlags.json, "json", false, "print the organisation as JSON")
	_ = orgAddCmd.MarkFlagRequired("name")
	storeDataFlag(orgListCmd, &orgListFlags.data)
	orgListCmd.Flags().BoolVar(&orgListFlags.json, "json", false, "one JSON object per line")
	g := orgGrantCmd.Flags()
	storeDataFlag(orgGrantCmd, &orgGrantFlags.data)
	g.Uint32Var(&orgGrantFlags.org, "org", 0, "organisation id (required)")
	g.StringVar(&orgGrantFlags.gcp, "gcp", "", "GS1 company prefix to grant (required)")
	g.BoolVar(&orgGrantFlags.json, "json", false, "print the organisation as JSON")
	_ = orgGrantCmd.MarkFlagRequired("org")
	_ = orgGrantCmd.MarkFlagRequired("gcp")
	orgCmd.AddCommand(orgAddCmd, orgListCmd, orgGrantCmd)
	rootCmd.AddCommand(orgCmd)
}
