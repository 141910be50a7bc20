package engine

import (
	"context"
	"io"

	"tracecode/engine/label"
)

// WriteLabels renders codes of block id as labels (label.WriteBlock): the
// codes WriteCodes prints, with the engine's canonical forms.
func (e *Engine) WriteLabels(ctx context.Context, w io.Writer, id uint64, o label.BlockOptions) (uint64, error) {
	return label.WriteBlock(ctx, w, e.iss, id, o)
}

// CheckLabels refuses a template that needs a form block id lacks
// (label.CheckBlock).
func (e *Engine) CheckLabels(id uint64, t *label.Template) error {
	return label.CheckBlock(e.iss, id, t)
}
