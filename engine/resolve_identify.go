package engine

import (
	"errors"

	"tracecode/engine/agg"
	"tracecode/engine/code"
	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
)

// identify finds the code's block (or unit), master data and identity.
// It sets c.Status for codes that resolve no further.
func (r *resolver) identify(input string, pc *code.Code) error {
	e, c := r.e, r.c
	if pc == nil {
		parsed, err := code.Parse(input)
		if err != nil {
			return &LookupError{Kind: ErrBadCode, Err: err}
		}
		pc = &parsed
	}
	res, err := e.LookupCode(pc)
	if err != nil {
		var le *LookupError
		if !errors.As(err, &le) {
			return err
		}
		switch le.Kind {
		case ErrUnsupportedCode: // no GTIN: an SSCC is ours to resolve
			if s, ok := parseSSCC(pc); ok {
				return r.identifyUnit(s)
			}
			return err
		case ErrBadCode, ErrNoSerial:
			return err
		case ErrVoided:
			c.Status = StatusVoided
		case ErrReleased:
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
	e, c := r.e, r.c
	e.mu.RLock()
	defer e.mu.RUnlock()
	if p := e.st.products[product]; p != nil {
		c.Product = &p.rec
		c.Org = e.st.orgs[p.rec.Org]
	}
	if lot != 0 {
		c.Lot = e.st.lots[lot]
	}
	if block != 0 {
		c.Block = e.st.blocks[block]
	}
}

// identity appends the code's canonical forms to c.buf.
func (r *resolver) identity(res *LookupResult) {
	c := r.c
	if c.Block == nil {
		return
	}
	f, err := r.e.formatterOf(c.Block)
	if err != nil {
		return
	}
	var v uint64
	var sb [32]byte
	s := sb[:0]
	if f.ff != nil {
		v = f.ff.Encrypt(f.base + c.Offset)
		s = f.appendSerial(s, v)
	} else {
		s = append(s, res.Serial...)
	}
	put := func(fm Format) []byte {
		if !f.has(fm) {
			return nil
		}
		n := len(c.buf)
		c.buf = f.appendForm(c.buf, fm, v, s)
		return c.buf[n:len(c.buf):len(c.buf)]
	}
	// Forms are appended first and sliced after: c.buf may move while
	// growing, so take the slices from the final buffer.
	forms := [...]Format{FormatDL, FormatElement, FormatEPCURN, FormatSerial, FormatNMPA, FormatShort}
	var spans [len(forms)][2]int
	for i, fm := range forms {
		n := len(c.buf)
		if put(fm) != nil {
			spans[i] = [2]int{n, len(c.buf)}
		}
	}
	out := [...]*[]byte{&c.DigitalLink, &c.ElementString, &c.EPCURN, &c.Serial, &c.NMPA, &c.Short}
	for i, sp := range spans {
		if sp[1] > sp[0] {
			*out[i] = c.buf[sp[0]:sp[1]:sp[1]]
		}
	}
}

// identifyUnit resolves an SSCC to its unit record.
func (r *resolver) identifyUnit(s gs1.SSCC) error {
	e, c := r.e, r.c
	v := ssccValue(s)
	c.IsUnit, c.Node = true, agg.UnitNode(v)
	u, found, err := agg.LoadUnit(e.db, v)
	if err != nil {
		return err
	}
	e.mu.RLock()
	org := u.Org
	if !found {
		org, _ = e.gcpOwner(string(s[1:17]))
	}
	c.Org = e.st.orgs[org]
	e.mu.RUnlock()
	// Identity: element string, Digital Link, and the EPC URN when the
	// owner's company prefix gives its length.
	n := len(c.buf)
	c.buf = append(c.buf, "(00)"...)
	c.buf = append(c.buf, s[:]...)
	el := len(c.buf)
	c.buf = append(c.buf, e.opts.DLBase...)
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
		c.Status = StatusNeverIssued
		c.Reason = "no report registered this SSCC"
		return nil
	}
	c.Level = Level(u.Level)
	return nil
}
