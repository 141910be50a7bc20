package engine

import (
	"context"
	"io"

	"tracecode/engine/chain"
	"tracecode/engine/epcis"
	"tracecode/engine/issue"
	"tracecode/engine/spotcheck"
)

// parts is the engine as its parts ask it, through their small interfaces
// (credit.Registry, spotcheck.Engine, complaint.Codes, epcissub.Capturer):
// the master data through the issue.Book (Org, Orgs, Products), the clock
// and resolution through the facade's own methods (Now, Resolve), and the
// rest below.
type parts struct {
	*Engine
	*issue.Book
}

func (p parts) Inspectors(region uint32) ([]spotcheck.Inspector, error) { return p.inspectors(region) }

func (p parts) Capture(ctx context.Context, doc *epcis.Document, o *chain.CaptureOptions) (*chain.Receipt, error) {
	return p.Reports().Capture(ctx, doc, o)
}

func (p parts) CaptureJSON(ctx context.Context, r io.Reader, o *chain.CaptureOptions) (*chain.Receipt, error) {
	return p.Reports().CaptureJSON(ctx, r, o)
}

func (p parts) CaptureXML(ctx context.Context, r io.Reader, o *chain.CaptureOptions) (*chain.Receipt, error) {
	return p.Reports().CaptureXML(ctx, r, o)
}
