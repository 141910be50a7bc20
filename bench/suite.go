package bench

import "context"

// The suite, in run order. Each family runs tracecode's scenarios and the
// baseline's in the same process, one after the other, so the two are
// measured on the same machine state.
func init() {
	register("mint", func(ctx context.Context, e *env) error {
		if err := tcMint(ctx, e); err != nil {
			return err
		}
		if err := tcPlainMint(ctx, e); err != nil {
			return err
		}
		return pgMint(ctx, e)
	})
	register("stream", tcStream)
	register("lookup", tcLookup)
	register("pack and resolve", func(ctx context.Context, e *env) error {
		if err := tcPackAndResolve(ctx, e); err != nil {
			return err
		}
		return pgPackAndResolve(ctx, e)
	})
	register("capture and query", func(ctx context.Context, e *env) error {
		if err := tcCapture(ctx, e); err != nil {
			return err
		}
		return pgCapture(ctx, e)
	})
}
