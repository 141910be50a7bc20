package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"tracecode/engine/spotcheck"
)

var spotcheckCmd = &cobra.Command{
	Use:   "spotcheck",
	Short: "Random spot checks (双随机、一公开): re-run a draw offline",
}

type spotDrawFlags struct {
	plan, population, seed, expect string
	json                           bool
}

func init() {
	f := &spotDrawFlags{}
	draw := &cobra.Command{
		Use:   "draw --plan FILE --population FILE --seed SEED",
		Short: "Re-run a spot-check draw from its plan, population and seed",
		Long: `draw runs the spot-check draw (algorithm tracecode-draw, version 1; docs/public.md
states every step) on a plan file (GET /v1/spotchecks/plans/{plan}) and a
population file (GET /v1/spotchecks/draws/{draw}/population, byte for byte
what the draw drew from) with the seed the draw recorded, and prints the
population's SHA-256 and every inspection: the organisation drawn and its
inspectors. Anyone with the two files and the seed gets the same draw the
server made; --expect DRAW.json (GET /v1/spotchecks/draws/{draw}) compares
them and fails on any difference. Nothing is read from or written to a
store.`,
		Example: `  tracecode spotcheck draw --plan plan.json --population population.json --seed '兰州市市场监管局 2026年第4季度双随机抽查 公开种子 7391'`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runSpotDraw(cmd, f) },
	}
	fl := draw.Flags()
	fl.StringVar(&f.plan, "plan", "", "the plan file, JSON (required)")
	fl.StringVar(&f.population, "population", "", "the population file, JSON (required)")
	fl.StringVar(&f.seed, "seed", "", "the draw's seed (required)")
	fl.StringVar(&f.expect, "expect", "", "a draw as the API answers it: fail unless the re-run gives the same hash and inspections")
	fl.BoolVar(&f.json, "json", false, "print the outcome as JSON")
	spotcheckCmd.AddCommand(draw)
	rootCmd.AddCommand(spotcheckCmd)
}

func runSpotDraw(cmd *cobra.Command, f *spotDrawFlags) error {
	switch {
	case f.plan == "":
		return fmt.Errorf("name the plan file with --plan FILE")
	case f.population == "":
		return fmt.Errorf("name the population file with --population FILE")
	case f.seed == "":
		return fmt.Errorf("give the draw's seed with --seed")
	}
	pf, err := os.Open(f.plan)
	if err != nil {
		return err
	}
	defer pf.Close()
	plan, err := spotcheck.ParsePlan(pf)
	if err != nil {
		return fmt.Errorf("--plan %s: %w", f.plan, err)
	}
	qf, err := os.Open(f.population)
	if err != nil {
		return err
	}
	defer qf.Close()
	pop, err := spotcheck.ParsePopulation(qf)
	if err != nil {
		return fmt.Errorf("--population %s: %w", f.population, err)
	}
	out, err := spotcheck.Run(&plan, &pop, f.seed)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if f.json {
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(w, "%s\n", b)
	} else {
		fmt.Fprintf(w, "algorithm %s/%d\npopulation sha256 %s (%d organisations, %d inspectors)\nseed %q\n",
			out.Algorithm, out.Version, out.Population, len(pop.Subjects), len(pop.Inspectors), out.Seed)
		for _, in := range out.Inspections {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", in.N, in.Class, in.Subject, in.Name, strings.Join(in.Inspectors, ","))
		}
	}
	if f.expect == "" {
		return nil
	}
	b, err := os.ReadFile(f.expect)
	if err != nil {
		return err
	}
	var want struct {
		Population  string                 `json:"population_sha256"`
		Inspections []spotcheck.Inspection `json:"inspections"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		return fmt.Errorf("--expect %s: %w", f.expect, err)
	}
	if want.Population != out.Population {
		return fmt.Errorf("population sha256 %s, the draw recorded %s: not the population it drew from", out.Population, want.Population)
	}
	if len(want.Inspections) != len(out.Inspections) {
		return fmt.Errorf("%d inspections, the draw recorded %d", len(out.Inspections), len(want.Inspections))
	}
	for i, in := range out.Inspections {
		o := want.Inspections[i]
		if o.Subject != in.Subject || strings.Join(o.Inspectors, ",") != strings.Join(in.Inspectors, ",") {
			return fmt.Errorf("inspection %d: %s by %v, the draw recorded %s by %v", i+1, in.Subject, in.Inspectors, o.Subject, o.Inspectors)
		}
	}
	fmt.Fprintln(w, "same as the recorded draw")
	return nil
}
