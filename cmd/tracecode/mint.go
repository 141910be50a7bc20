package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"tracecode/engine"
	"tracecode/engine/code/gs1"
	engineconfig "tracecode/engine/config"
	"tracecode/engine/issue"
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

var mintFlags struct {
	data, gtin, lot, format, scheme, requestID, out, compress, level string
	dlBase, shortBase, symbology                                     string
	product                                                          uint32
	count, offset, limit                                             uint64
	noCreateLot, allowPartial, noDLLot, noProgress, quiet            bool
}

var mintCmd = &cobra.Command{
	Use:   "mint --data DIR --gtin GTIN --lot LOT --count N --format FORMAT [--request-id ID] [--out FILE]",
	Short: "Mint a block of codes and write them in a printer's format",
	Long: `mint allocates a block of N codes for a product and lot, durably (the block
is on disk before any code is written), then writes the codes — one per
line — to --out or standard output. A block of any size is one record: minting
100 million codes takes milliseconds; writing them is the long part.

Formats (--format):
  serial    the serial alone (AI 21 value, NMPA 13 digits, short code, or the
            18-digit SSCC of an sscc block)
  dl        GS1 Digital Link URI  https://id.gs1.org/01/GTIN/10/LOT/21/SERIAL
            (--dl-base sets your resolver; --no-dl-lot leaves out /10/LOT);
            an SSCC's: https://id.gs1.org/00/SSCC
  element   element string  (01)GTIN(17)EXPIRY(10)LOT(21)SERIAL, or (00)SSCC
  gs        barcode data with GS (0x1D) separators, for GS1 DataMatrix/QR
            printers (--symbology ]d2 prefixes a symbology identifier)
  epc-urn   urn:epc:id:sgtin:COMPANYPREFIX.ITEMREF.SERIAL, or
            urn:epc:id:sscc:COMPANYPREFIX.0SERIALREF
  epc-hex   SGTIN-96 (scheme sgtin96) or SSCC-96 (scheme sscc; filter 6 unit
            load for a pallet, 2 for a mixed case) as 24 hex digits
  nmpa      20-digit NMPA drug trace code (scheme nmpa only)
  short     short-code URL https://HOST/c/CODE (scheme short only)
  csv       header line, then offset, counter and every form of each code
  pesticide 32-digit pesticide trace code: the product's 11-digit prefix (its
            --own-code) and 21 random digits (scheme pesticide only)
  vet-drug  24-digit veterinary-drug trace code: the lot's production date,
            the 5-digit enterprise code (the start of the product's
            --own-code) and 11 random digits (scheme vet-drug only)

Schemes (--scheme; default: the product's): gs1 (13-character alphanumeric
serials, up to 10^12 codes per product), sgtin96 (numeric < 2^38, at most
27,487,790 codes per product so a guessed serial is valid with probability
below 1/10,000), nmpa (13 digits, at most 10^8 per product), short
(engine-wide short codes for URL QR codes), pesticide (2 digits of key
generation and 19 of FF1, at most 10^9 per product), vet-drug (11 digits of
FF1, at most 10^7 per product; the lot must have its production date), sscc
(SSCCs for logistic units: see Pallets).

Pallets: --level pallet mints SSCCs (scheme sscc), as GS1 identifies a
pallet: extension digit 0, the product's GS1 company prefix and serial
references in sequence per prefix (shared by its products; 17 − 1 − prefix
length digits, so 10^9 SSCCs under a 7-digit prefix), check digit. SSCCs are
sequential, not unguessable: they name shipments; item codes stay
FF1-random. A pack report then names a pallet by its (00) code or by block
and offset. --scheme sscc --level case mints SSCCs for mixed cases; --level
pallet with another --scheme keeps SGTIN pallets (filter 6). Formats: serial,
dl, element, gs, epc-urn, epc-hex, csv; short, nmpa and the sector codes are
refused.

Idempotency and resuming: --request-id makes the request idempotent. Running
the same command again with the same --request-id mints nothing and writes
the same block; add --offset K to resume after K printed codes (--limit
bounds the count written). The same id with other parameters is refused
with the differing field named.

Caps: a mint that would exceed the scheme's cap fails; --allow-partial mints
what is left and says so on stderr (OPEN-SCS partial fulfilment).

Compression: --compress zstd|gzip (inferred from an --out name ending in
.zst or .gz). A progress bar is drawn on stderr for streams of 100,000 codes
or more when stderr is a terminal.`,
	Example: `  tracecode mint --data ./data --gtin 6901234567892 --lot B2026031 --count 1000000 \
      --format dl --dl-base https://id.example.cn --request-id line7-20260301-01 --out codes.txt.zst
  # resume after 400,000 printed codes:
  tracecode mint --data ./data --gtin 6901234567892 --lot B2026031 --count 1000000 \
      --format dl --dl-base https://id.example.cn --request-id line7-20260301-01 --offset 400000 --out rest.txt.zst
  tracecode mint --data ./data --gtin 6901234567892 --lot B1 --count 20 --scheme nmpa --format nmpa
  tracecode mint --data ./data --product 7 --lot P1 --count 20 --scheme pesticide --format pesticide
  # 40 pallet labels (SSCCs) for a GS1-128 or QR printer, and their RFID tags:
  tracecode mint --data ./data --gtin 6901234567892 --level pallet --count 40 --format element
  tracecode mint --data ./data --gtin 6901234567892 --level pallet --count 40 --format epc-hex`,
	Args: cobra.NoArgs,
	RunE: runMint,
}

func runMint(cmd *cobra.Command, _ []string) (err error) {
	f := &mintFlags
	fm, err := issue.ParseFormat(f.format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	req := issue.MintRequest{Lot: f.lot, CreateLot: !f.noCreateLot, Count: f.count, RequestID: f.requestID, AllowPartial: f.allowPartial}
	if f.scheme != "" {
		if req.Scheme, err = serial.ParseScheme(f.scheme); err != nil {
			return fmt.Errorf("--scheme: %w", err)
		}
	}
	if f.level != "" {
		if req.Level, err = model.ParseLevel(f.level); err != nil {
			return fmt.Errorf("--level: %w", err)
		}
	}
	compress := f.compress
	if compress == "" && f.out != "" {
		switch {
		case strings.HasSuffix(f.out, ".zst"):
			compress = "zstd"
		case strings.HasSuffix(f.out, ".gz"):
			compress = "gzip"
		}
	}
	e, p, err := storeOpenProduct(f.data, false, &engine.Options{DLBase: f.dlBase, ShortBase: f.shortBase}, f.gtin, f.product)
	if err != nil {
		return err
	}
	defer storeClose(e, &err)
	req.Product = p.ID
	if f.gtin != "" {
		// A level's GTIN (the case's) mints that level.
		req.GTIN, _ = gs1.ParseGTIN(f.gtin) // storeOpenProduct found a product by it
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := e.Issuance().Mint(ctx, req)
	if err != nil {
		return err
	}
	b := res.Block
	msg := os.Stderr
	if !f.quiet {
		verb := "minted"
		if res.Replayed {
			verb = "request id already minted"
		}
		fmt.Fprintf(msg, "%s block %d: %d codes of product %d (%s), lot %q, scheme %v, counters %d–%d\n",
			verb, b.ID, b.Count, p.ID, p.NameZH, f.lot, b.Scheme, b.Start, b.End()-1)
		if b.Scheme == serial.SSCC {
			fmt.Fprintf(msg, "SSCCs of serial references %d–%d (extension digit 0, level %v)\n", b.ShortStart, b.ShortStart+b.Count-1, b.Level)
		}
		if res.Partial {
			fmt.Fprintf(msg, "PARTIAL: %d of the %d requested codes were minted (the scheme's cap is reached)\n", b.Count, b.Requested)
		}
		if res.LotCreated {
			fmt.Fprintf(msg, "created lot %q\n", f.lot)
		}
	}

	var w io.Writer = cmd.OutOrStdout()
	var file *os.File
	if f.out != "" && f.out != "-" {
		if file, err = os.Create(f.out); err != nil {
			return err
		}
		defer func() {
			if cerr := file.Close(); err == nil {
				err = cerr
			}
		}()
		w = file
	}
	n := b.ReleasedFrom() - min(f.offset, b.ReleasedFrom())
	if f.limit != 0 {
		n = min(n, f.limit)
	}
	opts := issue.StreamOptions{Format: fm, Offset: f.offset, Limit: f.limit, Compress: compress,
		NoDLLot: f.noDLLot, Symbology: f.symbology}
	if !f.noProgress && n >= 100_000 && term.IsTerminal(int(os.Stderr.Fd())) {
		bar := progressbar.NewOptions64(int64(n),
			progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription(fmt.Sprintf("block %d", b.ID)),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("codes"),
			progressbar.OptionThrottle(100_000_000),
			progressbar.OptionClearOnFinish())
		opts.Progress = func(done uint64) { _ = bar.Set64(int64(done)) }
		defer bar.Finish()
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	st, err := e.Issuance().WriteCodes(ctx, bw, b.ID, opts)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("block %d is minted and durable; writing its codes failed after %d codes (resume with --request-id %q --offset %d): %w",
			b.ID, st.Codes, b.RequestID, f.offset+st.Codes, err)
	}
	if !f.quiet && f.out != "" && f.out != "-" {
		fmt.Fprintf(msg, "wrote %d codes (offsets %d–%d) to %s, %d bytes\n", st.Codes, f.offset, f.offset+st.Codes-min(st.Codes, 1), f.out, st.Bytes)
	}
	return nil
}

func init() {
	f := mintCmd.Flags()
	m := &mintFlags
	storeDataFlag(mintCmd, &m.data)
	f.StringVar(&m.gtin, "gtin", "", "the product's GTIN")
	f.Uint32Var(&m.product, "product", 0, "the product's id (instead of --gtin)")
	f.StringVar(&m.lot, "lot", "", "lot number, AI (10): 1-20 characters of GS1 CSET 82")
	f.Uint64Var(&m.count, "count", 0, "number of codes to mint (required)")
	f.StringVar(&m.format, "format", "", "output format (required): "+strings.Join(issue.FormatNames(), ", "))
	f.StringVar(&m.scheme, "scheme", "", "code scheme: gs1, sgtin96, nmpa, short, pesticide, vet-drug or sscc (default: the product's; sscc at --level pallet)")
	f.StringVar(&m.level, "level", "", "packaging level: item (default; with --gtin of a level, that level), inner, case or pallet (SSCCs)")
	f.StringVar(&m.requestID, "request-id", "", "client request id: retries with the same id mint nothing")
	f.StringVar(&m.out, "out", "", "output file (default: standard output)")
	f.Uint64Var(&m.offset, "offset", 0, "first code to write (0-based), to resume a printed block")
	f.Uint64Var(&m.limit, "limit", 0, "number of codes to write (default: all from --offset)")
	f.StringVar(&m.compress, "compress", "", "zstd or gzip (default: from --out's extension, else none)")
	f.BoolVar(&m.noCreateLot, "no-create-lot", false, "fail if the lot does not exist instead of creating it")
	f.BoolVar(&m.allowPartial, "allow-partial", false, "mint what the scheme's cap still allows instead of failing")
	f.StringVar(&m.dlBase, "dl-base", "", "Digital Link scheme and host (default https://id.gs1.org)")
	f.StringVar(&m.shortBase, "short-base", "", "short-code URL scheme and host (default "+engineconfig.DefaultShortBase+")")
	f.BoolVar(&m.noDLLot, "no-dl-lot", false, "leave /10/LOT out of Digital Link URIs")
	f.StringVar(&m.symbology, "symbology", "", "symbology identifier before gs lines, e.g. ]d2 (default none)")
	f.BoolVar(&m.noProgress, "no-progress", false, "no progress bar")
	f.BoolVarP(&m.quiet, "quiet", "q", false, "no messages on stderr")
	_ = mintCmd.MarkFlagRequired("count")
	_ = mintCmd.MarkFlagRequired("format")
	rootCmd.AddCommand(mintCmd)
}
