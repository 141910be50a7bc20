package chain

import (
	"context"
	"errors"
	"io"
	"time"

	"tracecode/engine/epcis"
	"tracecode/engine/model"
)

// CaptureXML reads an EPCIS 2.0 or 1.0–1.2 XML document (epcis.ParseXML)
// and captures it exactly as CaptureJSON does a JSON one: the parsed
// document goes through Capture, so the rules, the ledger record (the event
// as a one-event EPCIS 2.0 JSON-LD document) and the event hash do not
// depend on the syntax. A malformed document is a *ReportError listing
// every problem the parser found, with event index, element path and line.
func (c *Chain) CaptureXML(ctx context.Context, r io.Reader, o *CaptureOptions) (*Receipt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	po := o.Parse
	po.Normalizer, po.Now = nil, time.Time{}
	doc, err := epcis.ParseXML(r, po)
	if err != nil {
		var de *epcis.DocumentError
		if !errors.As(err, &de) {
			return nil, err
		}
		re := &ReportError{Dropped: de.Dropped}
		for _, x := range de.Errors {
			re.Errors = append(re.Errors, ItemError{Event: x.Index, Field: x.Field, Reason: x.Reason, Err: model.ErrInvalid})
		}
		return nil, re
	}
	return c.Capture(ctx, doc, o)
}
