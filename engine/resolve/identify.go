package resolve

import (
	"errors"

	"tracecode/engine/agg"
	"tracecode/engine/code"
	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
)

// identify finds the code's block (or unit), master data and identity.
// It sets c.Status for codes that resolve no further.
func (r *resolver) identify(input string, pc *code.Code) error {
	c := r.c
	// The code is kept in the resolver (inside the Chain): handed to the
	// Source, a pointer to a local would move it to the heap.
	if pc == nil {
		parsed, err := code.Parse(input)
		if err != nil {
			return &model.LookupError{Kind: model.ErrBadCode, Err: err}
		}
		r.pc = parsed
	} else {
		r.pc = *pc
	}
	res, err := r.src.LookupCode(&r.pc)
	if err != nil {
		var le *model.LookupError
		if !errors.As(err, &le) {
			return err
		}
		switch le.Kind {
		case model.ErrUnsupportedCode: // no GTIN: an SSCC is ours to resolve
			if s, ok := model.SSCCOf(&r.pc); ok {
				return r.identifyUnit(s)
			}
			return err
		case model.ErrBadCode, model.ErrNoSerial:
			return err
		case model.ErrVoided:
			c.Status = StatusVoided
		case model.ErrReleased:
			c.Status = StatusReleased
		default:
			c.Status = StatusNeverIssued
		}
		c.Reason = err.Error()
		if res.Block.ID == 0 {
			if res.Product.ID != 0 {
				r.fillMaster(res.Product.ID, 0, 0)
			}
			return nil
		}
	}
	r.fillMaster(res.Product.ID, res.Lot.ID, res.Block.ID)
	c.Node = agg.Node{Product: res.Product.ID, Counter: res.Counter}
	c.Offset, c.Level = res.Offset, res.Block.Level
	r.identity(&res)
	return nil
}

// fillMaster points c at the published master data.
func (r *resolver) fillMaster(product, lot uint32, block uint64) {
	c := r.c
	c.Org, c.Product, c.Lot, c.Block = r.src.Master(product, lot, block)
}

// identity appends the code's canonical forms to c.buf.
func (r *resolver) identity(res *model.LookupResult) {
	c := r.c
	if c.Block == nil {
		return
	}
	// Forms are appended first and sliced after: c.buf may move while
	// growing, so take the slices from the final buffer.
	spans := &r.spans
	*spans = [NumForms][2]int{}
	c.buf = r.src.AppendForms(c.buf, c.Block, c.Offset, res.Serial, spans)
	out := [NumForms]*[]byte{&c.DigitalLink, &c.ElementString, &c.EPCURN, &c.Serial, &c.NMPA, &c.Short}
	for i, sp := range spans {
		if sp[1] > sp[0] {
			*out[i] = c.buf[sp[0]:sp[1]:sp[1]]
		}
	}
}

// identifyUnit resolves an SSCC to its unit record.
func (r *resolver) identifyUnit(s gs1.SSCC) error {
	c := r.c
	v := model.SSCCValue(s)
	c.IsUnit, c.Node = true, agg.UnitNode(v)
	u, found, err := agg.LoadUnit(r.db, v)
	if err != nil {
		return err
	}
	org := u.Org
	if !found {
		org = r.src.SSCCOwner(s)
	}
	c.Org = r.src.Org(org)
	// Identity: element string, Digital Link, and the EPC URN when the
	// owner's company prefix gives its length.
	n := len(c.buf)
	c.buf = append(c.buf, "(00)"...)
	c.buf = append(c.buf, s[:]...)
	el := len(c.buf)
	c.buf = append(c.buf, r.opts.DLBase...)
	c.buf = append(c.buf, "/00/"...)
	c.buf = append(c.buf, s[:]...)
	dl := len(c.buf)
	urn := dl
	if c.Org != nil {
		for _, g := range c.Org.GCPs {
			if len(g) <= 16 && string(s[1:1+len(g)]) == g {
				if x, err := epc.SSCCFromGS1(s, len(g)); err == nil {
					c.buf = x.AppendURN(c.buf)
					urn = len(c.buf)
				}
				break
			}
		}
	}
	c.ElementString = c.buf[n:el:el]
	c.DigitalLink = c.buf[el:dl:dl]
	if urn > dl {
		c.EPCURN = c.buf[dl:urn:urn]
	}
	c.Serial = c.buf[n+4 : el : el]
	if !found {
		if b, off := r.src.SSCCBlock(s); b != nil {
			// Minted by an sscc block, nothing packed into it yet: the
			// organisation's logistic unit, empty.
			c.Level = b.Level
			switch {
			case b.State == model.BlockVoided:
				c.Status, c.Reason = StatusVoided, "minted, then voided by the printing line"
			case off >= b.ReleasedFrom():
				c.Status, c.Reason = StatusReleased, "minted, then returned unused by the printing line"
			default:
				c.Status = StatusIssued
				c.Reason = "a logistic unit (" + b.Level.String() + ") minted by its organisation; empty until something is packed into it"
			}
			return nil
		}
		c.Status = StatusNeverIssued
		c.Reason = "no report registered this SSCC"
		return nil
	}
	c.Level = model.Level(u.Level)
	return nil
}
