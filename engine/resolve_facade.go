package engine

import (
	"tracecode/engine/code"
	"tracecode/engine/resolve"
)

// Resolve returns the full chain of any scanned code (see ResolveInto).
func (e *Engine) Resolve(input string) (*resolve.Chain, error) {
	c := new(resolve.Chain)
	if err := e.ResolveInto(c, input); err != nil {
		return nil, err
	}
	return c, nil
}

// ResolveInto fills c with the full chain of a scanned code in any format
// code.Parse reads (SSCCs included); see resolve.Resolver.ResolveInto.
// Reusing c across calls makes the common path allocation-free once c's
// slices have grown.
func (e *Engine) ResolveInto(c *resolve.Chain, input string) error {
	ts, err := e.tr()
	if err != nil {
		return err
	}
	return ts.Resolver().ResolveInto(c, input, nil)
}

// ResolveCodeInto is ResolveInto of a code the caller has already parsed
// (input is kept as Chain.Input); pc's strings must stay valid until c is
// reused.
func (e *Engine) ResolveCodeInto(c *resolve.Chain, input string, pc *code.Code) error {
	ts, err := e.tr()
	if err != nil {
		return err
	}
	return ts.Resolver().ResolveInto(c, input, pc)
}
