package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

var productCmd = &cobra.Command{
	Use:   "product",
	Short: "Manage products (trade items)",
	Long: `product manages the products codes are issued for: a GTIN (or an own
product code, or an NMPA drug identification code), names in Chinese and
English, a regulatory category and the packaging levels codes are printed on.`,
}

var productAddFlags struct {
	data, gtin, name, nameEN, category, orgName, ownCode, drugID, levels, scheme string
	org                                                                          uint32
	gcpLen                                                                       int
	links, levelGTINs                                                            []string
	json                                                                         bool
}

var productAddCmd = &cobra.Command{
	Use:   "add --data DIR --gtin GTIN --name NAME --category CATEGORY [--org ID]",
	Short: "Create a product",
	Long: `add creates a product with its own FF1 key (256 random bits) and prints its id.

Organisation: without --org, the product belongs to the organisation owning
the GTIN's GS1 company prefix, which is created (named --org-name, default
"GS1 company prefix NNN") if no organisation owns it. The prefix is the
--gcp-length digits after the GTIN-14's indicator digit; GS1 China assigns
mostly 7-digit prefixes (690–699…), hence the default 7 — check your GS1
certificate. With --org, the prefix must have been granted to the
organisation ("org add --gcp", "org grant-prefix"); creating a product never
grants one.

Categories: ` + strings.Join(model.CategoryNames(), ", ") + `.
Levels (comma-separated): item, inner, case, pallet (default item). GS1
gives each packaging level its own GTIN: --level-gtin case=GTIN declares
the case's (the GTIN with indicator digit 1–8, or another GTIN of the
company prefix; "product levels" declares it later). Pallets carry SSCCs.
Schemes (--scheme, the default for mints): gs1 (alphanumeric AI 21 serial;
the default with a GTIN), sgtin96 (numeric, fits SGTIN-96 RFID tags), nmpa
(20-digit NMPA drug code; needs --drug-id), short (short-code URLs).`,
	Example: `  tracecode product add --data ./data --gtin 6901234567892 --name 阿莫西林胶囊 \
      --name-en "Amoxicillin capsules" --category drug --drug-id 8612345 --levels item,case
  tracecode product add --data ./data --gtin 09520123456788 --gcp-length 7 \
      --name 婴幼儿配方奶粉 --category food --link gs1:pip=https://example.cn/p/1`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &productAddFlags
		spec := issue.ProductSpec{Org: f.org, OrgName: f.orgName, GTIN: f.gtin, OwnCode: f.ownCode,
			DrugID: f.drugID, NameZH: f.name, NameEN: f.nameEN}
		if f.gtin != "" {
			spec.GCPLength = f.gcpLen
		}
		if spec.Category, err = model.ParseCategory(f.category); err != nil {
			return fmt.Errorf("--category: %w", err)
		}
		for _, name := range strings.Split(f.levels, ",") {
			l, err := model.ParseLevel(strings.TrimSpace(name))
			if err != nil {
				return fmt.Errorf("--levels: %w", err)
			}
			spec.Levels = spec.Levels.With(l)
		}
		if spec.LevelGTINs, err = levelGTINFlags(f.levelGTINs); err != nil {
			return err
		}
		if f.scheme != "" {
			if spec.DefaultScheme, err = serial.ParseScheme(f.scheme); err != nil {
				return fmt.Errorf("--scheme: %w", err)
			}
		}
		for _, l := range f.links {
			typ, url, ok := strings.Cut(l, "=")
			if !ok {
				return fmt.Errorf("--link %q: want TYPE=URL, e.g. gs1:pip=https://…", l)
			}
			spec.Links = append(spec.Links, model.Link{Type: typ, URL: url})
		}
		e, err := storeOpen(f.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		p, err := e.Issuance().AddProduct(cmd.Context(), spec)
		if err != nil {
			return err
		}
		if f.json {
			return storeJSON(cmd.OutOrStdout(), storeProductOf(p))
		}
		o, _ := e.Issuance().Org(p.Org)
		fmt.Fprintf(cmd.OutOrStdout(), "product %d: %s (GTIN %s), organisation %d %s, default scheme %v\n",
			p.ID, p.NameZH, p.GTIN.String(), o.ID, o.Name, p.DefaultScheme)
		return nil
	},
}

var productListFlags struct {
	data string
	org  uint32
	json bool
}

var productListCmd = &cobra.Command{
	Use:     "list --data DIR [--org ID] [--json]",
	Short:   "List products",
	Example: `  tracecode product list --data ./data --org 1`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		e, err := storeOpen(productListFlags.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		out := cmd.OutOrStdout()
		ps := e.Issuance().Products(productListFlags.org)
		if productListFlags.json {
			return storeJSONLines(out, ps, storeProductOf)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tORG\tGTIN\tDRUG ID\tCATEGORY\tLEVELS\tSCHEME\tHIGH-WATER\tNAME")
		for _, p := range ps {
			st, _ := e.Issuance().ProductState(p.ID)
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%v\t%v\t%v\t%d\t%s\n", p.ID, p.Org, storeGTIN(p.GTIN), p.DrugID, p.Category,
				p.Levels, p.DefaultScheme, st.HighWater, p.NameZH)
		}
		return tw.Flush()
	},
}

func init() {
	f := productAddCmd.Flags()
	a := &productAddFlags
	storeDataFlag(productAddCmd, &a.data)
	f.StringVar(&a.gtin, "gtin", "", "GTIN-8, -12, -13 or -14 with its check digit")
	f.IntVar(&a.gcpLen, "gcp-length", 7, "digits of the GS1 company prefix in the GTIN (6-12)")
	f.StringVar(&a.name, "name", "", "product name in Chinese (required)")
	f.StringVar(&a.nameEN, "name-en", "", "product name in English")
	f.StringVar(&a.category, "category", "", "regulatory category (required): "+strings.Join(model.CategoryNames(), ", "))
	f.Uint32Var(&a.org, "org", 0, "owning organisation id (default: from the GTIN's company prefix)")
	f.StringVar(&a.orgName, "org-name", "", "name of an organisation created from the company prefix")
	f.StringVar(&a.ownCode, "own-code", "", "product code outside GS1 (≤ 20 characters); the pesticide trace code's 11-digit prefix for scheme pesticide, starting with the 5-digit enterprise code for scheme vet-drug")
	f.StringVar(&a.drugID, "drug-id", "", "7-digit NMPA drug identification code (enables the nmpa scheme)")
	f.StringVar(&a.levels, "levels", "item", "packaging levels codes may be minted for: item,inner,case,pallet")
	f.StringArrayVar(&a.levelGTINs, "level-gtin", nil, "GTIN of a higher packaging level LEVEL=GTIN, e.g. case=16901234000013 (repeatable; see product levels)")
	f.StringVar(&a.scheme, "scheme", "", "default code scheme: gs1, sgtin96, nmpa, short, pesticide or vet-drug")
	f.StringArrayVar(&a.links, "link", nil, "link TYPE=URL, e.g. gs1:pip=https://… (repeatable)")
	f.BoolVar(&a.json, "json", false, "print the product as JSON")
	_ = productAddCmd.MarkFlagRequired("name")
	_ = productAddCmd.MarkFlagRequired("category")
	storeDataFlag(productListCmd, &productListFlags.data)
	productListCmd.Flags().Uint32Var(&productListFlags.org, "org", 0, "only this organisation's products")
	productListCmd.Flags().BoolVar(&productListFlags.json, "json", false, "one JSON object per line")
	productCmd.AddCommand(productAddCmd, productListCmd)
	rootCmd.AddCommand(productCmd)
}
