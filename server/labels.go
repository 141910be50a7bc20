package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/valyala/fasthttp"

	"tracecode/engine/label"
	"tracecode/engine/model"
)

// bufferedLabels is the largest run rendered into memory first (so that
// any error still becomes a problem answer); larger ZPL, SVG and PNG runs
// stream. PDF is assembled in memory by its writer anyway.
const bufferedLabels = 10_000

// apiBlockLabels serves GET /v1/blocks/{id}/labels?template=&format=&offset=&limit=:
// the block's codes as labels of a template (a built-in, or one of the
// server's template library, the product's own first), in pdf, zpl,
// svg-zip or png-zip. Who may read it is who may read the block's codes.
func (s *Server) apiBlockLabels(c *call) {
	b, ok := s.visibleBlock(c)
	if !ok {
		return
	}
	args := c.ctx.QueryArgs()
	fname := string(args.Peek("format"))
	if fname == "" {
		fname = "pdf"
	}
	f, err := label.ParseFormat(fname)
	if err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "format: "+err.Error())
		return
	}
	tname := string(args.Peek("template"))
	if tname == "" {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "template is required: one of the built-ins ("+fmt.Sprint(label.BuiltinNames())+") or a template of the server's library")
		return
	}
	gtin := ""
	if p, err := s.eng.Issuance().Product(b.Product); err == nil && !p.GTIN.IsZero() {
		gtin = p.GTIN.String()
	}
	tmpl, err := s.cfg.Labels.Template(gtin, tname)
	if err != nil {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid", "template: "+err.Error())
		return
	}
	offset, ok := queryUint(c, "offset")
	if !ok {
		return
	}
	limit, ok := queryUint(c, "limit")
	if !ok {
		return
	}
	end := b.ReleasedFrom()
	if offset > end {
		problem(c.ctx, fasthttp.StatusBadRequest, "invalid",
			fmt.Sprintf("offset %d is beyond the %d printable codes of block %d", offset, end, b.ID))
		return
	}
	if limit == 0 || offset+limit > end {
		limit = end - offset
	}
	o := label.BlockOptions{Template: tmpl, Format: f, Offset: offset, Limit: limit, DLBase: s.cfg.PublicBase, ShortBase: s.cfg.PublicBase}
	if f == label.PDF || f == label.PNGZip {
		if o.Font = s.cfg.LabelFont; o.Font == nil {
			if o.Font, err = label.SystemFont(); err != nil {
				problem(c.ctx, fasthttp.StatusServiceUnavailable, "unavailable", "this server cannot draw label text: "+err.Error())
				return
			}
		}
	}
	h := &c.ctx.Response.Header
	h.Set("X-Labels-Offset", fmt.Sprint(offset))
	h.Set("X-Labels-Count", fmt.Sprint(limit))
	ext := map[label.Format]string{label.PDF: "pdf", label.ZPL: "zpl", label.SVGZip: "zip", label.PNGZip: "zip"}[f]
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="block%d-%s-%d.%s"`, b.ID, tmpl.Name, offset, ext))
	if limit <= bufferedLabels || f == label.PDF {
		var buf bytes.Buffer
		if _, err := label.WriteBlock(context.Background(), &buf, s.eng.Issuance(), b.ID, o); err != nil {
			h.Del("Content-Disposition")
			labelError(c, err)
			return
		}
		c.ctx.SetContentType(f.ContentType())
		c.ctx.SetBody(buf.Bytes())
		return
	}
	// Check what label.WriteBlock would refuse before the status is sent.
	if b.State != model.BlockActive {
		problem(c.ctx, fasthttp.StatusConflict, "state", fmt.Sprintf("block %d is %v; its codes must not be printed", b.ID, b.State))
		return
	}
	if err := label.CheckBlock(s.eng.Issuance(), b.ID, tmpl); err != nil {
		labelError(c, err)
		return
	}
	c.ctx.SetContentType(f.ContentType())
	eng, log, m, id, timeout := s.eng, s.log, s.m, b.ID, s.cfg.StreamTimeout
	// The stream writer must not touch the RequestCtx: everything it needs
	// is copied above.
	c.ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		guardStream(log, m, "labels of block "+fmt.Sprint(id), func() {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			n, err := label.WriteBlock(ctx, w, eng.Issuance(), id, o)
			if err != nil {
				log.Warn("label stream ended early", "block", id, "labels", n, "err", err)
			}
		})
	})
}

// labelError answers a rendering error: a template or code the labels
// cannot be made from is the request's fault (422), the rest as the
// engine's errors.
func labelError(c *call, err error) {
	if errors.Is(err, label.ErrTemplate) || errors.Is(err, label.ErrData) {
		problem(c.ctx, fasthttp.StatusUnprocessableEntity, "invalid", err.Error())
		return
	}
	engineError(c, err)
}
