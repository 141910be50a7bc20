package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"tracecode/engine/code"
	"tracecode/engine/code/cn"
)

// parsedCode is one line of `tracecode codes parse` output. Field names are
// part of the CLI's contract: scripts read them.
type parsedCode struct {
	Input  string `json:"input"`
	OK     bool   `json:"ok"`
	Format string `json:"format,omitempty"`

	GTIN   string            `json:"gtin,omitempty"`
	SSCC   string            `json:"sscc,omitempty"`
	GLN    string            `json:"gln,omitempty"`
	Serial string            `json:"serial,omitempty"`
	Lot    string            `json:"lot,omitempty"`
	Expiry string            `json:"expiry,omitempty"`
	AIs    map[string]string `json:"ais,omitempty"`

	DrugID     string `json:"drug_id,omitempty"`     // NMPA: 7-digit drug identification code
	VetDate    string `json:"vet_date,omitempty"`    // veterinary code: production date
	Enterprise string `json:"enterprise,omitempty"`  // veterinary code: enterprise code
	Short      string `json:"short,omitempty"`       // short code, canonical form
	USCC       string `json:"uscc,omitempty"`        // unified social credit code
	Region     string `json:"region,omitempty"`      // a division code, or the GB/T 2260 region of a USCC
	RegionName string `json:"region_name,omitempty"` // the region's full name: 甘肃省 兰州市 城关区
	Level      string `json:"level,omitempty"`       // a division code's level: province, city, county, township
	LinkType   string `json:"link_type,omitempty"`   // Digital Link linkType parameter

	ElementString string `json:"element_string,omitempty"`
	DigitalLink   string `json:"digital_link,omitempty"`
	EPCURN        string `json:"epc_urn,omitempty"`
	EPCHex        string `json:"epc_hex,omitempty"`

	// Canonical and Fields are a sector code's (elevator, cylinder,
	// pesticide, ear tag, licence …) canonical text and named fields.
	Canonical string        `json:"canonical,omitempty"`
	Fields    []sectorField `json:"fields,omitempty"`
	// Also lists the other formats the input is valid in: a 20-digit NMPA
	// drug code may also read as an elevator registration code.
	Also []alsoReading `json:"also,omitempty"`

	Error string `json:"error,omitempty"`
	// Notes say why a canonical form is missing (e.g. the EPC forms need
	// --gcp-length).
	Notes []string `json:"notes,omitempty"`
}

// sectorField is one named field of a sector code.
type sectorField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Note  string `json:"note,omitempty"`
}

// alsoReading is another format an input is valid in.
type alsoReading struct {
	Format    string        `json:"format"`
	Canonical string        `json:"canonical"`
	Fields    []sectorField `json:"fields,omitempty"`
}

var parseFlags struct {
	as        string
	gcpLen    int
	domain    string
	filter    uint8
	legacy    bool
	gln13     bool
	indent    bool
	stdinMode bool
}

var codesParseCmd = &cobra.Command{
	Use:   "parse [INPUT…]",
	Short: "Detect, validate and convert scanned codes (one JSON object per input)",
	Long: `parse reads codes from its arguments, or one per line from standard input
when there are none, and prints one JSON object per input with:

  input, ok, format      format is one of digital-link, element-string,
                         epc-urn, epc-hex, gtin, sscc, gln, nmpa, vet-drug, short,
                         uscc, region, or a sector format: elevator-reg,
                         elevator-device, elevator-rescue, cylinder, pesticide,
                         pesticide-reg, ear-tag, sc-licence, seed-qr,
                         fireworks-licence, drug-approval
  gtin sscc gln serial lot expiry ais
                         the fields found (ais: every AI, keyed by AI)
  region region_name level
                         a division code (6 digits GB/T 2260, 9 digits a
                         township) or a USCC's region, its full name and level
  element_string digital_link epc_urn epc_hex
                         the canonical forms the code converts to
  canonical fields       a sector code's canonical text and named fields
                         (name, value, note: a division's or variety's name)
  also                   other formats the input is also valid in (20 digits
                         are an NMPA drug code and may be an elevator
                         registration code)
  error                  on failure, what is wrong and where (AI, field,
                         1-based position, expected check digit)

Sector codes are recognised by their shape; where one shares a shape with a
trace code (20 digits, 18, 15, 12) both readings are tried and the valid one
reported. --as FORMAT parses every input as that sector format only (the
elevator rescue id, five or six digits, is read only that way).

Converting a GTIN or SSCC to an EPC needs the GS1 company prefix length,
which a GTIN does not say: give it with --gcp-length (EPC inputs carry their
own). The exit status is 0 when every input parsed, 1 otherwise.

Examples:
  tracecode codes parse '(01)09520123456788(17)201225(10)ABC123(21)12345'
  tracecode codes parse --gcp-length 7 https://id.gs1.org/01/80614141123458/21/6789
  tracecode codes parse 3074257BF7194E4000001A85 urn:epc:id:sscc:0614141.1234567890
  tracecode codes parse 620102 620102001 91350100M000100Y43
  tracecode codes parse 31106201022019110001 '1 62 001 000123' 162050200000001 SC10562010200012
  tracecode codes parse --as elevator-rescue 620011
  printf ']d2010952012345678810ABC\x1d2112345\n' | tracecode codes parse`,
	RunE: func(cmd *cobra.Command, args []string) error {
		out := bufio.NewWriter(cmd.OutOrStdout())
		defer out.Flush()
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		if parseFlags.indent {
			enc.SetIndent("", "  ")
		}
		failed := 0
		emit := func(in string) error {
			r := parseOne(in)
			if !r.OK {
				failed++
			}
			return enc.Encode(r)
		}
		if len(args) > 0 {
			for _, a := range args {
				if err := emit(a); err != nil {
					return err
				}
			}
		} else {
			sc := bufio.NewScanner(cmd.InOrStdin())
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				line := strings.TrimRight(sc.Text(), "\r")
				if strings.TrimSpace(line) == "" {
					continue
				}
				if err := emit(line); err != nil {
					return err
				}
			}
			if err := sc.Err(); err != nil && err != io.EOF {
				return fmt.Errorf("reading standard input: %w", err)
			}
		}
		if failed > 0 {
			out.Flush()
			return exitError{code: 1}
		}
		return nil
	},
}

func parseOne(in string) parsedCode {
	r := parsedCode{Input: in}
	if parseFlags.as != "" {
		f, err := code.ParseSectorFormat(parseFlags.as)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		setSector(&r, code.ParseSectorAs(in, f))
		return r
	}
	sectors := code.ParseSector(in)
	c, err := code.ParseOptions(in, code.Options{AllowLegacyDL: parseFlags.legacy, Bare13AsGLN: parseFlags.gln13})
	if err != nil {
		// A sector reading that is valid wins over a trace-code shape that
		// is not (a 12-digit cylinder code is no GTIN-12).
		for i, s := range sectors {
			if s.Err == nil {
				setSector(&r, s)
				if ce, ok := err.(*code.Error); ok && ce.Format != code.FormatUnknown {
					r.Notes = append(r.Notes, "not a trace code: "+err.Error())
				}
				r.Also = alsoValid(r.Also, sectors[i+1:])
				return r
			}
		}
		var ce *code.Error
		if len(sectors) > 0 && distinctive(sectors[0].Format) {
			// The input has that format's exact shape; the trace-code
			// reading is the accident.
			setSector(&r, sectors[0])
			if asCodeError(err, &ce) && ce.Format != code.FormatUnknown && ce.Format.String() != sectors[0].Format.String() {
				r.Notes = append(r.Notes, "not a "+ce.Format.String()+" either: "+err.Error())
			}
			return r
		}
		if asCodeError(err, &ce) && ce.Format != code.FormatUnknown {
			r.Error = err.Error()
			r.Format = ce.Format.String()
			for _, s := range sectors {
				r.Notes = append(r.Notes, "not a "+s.Format.String()+" either: "+s.Err.Error())
			}
			return r
		}
		if len(sectors) > 0 {
			setSector(&r, sectors[0])
			return r
		}
		r.Error = err.Error()
		return r
	}
	if c.Format == code.FormatPesticide {
		// The trace code is also the sector format: its fields named.
		for i, s := range sectors {
			if s.Format == code.SectorPesticide && s.Err == nil {
				setSector(&r, s)
				r.Serial = c.Serial()
				r.Also = alsoValid(r.Also, append(sectors[:i:i], sectors[i+1:]...))
				return r
			}
		}
	}
	r.Also = alsoValid(r.Also, sectors)
	r.OK = true
	r.Format = c.Format.String()
	if g, ok := c.GTIN(); ok {
		r.GTIN = g.String()
	}
	if k, ok := c.SSCC(); ok {
		r.SSCC = k.String()
	}
	if l, ok := c.GLN(); ok {
		r.GLN = l.String()
	}
	r.Serial, r.Lot, r.Expiry = c.Serial(), c.Lot(), c.Expiry()
	if len(c.Elements) > 0 {
		r.AIs = make(map[string]string, len(c.Elements))
		for _, e := range c.Elements {
			r.AIs[e.AI] = e.Value
		}
	}
	for _, p := range c.Params {
		if p.Key == "linkType" {
			r.LinkType = p.Value
		}
	}
	switch c.Format {
	case code.FormatNMPA:
		r.DrugID = c.Drug.ProductID()
	case code.FormatVetDrug:
		y, m, d := c.Vet.Date()
		r.VetDate = fmt.Sprintf("%04d-%02d-%02d", y, int(m), d)
		r.Enterprise = c.Vet.Enterprise()
	case code.FormatUSCC:
		r.USCC = c.USCC.String()
		r.Region = c.USCC.Region().String()
		r.RegionName = c.USCC.Region().FullName(cn.Chinese)
	case code.FormatRegion:
		r.Region, r.Level = c.Region.String(), c.Region.Level().String()
		r.RegionName = c.Region.FullName(cn.Chinese)
		if !c.Region.Known() {
			r.Notes = append(r.Notes, "region: a well-formed code that is not in the division tree (the 2023 statistics division codes)")
		}
	case code.FormatShort:
		r.Short = string(c.Short.AppendText(nil))
	}
	if c.Elements != nil {
		if b, err := c.AppendElementString(nil); err == nil {
			r.ElementString = string(b)
		}
		if b, err := c.AppendDigitalLink(nil, parseFlags.domain); err == nil {
			r.DigitalLink = string(b)
		} else {
			r.Notes = append(r.Notes, "digital_link: "+err.Error())
		}
		if b, err := c.AppendEPCURN(nil, parseFlags.gcpLen); err == nil {
			r.EPCURN = string(b)
		} else {
			r.Notes = append(r.Notes, "epc_urn: "+epcNote(err))
		}
		if b, err := c.AppendEPCHex(nil, parseFlags.gcpLen, parseFlags.filter); err == nil {
			r.EPCHex = string(b)
		} else {
			r.Notes = append(r.Notes, "epc_hex: "+epcNote(err))
		}
	}
	return r
}

// distinctive reports whether a string of sector format f's shape is
// unlikely to be meant as a trace code: the 32-digit pesticide code, the SC
// and 国药准字 prefixes, the licence and seed-label layouts. The 20-, 18-,
// 15- and 12-character shapes are also GS1 or NMPA shapes, whose error is
// reported first.
func distinctive(f code.SectorFormat) bool {
	switch f {
	case code.SectorPesticide, code.SectorPesticideReg, code.SectorSCLicence, code.SectorSeedQR,
		code.SectorFireworks, code.SectorDrugApproval:
		return true
	}
	return false
}

// setSector fills r from a sector reading.
func setSector(r *parsedCode, s code.Sector) {
	r.Format = s.Format.String()
	if s.Err != nil {
		r.Error = s.Err.Error()
		return
	}
	r.OK = true
	r.Canonical = s.Canonical
	r.Fields = sectorFields(s.Fields)
}

func sectorFields(fs []code.SectorField) []sectorField {
	out := make([]sectorField, len(fs))
	for i, f := range fs {
		out[i] = sectorField{Name: f.Name, Value: f.Value, Note: f.Note}
	}
	return out
}

// alsoValid appends the valid readings of sectors to dst.
func alsoValid(dst []alsoReading, sectors []code.Sector) []alsoReading {
	for _, s := range sectors {
		if s.Err == nil {
			dst = append(dst, alsoReading{Format: s.Format.String(), Canonical: s.Canonical, Fields: sectorFields(s.Fields)})
		}
	}
	return dst
}

func epcNote(err error) string {
	if err == code.ErrNeedCPLen {
		return "give --gcp-length (the GS1 company prefix length, 6–12) to convert to EPC"
	}
	return err.Error()
}

func asCodeError(err error, target **code.Error) bool {
	ce, ok := err.(*code.Error)
	if ok {
		*target = ce
	}
	return ok
}

func init() {
	f := codesParseCmd.Flags()
	f.StringVar(&parseFlags.as, "as", "", "parse every input as this sector format (elevator-reg, elevator-device, elevator-rescue, cylinder, pesticide, pesticide-reg, ear-tag, sc-licence, seed-qr, fireworks-licence, drug-approval)")
	f.IntVar(&parseFlags.gcpLen, "gcp-length", 0, "GS1 company prefix length (6–12) for EPC conversions of GS1 keys")
	f.StringVar(&parseFlags.domain, "domain", "https://id.gs1.org", "scheme and host (and optional path stem) for canonical Digital Link URIs")
	f.Uint8Var(&parseFlags.filter, "filter", 1, "EPC filter value for epc_hex (1 = point-of-sale item, 2 = case, 6 = unit load)")
	f.BoolVar(&parseFlags.legacy, "legacy-dl", false, "accept Digital Link 1.2 legacy forms (short GTINs, /gtin/ names)")
	f.BoolVar(&parseFlags.gln13, "gln", false, "read bare 13-digit numbers as GLNs rather than GTIN-13s")
	f.BoolVar(&parseFlags.indent, "indent", false, "indent the JSON output")
	codesCmd.AddCommand(codesParseCmd)
}
