package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"tracecode/engine"
)

var checkpointFlags struct {
	data string
}

var checkpointCmd = &cobra.Command{
	Use:   "checkpoint --data DIR",
	Short: "Publish every organisation's log: a Merkle checkpoint of each log that grew",
	Long: `checkpoint writes a Merkle checkpoint (the root over an organisation's
hash-chained log, docs/chain.md) for every organisation whose log grew since
its latest checkpoint, and prints how many it wrote. Reports write one every
1,024 records of an organisation on their own; serve runs this once a day
(--checkpoint-every); run it before an audit so that every record so far is
under a published root. tracecode verify recomputes every checkpoint.`,
	Example: `  tracecode checkpoint --data ./data`,
	Args:    cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		e, err := storeOpen(checkpointFlags.data, false, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		ctx := cmd.Context()
		n, err := e.Reports().Checkpoint(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "wrote %d checkpoint(s)\n", n)
		return err
	},
}

func init() {
	storeDataFlag(checkpointCmd, &checkpointFlags.data)
	rootCmd.AddCommand(checkpointCmd)
}

// checkpointLoop publishes the logs (Engine.Checkpoint) at every tick
// until ctx ends: serve's daily job. A failure is logged; the next tick
// tries again.
func checkpointLoop(ctx context.Context, eng *engine.Engine, tick <-chan time.Time, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
		n, err := eng.Reports().Checkpoint(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("publishing the logs' checkpoints", "err", err)
		case n > 0:
			log.Info("published the logs' checkpoints", "checkpoints", n)
		}
	}
}
