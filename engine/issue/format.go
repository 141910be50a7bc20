package issue

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"tracecode/engine/code/digitallink"
	"tracecode/engine/code/epc"
	"tracecode/engine/code/gs1"
	"tracecode/engine/code/shortcode"
	"tracecode/engine/fpe"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// Format is a printed form of a code.
type Format uint8

// The formats. Which exist for a block depends on its scheme and product
// (Formats lists them).
const (
	FormatSerial    Format = iota + 1 // the serial alone: AI (21) value, NMPA 13 digits, short code, or the 18-digit SSCC
	FormatDL                          // GS1 Digital Link URI: DLBase/01/GTIN[/10/LOT]/21/SERIAL
	FormatElement                     // human-readable element string (01)…(17)…(10)…(21)…
	FormatGS                          // barcode data: AIs with GS (0x1D) after variable-length values
	FormatEPCURN                      // EPC pure identity urn:epc:id:sgtin:CP.IR.SERIAL
	FormatEPCHex                      // SGTIN-96 (sgtin96 scheme) or SSCC-96 (sscc scheme) as 24 hex digits
	FormatNMPA                        // 20-digit NMPA drug trace code (nmpa scheme only)
	FormatShort                       // short-code URL ShortBase/c/CODE (short scheme only)
	FormatCSV                         // CSV with a header: offset, counter and every form the block has
	FormatPesticide                   // 32-digit pesticide trace code (pesticide scheme only)
	FormatVetDrug                     // 24-digit veterinary-drug trace code (vet-drug scheme only)
	numFormats
)

var formatNames = [numFormats]string{"", "serial", "dl", "element", "gs", "epc-urn", "epc-hex", "nmpa", "short", "csv", "pesticide", "vet-drug"}

// String returns the format's command-line name.
func (f Format) String() string {
	if f >= 1 && f < numFormats {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// FormatNames lists the format names.
func FormatNames() []string { return append([]string(nil), formatNames[1:]...) }

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for i := 1; i < int(numFormats); i++ {
		if formatNames[i] == s {
			return Format(i), nil
		}
	}
	return 0, fieldErr("format", s, "is not one of %s", strings.Join(FormatNames(), ", "))
}

// filterOf maps a packaging level to the SGTIN filter value (TDS §10.2).
func filterOf(l Level) uint8 {
	switch l {
	case model.LevelInner:
		return 4
	case model.LevelCase:
		return 2
	case model.LevelPallet:
		return 6
	}
	return 1 // point-of-sale item
}

// formatter writes the codes of one block. It is built once per stream
// from templates: every form ends with the serial, so each is a constant
// prefix followed by the serial text, and formatting a code is two
// appends. Tests check the templates against the code packages' own
// encoders and parsers.
type formatter struct {
	b      Block
	p      Product
	lot    Lot
	scheme Scheme
	ff     *fpe.FF1 // the block's cipher; nil for imported blocks
	// base is added to an offset to get the FF1 input: Start for product
	// schemes, ShortStart for Short.
	base uint64
	gen  uint8

	forms    []Format // the forms a CSV row holds, in order
	dl       []byte   // prefixes of each form, without the serial
	element  []byte
	gs       []byte
	urn      []byte
	nmpa     []byte
	short    []byte
	sector   []byte // the pesticide or vet-drug code before its random part
	head     []byte // an SSCC's extension digit and company prefix
	hexHi    uint32 // SGTIN-96 (SSCC-96) bits before the serial, as hex96 wants them
	hexLo    uint64
	csvQuote [numFormats]bool // the form's prefix needs CSV quoting
}

// formatOptions are the per-stream settings that shape the text.
type formatOptions struct {
	DLBase    string
	ShortBase string
	NoDLLot   bool   // omit /10/LOT from Digital Link URIs
	Symbology string // prefix of gs barcode data: "" or a symbology identifier such as "]d2"
}

const sentinel = "Z9SENTINEL9Z"

// newFormatter builds the formatter of block b. REQUIRES e.mu (read).
func (e *Book) newFormatter(b *Block, o formatOptions) (*formatter, error) {
	st := e.st
	p := st.products[b.Product]
	f := &formatter{b: *b, p: p.rec, scheme: b.Scheme, base: b.Start, gen: b.KeyGen}
	if b.Lot != 0 {
		f.lot = *st.lots[b.Lot]
	}
	switch b.Scheme {
	case serial.Imported:
	case serial.SSCC:
		// Serial references in sequence: no cipher.
		f.base = b.ShortStart
	case serial.Short:
		f.ff = st.shortKeys[b.KeyGen].cipher(serial.Short, 0)
		f.base = b.ShortStart
	default:
		f.ff = p.keys[b.KeyGen].cipher(b.Scheme, p.rec.ID)
	}
	gs1Forms := printsGTIN(&p.rec, b.Scheme)
	// A packaging level's codes carry the level's GTIN (GS1: a GTIN per
	// level), a block minted before its product declared one the
	// product's, as printed.
	gtin := BlockGTIN(&p.rec, b)
	f.forms = []Format{FormatSerial}
	if gs1Forms {
		lot := f.lot.Number
		if o.NoDLLot {
			lot = ""
		}
		f.dl = cut(digitallink.AppendGTINSerial(nil, o.DLBase, gtin, lot, sentinel))
		els := []gs1.Element{{AI: "01", Value: gtin.String()}}
		if f.lot.Expiry != 0 {
			els = append(els, gs1.Element{AI: "17", Value: YYMMDD(f.lot.Expiry)})
		}
		if f.lot.Number != "" {
			els = append(els, gs1.Element{AI: "10", Value: f.lot.Number})
		}
		els = append(els, gs1.Element{AI: "21", Value: sentinel})
		f.element = cut(gs1.AppendHRI(nil, els))
		f.gs = cut(gs1.AppendBarcodeData(nil, els, o.Symbology))
		f.forms = append(f.forms, FormatDL, FormatElement)
		if p.rec.GCPLength != 0 {
			sg, err := epc.SGTINFromGTIN(gtin, sentinel, int(p.rec.GCPLength))
			if err != nil {
				return nil, fmt.Errorf("engine: product %d: EPC: %w", p.rec.ID, err)
			}
			f.urn = cut(sg.AppendURN(nil))
			f.forms = append(f.forms, FormatEPCURN)
		}
	}
	if b.Scheme == serial.SGTIN96 {
		sg, err := epc.SGTINFromGTIN(gtin, "0", int(p.rec.GCPLength))
		if err != nil {
			return nil, err
		}
		h, err := sg.AppendHex96(nil, filterOf(b.Level))
		if err != nil {
			return nil, err
		}
		if err := f.setHex(h); err != nil {
			return nil, err
		}
		f.forms = append(f.forms, FormatEPCHex)
	}
	if b.Scheme == serial.NMPA {
		f.nmpa = []byte(p.rec.DrugID)
		f.forms = append(f.forms, FormatNMPA)
	}
	if b.Scheme == serial.Short {
		f.short = append([]byte(o.ShortBase), "/c/"...)
		f.forms = append(f.forms, FormatShort)
	}
	switch b.Scheme {
	case serial.Pesticide:
		f.sector = []byte(p.rec.OwnCode) // the 11-digit prefix (supportsScheme)
		f.forms = append(f.forms, FormatPesticide)
	case serial.VetDrug:
		// The lot's production date (yyyymmdd) and the enterprise code.
		f.sector = fmt.Appendf(nil, "%08d%s", f.lot.Produced, p.rec.OwnCode[:5])
		f.forms = append(f.forms, FormatVetDrug)
	case serial.SSCC:
		if err := f.ssccTemplates(&p.rec, o); err != nil {
			return nil, err
		}
	}
	for _, fm := range f.forms {
		f.csvQuote[fm] = bytes.ContainsAny(f.prefix(fm), ",\"\r\n")
	}
	return f, nil
}

// setHex sets the 96-bit tag template from its 24 hex digits h.
func (f *formatter) setHex(h []byte) error {
	var raw [12]byte
	if _, err := hex.Decode(raw[:], h); err != nil {
		return err
	}
	f.hexHi = uint32(raw[0])<<24 | uint32(raw[1])<<16 | uint32(raw[2])<<8 | uint32(raw[3])
	f.hexLo = 0
	for _, c := range raw[4:] {
		f.hexLo = f.hexLo<<8 | uint64(c)
	}
	return nil
}

// value returns the serial value of the code at offset off: the FF1
// output of its counter, or an SSCC's serial reference.
func (f *formatter) value(off uint64) uint64 {
	if f.ff == nil {
		return f.base + off
	}
	return f.ff.Encrypt(f.base + off)
}

// cut returns s up to the last sentinel, which must end s: every form
// ends with the serial.
func cut(s []byte) []byte {
	i := bytes.LastIndex(s, []byte(sentinel))
	if i < 0 || i+len(sentinel) != len(s) {
		panic(fmt.Sprintf("BUG: template %q does not end with the serial", s))
	}
	return s[:i:i]
}

func (f *formatter) prefix(fm Format) []byte {
	switch fm {
	case FormatDL:
		return f.dl
	case FormatElement:
		return f.element
	case FormatGS:
		return f.gs
	case FormatEPCURN:
		return f.urn
	case FormatNMPA:
		return f.nmpa
	case FormatShort:
		return f.short
	case FormatPesticide, FormatVetDrug:
		return f.sector
	}
	return nil
}

// has reports whether the block has form fm.
func (f *formatter) has(fm Format) bool {
	switch fm {
	case FormatCSV, FormatSerial:
		return true
	case FormatGS:
		return f.element != nil
	}
	for _, x := range f.forms {
		if x == fm {
			return true
		}
	}
	return false
}

// formatNames lists the block's forms by name, for errors.
func (f *formatter) formatNames() string {
	var s []string
	for _, fm := range f.forms {
		s = append(s, fm.String())
		if fm == FormatElement {
			s = append(s, FormatGS.String())
		}
	}
	return strings.Join(append(s, "csv"), ", ")
}

// appendSerial appends the serial text of FF1 output v.
func (f *formatter) appendSerial(dst []byte, v uint64) []byte {
	switch f.scheme {
	case serial.GS1:
		return serial.AppendGS1(dst, f.gen, v)
	case serial.SGTIN96:
		return serial.AppendSGTIN96(dst, v)
	case serial.NMPA:
		return serial.AppendNMPA(dst, v)
	case serial.Pesticide:
		return serial.AppendPesticide(dst, f.gen, v)
	case serial.VetDrug:
		return serial.AppendVet(dst, v)
	case serial.Short:
		c, _ := shortcode.Encode(v, serial.Short.Params().Digits) // v < 32^12 by FF1's domain
		return c.AppendText(dst)
	case serial.SSCC:
		return appendSSCC(dst, f.head, v)
	}
	panic("BUG: appendSerial on an imported block")
}

// appendForm appends form fm (not CSV) of the code with FF1 output v and
// serial text s (already formatted, so that CSV formats it once).
func (f *formatter) appendForm(dst []byte, fm Format, v uint64, s []byte) []byte {
	if f.scheme == serial.SSCC {
		return f.appendSSCCForm(dst, fm, v, s)
	}
	switch fm {
	case FormatSerial:
		return append(dst, s...)
	case FormatEPCHex:
		return appendHex96(dst, f.hexHi, f.hexLo|v)
	}
	dst = append(dst, f.prefix(fm)...)
	if f.scheme != serial.Imported {
		return append(dst, s...) // own serials are [0-9A-Z]: nothing to escape
	}
	// Foreign serials may hold any CSET 82 character.
	switch fm {
	case FormatDL:
		return digitallink.AppendEscape(dst, string(s), false)
	case FormatEPCURN:
		t, err := epc.ParseText("serial", string(s))
		if err != nil {
			panic("BUG: an imported serial is not CSET 82: " + err.Error())
		}
		return t.AppendEscaped(dst)
	case FormatElement:
		for _, c := range s {
			if c == '(' {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		}
		return dst
	}
	return append(dst, s...)
}

const hexDigits = "0123456789ABCDEF"

// appendHex96 appends hi (32 bits) and lo (64 bits) as 24 upper-case hex
// digits.
func appendHex96(dst []byte, hi uint32, lo uint64) []byte {
	var b [24]byte
	for i := 7; i >= 0; i-- {
		b[i] = hexDigits[hi&15]
		hi >>= 4
	}
	for i := 23; i >= 8; i-- {
		b[i] = hexDigits[lo&15]
		lo >>= 4
	}
	return append(dst, b[:]...)
}

// csvHeader appends the CSV header line.
func (f *formatter) csvHeader(dst []byte) []byte {
	dst = append(dst, "offset,counter"...)
	for _, fm := range f.forms {
		dst = append(dst, ',')
		dst = append(dst, strings.ReplaceAll(fm.String(), "-", "_")...)
	}
	return append(dst, '\n')
}

// appendCSV appends one CSV row (with newline) of the code at offset off
// with FF1 output v and serial text s.
func (f *formatter) appendCSV(dst []byte, off, v uint64, s []byte) []byte {
	dst = appendUint(dst, off)
	dst = append(dst, ',')
	dst = appendUint(dst, f.b.Start+off)
	for _, fm := range f.forms {
		dst = append(dst, ',')
		if !f.csvQuote[fm] && (f.scheme != serial.Imported || !bytes.ContainsAny(s, ",\"")) {
			dst = f.appendForm(dst, fm, v, s)
			continue
		}
		n := len(dst)
		dst = f.appendForm(dst, fm, v, s)
		field := append([]byte(nil), dst[n:]...)
		dst = append(dst[:n], '"')
		for _, c := range field {
			if c == '"' {
				dst = append(dst, '"')
			}
			dst = append(dst, c)
		}
		dst = append(dst, '"')
	}
	return append(dst, '\n')
}

func appendUint(dst []byte, v uint64) []byte {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}
