package bench

import "context"

// The suite, in run order. Each family runs tracecode's scenarios and the
// baseline's in the same process, one after the other, so the two are
// measured on the same machine state.
func init() {
	register("mint", []string{"mint"}, func(ctx context.Context, e *env) error {
		if err := tcMint(ctx, e); err != nil {
			return err
		}
		if err := tcPlainMint(ctx, e); err != nil {
			return err
		}
		return pgMint(ctx, e)
	})
	register("stream", []string{"stream"}, tcStream)
	register("lookup", []string{"lookup"}, tcLookup)
	register("pack and resolve", []string{"commission", "pack", "events", "resolve"}, func(ctx context.Context, e *env) error {
		if err := tcPackAndResolve(ctx, e); err != nil {
			return err
		}
		if !e.want("pack") && !e.want("events") && !e.want("resolve") {
			return nil
		}
		return pgPackAndResolve(ctx, e)
	})
	register("capture and query", []string{"capture", "query"}, func(ctx context.Context, e *env) error {
		if err := tcCapture(ctx, e); err != nil {
			return err
		}
		return pgCapture(ctx, e)
	})
}
