package issue

import (
	"errors"
	"fmt"
	"strconv"

	"tracecode/engine/code"
	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

func lookupErr(kind error, format string, args ...any) *LookupError {
	return model.LookupErrorf(kind, format, args...)
}

// Lookup resolves a scanned code in any format code.Parse accepts to its
// organisation, product, lot, block, counter and state. It returns a
// *LookupError when the code is malformed, unknown, never issued, released
// or voided; the result then holds what was found. Minted codes resolve
// from memory (FF1 decryption and a binary search); imported serials cost
// a bloom-filter test per imported block of the product and, on a hit, one
// Pebble read.
func (e *Book) Lookup(input string) (LookupResult, error) {
	var r LookupResult
	if e.closed.Load() {
		return r, ErrClosed
	}
	c, err := code.Parse(input)
	if err != nil {
		var ce *code.Error
		if errors.As(err, &ce) {
			r.Format = ce.Format
		}
		return r, &LookupError{Kind: ErrBadCode, Err: err}
	}
	return e.LookupCode(&c)
}

// LookupCode is Lookup of a code already parsed (by code.Parse, or built
// by a caller that parsed it itself, such as the resolver's hand-parsed
// Digital Link route), so the hot path parses once.
func (e *Book) LookupCode(c *code.Code) (LookupResult, error) {
	var r LookupResult
	if e.closed.Load() {
		return r, ErrClosed
	}
	r.Format = c.Format
	switch c.Format {
	case code.FormatNMPA:
		return r, e.lookupNMPA(&r, c)
	case code.FormatShort:
		return r, e.lookupShort(&r, c)
	case code.FormatPesticide:
		return r, e.lookupPesticide(&r, c)
	case code.FormatVetDrug:
		return r, e.lookupVet(&r, c)
	}
	gtin, ok := c.GTIN()
	if !ok {
		return r, lookupErr(ErrUnsupportedCode, "a %v without a GTIN (SSCCs, locations and organisations are not issued here)", c.Format)
	}
	e.mu.RLock()
	id, ok := e.st.productByGTIN[gtin]
	if !ok {
		e.mu.RUnlock()
		return r, lookupErr(ErrUnknownProduct, "GTIN %s", gtin)
	}
	p := e.st.products[id]
	r.Product = p.rec
	r.Org = *e.st.orgs[p.rec.Org]
	r.Serial = c.Serial()
	if r.Serial == "" {
		e.mu.RUnlock()
		return r, lookupErr(ErrNoSerial, "the code carries GTIN %s but no serial (AI 21)", gtin)
	}
	var lerr *LookupError
	if cl, ok := serial.Classify(r.Serial); ok {
		lerr = e.findOwn(&r, p, cl.Scheme, int(cl.Gen), cl.Value)
		if lerr == nil || lerr.Kind != ErrNeverIssued {
			e.mu.RUnlock()
			return r, e.checkLot(&r, c.Lot(), e.checkGTIN(&r, p, gtin, lerr))
		}
	}
	imported := p.imported
	e.mu.RUnlock()
	if len(imported) > 0 {
		found, err := e.findImported(&r, imported, r.Serial)
		if err != nil {
			return r, err
		}
		if found {
			e.mu.RLock()
			gerr := e.checkGTIN(&r, p, gtin, e.stateErr(&r))
			e.mu.RUnlock()
			return r, e.checkLot(&r, c.Lot(), gerr)
		}
	}
	if lerr != nil {
		return r, lerr
	}
	if len(imported) > 0 {
		return r, lookupErr(ErrNotImported, "serial %q of GTIN %s is in none of the product's %d imported blocks", r.Serial, gtin, len(imported))
	}
	return r, lookupErr(ErrNeverIssued, "serial %q has the shape of no scheme this engine issues, and product %d has no imported blocks", r.Serial, p.rec.ID)
}

func (e *Book) lookupNMPA(r *LookupResult, c *code.Code) error {
	drugID := c.Drug.ProductID()
	r.Serial = c.Drug.Serial()
	e.mu.RLock()
	defer e.mu.RUnlock()
	id, ok := e.st.productByDrugID[drugID]
	if !ok {
		return lookupErr(ErrUnknownProduct, "drug identification code %s", drugID)
	}
	p := e.st.products[id]
	r.Product = p.rec
	r.Org = *e.st.orgs[p.rec.Org]
	v, _ := strconv.ParseUint(r.Serial, 10, 64) // 13 digits, validated by the parser
	if lerr := e.findOwn(r, p, serial.NMPA, -1, v); lerr != nil {
		return lerr
	}
	return nil
}

func (e *Book) lookupShort(r *LookupResult, c *code.Code) error {
	r.Serial = c.Short.String()
	r.Scheme = serial.Short
	par := serial.Short.Params()
	if c.Short.Len() != par.Digits {
		return lookupErr(ErrNeverIssued, "short code %s has %d digits; this engine issues %d", r.Serial, c.Short.Len(), par.Digits)
	}
	v := c.Short.Value()
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := e.st
	var why string
	for gen := len(st.shortKeys) - 1; gen >= 0; gen-- {
		g := st.shortKeys[gen].cipher(serial.Short, 0).Decrypt(v)
		if g >= st.shortHW {
			why = fmt.Sprintf("it decrypts to short-code counter %d, above the high-water mark %d", g, st.shortHW)
			continue
		}
		i := findBlock(st.short, g)
		if i < 0 {
			why = fmt.Sprintf("it decrypts to short-code counter %d, in no block", g)
			continue
		}
		b := st.short[i].b
		if int(b.KeyGen) != gen {
			why = fmt.Sprintf("it decrypts under key generation %d to counter %d of block %d, which uses generation %d", gen, g, b.ID, b.KeyGen)
			continue
		}
		p := st.products[b.Product]
		r.Product = p.rec
		r.Org = *st.orgs[p.rec.Org]
		e.fillBlock(r, b, b.Start+(g-b.ShortStart))
		if lerr := e.stateErr(r); lerr != nil {
			return lerr
		}
		return nil
	}
	return lookupErr(ErrNeverIssued, "short code %s: %s", r.Serial, why)
}

// findOwn decrypts serial value v of scheme s under the product's key
// generation gen (-1: try every generation, newest first) and finds its
// block. REQUIRES e.mu (read).
func (e *Book) findOwn(r *LookupResult, p *product, s Scheme, gen int, v uint64) *LookupError {
	r.Scheme = s
	lo, hi := 0, len(p.keys)-1
	if gen >= 0 {
		if gen > hi {
			return lookupErr(ErrNeverIssued, "serial %s names key generation %d; product %d has %d", r.Serial, gen, p.rec.ID, len(p.keys))
		}
		lo, hi = gen, gen
	}
	var why string
	for g := hi; g >= lo; g-- {
		c := p.keys[g].cipher(s, p.rec.ID).Decrypt(v)
		if c >= p.st.HighWater {
			why = fmt.Sprintf("it decrypts to counter %d, above product %d's high-water mark %d", c, p.rec.ID, p.st.HighWater)
			continue
		}
		i := findBlock(p.blocks, c)
		if i < 0 {
			why = fmt.Sprintf("it decrypts to counter %d, in no block of product %d", c, p.rec.ID)
			continue
		}
		b := p.blocks[i].b
		if b.Scheme != s || int(b.KeyGen) != g {
			why = fmt.Sprintf("it decrypts to counter %d of block %d, which was issued under scheme %v key generation %d, not %v generation %d",
				c, b.ID, b.Scheme, b.KeyGen, s, g)
			continue
		}
		e.fillBlock(r, b, c)
		return e.stateErr(r)
	}
	return lookupErr(ErrNeverIssued, "serial %s (%v): %s", r.Serial, s, why)
}

// fillBlock records block b and counter c in r. REQUIRES e.mu (read).
func (e *Book) fillBlock(r *LookupResult, b *Block, c uint64) {
	r.Block = *b
	r.Counter = c
	r.Offset = c - b.Start
	if b.Lot != 0 {
		if l := e.st.lots[b.Lot]; l != nil {
			r.Lot = *l
		}
	}
	switch {
	case b.State == model.BlockVoided:
		r.State = StateVoided
	case r.Offset >= b.ReleasedFrom():
		r.State = StateReleased
	default:
		r.State = StateIssued
	}
}

// stateErr returns the error a found code's state implies (nil if issued).
func (e *Book) stateErr(r *LookupResult) *LookupError {
	switch r.State {
	case StateVoided:
		return lookupErr(ErrVoided, "block %d was voided (%s)", r.Block.ID, r.Block.Note)
	case StateReleased:
		return lookupErr(ErrReleased, "offset %d of block %d is in its tail released from offset %d", r.Offset, r.Block.ID, r.Block.ReleasedFrom())
	}
	return nil
}

// checkGTIN compares the GTIN the code carries with the GTIN its block's
// codes are printed with (BlockGTIN: a packaging level's own GTIN, or the
// product's): a case's serial under the item's GTIN, or an item's under
// the case's, was never issued. A state error takes precedence.
// REQUIRES e.mu (read).
func (e *Book) checkGTIN(r *LookupResult, p *product, gtin gs1.GTIN, prev *LookupError) *LookupError {
	if prev != nil || r.Block.ID == 0 {
		return prev
	}
	if want := BlockGTIN(&p.rec, &r.Block); want != gtin {
		return lookupErr(ErrNeverIssued, "serial %q is of block %d, whose %v codes carry GTIN %s, not %s",
			r.Serial, r.Block.ID, r.Block.Level, want, gtin)
	}
	return nil
}

// checkLot compares the lot printed on the code (AI 10, "" if none) with
// the lot of the code's block; a state error takes precedence.
func (e *Book) checkLot(r *LookupResult, lot string, prev *LookupError) error {
	if prev != nil {
		return prev
	}
	if lot != "" && r.Block.ID != 0 && lot != r.Lot.Number {
		return lookupErr(ErrLotMismatch, "the code says lot %q but block %d was issued for lot %q", lot, r.Block.ID, r.Lot.Number)
	}
	return nil
}

// findImported tests the product's imported blocks' bloom filters and
// confirms a hit with one Pebble read.
func (e *Book) findImported(r *LookupResult, imported []*importedBlock, s string) (bool, error) {
	release, err := e.HoldDB()
	if err != nil {
		return false, err
	}
	defer release()
	var kbuf [64]byte
	for _, ib := range imported {
		if !ib.filter.TestString(s) {
			continue
		}
		k := store.AppendImportedKey(kbuf[:0], ib.id, []byte(s))
		var off store.Uint
		found, err := e.db.Get(k, func(v []byte) (err error) {
			off, err = store.DecodeUint("imported serial", v)
			return err
		})
		if err != nil {
			return false, err
		}
		if !found {
			continue // a bloom false positive
		}
		e.mu.RLock()
		b := e.st.blocks[ib.id]
		e.fillBlock(r, b, b.Start+uint64(off))
		e.mu.RUnlock()
		r.Scheme = serial.Imported
		return true, nil
	}
	return false, nil
}
