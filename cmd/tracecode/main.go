// Command tracecode is the one binary of the tracecode traceability engine:
// code formats, issuance, line and chain reports, resolution, the server, the
// benchmark suite and the load generator are its subcommands.
//
// Each subcommand lives in its own file and adds itself to rootCmd in an
// init function, so adding a command never edits another command's file.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// rootCmd is the top of the command tree. Subcommands register themselves
// with rootCmd.AddCommand from init functions in their own files.
var rootCmd = &cobra.Command{
	Use:   "tracecode",
	Short: "tracecode — issue, report and resolve product trace codes",
	Long: `tracecode is the engine of a product traceability system: it issues
unguessable serialized codes to label-printing lines, records what lines and
supply-chain partners report (printing, packing, shipping, selling, recalls),
and resolves any scanned code — GS1 Digital Link, element string, EPC, NMPA
drug code or short code — to the item's full chain.

Every command explains itself with --help.`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

// exitError carries a process exit status through cobra without printing an
// error message (the command already printed what the user needs).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	// Commands get a context that ends at SIGINT or SIGTERM: an engine
	// write still waiting for its locks then gives up, applying nothing.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := rootCmd.ExecuteContext(ctx)
	stop()
	if err != nil {
		if ee, ok := err.(exitError); ok {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "tracecode:", err)
		os.Exit(2)
	}
}
