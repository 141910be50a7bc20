package main

import (
	"bufio"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/code/gs1"
	"tracecode/engine/code/shortcode"
	"tracecode/engine/model"
)

// lookupLine is one line of `tracecode lookup` output. Field names are part
// of the CLI's contract.
type lookupLine struct {
	Input   string          `json:"input"`
	OK      bool            `json:"ok"`
	Format  string          `json:"format,omitempty"`
	Org     *lookupOrg      `json:"org,omitempty"`
	Product *lookupProduct  `json:"product,omitempty"`
	Lot     string          `json:"lot,omitempty"`
	Block   uint64          `json:"block,omitempty"`
	Counter *uint64         `json:"counter,omitempty"`
	Offset  *uint64         `json:"offset,omitempty"`
	Serial  string          `json:"serial,omitempty"`
	Scheme  string          `json:"scheme,omitempty"`
	State   model.CodeState `json:"state,omitempty"`
	Error   string          `json:"error,omitempty"`
	Reason  string          `json:"reason,omitempty"`
	// ExpectedCheck is the correct check digit or character when the
	// error is a bad check digit.
	ExpectedCheck string `json:"expected_check_digit,omitempty"`
}

type lookupOrg struct {
	ID   uint32 `json:"id"`
	Name string `json:"name"`
}

type lookupProduct struct {
	ID   uint32 `json:"id"`
	GTIN string `json:"gtin,omitempty"`
	Name string `json:"name"`
}

var lookupReasons = []struct {
	err  error
	name string
}{
	{model.ErrBadCode, "bad-code"},
	{model.ErrNoSerial, "no-serial"},
	{model.ErrUnsupportedCode, "unsupported"},
	{model.ErrUnknownProduct, "unknown-product"},
	{model.ErrNeverIssued, "never-issued"},
	{model.ErrNotImported, "not-imported"},
	{model.ErrReleased, "released"},
	{model.ErrVoided, "voided"},
	{model.ErrLotMismatch, "lot-mismatch"},
}

var lookupFlags struct {
	data string
}

var lookupCmd = &cobra.Command{
	Use:   "lookup --data DIR CODE…",
	Short: "Look scanned codes up: organisation, product, lot, block, counter, state",
	Long: `lookup resolves each CODE — in any scanned form: Digital Link URI, element
string, GS-separated barcode data, EPC URN or SGTIN-96 hex, NMPA 20-digit
code, short code or short-code URL — and prints one JSON object per code:

  {"input":…, "ok":true, "format":"digital-link", "org":{…}, "product":{…},
   "lot":"B1", "block":12, "counter":41, "offset":41, "serial":"A…",
   "scheme":"gs1", "state":"issued"}

or, when the code is not a valid issued code, "ok":false with "error" and a
"reason": bad-code (with "expected_check_digit" for a check-digit error),
unknown-product, no-serial, unsupported, never-issued (the serial decrypts
above the product's high-water mark or into no block: a guess or a forgery),
not-imported (a foreign serial in no imported block), released (returned
unused by the line, never printed), voided, lot-mismatch. Fields found before
the failure (product, block, counter) are printed too.

With no CODE, or CODE "-", codes are read from standard input, one per line.
The exit status is 1 if any code is not ok.`,
	Example: `  tracecode lookup --data ./data 'https://id.gs1.org/01/06901234567892/10/B1/21/A0K3Q9ZC2M1XH'
  tracecode lookup --data ./data '(01)06901234567892(21)A0K3Q9ZC2M1XH' 86123450012345678901
  tracecode mint … --format dl | head -3 | tracecode lookup --data ./data`,
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		e, err := storeOpen(lookupFlags.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		out := bufio.NewWriter(cmd.OutOrStdout())
		defer out.Flush()
		allOK := true
		one := func(in string) error {
			l := lookupOne(e, in)
			allOK = allOK && l.OK
			return storeJSON(out, l)
		}
		if len(args) == 0 || (len(args) == 1 && args[0] == "-") {
			sc := bufio.NewScanner(cmd.InOrStdin())
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				if line := strings.TrimRight(sc.Text(), "\r"); line != "" {
					if err := one(line); err != nil {
						return err
					}
				}
			}
			if err := sc.Err(); err != nil {
				return err
			}
		} else {
			for _, in := range args {
				if err := one(in); err != nil {
					return err
				}
			}
		}
		if err := out.Flush(); err != nil {
			return err
		}
		if !allOK {
			return exitError{code: 1}
		}
		return nil
	},
}

func lookupOne(e *engine.Engine, in string) lookupLine {
	r, err := e.Issuance().Lookup(in)
	l := lookupLine{Input: in, OK: err == nil}
	if r.Format != 0 {
		l.Format = r.Format.String()
	}
	if r.Org.ID != 0 {
		l.Org = &lookupOrg{ID: r.Org.ID, Name: r.Org.Name}
	}
	if r.Product.ID != 0 {
		l.Product = &lookupProduct{ID: r.Product.ID, GTIN: storeGTIN(r.Product.GTIN), Name: r.Product.NameZH}
	}
	if r.Block.ID != 0 {
		l.Block, l.Lot, l.State = r.Block.ID, r.Lot.Number, r.State
		l.Counter, l.Offset = &r.Counter, &r.Offset
	}
	l.Serial = r.Serial
	if r.Scheme != 0 {
		l.Scheme = r.Scheme.String()
	}
	if err != nil {
		l.Error = err.Error()
		for _, x := range lookupReasons {
			if errors.Is(err, x.err) {
				l.Reason = x.name
				break
			}
		}
		var gcd *gs1.CheckDigitError
		var scd *shortcode.CheckError
		switch {
		case errors.As(err, &gcd):
			l.ExpectedCheck = string(gcd.Expected)
		case errors.As(err, &scd):
			l.ExpectedCheck = string(scd.Expected)
		}
	}
	return l
}

func init() {
	storeDataFlag(lookupCmd, &lookupFlags.data)
	rootCmd.AddCommand(lookupCmd)
}
