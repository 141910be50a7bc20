package main

// Shared helpers of the chain commands (commission, void, decommission,
// pack, unpack, capture, recall, trace, resolve, verify). Identifiers start
// with "chain" to stay clear of other commands' helpers in package main.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tracecode/engine"
	"tracecode/engine/chain"
)

// chainMetaFlags are the who/when/where flags of every report command.
type chainMetaFlags struct {
	data        string
	org         uint32
	credential  string
	at          string
	readPoint   string
	bizLocation string
	requestID   string
	jsonOut     bool
}

func (f *chainMetaFlags) register(cmd *cobra.Command) {
	storeDataFlag(cmd, &f.data)
	fl := cmd.Flags()
	fl.Uint32Var(&f.org, "org", 0, "reporting organisation id (default: the owner of the first code named)")
	fl.StringVar(&f.credential, "credential", "cli", "who within the organisation reports (kept with the record)")
	fl.StringVar(&f.at, "time", "", "when it happened, RFC 3339 with offset (default: now)")
	fl.StringVar(&f.readPoint, "read-point", "", "read point: SGLN URN, Digital Link with AI 414, or a site id")
	fl.StringVar(&f.bizLocation, "biz-location", "", "business location: SGLN URN, Digital Link with AI 414, or a site id")
	fl.StringVar(&f.requestID, "request-id", "", "idempotency key: a retried report with the same id applies nothing")
	fl.BoolVar(&f.jsonOut, "json", false, "print the receipt (or the errors) as JSON")
}

// meta builds the report metadata; org 0 is resolved by the caller.
func (f *chainMetaFlags) meta() (chain.ReportMeta, error) {
	m := chain.ReportMeta{Org: f.org, Credential: f.credential, ReadPoint: f.readPoint,
		BizLocation: f.bizLocation, RequestID: f.requestID}
	if f.at != "" {
		t, err := time.Parse(time.RFC3339, f.at)
		if err != nil {
			return m, fmt.Errorf("--time %q: want RFC 3339, e.g. 2026-03-01T08:00:00+08:00", f.at)
		}
		m.Time = t
	}
	return m, nil
}

// chainItems reads codes and ranges: each argument (or line of standard
// input when the only argument is "-") is a scanned code, or a native range
// BLOCK:FIRST-LAST (or BLOCK:OFFSET) of block offsets.
func chainItems(args []string, stdin io.Reader) (chain.Items, error) {
	var it chain.Items
	add := func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if r, ok, err := chainRange(s); ok || err != nil {
			if err != nil {
				return err
			}
			it.Ranges = append(it.Ranges, r)
			return nil
		}
		it.Codes = append(it.Codes, s)
		return nil
	}
	if len(args) == 1 && args[0] == "-" {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if err := add(sc.Text()); err != nil {
				return it, err
			}
		}
		return it, sc.Err()
	}
	for _, a := range args {
		if err := add(a); err != nil {
			return it, err
		}
	}
	return it, nil
}

// chainRange parses BLOCK:FIRST-LAST or BLOCK:OFFSET. ok is false when s
// does not have that shape (it is then a code).
func chainRange(s string) (chain.BlockRange, bool, error) {
	b, rest, found := strings.Cut(s, ":")
	if !found || b == "" || strings.ContainsAny(b, "/.") {
		return chain.BlockRange{}, false, nil
	}
	bid, err := strconv.ParseUint(b, 10, 64)
	if err != nil {
		return chain.BlockRange{}, false, nil // urn:…, https:…
	}
	first, last, isRange := strings.Cut(rest, "-")
	if !isRange {
		last = first
	}
	f, err1 := strconv.ParseUint(strings.ReplaceAll(first, ",", ""), 10, 64)
	l, err2 := strconv.ParseUint(strings.ReplaceAll(last, ",", ""), 10, 64)
	if err1 != nil || err2 != nil {
		return chain.BlockRange{}, true, fmt.Errorf("range %q: want BLOCK:FIRST-LAST, e.g. 7:0-999999", s)
	}
	return chain.BlockRange{Block: bid, First: f, Last: l}, true, nil
}

// open reads the report's codes and ranges (see chainItems) and opens the
// store in --data for writing; the caller closes it.
func (f *chainMetaFlags) open(args []string, stdin io.Reader) (*engine.Engine, chain.Items, error) {
	items, err := chainItems(args, stdin)
	if err != nil {
		return nil, items, err
	}
	e, err := storeOpen(f.data, false, nil)
	return e, items, err
}

// chainDefaultOrg sets m.Org, for a report that does not name --org, to the
// owner of the first range's block or first code of it.
func chainDefaultOrg(e *engine.Engine, m *chain.ReportMeta, it *chain.Items) error {
	if m.Org != 0 {
		return nil
	}
	if len(it.Ranges) > 0 {
		b, err := e.Issuance().Block(it.Ranges[0].Block)
		if err != nil {
			return err
		}
		m.Org = b.Org
		return nil
	}
	for _, c := range it.Codes {
		if ch, err := e.Resolve(c); err == nil && ch.Org != nil {
			m.Org = ch.Org.ID
			return nil
		}
	}
	return errors.New("name the reporting organisation with --org ID")
}

// chainReceipt prints an applied report's receipt, or a rejected report's
// errors (one line each) and returns exit status 1.
func chainReceipt(w io.Writer, jsonOut bool, rec *chain.Receipt, err error) error {
	if err != nil {
		var re *chain.ReportError
		if !errors.As(err, &re) {
			return err
		}
		if jsonOut {
			type jerr struct {
				Event  *int   `json:"event,omitempty"`
				Field  string `json:"field,omitempty"`
				Code   string `json:"code,omitempty"`
				Reason string `json:"reason"`
			}
			out := struct {
				OK      bool   `json:"ok"`
				Errors  []jerr `json:"errors"`
				Dropped int    `json:"dropped,omitempty"`
			}{Dropped: re.Dropped}
			for _, x := range re.Errors {
				j := jerr{Field: x.Field, Code: x.Code, Reason: x.Reason}
				if x.Event >= 0 {
					ev := x.Event
					j.Event = &ev
				}
				out.Errors = append(out.Errors, j)
			}
			if err := storeJSON(w, out); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(w, "rejected, nothing applied: %d error(s)\n", len(re.Errors)+re.Dropped)
			for i := range re.Errors {
				fmt.Fprintf(w, "  %s\n", re.Errors[i].Error())
			}
			if re.Dropped > 0 {
				fmt.Fprintf(w, "  … and %d more\n", re.Dropped)
			}
		}
		return exitError{code: 1}
	}
	if jsonOut {
		return storeJSON(w, struct {
			OK         bool   `json:"ok"`
			FirstSeq   uint64 `json:"first_record,omitempty"`
			Records    int    `json:"records"`
			Codes      uint64 `json:"codes"`
			Replayed   bool   `json:"replayed,omitempty"`
			Duplicates int    `json:"duplicates,omitempty"`
		}{true, rec.FirstSeq, rec.Records, rec.Codes, rec.Replayed, rec.Duplicates})
	}
	switch {
	case rec.Replayed:
		fmt.Fprintf(w, "already applied as record %d (request id seen before): nothing applied now\n", rec.FirstSeq)
	case rec.Records == 0:
		fmt.Fprintf(w, "nothing to apply (%d duplicate events)\n", rec.Duplicates)
	default:
		fmt.Fprintf(w, "applied: %d record(s) from %d, %d code(s)", rec.Records, rec.FirstSeq, rec.Codes)
		if rec.Duplicates > 0 {
			fmt.Fprintf(w, ", %d duplicate event(s) skipped", rec.Duplicates)
		}
		fmt.Fprintln(w)
	}
	return nil
}
