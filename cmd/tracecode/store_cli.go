package main

// Shared helpers of the store commands (org, product, lot, mint, lookup,
// blocks). Identifiers start with "store" to stay clear of other commands'
// helpers in package main.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/code/gs1"
	"tracecode/engine/issue"
	"tracecode/engine/model"
)

// storeDataDefault is the data directory when --data is not given.
func storeDataDefault() string {
	if d := os.Getenv("TRACECODE_DATA"); d != "" {
		return d
	}
	return "./data"
}

// storeDataFlag registers --data on cmd.
func storeDataFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "data", storeDataDefault(),
		"data directory of the store (created on first use; default $TRACECODE_DATA or ./data)")
}

// storeOpen opens the engine in dir with the KEK the command was given
// (loadKEK). Read-only opens never create a store; read-write opens of a
// store whose FF1 keys are in the clear warn on stderr.
func storeOpen(dir string, readOnly bool, o *engine.Options) (*engine.Engine, error) {
	var opts engine.Options
	if o != nil {
		opts = *o
	}
	opts.Store.ReadOnly = readOnly
	if readOnly {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("no store in %s (create one with `tracecode product add --data %s …`)", dir, dir)
		}
	}
	if opts.KEK == nil {
		kek, err := loadKEK(dir)
		if err != nil {
			return nil, err
		}
		opts.KEK = kek
	}
	e, err := engine.Open(dir, &opts)
	if err == nil && !readOnly {
		warnClearKeys(os.Stderr, e, dir)
	}
	return e, err
}

// storeProduct finds a product by --gtin or --product (id).
func storeProduct(e *engine.Engine, gtin string, id uint32) (model.Product, error) {
	switch {
	case gtin != "" && id != 0:
		return model.Product{}, fmt.Errorf("give --gtin or --product, not both")
	case gtin != "":
		g, err := gs1.ParseGTIN(gtin)
		if err != nil {
			return model.Product{}, fmt.Errorf("--gtin: %w", err)
		}
		return e.Issuance().ProductByGTIN(g)
	case id != 0:
		return e.Issuance().Product(id)
	}
	return model.Product{}, fmt.Errorf("name the product with --gtin GTIN or --product ID")
}

// storeOpenProduct opens the store in dir (see storeOpen) and finds the
// product named by --gtin or --product (see storeProduct). The caller closes
// the engine; it is closed already when an error is returned.
func storeOpenProduct(dir string, readOnly bool, o *engine.Options, gtin string, id uint32) (*engine.Engine, model.Product, error) {
	e, err := storeOpen(dir, readOnly, o)
	if err != nil {
		return nil, model.Product{}, err
	}
	p, err := storeProduct(e, gtin, id)
	if err != nil {
		storeClose(e, &err)
		return nil, p, err
	}
	return e, p, nil
}

// storeJSON writes v as one line of JSON.
func storeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// storeJSONLines writes each of xs, converted by of, as one line of JSON.
func storeJSONLines[T, J any](w io.Writer, xs []T, of func(T) J) error {
	for _, x := range xs {
		if err := storeJSON(w, of(x)); err != nil {
			return err
		}
	}
	return nil
}

// storeParseID reads a positive decimal id argument.
func storeParseID(what, s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%s %q is not a positive number", what, s)
	}
	return v, nil
}

// storeClose closes e, keeping the first error.
func storeClose(e *engine.Engine, err *error) {
	if cerr := e.Close(); *err == nil {
		*err = cerr
	}
}

// storeOrgJSON is an organisation in the commands' JSON output.
type storeOrgJSON struct {
	ID     uint32   `json:"id"`
	Name   string   `json:"name"`
	NameEN string   `json:"name_en,omitempty"`
	USCC   string   `json:"uscc,omitempty"`
	Region uint32   `json:"region,omitempty"`
	GCPs   []string `json:"gcps,omitempty"`
}

func storeOrgOf(o model.Org) storeOrgJSON {
	return storeOrgJSON{ID: o.ID, Name: o.Name, NameEN: o.NameEN, USCC: o.USCC, Region: o.Region, GCPs: o.GCPs}
}

// storeProductJSON is a product in the commands' JSON output.
type storeProductJSON struct {
	ID            uint32       `json:"id"`
	Org           uint32       `json:"org"`
	GTIN          string       `json:"gtin,omitempty"`
	GCPLength     uint8        `json:"gcp_length,omitempty"`
	OwnCode       string       `json:"own_code,omitempty"`
	DrugID        string       `json:"drug_id,omitempty"`
	Name          string       `json:"name"`
	NameEN        string       `json:"name_en,omitempty"`
	Category      string       `json:"category"`
	Levels        string       `json:"levels"`
	DefaultScheme string       `json:"default_scheme"`
	Links         []model.Link `json:"links,omitempty"`
	// LevelGTINs are the inner pack's and case's GTINs, by level name.
	LevelGTINs map[string]string `json:"level_gtins,omitempty"`
}

func storeProductOf(p model.Product) storeProductJSON {
	out := storeProductJSON{ID: p.ID, Org: p.Org, GCPLength: p.GCPLength, OwnCode: p.OwnCode, DrugID: p.DrugID,
		Name: p.NameZH, NameEN: p.NameEN, Category: p.Category.String(), Levels: p.Levels.String(),
		DefaultScheme: p.DefaultScheme.String(), Links: p.Links, GTIN: storeGTIN(p.GTIN)}
	for _, l := range p.LevelGTINs.Declared() {
		if out.LevelGTINs == nil {
			out.LevelGTINs = map[string]string{}
		}
		out.LevelGTINs[l.String()] = p.LevelGTINs.Of(l).String()
	}
	return out
}

// storeLotJSON is a lot in the commands' JSON output.
type storeLotJSON struct {
	ID       uint32 `json:"id"`
	Product  uint32 `json:"product"`
	Number   string `json:"lot"`
	Produced string `json:"produced,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
	Site     string `json:"site,omitempty"`
}

func storeLotOf(l model.Lot) storeLotJSON {
	return storeLotJSON{ID: l.ID, Product: l.Product, Number: l.Number, Produced: issue.FormatDate(l.Produced),
		Expiry: issue.FormatDate(l.Expiry), Site: l.Site}
}

// storeBlockJSON is a block in the commands' JSON output.
type storeBlockJSON struct {
	ID           uint64 `json:"block"`
	Org          uint32 `json:"org"`
	Product      uint32 `json:"product"`
	Lot          string `json:"lot,omitempty"`
	Level        string `json:"level"`
	Scheme       string `json:"scheme"`
	KeyGen       uint8  `json:"key_gen"`
	State        string `json:"state"`
	Start        uint64 `json:"start"`
	Count        uint64 `json:"count"`
	Requested    uint64 `json:"requested"`
	ReleasedFrom uint64 `json:"released_from"`
	ShortStart   uint64 `json:"short_start,omitempty"`
	RequestID    string `json:"request_id,omitempty"`
	Note         string `json:"note,omitempty"`
	Created      string `json:"created"`
}

func storeBlockOf(e *engine.Engine, b model.Block) storeBlockJSON {
	return storeBlockJSON{ID: b.ID, Org: b.Org, Product: b.Product, Level: b.Level.String(), Scheme: b.Scheme.String(),
		KeyGen: b.KeyGen, State: b.State.String(), Start: b.Start, Count: b.Count, Requested: b.Requested,
		ReleasedFrom: b.ReleasedFrom(), ShortStart: b.ShortStart, RequestID: b.RequestID, Note: b.Note,
		Created: storeTime(b.Created), Lot: storeLotNumber(e, b.Lot)}
}

// storeLotNumber is lot id's number, "" for 0 or an unknown lot.
func storeLotNumber(e *engine.Engine, id uint32) string {
	if l, err := e.Issuance().Lot(id); err == nil {
		return l.Number
	}
	return ""
}

// storeGTIN is g as 14 digits, "" for the zero GTIN (a product without one).
func storeGTIN(g gs1.GTIN) string {
	if g.IsZero() {
		return ""
	}
	return g.String()
}

// storeTime formats unix milliseconds as RFC 3339 in local time.
func storeTime(ms int64) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).Format(time.RFC3339)
}
