package issue

// SSCC blocks: the logistic units (pallets, mixed cases) of a product,
// minted as Serial Shipping Container Codes under the product's GS1
// company prefix (docs/epcis.md "Packaging levels").
//
// An sscc block holds Count SSCCs with extension digit 0, the company
// prefix, and the serial references [ShortStart, ShortStart+Count) — the
// field short blocks use for their first short-code counter. It also takes
// Count counters of its product, like any block, so that the block and
// counter indexes need nothing new; those counters are never items: the
// chain turns a block reference into the SSCC's unit node. Serial
// references are allocated in sequence per company prefix, shared by the
// prefix's products: the next is the end of the prefix's last sscc block,
// recomputed at load (state.sscc). No FF1 is involved.

import (
	"fmt"

	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
	"tracecode/engine/model"
	"tracecode/engine/serial"
	"tracecode/engine/store"
)

// ssccFilter is the SSCC-96 filter value of an sscc block's level: EPC
// Tag Data Standard 2.3 §10.3, Table 10-2 "SSCC Filter Values" — 0 All
// Others, 2 Full Case for Transport, 6 Unit Load, the others reserved
// (engine/issue/testdata/SOURCE.md). An sscc block is a pallet (unit load)
// or a mixed case (a case for transport).
func ssccFilter(l Level) uint8 {
	if l == model.LevelCase {
		return 2
	}
	return 6
}

// ssccGCP returns the GS1 company prefix p's SSCCs are minted under (its
// GTIN's), or "" if p has no GTIN with a company prefix length.
func ssccGCP(p *Product) string {
	if p.GTIN.IsZero() || p.GCPLength == 0 {
		return ""
	}
	return string(p.GTIN[1 : 1+p.GCPLength])
}

// ssccNext returns the first serial reference of company prefix gcp that
// no sscc block holds. REQUIRES e.mu or e.wmu.
func (st *state) ssccNext(gcp string) uint64 {
	if bs := st.sscc[gcp]; len(bs) > 0 {
		return bs[len(bs)-1].end
	}
	return 0
}

// indexSSCC adds sscc block b of product p to the prefix index (blocks
// are allocated in order, so appending keeps it sorted). REQUIRES
// exclusive access to st.
func (st *state) indexSSCC(p *product, b *Block) {
	gcp := ssccGCP(&p.rec)
	st.sscc[gcp] = append(st.sscc[gcp], blockRef{start: b.ShortStart, end: b.ShortStart + b.Count, b: b})
}

// planSSCC plans the serial references of an sscc block of count SSCCs of
// product p (organisation org) after those g took: it returns the first
// serial reference and the count granted (fewer than asked only when
// allowPartial and the prefix is nearly full); takeSSCCs records them
// once the block is allocated. REQUIRES e.wmu.
//
// An SSCC a pack report already registered (a pallet labelled by another
// system and packed by its (00) code) is never minted again: the range
// skips past every registered SSCC in its way, one range scan of the unit
// keys per registered SSCC found (AppendUnitKey orders SSCCs numerically,
// and serial references in sequence are consecutive SSCC values once the
// check digit is dropped).
func (e *Book) planSSCC(g *mintGroup, p *product, org uint32, count uint64, allowPartial bool) (start, n uint64, partial bool, err error) {
	gcp := ssccGCP(&p.rec)
	if owner, got := e.gcpOwner(gcp); got != gcp || owner != org {
		return 0, 0, false, fmt.Errorf("%w: GS1 company prefix %s of product %d is not granted to organisation %d; SSCCs are minted only under a prefix the organisation holds",
			ErrPrefixNotGranted, gcp, p.rec.ID, org)
	}
	refs := serial.SSCCRefs(len(gcp))
	start, ok := g.ssccNext[gcp]
	if !ok {
		start = e.st.ssccNext(gcp)
	}
	if start, err = e.skipRegisteredSSCCs(gcp, start, count, refs); err != nil {
		return 0, 0, false, err
	}
	n = count
	if left := refs - min(refs, start); n > left {
		if !allowPartial || left == 0 {
			return 0, 0, false, &CapError{What: fmt.Sprintf("the SSCCs of GS1 company prefix %s (extension digit 0, %d-digit serial references)", gcp, 16-len(gcp)),
				Cap: refs, Issued: start, Requested: count}
		}
		n, partial = left, true
	}
	return start, n, partial, nil
}

// takeSSCCs records in g that sscc block b took its serial references.
func (g *mintGroup) takeSSCCs(p *product, b *Block) {
	if g.ssccNext == nil {
		g.ssccNext = map[string]uint64{}
	}
	g.ssccNext[ssccGCP(&p.rec)] = b.ShortStart + b.Count
}

// skipRegisteredSSCCs returns the first serial reference at or after
// start from which count serial references (or those up to refs) hold no
// SSCC a pack report registered.
func (e *Book) skipRegisteredSSCCs(gcp string, start, count, refs uint64) (uint64, error) {
	head := ssccBody(gcp, 0)
	for start < refs {
		end := min(start+count, refs)
		var last uint64
		found := false
		err := e.db.Scan(store.AppendUnitKey(nil, (head+start)*10), store.AppendUnitKey(nil, (head+end)*10), func(k, _ []byte) error {
			v, err := store.DecodeUnitKey(k)
			if err != nil {
				return err
			}
			last, found = v, true
			return nil
		})
		if err != nil {
			return 0, err
		}
		if !found {
			return start, nil
		}
		start = last/10 - head + 1
	}
	return start, nil
}

// ssccBody returns the 17-digit body (extension digit 0, company prefix
// gcp, serial reference sr) as a number.
func ssccBody(gcp string, sr uint64) uint64 {
	var v uint64
	for i := 0; i < len(gcp); i++ {
		v = v*10 + uint64(gcp[i]-'0')
	}
	return v*serial.SSCCRefs(len(gcp)) + sr
}

// appendSSCC appends the 18 digits of the SSCC whose body begins with
// head (extension digit and company prefix) and ends with serial
// reference sr, check digit last.
func appendSSCC(dst []byte, head []byte, sr uint64) []byte {
	var c [18]byte
	copy(c[:], head)
	for i := 16; i >= len(head); i-- {
		c[i] = byte('0' + sr%10)
		sr /= 10
	}
	// GS1 mod-10: weight 3 on the rightmost body digit, alternating.
	sum := 0
	for i := 0; i < 17; i++ {
		d := int(c[i] - '0')
		if (16-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	c[17] = byte('0' + (10-sum%10)%10)
	return append(dst, c[:]...)
}

// SSCCAt returns the SSCC at offset off of sscc block b; ok is false for
// a block of another scheme or an offset beyond it.
func (e *Book) SSCCAt(b *model.Block, off uint64) (s gs1.SSCC, ok bool) {
	if b.Scheme != serial.SSCC || off >= b.Count {
		return s, false
	}
	e.mu.RLock()
	p := e.st.products[b.Product]
	e.mu.RUnlock()
	if p == nil {
		return s, false
	}
	gcp := ssccGCP(&p.rec)
	head := append(make([]byte, 0, 13), '0')
	copy(s[:], appendSSCC(nil, append(head, gcp...), b.ShortStart+off))
	return s, true
}

// SSCCBlock returns the sscc block that minted SSCC s and its offset
// there, or nil: s must have extension digit 0 and a company prefix with
// sscc blocks.
func (e *Book) SSCCBlock(s gs1.SSCC) (*model.Block, uint64) {
	if s[0] != '0' {
		return nil, 0
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	for n := 6; n <= 12; n++ {
		bs := e.st.sscc[string(s[1:1+n])]
		if len(bs) == 0 {
			continue
		}
		var sr uint64
		for _, c := range s[1+n : 17] {
			sr = sr*10 + uint64(c-'0')
		}
		if i := findBlock(bs, sr); i >= 0 {
			return bs[i].b, sr - bs[i].start
		}
		return nil, 0
	}
	return nil, 0
}

// ssccTemplates sets the forms of sscc block b of product p in f: the
// 18-digit SSCC as the serial, the element string (00)…, the Digital
// Link DLBase/00/…, the EPC pure identity urn:epc:id:sscc:CP.0SR and the
// SSCC-96 tag (filter by ssccFilter).
func (f *formatter) ssccTemplates(p *Product, o formatOptions) error {
	gcp := ssccGCP(p)
	if gcp == "" {
		return fmt.Errorf("%w: product %d has no GTIN company prefix for SSCCs", ErrScheme, p.ID)
	}
	f.head = append([]byte{'0'}, gcp...)
	f.dl = append([]byte(o.DLBase), "/00/"...)
	f.element = []byte("(00)")
	f.gs = append([]byte(o.Symbology), "00"...)
	f.urn = fmt.Appendf(nil, "urn:epc:id:sscc:%s.0", gcp)
	var zero gs1.SSCC
	copy(zero[:], appendSSCC(nil, f.head, 0))
	x, err := epc.SSCCFromGS1(zero, len(gcp))
	if err != nil {
		return fmt.Errorf("engine: product %d: SSCC: %w", p.ID, err)
	}
	h, err := x.AppendHex96(nil, ssccFilter(f.b.Level))
	if err != nil {
		return err
	}
	if err := f.setHex(h); err != nil {
		return err
	}
	f.forms = append(f.forms, FormatDL, FormatElement, FormatEPCURN, FormatEPCHex)
	return nil
}

// appendSSCCForm appends form fm of the SSCC with serial reference v and
// 18-digit text s.
func (f *formatter) appendSSCCForm(dst []byte, fm Format, v uint64, s []byte) []byte {
	switch fm {
	case FormatSerial:
		return append(dst, s...)
	case FormatEPCHex:
		// The serial reference (extension digit 0) ends the 58 bits of
		// company prefix and serial reference, before 24 zero bits.
		return appendHex96(dst, f.hexHi, f.hexLo|v<<24)
	case FormatEPCURN:
		dst = append(dst, f.urn...)
		return append(dst, s[len(f.head):17]...)
	}
	dst = append(dst, f.prefix(fm)...)
	return append(dst, s...)
}

// checkSSCC checks the SSCC index: every sscc block in it once, under its
// product's company prefix, in order and without overlap, so that no
// SSCC is minted twice. REQUIRES e.mu (read).
func (e *Book) checkSSCC(bad func(string, ...any)) {
	st := e.st
	n := 0
	for gcp, bs := range st.sscc {
		for i, r := range bs {
			b := r.b
			if b.Scheme != serial.SSCC || r.start != b.ShortStart || r.end != b.ShortStart+b.Count || st.blocks[b.ID] != b {
				bad("SSCC index entry %d of prefix %s does not match block %d", i, gcp, b.ID)
			}
			if p := st.products[b.Product]; p == nil || ssccGCP(&p.rec) != gcp {
				bad("sscc block %d is indexed under company prefix %s, not its product's", b.ID, gcp)
			}
			if i > 0 && bs[i-1].end > r.start {
				bad("sscc blocks %d and %d of company prefix %s overlap: an SSCC minted twice", bs[i-1].b.ID, b.ID, gcp)
			}
			if r.end > serial.SSCCRefs(len(gcp)) {
				bad("sscc block %d ends at serial reference %d, beyond company prefix %s's %d", b.ID, r.end, gcp, serial.SSCCRefs(len(gcp)))
			}
		}
		n += len(bs)
	}
	for _, b := range st.blocks {
		if b.Scheme == serial.SSCC {
			n--
		}
	}
	if n != 0 {
		bad("the SSCC index and the sscc blocks differ by %d", n)
	}
}
