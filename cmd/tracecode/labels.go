package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // camera captures
	_ "image/png"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"tracecode/engine"
	"tracecode/engine/code/gs1"
	engineconfig "tracecode/engine/config"
	"tracecode/engine/label"
	"tracecode/engine/model"
)

var labelsFlags struct {
	data, template, templates, format, out, font, dlBase, shortBase string
	block, offset, limit                                            uint64
	workers                                                         int
	noProgress, quiet                                               bool
}

var labelsCmd = &cobra.Command{
	Use:   "labels --data DIR --block ID --template NAME|FILE --format pdf|zpl|svg-zip|png-zip --out FILE",
	Short: "Render a block's codes as printable labels: PDF sheets, ZPL, SVG or PNG",
	Long: `labels renders the codes of a block as labels of a template: each label
carries the code's own forms as the engine issued them (Digital Link URI in a
QR code, element string in a GS1 DataMatrix or GS1-128 symbol, the NMPA drug
code in Code 128, the product's GTIN in EAN-13) and the product's names, lot,
expiry and serial as text.

--template names a built-in template (` + strings.Join(label.BuiltinNames(), ", ") + `),
a template of --templates DIR (DIR/NAME.json, or DIR/GTIN/NAME.json for one
product), or a JSON file. docs/labels.md describes the format.

Formats: pdf (label sheets on the template's page, at most 50,000 labels a
file), zpl (one ^XA…^XZ label per code, the printer draws the barcodes), svg-zip
and png-zip (one file per label). Chinese text in PDF and PNG needs a CJK
TrueType font: --font, or Debian's fonts-droid-fallback.

Labels are rendered on all cores, in code order; --offset and --limit resume
or split a run as for "mint".`,
	Example: `  tracecode labels --data ./data --block 12 --template gs1-datamatrix --format pdf --out block12.pdf
  tracecode labels --data ./data --block 12 --template qr --format zpl --offset 5000 --limit 1000 --out line3.zpl
  tracecode labels --data ./data --block 12 --template ./case-label.json --format png-zip --out labels.zip`,
	Args: cobra.NoArgs,
	RunE: func(cmd *cobra.Command, _ []string) (err error) {
		f := &labelsFlags
		format, err := label.ParseFormat(f.format)
		if err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		if f.block == 0 {
			return fmt.Errorf("--block is required")
		}
		lib, err := label.LoadLibrary(f.templates)
		if err != nil {
			return err
		}
		var font *label.Font
		if format == label.PDF || format == label.PNGZip {
			if font, err = label.LoadFont(f.font); err != nil {
				return err
			}
		}
		e, err := storeOpen(f.data, true, &engine.Options{DLBase: f.dlBase, ShortBase: f.shortBase})
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		b, err := e.Issuance().Block(f.block)
		if err != nil {
			return err
		}
		p, err := e.Issuance().Product(b.Product)
		if err != nil {
			return err
		}
		gtin := ""
		if !p.GTIN.IsZero() {
			gtin = p.GTIN.String()
		}
		var tmpl *label.Template
		if strings.HasSuffix(f.template, ".json") {
			tmpl, err = label.ReadTemplateFile(f.template)
		} else {
			tmpl, err = lib.Template(gtin, f.template)
		}
		if err != nil {
			return err
		}
		var w io.Writer = cmd.OutOrStdout()
		if f.out != "" && f.out != "-" {
			file, err := os.Create(f.out)
			if err != nil {
				return err
			}
			defer func() {
				if cerr := file.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					os.Remove(f.out) // a partial label file must not reach a printer
				}
			}()
			w = file
		}
		n := b.ReleasedFrom() - min(f.offset, b.ReleasedFrom())
		if f.limit != 0 {
			n = min(n, f.limit)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		o := label.BlockOptions{Template: tmpl, Format: format, Font: font, Offset: f.offset, Limit: f.limit, Workers: f.workers}
		if !f.noProgress && !f.quiet && n >= 1000 && term.IsTerminal(int(os.Stderr.Fd())) {
			bar := progressbar.NewOptions64(int64(n),
				progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription(fmt.Sprintf("block %d", b.ID)),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("labels"),
				progressbar.OptionThrottle(100_000_000),
				progressbar.OptionClearOnFinish())
			o.Progress = func(done uint64) { _ = bar.Set64(int64(done)) }
			defer bar.Finish()
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		written, err := label.WriteBlock(ctx, bw, e.Issuance(), b.ID, o)
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		if err != nil {
			return err
		}
		if !f.quiet && f.out != "" && f.out != "-" {
			fmt.Fprintf(os.Stderr, "wrote %d labels (template %s, %v) of block %d to %s\n", written, tmpl.Name, format, b.ID, f.out)
		}
		return nil
	},
}

var labelsVerifyFlags struct {
	data string
}

var labelsVerifyCmd = &cobra.Command{
	Use:   "verify --data DIR FILE…",
	Short: "Read the barcode in each camera image and check it is an issued code",
	Long: `verify is a printing line's reject station: it decodes the barcode in each
image (PNG or JPEG; Data Matrix, QR, Code 128 or EAN-13, read with gozxing) and
looks the code up in the store. Each file gets one line:

  issued       the code was issued by this store and may be printed
  not-issued   the code does not resolve to an issued code (the reason follows)
  duplicate    the same code was already read from an earlier file of the batch
  unreadable   no barcode decodes

The exit status is 1 when any file is not issued, a duplicate or unreadable.`,
	Example: `  tracecode labels verify --data ./data capture/*.png`,
	Args:    cobra.MinimumNArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		e, err := storeOpen(labelsVerifyFlags.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FILE\tSTATUS\tSYMBOL\tCODE\tDETAIL")
		seen := map[verifyKey]string{}
		bad := 0
		for _, file := range args {
			status, sym, text, detail := verifyImage(e, file, seen)
			if status != "issued" {
				bad++
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%q\t%s\n", file, status, sym, text, detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if bad > 0 {
			fmt.Fprintf(cmd.ErrOrStderr(), "%d of %d images rejected\n", bad, len(args))
			return exitError{code: 1}
		}
		return nil
	},
}

// verifyKey identifies an issued code.
type verifyKey struct {
	product uint32
	counter uint64
}

// verifyImage reads and classifies one image; seen maps each code read
// so far in the batch to the file it came from.
func verifyImage(e *engine.Engine, file string, seen map[verifyKey]string) (status, sym, text, detail string) {
	fh, err := os.Open(file)
	if err != nil {
		return "unreadable", "", "", err.Error()
	}
	img, _, err := image.Decode(fh)
	fh.Close()
	if err != nil {
		return "unreadable", "", "", err.Error()
	}
	s, err := label.ReadImage(img)
	if err != nil {
		return "unreadable", "", "", "no barcode decodes"
	}
	sym = s.Kind.String()
	if s.Kind == 0 {
		sym = "datamatrix"
	}
	r, err := e.Issuance().Lookup(s.Text)
	if err != nil {
		var le *model.LookupError
		if errors.As(err, &le) {
			return "not-issued", sym, s.Text, le.Error()
		}
		return "not-issued", sym, s.Text, err.Error()
	}
	k := verifyKey{r.Product.ID, r.Counter}
	if prev, ok := seen[k]; ok {
		return "duplicate", sym, s.Text, "already read from " + prev
	}
	seen[k] = file
	return "issued", sym, s.Text, fmt.Sprintf("block %d offset %d", r.Block.ID, r.Offset)
}

var labelsSSCCFlags struct {
	template, templates, format, out, font string
}

var labelsSSCCCmd = &cobra.Command{
	Use:   "sscc --template NAME|FILE --format pdf|zpl|svg-zip|png-zip --out FILE SSCC…",
	Short: "Render logistic labels for SSCCs (pallets, cases): GS1-128 with (00)",
	Long: `sscc renders one label per SSCC given (18 digits, or (00) and 18 digits;
the check digit is checked): the built-in template "sscc" is a GS1 logistic
label with the SSCC in GS1-128 (X = 0.495 mm) and its human-readable text.
SSCCs are the organisation's own numbers for its logistic units, not codes
this store issues, so no store is read.`,
	Example: `  tracecode labels sscc --template sscc --format pdf --out pallets.pdf 395201230000000012 395201230000000029`,
	Args:    cobra.MinimumNArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &labelsSSCCFlags
		format, err := label.ParseFormat(f.format)
		if err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		codes := make([]label.Code, len(args))
		for i, a := range args {
			s, err := gs1.ParseSSCC(strings.TrimPrefix(a, "(00)"))
			if err != nil {
				return fmt.Errorf("SSCC %d (%q): %w", i+1, a, err)
			}
			codes[i] = label.Code{Offset: uint64(i), SSCC: s.String()}
		}
		lib, err := label.LoadLibrary(f.templates)
		if err != nil {
			return err
		}
		var tmpl *label.Template
		if strings.HasSuffix(f.template, ".json") {
			tmpl, err = label.ReadTemplateFile(f.template)
		} else {
			tmpl, err = lib.Template("", f.template)
		}
		if err != nil {
			return err
		}
		var font *label.Font
		if format == label.PDF || format == label.PNGZip {
			if font, err = label.LoadFont(f.font); err != nil {
				return err
			}
		}
		var w io.Writer = cmd.OutOrStdout()
		if f.out != "" && f.out != "-" {
			file, err := os.Create(f.out)
			if err != nil {
				return err
			}
			defer func() {
				if cerr := file.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					os.Remove(f.out)
				}
			}()
			w = file
		}
		i := 0
		next := func() (label.Code, bool, error) {
			if i == len(codes) {
				return label.Code{}, false, nil
			}
			i++
			return codes[i-1], true, nil
		}
		bw := bufio.NewWriter(w)
		if _, err := label.Render(cmd.Context(), bw, next, label.Options{Template: tmpl, Format: format, Font: font, Name: "sscc"}); err != nil {
			return err
		}
		return bw.Flush()
	},
}

func init() {
	sf := labelsSSCCCmd.Flags()
	sf.StringVar(&labelsSSCCFlags.template, "template", "sscc", "template: a built-in name, a name in --templates, or a .json file")
	sf.StringVar(&labelsSSCCFlags.templates, "templates", "", "directory of templates (NAME.json)")
	sf.StringVar(&labelsSSCCFlags.format, "format", "pdf", "pdf, zpl, svg-zip or png-zip")
	sf.StringVar(&labelsSSCCFlags.out, "out", "", "output file (default: standard output)")
	sf.StringVar(&labelsSSCCFlags.font, "font", "", "TrueType font for Chinese text (default: the system's fonts-droid-fallback)")
	labelsCmd.AddCommand(labelsSSCCCmd)

	f := labelsCmd.Flags()
	l := &labelsFlags
	storeDataFlag(labelsCmd, &l.data)
	f.Uint64Var(&l.block, "block", 0, "the block whose codes are labelled (required)")
	f.StringVar(&l.template, "template", "", "template: a built-in name, a name in --templates, or a .json file (required)")
	f.StringVar(&l.templates, "templates", "", "directory of templates (NAME.json, GTIN/NAME.json)")
	f.StringVar(&l.format, "format", "", "pdf, zpl, svg-zip or png-zip (required)")
	f.StringVar(&l.out, "out", "", "output file (default: standard output)")
	f.StringVar(&l.font, "font", "", "TrueType font for Chinese text (default: the system's fonts-droid-fallback)")
	f.Uint64Var(&l.offset, "offset", 0, "first code to label (0-based)")
	f.Uint64Var(&l.limit, "limit", 0, "number of labels (default: all from --offset)")
	f.IntVar(&l.workers, "workers", 0, "rendering goroutines (default: one per core)")
	f.StringVar(&l.dlBase, "dl-base", "", "Digital Link scheme and host (default https://id.gs1.org)")
	f.StringVar(&l.shortBase, "short-base", "", "short-code URL scheme and host (default "+engineconfig.DefaultShortBase+")")
	f.BoolVar(&l.noProgress, "no-progress", false, "no progress bar")
	f.BoolVarP(&l.quiet, "quiet", "q", false, "no messages on stderr")
	_ = labelsCmd.MarkFlagRequired("template")
	_ = labelsCmd.MarkFlagRequired("format")
	storeDataFlag(labelsVerifyCmd, &labelsVerifyFlags.data)
	labelsCmd.AddCommand(labelsVerifyCmd)
	rootCmd.AddCommand(labelsCmd)
}
