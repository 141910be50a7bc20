package chain

import (
	"context"
	"io"

	"tracecode/engine/epcis"
)

// CaptureXML reads an EPCIS 2.0 or 1.0–1.2 XML document (epcis.ParseXML)
// and captures it exactly as CaptureJSON does a JSON one: the parsed
// document goes through Capture, so the rules, the ledger record (the event
// as a one-event EPCIS 2.0 JSON-LD document) and the event hash do not
// depend on the syntax. A malformed document is a *ReportError listing
// every problem the parser found, with event index, element path and line.
func (c *Chain) CaptureXML(ctx context.Context, r io.Reader, o *CaptureOptions) (*Receipt, error) {
	return c.captureParsed(ctx, r, o, epcis.ParseXML)
}
